// Package guardrails holds no code: its tests enforce the project's
// conventions on the whole tree (package docs, formatting, the binary's
// dependencies), so that a breach fails the build like any other bug.
package guardrails

import (
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// packageDirs lists the directories of the main module that hold Go files.
func packageDirs(t *testing.T) []string {
	t.Helper()
	root := repoRoot(t)
	seen := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root {
			name := d.Name()
			if strings.HasPrefix(name, ".") || name == "testdata" || name == "tools" {
				return filepath.SkipDir
			}
		}
		if !d.IsDir() && strings.HasSuffix(path, ".go") {
			seen[filepath.Dir(path)] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for d := range seen {
		dirs = append(dirs, d)
	}
	return dirs
}

func TestEveryPackageHasADocComment(t *testing.T) {
	for _, dir := range packageDirs(t) {
		pkgs, err := parser.ParseDir(token.NewFileSet(), dir, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for name, pkg := range pkgs {
			if strings.HasSuffix(name, "_test") {
				continue
			}
			// A library's comment begins "Package name"; a command's, as Go's
			// convention has it, with the program's name capitalized.
			want := "Package " + name + " "
			if name == "main" {
				base := filepath.Base(dir)
				want = strings.ToUpper(base[:1]) + base[1:] + " "
			}
			documented := false
			for _, f := range pkg.Files {
				if f.Doc != nil && strings.HasPrefix(f.Doc.Text(), want) {
					documented = true
				}
			}
			if !documented {
				t.Errorf("package %s in %s has no package doc comment", name, dir)
			}
		}
	}
}

func TestFormatted(t *testing.T) {
	out, err := exec.Command("gofmt", "-l", repoRoot(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("gofmt: %v\n%s", err, out)
	}
	var bad []string
	for _, f := range strings.Fields(string(out)) {
		if !strings.Contains(f, "/tools/") && !strings.Contains(f, "/testdata/") {
			bad = append(bad, f)
		}
	}
	if len(bad) > 0 {
		t.Errorf("files need gofmt:\n%s", strings.Join(bad, "\n"))
	}
}

// TestBinaryStaysSmall keeps Helm's library, and the Kubernetes modules it
// brings, out of the server: they would grow the binary several times over.
func TestBinaryStaysSmall(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/trove")
	cmd.Dir = repoRoot(t)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"helm.sh/", "k8s.io/", "github.com/mattn/go-sqlite3"} {
			if strings.HasPrefix(dep, banned) {
				t.Errorf("cmd/trove depends on %s", dep)
			}
		}
	}
}

// TestLinesWithin100Columns keeps Go lines, tabs counted as four columns,
// within 100 columns.
func TestLinesWithin100Columns(t *testing.T) {
	for _, dir := range packageDirs(t) {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			data, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for i, line := range strings.Split(string(data), "\n") {
				if w := len(strings.ReplaceAll(line, "\t", "    ")); w > 100 {
					t.Errorf("%s:%d is %d columns wide", name, i+1, w)
				}
			}
		}
	}
}
