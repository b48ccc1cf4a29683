package policylint

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

// FuzzValidate checks Validate's contract on any input: it never panics,
// every finding has a known code, the kind the table gives it, and a
// position in the document; a document the parser rejects has an ERROR;
// and a document the parser accepts has no grammar finding, so the two
// never disagree about validity.
func FuzzValidate(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txt"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		g := parseGolden(data)
		k := uint8(kindsByName[strings.TrimSpace(g.sections["kind"])])
		f.Add([]byte(strings.TrimSuffix(g.sections["policy.json"], "\n")), k)
	}
	f.Add([]byte(doc(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"*"}`)),
		uint8(policy.Resource))
	f.Fuzz(func(t *testing.T, data []byte, k uint8) {
		kind := policy.Kind(k % 4)
		fs := Validate(data, kind)
		_, err := policy.Parse(data, kind)
		for _, fd := range fs {
			checkFinding(t, data, fd)
			if err == nil && ruleByCode(fd.Code).grammar {
				t.Fatalf("the parser accepts the document, but %s says %s", fd.Code, fd.Message)
			}
		}
		isError := func(fd Finding) bool { return fd.Kind == Error }
		if err != nil && !slices.ContainsFunc(fs, isError) {
			t.Fatalf("the parser rejects the document (%v) and no finding is an ERROR", err)
		}
	})
}

func checkFinding(t *testing.T, data []byte, fd Finding) {
	t.Helper()
	r := ruleByCode(fd.Code)
	switch {
	case r.Code == "":
		t.Fatalf("unknown code %q", fd.Code)
	case fd.Kind != r.Kind:
		t.Fatalf("%s has kind %s, the table says %s", fd.Code, fd.Kind, r.Kind)
	case fd.Line < 1 || fd.Column < 1 || fd.offset < 0 || fd.offset > len(data):
		t.Fatalf("%s at %d:%d (offset %d) is outside the document", fd.Code, fd.Line,
			fd.Column, fd.offset)
	case fd.Message == "" || fd.Fix == "":
		t.Fatalf("%s has no message or no fix", fd.Code)
	}
}
