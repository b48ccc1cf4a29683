package helmrepo

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 600_000_000, time.UTC)

func version(name, v, url string, created time.Time) Version {
	return Version{Chart: Chart{Metadata: Metadata{APIVersion: "v2", Name: name, Version: v},
		Digest: "d-" + url}, URL: url, Created: created}
}

// indexVersions is an index's input with every ordering rule at work.
func indexVersions(t *testing.T) []Version {
	full, err := ReadChart(bytes.NewReader(archive(t,
		file{name: "full/Chart.yaml", body: fullChart})), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	return []Version{
		version("hello", "0.1.0", "hello-0.1.0.tgz", t0),
		version("hello", "1.0.0", "hello-1.0.0.tgz", t0.Add(time.Hour)),
		version("hello", "1.0.0-rc.1", "hello-1.0.0-rc.1.tgz", t0),
		version("hello", "0.10.0", "hello-0.10.0.tgz", t0),
		version("hello", "0.2.0", "old/hello-0.2.0.tgz", t0),
		version("hello", "0.2.0", "new/hello-0.2.0.tgz", t0.Add(time.Minute)),
		version("hello", "0.2.0", "a/hello-0.2.0.tgz", t0.Add(time.Minute)),
		{Chart: full, URL: "sub%20dir/full-1.2.3.tgz", Created: t0.In(time.FixedZone("x", 3600))},
		version("aardvark", "2.0.0", "aardvark-2.0.0.tgz", t0),
	}
}

// TestIndexGolden writes the index of indexVersions and compares it with
// its golden file.
func TestIndexGolden(t *testing.T) {
	out, err := Index(indexVersions(t), t0)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "index.golden", out)
}

// TestIndexDeterministic gives Index its input in many orders and wants the
// same bytes each time, and the input left as it was.
func TestIndexDeterministic(t *testing.T) {
	in := indexVersions(t)
	want, err := Index(in, t0)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		vs := slices.Clone(in)
		r.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		before := slices.Clone(vs)
		got, err := Index(vs, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("shuffle %d: index differs:\n%s", i, got)
		}
		for j := range vs {
			if vs[j].URL != before[j].URL {
				t.Fatalf("shuffle %d: Index reordered its input", i)
			}
		}
	}
}

// TestIndexShape parses an index back and checks what Helm reads from it.
func TestIndexShape(t *testing.T) {
	tests := []struct {
		name     string
		versions []Version
		want     map[string][]string // chart name: URLs in order
	}{
		{name: "empty", versions: nil, want: map[string][]string{}},
		{name: "semver not text order", versions: []Version{
			version("a", "1.9.0", "1.9", t0), version("a", "1.10.0", "1.10", t0),
			version("a", "1.10.0-alpha", "alpha", t0), version("a", "v1.11", "v", t0)},
			want: map[string][]string{"a": {"v", "1.10", "alpha", "1.9"}}},
		{name: "names apart", versions: []Version{
			version("b", "1.0.0", "b", t0), version("a", "1.0.0", "a", t0)},
			want: map[string][]string{"a": {"a"}, "b": {"b"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Index(tt.versions, t0)
			if err != nil {
				t.Fatal(err)
			}
			var doc struct {
				APIVersion string `yaml:"apiVersion"`
				Entries    map[string][]struct {
					URLs    []string  `yaml:"urls"`
					Created time.Time `yaml:"created"`
				} `yaml:"entries"`
				Generated time.Time `yaml:"generated"`
			}
			if err := yaml.Unmarshal(out, &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if doc.APIVersion != "v1" || !doc.Generated.Equal(t0) || doc.Entries == nil {
				t.Fatalf("header %q %v %v", doc.APIVersion, doc.Generated, doc.Entries)
			}
			got := map[string][]string{}
			for name, es := range doc.Entries {
				got[name] = []string{}
				for _, e := range es {
					got[name] = append(got[name], e.URLs...)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("entries %v, want %v", got, tt.want)
			}
			for name, urls := range tt.want {
				if !slices.Equal(got[name], urls) {
					t.Errorf("%s: URLs %v, want %v", name, got[name], urls)
				}
			}
		})
	}
}
