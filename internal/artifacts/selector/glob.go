package selector

import (
	"strings"

	"github.com/bmatcuk/doublestar/v4"
)

// globPrefix returns the literal text before the first meta character of a
// valid glob, with escapes removed. A trailing '/' is dropped when '**' or an
// alternative follows it, because doublestar lets "dir/**" match "dir".
func globPrefix(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			i++
			b.WriteByte(s[i])
		case '*', '?', '[', '{':
			return trimBeforeDoubleStar(b.String(), s[i:])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// trimBeforeDoubleStar drops the '/' that ends prefix when rest, the glob
// text after it, may match nothing at all including that '/'.
func trimBeforeDoubleStar(prefix, rest string) string {
	if strings.HasPrefix(rest, "**") || rest[0] == '{' {
		return strings.TrimSuffix(prefix, "/")
	}
	return prefix
}

// versionStar returns the index in a valid glob of the first lone '*' outside
// classes and alternatives, or -1 when there is none.
func versionStar(s string) int {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '[':
			i = classEnd(s, i)
		case '{':
			depth++
		case '}':
			depth--
		case '*':
			n := starRun(s[i:])
			if n == 1 && depth == 0 {
				return i
			}
			i += n - 1
		}
	}
	return -1
}

// classEnd returns the index of the ']' closing the class that opens at
// s[open]. The glob must be valid, so the class is closed and not empty.
func classEnd(s string, open int) int {
	i := open + 1
	if s[i] == '^' || s[i] == '!' {
		i++
	}
	for i++; s[i] != ']'; i++ {
		if s[i] == '\\' {
			i++
		}
	}
	return i
}

// starRun returns how many '*' s starts with.
func starRun(s string) int {
	n := 0
	for n < len(s) && s[n] == '*' {
		n++
	}
	return n
}

// matchGlob matches key against a glob pattern and extracts the version.
func (p *Pattern) matchGlob(key string) (string, bool) {
	if ok, err := doublestar.Match(p.src, key); err != nil || !ok {
		return "", false
	}
	if !p.star {
		return "", true
	}
	i, j, _ := p.splitGlob(key)
	return key[i:j], true
}

// splitGlob finds key[i:j], the text the version star matches: the leftmost
// start i, then the longest end j, such that the part of the glob before the
// star matches key[:i] and the part after it matches key[j:]. A star never
// matches '/'. found is false when no split exists.
func (p *Pattern) splitGlob(key string) (i, j int, found bool) {
	for i = 0; i <= len(key); i++ {
		if ok, _ := doublestar.Match(p.pre, key[:i]); !ok {
			continue
		}
		end := len(key)
		if k := strings.IndexByte(key[i:], '/'); k >= 0 {
			end = i + k
		}
		for j = end; j >= i; j-- {
			if ok, _ := doublestar.Match(p.post, key[j:]); ok {
				return i, j, true
			}
		}
	}
	return 0, 0, false
}
