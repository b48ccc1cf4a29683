package policylint

import (
	"os"
	"strings"
	"testing"
)

const docsPath = "../../docs/policy-validate.md"

// codesTable renders Rules as the Markdown table of docs/policy-validate.md.
func codesTable() string {
	var b strings.Builder
	b.WriteString("| code | kind | meaning |\n|---|---|---|\n")
	for _, r := range Rules() {
		b.WriteString("| `" + r.Code + "` | " + string(r.Kind) + " | " + r.Summary + " |\n")
	}
	return b.String()
}

// TestDocsListEveryCode keeps the table of codes in the documentation equal
// to Rules; go test -update rewrites it.
func TestDocsListEveryCode(t *testing.T) {
	const begin, end = "<!-- codes:begin -->\n", "<!-- codes:end -->"
	data, err := os.ReadFile(docsPath)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(data)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s has no %q ... %q section", docsPath, begin, end)
	}
	got, want := doc[i+len(begin):j], codesTable()
	if got == want {
		return
	}
	if *update {
		doc = doc[:i+len(begin)] + want + doc[j:]
		if err := os.WriteFile(docsPath, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the table of codes in %s differs from Rules; run go test -update. Want:\n%s",
		docsPath, want)
}
