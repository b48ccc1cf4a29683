package policy

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestReasonsGolden pins Decision.Reason for every decision of the scenario:
// each caller trying each action, with and without server-side encryption.
// Regenerate with: go test ./internal/policy/ -run TestReasonsGolden -update
func TestReasonsGolden(t *testing.T) {
	s := newScenario(t)
	requests := []struct {
		action, resource string
		context          Context
		label            string
	}{
		{"s3:PutObject", object, sse(), "with SSE"},
		{"s3:PutObject", object, nil, "without SSE"},
		{"s3:GetObject", object, nil, ""},
		{"s3:ListBucket", bucket, nil, ""},
		{"s3:DeleteBucket", bucket, nil, ""},
		{"s3:DeleteObject", object, nil, ""},
	}
	var buf bytes.Buffer
	for _, c := range s.callers() {
		for _, r := range requests {
			d := Evaluate(s.input(c, r.action, r.resource, r.context))
			fmt.Fprintf(&buf, "%s %s %s: %s: %s\n", c.name, r.action, r.label, d.Effect, d.Reason())
		}
	}
	compareGolden(t, "scenario-reasons.golden", buf.Bytes())
}

func compareGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update to accept):\n--- got\n%s--- want\n%s", path, got,
			want)
	}
}
