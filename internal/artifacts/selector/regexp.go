package selector

import (
	"regexp/syntax"
	"strings"
	"unicode/utf8"
)

// regexpPrefix returns the literal text every match of re starts with, and
// whether that text is all re can match. Zero-width assertions such as '^'
// consume nothing and so do not end the prefix; case-folded literals and any
// choice or repetition do. U+FFFD also ends it, as it stands for bytes that
// are not UTF-8 and so may not match itself byte for byte.
func regexpPrefix(re *syntax.Regexp) (string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		return literalPrefix(re)
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return "", true
	case syntax.OpCapture:
		return regexpPrefix(re.Sub[0])
	case syntax.OpConcat:
		return concatPrefix(re.Sub)
	}
	return "", false
}

// literalPrefix handles an OpLiteral node.
func literalPrefix(re *syntax.Regexp) (string, bool) {
	if re.Flags&syntax.FoldCase != 0 {
		return "", false
	}
	var b strings.Builder
	for _, r := range re.Rune {
		if r == utf8.RuneError {
			return b.String(), false
		}
		b.WriteRune(r)
	}
	return b.String(), true
}

// concatPrefix joins the prefixes of subs up to the first that is not
// complete.
func concatPrefix(subs []*syntax.Regexp) (string, bool) {
	var b strings.Builder
	for _, sub := range subs {
		s, complete := regexpPrefix(sub)
		b.WriteString(s)
		if !complete {
			return b.String(), false
		}
	}
	return b.String(), true
}
