package s3api

import (
	"errors"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

func TestParseDelete(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		quiet   bool
		keys    []string
		version string // of the first object
		bad     bool
	}{
		{name: "namespaced", keys: []string{"a", "b"},
			doc: `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>a</Key>` +
				`</Object><Object><Key>b</Key></Object></Delete>`},
		{name: "quiet and version", quiet: true, keys: []string{"a&b"}, version: "null",
			doc: `<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key>` +
				`<VersionId>null</VersionId></Object></Delete>`},
		{name: "spaces kept", keys: []string{" k "},
			doc: `<Delete><Object><Key> k </Key></Object></Delete>`},
		{name: "empty", doc: ``, bad: true},
		{name: "no objects", doc: `<Delete><Quiet>false</Quiet></Delete>`, bad: true},
		{name: "missing key", doc: `<Delete><Object><VersionId>x</VersionId></Object></Delete>`,
			bad: true},
		{name: "bad quiet", doc: `<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object>` +
			`</Delete>`, bad: true},
		{name: "unclosed", doc: `<Delete><Object><Key>a</Key></Object>`, bad: true},
		{name: "wrong root", doc: `<Remove><Object><Key>a</Key></Object></Remove>`, bad: true},
		{name: "1001 objects", doc: manyObjects(1001), bad: true},
		{name: "1000 objects", doc: manyObjects(1000), keys: make([]string, 1000)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseDelete([]byte(tt.doc))
			if tt.bad {
				if !errors.Is(err, s3err.New(s3err.MalformedXML)) {
					t.Fatalf("err %v, want MalformedXML", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d.Quiet != tt.quiet || len(d.Objects) != len(tt.keys) {
				t.Fatalf("quiet %v, %d objects; want %v, %d", d.Quiet, len(d.Objects),
					tt.quiet, len(tt.keys))
			}
			for i, k := range tt.keys {
				if k != "" && d.Objects[i].key() != k {
					t.Errorf("key %d %q, want %q", i, d.Objects[i].key(), k)
				}
			}
			if got := d.Objects[0].version(); got != tt.version {
				t.Errorf("version %q, want %q", got, tt.version)
			}
		})
	}
}

func manyObjects(n int) string {
	return "<Delete>" + strings.Repeat("<Object><Key>k</Key></Object>", n) + "</Delete>"
}

// FuzzParseDelete checks that any body either parses into 1 to 1000
// objects with non-empty keys or is MalformedXML, and never panics.
func FuzzParseDelete(f *testing.F) {
	f.Add([]byte(`<Delete><Quiet>true</Quiet><Object><Key>a</Key>` +
		`<VersionId>null</VersionId></Object></Delete>`))
	f.Add([]byte(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
		`<Object><Key>a&#x10;</Key><ETag>"x"</ETag></Object></Delete>`))
	f.Add([]byte(`<Delete><Object></Object></Delete>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := parseDelete(body)
		if err != nil {
			if !errors.Is(err, s3err.New(s3err.MalformedXML)) {
				t.Fatalf("err %v, want MalformedXML", err)
			}
			return
		}
		if len(d.Objects) < 1 || len(d.Objects) > maxDeleteKeys {
			t.Fatalf("%d objects accepted", len(d.Objects))
		}
		for _, o := range d.Objects {
			if o.Key == nil || *o.Key == "" {
				t.Fatal("object without a key accepted")
			}
		}
	})
}
