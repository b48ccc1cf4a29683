package artifacts_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/artifacts/selector"
)

// charts are the objects TestList and TestLatest publish.
var charts = map[string][]byte{
	"charts/app-1.0.0.tgz":        []byte("one"),
	"charts/app-1.1.0.tgz":        []byte("one-one"),
	"charts/app-1.10.0.tgz":       []byte("one-ten"),
	"charts/app-1.10.0-rc.1.tgz":  []byte("one-ten-rc"),
	"charts/app-latest.tgz":       []byte("not a version"),
	"charts/other-9.9.9.tgz":      []byte("another chart"),
	"charts/nested/app-5.0.0.tgz": []byte("a '*' stops at '/'"),
	"docs/app-9.9.9.tgz":          []byte("outside the prefix"),
}

func versions(as []selector.Artifact) []string {
	var vs []string
	for _, a := range as {
		vs = append(vs, a.Version)
	}
	return vs
}

func TestList(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, charts)
	tests := []struct {
		name        string
		src         artifacts.Source
		want        []string
		wantSkipped []string
		wantPrefix  string
	}{
		{name: "glob by semver", src: artifacts.Source{Pattern: "charts/app-*.tgz"},
			want:        []string{"1.10.0", "1.10.0-rc.1", "1.1.0", "1.0.0"},
			wantSkipped: []string{"charts/app-latest.tgz"}, wantPrefix: "charts/app-"},
		{name: "constraint drops the pre-release",
			src:         artifacts.Source{Pattern: "charts/app-*.tgz", Constraint: ">=1.1, <2"},
			want:        []string{"1.10.0", "1.1.0"},
			wantSkipped: []string{"charts/app-latest.tgz"}, wantPrefix: "charts/app-"},
		{name: "regexp", src: artifacts.Source{Regexp: true,
			Pattern: `charts/app-(?P<version>\d[^/]*)\.tgz`},
			want: []string{"1.10.0", "1.10.0-rc.1", "1.1.0", "1.0.0"}, wantPrefix: "charts/app-"},
		{name: "by name", src: artifacts.Source{Pattern: "charts/app-*.tgz",
			Order: selector.ByName},
			want:       []string{"latest", "1.10.0-rc.1", "1.10.0", "1.1.0", "1.0.0"},
			wantPrefix: "charts/app-"},
		{name: "double star", src: artifacts.Source{Pattern: "charts/**/app-*.tgz"},
			want:        []string{"5.0.0", "1.10.0", "1.10.0-rc.1", "1.1.0", "1.0.0"},
			wantSkipped: []string{"charts/app-latest.tgz"}, wantPrefix: "charts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tr.client(t, delegate, tc.src)
			tr.rec.reset()
			res, err := c.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if got := versions(res.Artifacts); !slices.Equal(got, tc.want) {
				t.Errorf("versions %q, want %q", got, tc.want)
			}
			var skipped []string
			for _, s := range res.Skipped {
				skipped = append(skipped, s.Key)
			}
			if !slices.Equal(skipped, tc.wantSkipped) {
				t.Errorf("skipped %q, want %q", skipped, tc.wantSkipped)
			}
			checkOnlyListed(t, tr.rec.requests(), tc.wantPrefix)
		})
	}
}

// checkOnlyListed fails unless every request is a ListObjectsV2 of the
// bucket under prefix: no ListBuckets, no GetBucketLocation.
func checkOnlyListed(t *testing.T, reqs []string, prefix string) {
	t.Helper()
	if len(reqs) == 0 {
		t.Fatal("no request reached trove")
	}
	for _, r := range reqs {
		u, err := url.Parse(strings.TrimPrefix(r, "GET "))
		q := u.Query()
		if err != nil || !strings.HasPrefix(r, "GET /"+bucket+"?") || q.Get("list-type") != "2" ||
			q.Get("prefix") != prefix || q.Has("delimiter") || q.Has("location") {
			t.Errorf("request %q is not a ListObjectsV2 under %q", r, prefix)
		}
	}
}

func TestLatest(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, charts)
	tests := []struct {
		name       string
		src        artifacts.Source
		want       string
		wantNoneOf bool
	}{
		{name: "highest release", src: artifacts.Source{Pattern: "charts/app-*.tgz"},
			want: "charts/app-1.10.0.tgz"},
		{name: "constraint", src: artifacts.Source{Pattern: "charts/app-*.tgz",
			Constraint: "<1.10"}, want: "charts/app-1.1.0.tgz"},
		{name: "pre-release admitted", src: artifacts.Source{Pattern: "charts/app-*.tgz",
			Constraint: ">=1.10.0-0, <1.10.0"}, want: "charts/app-1.10.0-rc.1.tgz"},
		{name: "nothing left", src: artifacts.Source{Pattern: "charts/app-*.tgz",
			Constraint: ">=5"}, wantNoneOf: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, err := tr.client(t, delegate, tc.src).Latest(context.Background())
			if tc.wantNoneOf {
				if !errors.Is(err, selector.ErrNoMatch) {
					t.Fatalf("got %+v, %v; want ErrNoMatch", a, err)
				}
				return
			}
			if err != nil || a.Key != tc.want {
				t.Fatalf("got %q, %v; want %q", a.Key, err, tc.want)
			}
		})
	}
}

