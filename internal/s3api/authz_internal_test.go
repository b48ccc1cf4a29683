package s3api

import (
	"strings"
	"testing"
)

func TestCapExplain(t *testing.T) {
	short := "explicitly denied: ...\n  statement 0 (Deny): applies\n"
	if got := capExplain(short); got != short {
		t.Errorf("short explanation changed: %q", got)
	}
	line := "    statement 7 (Allow): does not apply: Resource does not match\n"
	long := strings.Repeat(line, 2*maxExplain/len(line))
	got := capExplain(long)
	if len(got) > maxExplain+100 || !strings.HasPrefix(long, got[:strings.Index(got, "  ...")]) {
		t.Fatalf("cut to %d bytes: %q", len(got), got[len(got)-120:])
	}
	if !strings.Contains(got, "more bytes: run trove policy simulate") {
		t.Errorf("no note of what was left out: %q", got[len(got)-120:])
	}
	if cut := got[:strings.Index(got, "  ...")]; !strings.HasSuffix(cut, "\n") {
		t.Errorf("not cut at a line end: %q", cut[len(cut)-40:])
	}
}
