package selector

import (
	"errors"
	"fmt"
	"regexp"
	"regexp/syntax"
	"strings"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

// VersionGroup is the name of the capture group that holds the version in a
// regular expression pattern.
const VersionGroup = "version"

// ErrBadPattern is wrapped by every error that ParseGlob and ParseRegexp
// return.
var ErrBadPattern = errors.New("selector: bad pattern")

// A Pattern decides which keys of a listing are artifacts and extracts their
// version. It is immutable once parsed and safe for concurrent use. The zero
// Pattern is not usable; obtain one from ParseGlob or ParseRegexp.
type Pattern struct {
	src    string
	prefix string

	// Glob patterns: pre and post surround the version star; star is false
	// when the glob has no version star.
	glob      bool
	star      bool
	pre, post string

	// Regexp patterns: re is anchored; group is the index of VersionGroup.
	re    *regexp.Regexp
	group int
}

// ParseGlob parses a doublestar glob. See the package documentation for the
// syntax and for which '*' gives the version.
func ParseGlob(s string) (*Pattern, error) {
	if s == "" {
		return nil, fmt.Errorf("%w: empty glob", ErrBadPattern)
	}
	if !doublestar.ValidatePattern(s) {
		return nil, fmt.Errorf("%w: glob %q is malformed", ErrBadPattern, s)
	}
	p := &Pattern{src: s, glob: true, prefix: globPrefix(s)}
	if i := versionStar(s); i >= 0 {
		p.star, p.pre, p.post = true, s[:i], s[i+1:]
	}
	return p, nil
}

// ParseRegexp parses a regular expression in Go's RE2 syntax. It must hold
// exactly one group named "version"; it is anchored to the whole key.
func ParseRegexp(s string) (*Pattern, error) {
	tree, err := syntax.Parse(s, syntax.Perl)
	if err != nil {
		return nil, fmt.Errorf("%w: regexp %q: %w", ErrBadPattern, s, err)
	}
	re, err := regexp.Compile(`\A(?:` + s + `)\z`)
	if err != nil {
		return nil, fmt.Errorf("%w: regexp %q: %w", ErrBadPattern, s, err)
	}
	group, n := -1, 0
	for i, name := range re.SubexpNames() {
		if name == VersionGroup {
			group, n = i, n+1
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: regexp %q must have exactly one group named %q, has %d",
			ErrBadPattern, s, VersionGroup, n)
	}
	prefix, _ := regexpPrefix(tree)
	return &Pattern{src: s, prefix: prefix, re: re, group: group}, nil
}

// String returns the pattern as it was written.
func (p *Pattern) String() string { return p.src }

// IsGlob reports whether the pattern is a glob rather than a regexp.
func (p *Pattern) IsGlob() bool { return p.glob }

// HasVersion reports whether matches of the pattern carry a version. It is
// false only for a glob without a lone '*'.
func (p *Pattern) HasVersion() bool { return !p.glob || p.star }

// Prefix returns the longest literal text that every key the pattern matches
// starts with. A lister must list under this prefix and may list nothing else.
func (p *Pattern) Prefix() string { return p.prefix }

// Match reports whether key matches the pattern and, if so, returns its
// version. The version is empty when the pattern gives none (see HasVersion)
// or when an optional version group did not take part in the match.
func (p *Pattern) Match(key string) (version string, ok bool) {
	if !utf8.ValidString(key) || !strings.HasPrefix(key, p.prefix) {
		return "", false
	}
	if p.glob {
		return p.matchGlob(key)
	}
	m := p.re.FindStringSubmatchIndex(key)
	if m == nil {
		return "", false
	}
	if m[2*p.group] < 0 {
		return "", true
	}
	return key[m[2*p.group]:m[2*p.group+1]], true
}
