package selector

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"
)

// objects builds a listing of keys, the i-th modified i minutes after a
// fixed instant.
func objects(keys ...string) []Object {
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	objs := make([]Object, len(keys))
	for i, k := range keys {
		objs[i] = Object{Key: k, Size: int64(100 + i), LastModified: base.Add(
			time.Duration(i) * time.Minute)}
	}
	return objs
}

func keysOf(arts []Artifact) []string {
	var out []string
	for _, a := range arts {
		out = append(out, a.Key)
	}
	return out
}

func skippedKeys(sk []Skipped) []string {
	var out []string
	for _, s := range sk {
		out = append(out, s.Key)
	}
	return out
}

func TestSelect(t *testing.T) {
	glob := "app-*.tgz"
	tests := []struct {
		name       string
		keys       []string
		order      Order
		constraint string
		want       []string
		skipped    []string
	}{
		{
			name: "semver precedence from the spec",
			keys: []string{"app-1.0.0-beta.11.tgz", "app-1.0.0.tgz", "app-1.0.0-alpha.tgz",
				"app-1.0.0-rc.1.tgz", "app-1.0.0-alpha.beta.tgz", "app-1.0.0-beta.2.tgz",
				"app-1.0.0-alpha.1.tgz", "app-1.0.0-beta.tgz"},
			want: []string{"app-1.0.0.tgz", "app-1.0.0-rc.1.tgz", "app-1.0.0-beta.11.tgz",
				"app-1.0.0-beta.2.tgz", "app-1.0.0-beta.tgz", "app-1.0.0-alpha.beta.tgz",
				"app-1.0.0-alpha.1.tgz", "app-1.0.0-alpha.tgz"},
		},
		{
			name: "numeric fields compare as numbers",
			keys: []string{"app-1.9.0.tgz", "app-1.10.0.tgz", "app-1.2.0.tgz", "app-10.0.0.tgz"},
			want: []string{"app-10.0.0.tgz", "app-1.10.0.tgz", "app-1.9.0.tgz", "app-1.2.0.tgz"},
		},
		{
			name: "build metadata ties broken by key",
			keys: []string{"app-1.0.0+b.2.tgz", "app-1.0.0+b.10.tgz", "app-1.0.0.tgz",
				"app-0.9.0+zzz.tgz"},
			want: []string{"app-1.0.0.tgz", "app-1.0.0+b.2.tgz", "app-1.0.0+b.10.tgz",
				"app-0.9.0+zzz.tgz"},
		},
		{
			name: "leading v accepted and ties with bare",
			keys: []string{"app-v1.0.0.tgz", "app-1.0.0.tgz", "app-v0.1.0.tgz"},
			want: []string{"app-v1.0.0.tgz", "app-1.0.0.tgz", "app-v0.1.0.tgz"},
		},
		{
			name: "not versions are reported",
			keys: []string{"app-latest.tgz", "app-1.2.tgz", "app-01.2.3.tgz", "app-V1.0.0.tgz",
				"app-vv1.0.0.tgz", "app-1.0.0-.tgz", "app-.tgz", "app-2.0.0.tgz", "other.txt"},
			want: []string{"app-2.0.0.tgz"},
			skipped: []string{"app-.tgz", "app-01.2.3.tgz", "app-1.0.0-.tgz", "app-1.2.tgz",
				"app-V1.0.0.tgz", "app-latest.tgz", "app-vv1.0.0.tgz"},
		},
		{
			name: "range constraint",
			keys: []string{"app-1.1.0.tgz", "app-1.2.0.tgz", "app-1.9.9.tgz",
				"app-2.0.0.tgz"},
			constraint: ">=1.2, <2",
			want:       []string{"app-1.9.9.tgz", "app-1.2.0.tgz"},
		},
		{
			name:       "constraint without pre-release excludes pre-releases",
			keys:       []string{"app-1.3.0-beta.1.tgz", "app-1.2.0.tgz", "app-2.0.0-rc.1.tgz"},
			constraint: ">=1.2",
			want:       []string{"app-1.2.0.tgz"},
		},
		{
			name:       "constraint naming a pre-release admits pre-releases",
			keys:       []string{"app-1.3.0-beta.1.tgz", "app-1.2.0.tgz", "app-1.1.0-rc.1.tgz"},
			constraint: ">=1.2.0-0",
			want:       []string{"app-1.3.0-beta.1.tgz", "app-1.2.0.tgz"},
		},
		{
			name:       "constraint with modified order still reports bad versions",
			keys:       []string{"app-1.0.0.tgz", "app-nightly.tgz", "app-1.5.0.tgz"},
			order:      ByModified,
			constraint: "^1",
			want:       []string{"app-1.5.0.tgz", "app-1.0.0.tgz"},
			skipped:    []string{"app-nightly.tgz"},
		},
		{
			name:  "modified order needs no versions",
			keys:  []string{"app-b.tgz", "app-a.tgz", "app-c.tgz"},
			order: ByModified,
			want:  []string{"app-c.tgz", "app-a.tgz", "app-b.tgz"},
		},
		{
			name:  "name order is lexical",
			keys:  []string{"app-1.10.0.tgz", "app-1.9.0.tgz", "app-nightly.tgz"},
			order: ByName,
			want:  []string{"app-nightly.tgz", "app-1.9.0.tgz", "app-1.10.0.tgz"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseGlob(glob)
			if err != nil {
				t.Fatal(err)
			}
			res, err := Select(objects(tt.keys...), p, tt.order, tt.constraint)
			if err != nil {
				t.Fatalf("Select: %v", err)
			}
			if got := keysOf(res.Artifacts); !slices.Equal(got, tt.want) {
				t.Errorf("artifacts\n got %q\nwant %q", got, tt.want)
			}
			if got := skippedKeys(res.Skipped); !slices.Equal(got, tt.skipped) {
				t.Errorf("skipped\n got %q\nwant %q", got, tt.skipped)
			}
		})
	}
}

