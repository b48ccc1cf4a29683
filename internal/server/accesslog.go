package server

import (
	"context"
	"log/slog"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxAccessAttr bounds, in bytes, each string value of an access log record,
// so that no request can have the access log write a line much larger than
// the request itself or than a policy it was weighed against: the
// explanations of denials that s3api and the IAM API log, and values a
// request sends, such as the IAM Action parameter. An object key (at most
// 1,024 bytes in S3) is always logged whole.
const maxAccessAttr = 5 << 10

// capHandler is a slog.Handler that cuts every string value, in groups too,
// to limit bytes before passing the record on.
type capHandler struct {
	next  slog.Handler
	limit int
}

// capStrings returns h with every string value cut to limit bytes.
func capStrings(h slog.Handler, limit int) slog.Handler {
	return capHandler{next: h, limit: limit}
}

// Enabled reports whether the wrapped handler handles level.
func (h capHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

// Handle passes on a copy of r with its string values cut.
func (h capHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, capString(r.Message, h.limit), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.capAttr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs returns a handler whose added attributes are cut too.
func (h capHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	capped := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		capped[i] = h.capAttr(a)
	}
	return capHandler{next: h.next.WithAttrs(capped), limit: h.limit}
}

// WithGroup returns a handler that cuts the values of the group name.
func (h capHandler) WithGroup(name string) slog.Handler {
	return capHandler{next: h.next.WithGroup(name), limit: h.limit}
}

func (h capHandler) capAttr(a slog.Attr) slog.Attr {
	a.Value = a.Value.Resolve()
	switch a.Value.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(capString(a.Value.String(), h.limit))
	case slog.KindGroup:
		group := a.Value.Group()
		capped := make([]slog.Attr, len(group))
		for i, g := range group {
			capped[i] = h.capAttr(g)
		}
		a.Value = slog.GroupValue(capped...)
	}
	return a
}

// capString returns s when it fits in limit bytes, and otherwise its first
// limit bytes or less, cut after a line when one ends in the last quarter
// kept, else at a character boundary, and a note of how much was cut.
func capString(s string, limit int) string {
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if nl := strings.LastIndexByte(s[:cut], '\n'); nl >= limit*3/4 {
		cut = nl + 1
	}
	return s[:cut] + "[... " + strconv.Itoa(len(s)-cut) + " more bytes not logged]"
}
