package policylint

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

var update = flag.Bool("update", false, "rewrite the findings of the golden files")

// A golden file, testdata/CODE.txt, holds a comment, then sections that
// each start with a line "-- name --": kind (identity, resource, scp, rcp,
// or a number), policy.json (the document, byte for byte) and findings.json
// (what Validate reports, as `trove policy validate --json` prints it).
type golden struct {
	comment  string
	sections map[string]string
	order    []string
}

func readGolden(t *testing.T, path string) *golden {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return parseGolden(data)
}

func parseGolden(data []byte) *golden {
	g := &golden{sections: map[string]string{}}
	name := ""
	for _, line := range strings.SplitAfter(string(data), "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") {
			name = strings.TrimSuffix(strings.TrimPrefix(trimmed, "-- "), " --")
			g.order = append(g.order, name)
			continue
		}
		if name == "" {
			g.comment += line
		} else {
			g.sections[name] += line
		}
	}
	return g
}

func (g *golden) write(t *testing.T, path string) {
	t.Helper()
	var b strings.Builder
	b.WriteString(g.comment)
	for _, name := range g.order {
		b.WriteString("-- " + name + " --\n" + g.sections[name])
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}

var kindsByName = map[string]policy.Kind{
	"identity": policy.Identity, "resource": policy.Resource,
	"scp": policy.ServiceControl, "rcp": policy.ResourceControl,
}

func (g *golden) kind(t *testing.T) policy.Kind {
	t.Helper()
	name := strings.TrimSpace(g.sections["kind"])
	if k, ok := kindsByName[name]; ok {
		return k
	}
	n, err := strconv.Atoi(name)
	if err != nil {
		t.Fatalf("kind %q: want identity, resource, scp, rcp or a number", name)
	}
	return policy.Kind(n)
}

func findingsJSON(t *testing.T, fs []Finding) string {
	t.Helper()
	if fs == nil {
		fs = []Finding{}
	}
	out, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(out) + "\n"
}

// TestGolden runs every golden file: one per finding code, whose findings
// include that code. go test -update rewrites the findings.
func TestGolden(t *testing.T) {
	for _, r := range Rules() {
		t.Run(r.Code, func(t *testing.T) {
			path := filepath.Join("testdata", r.Code+".txt")
			g := readGolden(t, path)
			doc := strings.TrimSuffix(g.sections["policy.json"], "\n")
			fs := Validate([]byte(doc), g.kind(t))
			got := findingsJSON(t, fs)
			if *update {
				g.sections["findings.json"] = got
				g.write(t, path)
			} else if want := g.sections["findings.json"]; got != want {
				t.Errorf("findings differ from %s; got:\n%s", path, got)
			}
			if !slices.ContainsFunc(fs, func(f Finding) bool { return f.Code == r.Code }) {
				t.Errorf("%s does not produce a %s finding", path, r.Code)
			}
			for _, f := range fs {
				if f.Code == r.Code && f.Kind != r.Kind {
					t.Errorf("%s finding has kind %s, the table says %s", f.Code, f.Kind, r.Kind)
				}
			}
		})
	}
}

// TestGoldenFilesAreRules keeps testdata free of files for codes that no
// longer exist.
func TestGoldenFilesAreRules(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		code := strings.TrimSuffix(filepath.Base(f), ".txt")
		if !slices.ContainsFunc(Rules(), func(r Rule) bool { return r.Code == code }) {
			t.Errorf("%s is the golden file of no code", f)
		}
	}
}

// TestGoldenPositions checks that each finding's line and column point at
// the text its path names: the start of a value, or of a member name.
func TestGoldenPositions(t *testing.T) {
	for _, r := range Rules() {
		g := readGolden(t, filepath.Join("testdata", r.Code+".txt"))
		doc := []byte(strings.TrimSuffix(g.sections["policy.json"], "\n"))
		for _, f := range Validate(doc, g.kind(t)) {
			line, col := position(doc, f.offset)
			if line != f.Line || col != f.Column {
				t.Errorf("%s: %s at %d:%d, its offset says %d:%d", r.Code, f.Code, f.Line,
					f.Column, line, col)
			}
			if f.offset < len(doc) && f.Path != "" && !bytes.ContainsAny(doc[f.offset:f.offset+1],
				`"{[tfn-0123456789`) {
				t.Errorf("%s: %s at %s points at %q", r.Code, f.Code, f.Path, doc[f.offset])
			}
		}
	}
}
