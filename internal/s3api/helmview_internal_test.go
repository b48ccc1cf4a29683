package s3api

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/helmrepo"
	"github.com/troveproject/trove/internal/s3err"
)

func TestParseHelmPath(t *testing.T) {
	tests := []struct {
		name string
		path string
		want helmTarget
		code s3err.Code
	}{
		{name: "root index", path: "/-/helm/b/index.yaml",
			want: helmTarget{bucket: "b", index: true}},
		{name: "prefix index", path: "/-/helm/b/charts/stable/index.yaml",
			want: helmTarget{bucket: "b", index: true, prefix: "charts/stable/"}},
		{name: "chart", path: "/-/helm/b/charts/hello-1.0.0.tgz",
			want: helmTarget{bucket: "b", key: "charts/hello-1.0.0.tgz"}},
		{name: "provenance", path: "/-/helm/b/charts/hello-1.0.0.tgz.prov",
			want: helmTarget{bucket: "b", key: "charts/hello-1.0.0.tgz.prov"}},
		{name: "chart named index", path: "/-/helm/b/index.yaml.tgz",
			want: helmTarget{bucket: "b", key: "index.yaml.tgz"}},
		{name: "empty prefix segment", path: "/-/helm/b//index.yaml",
			want: helmTarget{bucket: "b", index: true, prefix: "/"}},
		{name: "no bucket", path: "/-/helm/", code: s3err.InvalidRequest},
		{name: "bucket only", path: "/-/helm/b", code: s3err.NoSuchKey},
		{name: "other file", path: "/-/helm/b/charts/README.md", code: s3err.NoSuchKey},
		{name: "index without slash", path: "/-/helm/b/chartsindex.yaml", code: s3err.NoSuchKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseHelmPath(tt.path)
			if tt.code != "" {
				if !errors.Is(err, s3err.New(tt.code)) {
					t.Fatalf("error %v, want %s", err, tt.code)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestRelativeURL(t *testing.T) {
	tests := []struct {
		name string
		rest string
		want string // "" for none
	}{
		{name: "plain", rest: "hello-1.0.0.tgz", want: "hello-1.0.0.tgz"},
		{name: "nested", rest: "a/b/c.tgz", want: "a/b/c.tgz"},
		{name: "space and percent", rest: "a b/%41.tgz", want: "a%20b/%2541.tgz"},
		{name: "colon", rest: "http:x.tgz", want: "http%3Ax.tgz"},
		{name: "query and fragment", rest: "a?b#c.tgz", want: "a%3Fb%23c.tgz"},
		{name: "leading slash", rest: "/evil.example/x.tgz"},
		{name: "double slash", rest: "a//x.tgz"},
		{name: "dot dot", rest: "../x.tgz"},
		{name: "dot", rest: "a/./x.tgz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := relativeURL(tt.rest)
			if ok != (tt.want != "") || got != tt.want {
				t.Fatalf("relativeURL(%q) = %q, %v; want %q", tt.rest, got, ok, tt.want)
			}
		})
	}
}

// TestHelmCacheEvicts fills the cache past its budget and checks that the
// least recently used entries go and the cost stays within the budget.
func TestHelmCacheEvicts(t *testing.T) {
	var c helmCache
	big := helmrepo.Chart{Metadata: helmrepo.Metadata{Description: strings.Repeat("x", 1<<20)}}
	for i := range 15 {
		c.put(fmt.Sprint(i), big, nil)
	}
	for i := 15; i < 40; i++ {
		c.get("0") // keeps entry 0 among the most recently used
		c.put(fmt.Sprint(i), big, nil)
	}
	if c.cost > helmCacheBudget {
		t.Errorf("cost %d over the budget %d", c.cost, helmCacheBudget)
	}
	if _, _, ok := c.get("0"); !ok {
		t.Error("entry 0, used recently, was evicted")
	}
	if _, _, ok := c.get("1"); ok {
		t.Error("entry 1, the least recently used, was kept")
	}
	if _, _, ok := c.get("39"); !ok {
		t.Error("the newest entry was evicted")
	}
	invalid := fmt.Errorf("%w: junk", helmrepo.ErrInvalid)
	c.put("bad", helmrepo.Chart{}, invalid)
	if _, err, ok := c.get("bad"); !ok || !errors.Is(err, helmrepo.ErrInvalid) {
		t.Errorf("an invalid archive is not remembered: %v %v", err, ok)
	}
	if n := c.len(); n < 2 || n > 16 {
		t.Errorf("%d entries", n)
	}
}
