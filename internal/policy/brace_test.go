package policy

import (
	"strings"
	"testing"
)

// scanClosing is the plain scan braceIndex must agree with: from the "${" at
// i, the first } outside a quoted default.
func scanClosing(s string, i int) int {
	quoted := false
	for j := i + 2; j < len(s); j++ {
		switch s[j] {
		case '\'':
			quoted = !quoted
		case '}':
			if !quoted {
				return j - i
			}
		}
	}
	return -1
}

func TestBraceIndex(t *testing.T) {
	values := []string{
		"${aws:username}", "${a, 'x}y'}z}", "${a", "${'}${b}", "x${a}${b", "${}",
		"${a, 'it''s'}", "${'${'}}", "''${a}'}", "${", "${'", strings.Repeat("${'}", 5),
	}
	for _, v := range values {
		b := newBraceIndex(v)
		for i := 0; i+1 < len(v); i++ {
			if v[i] != '$' || v[i+1] != '{' {
				continue
			}
			if got, want := b.closing(i), scanClosing(v, i); got != want {
				t.Errorf("%q at %d: closing %d, want %d", v, i, got, want)
			}
		}
	}
}

// BenchmarkParseUnterminatedVariables parses a Resource holding thousands of
// unterminated variables: linear work, where a scan from each "${" was
// quadratic (a 400 KB value took about 100 s). Compare with
// BenchmarkParseScenario in the same run.
func BenchmarkParseUnterminatedVariables(b *testing.B) {
	doc := []byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/` +
		strings.Repeat("${'", 20000) + `"}}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, Identity); err != nil {
			b.Fatal(err)
		}
	}
}
