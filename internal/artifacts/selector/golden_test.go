package selector

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// readListing parses a listing file: one object a line as key, size, ETag and
// RFC 3339 time separated by blanks; '#' starts a comment line.
func readListing(t *testing.T, path string) []Object {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var objs []Object
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		objs = append(objs, parseListingLine(t, line))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return objs
}

func parseListingLine(t *testing.T, line string) Object {
	t.Helper()
	f := strings.Fields(line)
	if len(f) != 4 {
		t.Fatalf("listing line %q: want 4 fields", line)
	}
	size, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		t.Fatalf("listing line %q: %v", line, err)
	}
	mod, err := time.Parse(time.RFC3339, f[3])
	if err != nil {
		t.Fatalf("listing line %q: %v", line, err)
	}
	return Object{Key: f[0], Size: size, ETag: f[2], LastModified: mod}
}

// render writes a Result as the golden files show it.
func render(b *strings.Builder, title string, res Result) {
	fmt.Fprintf(b, "== %s\n", title)
	for _, a := range res.Artifacts {
		fmt.Fprintf(b, "%-45s %-26s %6d %s %s\n", a.Key, a.Version, a.Size, a.ETag,
			a.LastModified.Format(time.RFC3339))
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(b, "skipped %s: %s\n", s.Key, s.Reason)
	}
}

func TestGoldenHelmListing(t *testing.T) {
	objs := readListing(t, filepath.Join("testdata", "helm-listing.txt"))
	p, err := ParseGlob("charts/app-*.tgz")
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pattern %q prefix %q\n", p, p.Prefix())
	runs := []struct {
		order      Order
		constraint string
	}{
		{BySemver, ""},
		{BySemver, ">=1.2, <2"},
		{BySemver, ">=2.0.0-0"},
		{ByModified, ""},
	}
	for _, r := range runs {
		res, err := Select(objs, p, r.order, r.constraint)
		if err != nil {
			t.Fatal(err)
		}
		render(&b, fmt.Sprintf("order %s, constraint %q", r.order, r.constraint), res)
	}
	testutil.Golden(t, filepath.Join("testdata", "helm-listing.golden"), b.String(), *update)
}