func TestPull(t *testing.T) {
	tr := startTrove(t)
	objects := map[string][]byte{}
	for _, dir := range []string{"plain", "strip", "flip", "flipstrip"} {
		for _, v := range []string{"0.9.0", "1.0.0"} {
			objects[dir+"/app-"+v+".tgz"] = []byte(dir + " chart " + v + strings.Repeat("x", 4096))
		}
	}
	tr.put(t, objects)
	tests := []struct {
		name, dir, version string
		wantKey            string
		wantVerified       string // a substring of Pulled.Verified
		wantErr            error  // nil: any error when wantMsg is set
		wantMsg            string
	}{
		{name: "latest, checksum", dir: "plain", wantKey: "plain/app-1.0.0.tgz",
			wantVerified: "CRC"},
		{name: "given version", dir: "plain", version: "0.9.0", wantKey: "plain/app-0.9.0.tgz",
			wantVerified: "CRC"},
		{name: "no checksum, ETag MD5", dir: "strip", wantKey: "strip/app-1.0.0.tgz",
			wantVerified: "MD5"},
		{name: "tampered, checksum", dir: "flip", wantMsg: "checksum"},
		{name: "tampered, ETag MD5", dir: "flipstrip", wantErr: artifacts.ErrIntegrity},
		{name: "unknown version", dir: "plain", version: "3.0.0",
			wantErr: selector.ErrNoMatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tr.client(t, delegate, artifacts.Source{Pattern: tc.dir + "/app-*.tgz"})
			dir := t.TempDir()
			dest := filepath.Join(dir, "app.tgz")
			if err := os.WriteFile(dest, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			p, err := c.Pull(context.Background(), tc.version, dest)
			if tc.wantErr != nil || tc.wantMsg != "" {
				checkFailedPull(t, err, tc.wantErr, tc.wantMsg, dir, dest)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(dest)
			if p.Key != tc.wantKey || !bytes.Equal(got, objects[tc.wantKey]) ||
				p.Bytes != int64(len(got)) || !strings.Contains(p.Verified, tc.wantVerified) {
				t.Errorf("pulled %+v, %d bytes in the file; want %s, verified by %s", p,
					len(got), tc.wantKey, tc.wantVerified)
			}
			checkOnlyFile(t, dir)
		})
	}
}

// checkFailedPull checks that err is the error wanted and that dest kept its
// old content, with no temporary file left beside it.
func checkFailedPull(t *testing.T, err, want error, msg, dir, dest string) {
	t.Helper()
	if err == nil || (want != nil && !errors.Is(err, want)) || !strings.Contains(err.Error(), msg) {
		t.Errorf("error %v; want %v containing %q", err, want, msg)
	}
	if got, _ := os.ReadFile(dest); string(got) != "old" {
		t.Errorf("destination now holds %q", got)
	}
	checkOnlyFile(t, dir)
}

// checkOnlyFile fails unless dir holds one file: no temporary file is left.
func checkOnlyFile(t *testing.T, dir string) {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil || len(ents) != 1 {
		t.Errorf("directory holds %v (%v); want only the destination", ents, err)
	}
}

func TestPagination(t *testing.T) {
	tr := startTrove(t)
	const n = 1005
	objects := make(map[string][]byte, n)
	for i := range n {
		objects[fmt.Sprintf("many/app-1.0.%d.tgz", i)] = []byte{byte(i)}
	}
	tr.put(t, objects)
	tests := []struct {
		name      string
		pageSize  int32
		wantPages int
	}{
		{name: "service's page size", wantPages: 2},
		{name: "pages of 1000", pageSize: 1000, wantPages: 2},
		{name: "pages of 100", pageSize: 100, wantPages: 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tr.client(t, delegate, artifacts.Source{Pattern: "many/app-*.tgz",
				PageSize: tc.pageSize})
			tr.rec.reset()
			res, err := c.List(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Artifacts) != n || res.Artifacts[0].Version != "1.0.1004" {
				t.Errorf("%d artifacts, newest %+v; want %d, newest 1.0.1004",
					len(res.Artifacts), res.Artifacts[0], n)
			}
			reqs := tr.rec.requests()
			if len(reqs) != tc.wantPages {
				t.Errorf("%d requests, want %d pages: %q", len(reqs), tc.wantPages, reqs)
			}
			checkOnlyListed(t, reqs, "many/app-")
		})
	}
}

