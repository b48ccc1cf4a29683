package server

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestCapString(t *testing.T) {
	lines := strings.Repeat("0123456789abcde\n", 4) // 64 bytes, a line end every 16
	tests := []struct {
		name  string
		in    string
		limit int
		want  string
	}{
		{name: "short", in: "abc", limit: 8, want: "abc"},
		{name: "exactly the limit", in: "abcdefgh", limit: 8, want: "abcdefgh"},
		{name: "one byte over", in: "abcdefghi", limit: 8,
			want: "abcdefgh[... 1 more bytes not logged]"},
		{name: "at a line end in the last quarter", in: lines, limit: 40,
			want: lines[:32] + "[... 32 more bytes not logged]"},
		{name: "no line end late enough", in: lines, limit: 44,
			want: lines[:44] + "[... 20 more bytes not logged]"},
		{name: "never inside a character", in: "ab\u00e9\u00e9", limit: 3,
			want: "ab[... 4 more bytes not logged]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := capString(tc.in, tc.limit)
			if got != tc.want || !utf8.ValidString(got) {
				t.Errorf("capString(%q, %d) = %q, want %q", tc.in, tc.limit, got, tc.want)
			}
		})
	}
}

// TestCapHandler checks that every string value is cut: the message, plain
// attributes, attributes in groups, those added with With, and LogValuers;
// and that other values pass unchanged.
func TestCapHandler(t *testing.T) {
	var buf bytes.Buffer
	long := strings.Repeat("x", 100)
	log := slog.New(capStrings(slog.NewJSONHandler(&buf, nil), 10)).With("with", long)
	log.WithGroup("g").Info(long, "plain", long, "n", 12345678901234,
		slog.Group("inner", "s", long), "valuer", valuer(long))
	out := buf.String()
	if strings.Contains(out, strings.Repeat("x", 11)) {
		t.Errorf("a value longer than 10 bytes got through: %s", out)
	}
	if n := strings.Count(out, "[... 90 more bytes not logged]"); n != 5 {
		t.Errorf("%d values cut, want 5: %s", n, out)
	}
	if !strings.Contains(out, `"n":12345678901234`) {
		t.Errorf("a number was changed: %s", out)
	}
	if !log.Handler().Enabled(context.Background(), slog.LevelInfo) {
		t.Error("info is not enabled")
	}
}

type valuer string

func (v valuer) LogValue() slog.Value { return slog.StringValue(string(v)) }
