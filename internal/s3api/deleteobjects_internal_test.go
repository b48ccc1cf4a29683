package s3api

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

func TestParseDelete(t *testing.T) {
	const ns = `<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`
	tests := []struct {
		name    string
		doc     string
		quiet   bool
		keys    []string
		version string // of the first object
		bad     bool
	}{
		{name: "namespaced", keys: []string{"a", "b"},
			doc: ns + `<Object><Key>a</Key></Object><Object><Key>b</Key></Object></Delete>`},
		{name: "prefixed namespace", keys: []string{"a"},
			doc: `<s3:Delete xmlns:s3="http://s3.amazonaws.com/doc/2006-03-01/"><s3:Object>` +
				`<s3:Key>a</s3:Key></s3:Object></s3:Delete>`},
		{name: "quiet and version", quiet: true, keys: []string{"a&b"}, version: "null",
			doc: `<Delete><Quiet>true</Quiet><Object><Key>a&amp;b</Key>` +
				`<VersionId>null</VersionId></Object></Delete>`},
		{name: "empty quiet", keys: []string{"a"},
			doc: `<Delete><Quiet></Quiet><Object><Key>a</Key></Object></Delete>`},
		{name: "spaces kept", keys: []string{" k "},
			doc: `<Delete><Object><Key> k </Key></Object></Delete>`},
		{name: "cdata and comment in a key", keys: []string{"a<b"},
			doc: `<Delete><Object><Key>a<!-- c --><![CDATA[<b]]></Key></Object></Delete>`},
		{name: "prolog, pretty-printed, trailing space", keys: []string{"a"},
			doc: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- c -->\n<Delete>\n" +
				"  <Object>\n    <Key>a</Key>\n  </Object>\n</Delete>\n<!-- end -->\n"},
		{name: "unknown children skipped", keys: []string{"a"},
			doc: `<Delete><Extra><X>1</X></Extra><Object><Key>a</Key><Other/></Object>` +
				`</Delete>`},
		{name: "1000 objects", doc: manyObjects(1000), keys: make([]string, 1000)},
		{name: "empty", doc: ``, bad: true},
		{name: "white space only", doc: " \n", bad: true},
		{name: "no objects", doc: `<Delete><Quiet>false</Quiet></Delete>`, bad: true},
		{name: "missing key", doc: `<Delete><Object><VersionId>x</VersionId></Object></Delete>`,
			bad: true},
		{name: "bad quiet", doc: `<Delete><Quiet>yes</Quiet><Object><Key>a</Key></Object>` +
			`</Delete>`, bad: true},
		{name: "unclosed", doc: `<Delete><Object><Key>a</Key></Object>`, bad: true},
		{name: "mismatched end", doc: `<Delete><Object><Key>a</Key></Objet></Delete>`,
			bad: true},
		{name: "wrong root", doc: `<Remove><Object><Key>a</Key></Object></Remove>`, bad: true},
		{name: "trailing element", doc: manyObjects(1) + `<junk>`, bad: true},
		{name: "trailing closed element", doc: manyObjects(1) + `<junk/>`, bad: true},
		{name: "second root", doc: manyObjects(1) + manyObjects(1), bad: true},
		{name: "trailing text", doc: manyObjects(1) + `x`, bad: true},
		{name: "text before root", doc: `x` + manyObjects(1), bad: true},
		{name: "doctype", doc: `<!DOCTYPE Delete>` + manyObjects(1), bad: true},
		{name: "two keys", doc: `<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>`,
			bad: true},
		{name: "two version ids", doc: `<Delete><Object><Key>a</Key><VersionId>1</VersionId>` +
			`<VersionId>2</VersionId></Object></Delete>`, bad: true},
		{name: "two quiets", doc: `<Delete><Quiet>true</Quiet><Quiet>false</Quiet><Object>` +
			`<Key>a</Key></Object></Delete>`, bad: true},
		{name: "element in a key", doc: `<Delete><Object><Key>a<b/></Key></Object></Delete>`,
			bad: true},
		{name: "text among objects", doc: `<Delete>x<Object><Key>a</Key></Object></Delete>`,
			bad: true},
		{name: "nested too deep", doc: `<Delete>` + strings.Repeat("<a>", maxXMLDepth) +
			strings.Repeat("</a>", maxXMLDepth) + `<Object><Key>a</Key></Object></Delete>`,
			bad: true},
		{name: "token too long", doc: `<Delete><Object><Key>` +
			strings.Repeat("k", maxXMLToken+1) + `</Key></Object></Delete>`, bad: true},
		{name: "text too long in pieces", doc: `<Delete><Object><Key>` +
			strings.Repeat("<![CDATA[kkkkkkkk]]>", maxXMLToken/8+1) + `</Key></Object></Delete>`,
			bad: true},
		{name: "1001 objects", doc: manyObjects(1001), bad: true},
		{name: "280000 objects", doc: manyObjects(280000), bad: true},
		{name: "over the body bound", doc: `<Delete><Object><Key>a</Key></Object>` +
			strings.Repeat("<!-- -->\n", maxDeleteBody/9) + `</Delete>`, bad: true},
		{name: "too many tokens", doc: `<Delete><Object><Key>a</Key></Object>` +
			strings.Repeat("<x/>", deleteTokens) + `</Delete>`, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseDelete(strings.NewReader(tt.doc))
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

// TestParseDeleteBodyError checks that the body's own error, a BadDigest
// from sigv4 at the end of the body, is answered as itself, not as
// MalformedXML, and that it is met before parseDelete returns objects.
func TestParseDeleteBodyError(t *testing.T) {
	bad := s3err.New(s3err.BadDigest)
	r := io.MultiReader(strings.NewReader(manyObjects(3)+"\n"), errReader{bad})
	d, err := parseDelete(r)
	if !errors.Is(err, bad) || len(d.Objects) != 0 {
		t.Fatalf("got %d objects, err %v; want BadDigest", len(d.Objects), err)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// TestParseDeleteMemory pins what a hostile Delete document costs: 280,000
// Objects (8.1 MB) are refused after the 1001st, an 8 MB key after its
// first 64 KiB, 8 MB of unknown elements at the document's token bound
// (about 95 bytes allocated a token, all of it garbage at once).
func TestParseDeleteMemory(t *testing.T) {
	tests := []struct {
		name  string
		doc   string
		limit uint64 // bytes allocated
	}{
		{"280000 objects", manyObjects(280000), 1 << 20},
		{"one 8 MB key", `<Delete><Object><Key>` + strings.Repeat("k", 8<<20) +
			`</Key></Object></Delete>`, 1 << 20},
		{"8 MB of unknown elements", `<Delete><Object><Key>a</Key></Object>` +
			strings.Repeat("<x/>", 2<<20) + `</Delete>`, 4 << 20},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := allocated(func() {
				if _, err := parseDelete(strings.NewReader(tt.doc)); err == nil {
					t.Error("document accepted")
				}
			})
			if got > tt.limit {
				t.Errorf("%d bytes allocated, want at most %d", got, tt.limit)
			}
		})
	}
}

// allocated is how many bytes f allocates on the heap, as the process's
// total; the test must not run in parallel with others.
func allocated(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
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
		d, err := parseDelete(bytes.NewReader(body))
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