func TestSelectOrderIndependent(t *testing.T) {
	p, err := ParseGlob("app-*.tgz")
	if err != nil {
		t.Fatal(err)
	}
	objs := objects("app-1.0.0+a.tgz", "app-1.0.0+b.tgz", "app-v1.0.0.tgz", "app-1.0.0.tgz")
	for _, order := range []Order{BySemver, ByModified, ByName} {
		t.Run(order.String(), func(t *testing.T) {
			same := slices.Clone(objs)
			for i := range same {
				same[i].LastModified = objs[0].LastModified
			}
			first, err := Select(same, p, order, "")
			if err != nil {
				t.Fatal(err)
			}
			slices.Reverse(same)
			second, err := Select(same, p, order, "")
			if err != nil {
				t.Fatal(err)
			}
			if a, b := keysOf(first.Artifacts), keysOf(second.Artifacts); !slices.Equal(a, b) {
				t.Errorf("order depends on input order: %q vs %q", a, b)
			}
		})
	}
}

func TestSelectErrors(t *testing.T) {
	glob, err := ParseGlob("app-*.tgz")
	if err != nil {
		t.Fatal(err)
	}
	noVersion, err := ParseGlob("nightly/**")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		p          *Pattern
		order      Order
		constraint string
		wantInErr  string
	}{
		{"bad constraint", glob, BySemver, ">=1.2 <<2", `bad constraint ">=1.2 <<2"`},
		{"nil pattern", nil, BySemver, "", "nil pattern"},
		{"unknown order", glob, Order(7), "", "unknown order 7"},
		{"semver without version", noVersion, BySemver, "", "gives no version"},
		{"constraint without version", noVersion, ByModified, "^1", "gives no version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Select(objects("app-1.0.0.tgz"), tt.p, tt.order, tt.constraint)
			if err == nil || !strings.Contains(err.Error(), tt.wantInErr) {
				t.Fatalf("Select error = %v, want one containing %q", err, tt.wantInErr)
			}
			if !strings.HasPrefix(err.Error(), "selector: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

func TestLatest(t *testing.T) {
	p, err := ParseRegexp(`rel/tool_(?P<version>[^/]+)_linux\.tar\.gz`)
	if err != nil {
		t.Fatal(err)
	}
	objs := objects("rel/tool_1.4.0_linux.tar.gz", "rel/tool_1.5.0-rc.1_linux.tar.gz",
		"rel/tool_dev_linux.tar.gz", "rel/tool_1.5.0_darwin.tar.gz")
	tests := []struct {
		name       string
		constraint string
		want       string
		wantErr    error
	}{
		{"no constraint takes pre-release", "", "rel/tool_1.5.0-rc.1_linux.tar.gz", nil},
		{"constraint skips pre-release", "~1", "rel/tool_1.4.0_linux.tar.gz", nil},
		{"nothing left", ">=3", "", ErrNoMatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := Latest(objs, p, BySemver, tt.constraint)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Latest error = %v, want %v", err, tt.wantErr)
			}
			if a.Key != tt.want {
				t.Errorf("Latest = %q, want %q", a.Key, tt.want)
			}
		})
	}
}

func TestParseOrder(t *testing.T) {
	tests := []struct {
		name, in string
		want     Order
		wantErr  bool
	}{
		{"semver", "semver", BySemver, false},
		{"modified upper", "Modified", ByModified, false},
		{"name", "name", ByName, false},
		{"unknown", "size", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseOrder(tt.in)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("ParseOrder(%q) = %v, %v", tt.in, got, err)
			}
			if err == nil && got.String() != strings.ToLower(tt.in) {
				t.Errorf("String() = %q", got.String())
			}
		})
	}
}