func TestCallErrors(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one")})
	tests := []struct {
		name     string
		who      key
		bucket   string
		wantCode string
		wantText string
	}{
		{name: "outsider denied", who: intruder, bucket: bucket, wantCode: "AccessDenied",
			wantText: "artifacts: ListObjectsV2 on s3://devtools-artifacts/charts/app- " +
				"denied (AccessDenied): "},
		{name: "no such bucket", who: delegate, bucket: "no-such-bucket",
			wantCode: "NoSuchBucket",
			wantText: "artifacts: ListObjectsV2 on s3://no-such-bucket/charts/app- failed " +
				"(NoSuchBucket): "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			src := artifacts.Source{Endpoint: tr.srv.URL, Bucket: tc.bucket,
				Pattern: "charts/app-*.tgz"}
			c, err := artifacts.New(config(tc.who), src)
			if err != nil {
				t.Fatal(err)
			}
			dest := filepath.Join(t.TempDir(), "app.tgz")
			_, err = c.Pull(context.Background(), "", dest)
			var ce *artifacts.CallError
			if !errors.As(err, &ce) || ce.Code != tc.wantCode ||
				!strings.HasPrefix(err.Error(), tc.wantText) {
				t.Fatalf("error %v; want a CallError %s starting %q", err, tc.wantCode,
					tc.wantText)
			}
			if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("destination exists after a failed pull: %v", err)
			}
		})
	}
}

func TestNewRejects(t *testing.T) {
	t.Setenv("AWS_ENDPOINT_URL_S3", "")
	const ep = "http://127.0.0.1:1"
	tests := []struct {
		name string
		src  artifacts.Source
		want string
	}{
		{"no bucket", artifacts.Source{Endpoint: ep, Pattern: "a-*"}, "no bucket"},
		{"bucket with a path", artifacts.Source{Endpoint: ep, Bucket: "../x", Pattern: "a-*"},
			`bucket "../x": want lower-case letters`},
		{"bad glob", artifacts.Source{Endpoint: ep, Bucket: "bkt", Pattern: "a-[*"}, "pattern"},
		{"regexp without version", artifacts.Source{Endpoint: ep, Bucket: "bkt",
			Pattern: "a-.*", Regexp: true}, "version"},
		{"semver without a version star", artifacts.Source{Endpoint: ep, Bucket: "bkt",
			Pattern: "a/**"}, "gives no version"},
		{"bad constraint", artifacts.Source{Endpoint: ep, Bucket: "bkt", Pattern: "a-*",
			Constraint: ">>1"}, "constraint"},
		{"negative page size", artifacts.Source{Endpoint: ep, Bucket: "bkt", Pattern: "a-*",
			PageSize: -1}, "page size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := artifacts.New(aws.Config{}, tc.src)
			if !errors.Is(err, artifacts.ErrBadSource) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want ErrBadSource naming %q", err, tc.want)
			}
		})
	}
}

func TestPullArtifact(t *testing.T) {
	tr := startTrove(t)
	body := bytes.Repeat([]byte("chart"), 1000)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": body})
	c := tr.client(t, delegate, artifacts.Source{Pattern: "charts/app-*.tgz"})
	listed, err := c.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		overwrite bool
		wantCode  string
	}{
		{name: "progress sees every byte"},
		{name: "changed since listed", overwrite: true, wantCode: "PreconditionFailed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.overwrite {
				tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("rebuilt")})
			}
			dest := filepath.Join(t.TempDir(), "app.tgz")
			var seen bytes.Buffer
			size := int64(-2)
			_, err := c.PullArtifact(context.Background(), listed, dest, artifacts.PullOptions{
				Progress: func(n int64) io.Writer { size = n; return &seen }})
			if tc.wantCode != "" {
				var ce *artifacts.CallError
				if !errors.As(err, &ce) || ce.Op != "GetObject" || ce.Code != tc.wantCode {
					t.Fatalf("error %v; want a GetObject CallError %s", err, tc.wantCode)
				}
				if ents, _ := os.ReadDir(filepath.Dir(dest)); len(ents) != 0 {
					t.Errorf("files left after a failed pull: %v", ents)
				}
				return
			}
			if err != nil || !bytes.Equal(seen.Bytes(), body) || size != int64(len(body)) {
				t.Fatalf("error %v, progress saw %d of %d bytes (size %d)", err, seen.Len(),
					len(body), size)
			}
		})
	}
}

