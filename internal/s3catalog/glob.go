package s3catalog

import (
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// class is the set of characters a pattern item accepts.
type class uint8

const (
	litClass class = iota // exactly the item's lit byte
	anyClass              // any byte
	segClass              // any byte but '/' and ':'
)

// item is one step of a pattern: one character of its class, or, when star
// is set, any number of them.
type item struct {
	cls  class
	lit  byte
	star bool
}

func (it item) accepts(c byte) bool {
	switch it.cls {
	case anyClass:
		return true
	case segClass:
		return c != '/' && c != ':'
	}
	return c == it.lit
}

// compilePattern turns a Resource value into items: * is any run, ? one
// character, and, when variables is set, a policy variable is any run while
// the escapes ${*}, ${?} and ${$} are the literal character.
func compilePattern(s string, variables bool) []item {
	ascii := true
	for i := 0; i < len(s); i++ {
		ascii = ascii && s[i] < 0x80
	}
	var out []item
	ends := policy.VariableEnds(s)
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '*':
			out = append(out, item{cls: anyClass, star: true})
		case c == '?':
			// ? is one character; outside ASCII that may be several bytes.
			out = append(out, item{cls: anyClass})
			if !ascii {
				out = append(out, item{cls: anyClass, star: true})
			}
		case variables && strings.HasPrefix(s[i:], "${"):
			end := ends(i)
			if end < 0 {
				out = append(out, item{lit: '$'})
				continue
			}
			switch inner := strings.TrimSpace(s[i+2 : i+end]); inner {
			case "*", "?", "$":
				out = append(out, item{lit: inner[0]})
			default:
				out = append(out, item{cls: anyClass, star: true})
			}
			i += end
		default:
			out = append(out, item{lit: c})
		}
	}
	return out
}

// compileForm turns one segment of an ARN form into items.
func compileForm(s string) []item {
	var out []item
	for s != "" {
		switch {
		case strings.HasPrefix(s, "{seg}"):
			out = append(out, item{cls: segClass}, item{cls: segClass, star: true})
			s = s[len("{seg}"):]
		case strings.HasPrefix(s, "{any}"):
			out = append(out, item{cls: anyClass}, item{cls: anyClass, star: true})
			s = s[len("{any}"):]
		default:
			out = append(out, item{lit: s[0]})
			s = s[1:]
		}
	}
	return out
}

// splitPattern splits items at their literal colons into at most six
// segments, the way the policy engine splits a Resource value: wildcards
// and variables never split, and colons after the fifth stay in the last
// segment.
func splitPattern(items []item) [][]item {
	segs := [][]item{nil}
	for _, it := range items {
		if it.cls == litClass && it.lit == ':' && len(segs) < 6 {
			segs = append(segs, nil)
			continue
		}
		segs[len(segs)-1] = append(segs[len(segs)-1], it)
	}
	return segs
}

// meet reports whether some string matches both a and b: a walk over
// pairs of positions, in which a step consumes one character that both
// current items accept (the next pair does not depend on which).
func meet(a, b []item) bool {
	seen := make([]bool, (len(a)+1)*(len(b)+1))
	stack := [][2]int{{0, 0}}
	for len(stack) > 0 {
		i, j := stack[len(stack)-1][0], stack[len(stack)-1][1]
		stack = stack[:len(stack)-1]
		if seen[i*(len(b)+1)+j] {
			continue
		}
		seen[i*(len(b)+1)+j] = true
		if i == len(a) && j == len(b) {
			return true
		}
		if i < len(a) && a[i].star {
			stack = append(stack, [2]int{i + 1, j})
		}
		if j < len(b) && b[j].star {
			stack = append(stack, [2]int{i, j + 1})
		}
		if i < len(a) && j < len(b) && overlap(a[i], b[j]) {
			stack = append(stack, [2]int{next(a, i), next(b, j)})
		}
	}
	return false
}

// overlap reports whether some character is accepted by both items.
func overlap(x, y item) bool {
	switch {
	case x.cls == litClass:
		return y.accepts(x.lit)
	case y.cls == litClass:
		return x.accepts(y.lit)
	}
	return true // any and seg share every byte but '/' and ':'
}

func next(items []item, i int) int {
	if items[i].star {
		return i
	}
	return i + 1
}
