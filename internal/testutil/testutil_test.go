package testutil

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestLineDiff(t *testing.T) {
	tests := []struct {
		name, want, got, diff string
	}{
		{"line changed", "a\nb\nc\n", "a\nB\nc\n", "- b\n+ B\n"},
		{"line added", "a\n", "a\nz\n", "+ z\n"},
		{"line removed", "a\nb\n", "b\n", "- a\n"},
		{"lines reordered", "a\nb\n", "b\na\n",
			"the same lines in another order or number; got:\nb\na\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := lineDiff(tc.want, tc.got); got != tc.diff {
				t.Errorf("lineDiff = %q, want %q", got, tc.diff)
			}
		})
	}
}

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failures []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.failures = append(r.failures, format)
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.failures = append(r.failures, format)
}

func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.golden")
	tests := []struct {
		name, got string
		update    bool
		fails     string // in the failure; "" when it passes
	}{
		{"missing file", "one\n", false, "to create it"},
		{"update writes", "one\n", true, ""},
		{"same", "one\n", false, ""},
		{"differs", "two\n", false, "differs"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := &recorder{TB: t}
			Golden(r, path, tc.got, tc.update)
			failed := strings.Join(r.failures, "\n")
			if (tc.fails == "") != (failed == "") || !strings.Contains(failed, tc.fails) {
				t.Errorf("failures %q, want one with %q", failed, tc.fails)
			}
		})
	}
}