func TestCheckBucket(t *testing.T) {
	tests := []struct {
		name, bucket string
		want         string // "" when the name is good
	}{
		{name: "example", bucket: "devtools-artifacts"},
		{name: "dots and digits", bucket: "1.artifacts.example-2"},
		{name: "shortest", bucket: "abc"},
		{name: "longest", bucket: strings.Repeat("a", 63)},
		{name: "three numbers", bucket: "1.2.3"},
		{name: "reserved prefix still read", bucket: "xn--artifacts"},
		{name: "empty", want: "no bucket"},
		{name: "too short", bucket: "ab", want: "want 3 to 63 characters"},
		{name: "too long", bucket: strings.Repeat("a", 64), want: "want 3 to 63 characters"},
		{name: "parent directory", bucket: "../x", want: "want lower-case letters"},
		{name: "slash", bucket: "a/b/c", want: "want lower-case letters"},
		{name: "upper case", bucket: "Artifacts", want: "want lower-case letters"},
		{name: "underscore", bucket: "my_bucket", want: "want lower-case letters"},
		{name: "leading hyphen", bucket: "-abc", want: "starting and ending"},
		{name: "trailing dot", bucket: "abc.", want: "starting and ending"},
		{name: "two dots", bucket: "a..b", want: "two dots in a row"},
		{name: "ip address", bucket: "192.168.5.4", want: "an IP address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := artifacts.CheckBucket(tc.bucket)
			if tc.want == "" {
				if err != nil {
					t.Errorf("error %v, want none", err)
				}
				return
			}
			if !errors.Is(err, artifacts.ErrBadSource) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v; want ErrBadSource saying %q", err, tc.want)
			}
		})
	}
}

func TestFileName(t *testing.T) {
	tests := []struct {
		key, want string // want "" for an error
	}{
		{"charts/app-1.2.0.tgz", "app-1.2.0.tgz"},
		{"app-1.2.0.tgz", "app-1.2.0.tgz"},
		{"rel/3.0.0/", "3.0.0"},
		{"rel/3.0.0//", "3.0.0"},
		{"rel/..", ""},
		{"rel/../", ""},
		{"rel/.", ""},
		{"..", ""},
		{"/", ""},
		{"", ""},
		{"rel/app..", "app.."},
	}
	for _, tc := range tests {
		t.Run(tc.key, func(t *testing.T) {
			got, err := artifacts.FileName(tc.key)
			if tc.want == "" {
				if !errors.Is(err, artifacts.ErrBadDestination) ||
					!strings.Contains(err.Error(), "name the file to write") {
					t.Errorf("FileName(%q) = %q, %v; want ErrBadDestination", tc.key, got, err)
				}
				return
			}
			if got != tc.want || err != nil {
				t.Errorf("FileName(%q) = %q, %v; want %q", tc.key, got, err, tc.want)
			}
		})
	}
}

// TestOpenEndpoint checks where Open takes the endpoint from when the
// Source names none, and that with none at all the SDK's resolution is
// left to work. Open makes no request, so nothing is contacted.
func TestOpenEndpoint(t *testing.T) {
	empty := filepath.Join(t.TempDir(), "empty")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	const example = "../../examples/cross-account/"
	tests := []struct {
		name    string
		env     map[string]string
		profile string
		wantErr bool
	}{
		{name: "profile's endpoint_url", profile: "delegate", env: map[string]string{
			"AWS_CONFIG_FILE":             example + "aws-config",
			"AWS_SHARED_CREDENTIALS_FILE": example + "aws-credentials"}},
		{name: "AWS_ENDPOINT_URL_S3", env: map[string]string{
			"AWS_ENDPOINT_URL_S3": "http://127.0.0.1:1"}},
		{name: "AWS_ENDPOINT_URL", env: map[string]string{
			"AWS_ENDPOINT_URL": "http://127.0.0.1:1"}},
		{name: "none: AWS's own, resolved by the SDK"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
			t.Setenv("AWS_CONFIG_FILE", empty)
			t.Setenv("AWS_SHARED_CREDENTIALS_FILE", empty)
			for _, v := range []string{"AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
				"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_REGION"} {
				t.Setenv(v, "") // to restore the old value when the test ends
				os.Unsetenv(v)
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, err := artifacts.Open(context.Background(), artifacts.Source{
				Profile: tc.profile, Bucket: bucket, Pattern: "charts/app-*.tgz"})
			if tc.wantErr != errors.Is(err, artifacts.ErrBadSource) || (!tc.wantErr && err != nil) {
				t.Errorf("error %v; want ErrBadSource: %v", err, tc.wantErr)
			}
		})
	}
}
