package selector

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bmatcuk/doublestar/v4"
)

var globSeeds = []string{
	"charts/app-*.tgz", "charts/**/app-*.tgz", "a/**", "**/*", `a\*-*`, "{a*,b}/v*",
	"x[*]/*", "logs/[!0-9]?-*.gz", "dist/{linux,darwin}/tool-*", "*-*", "a/**/*",
}

var regexpSeeds = []string{
	`charts/app-(?P<version>.+)\.tgz`, `^(?i)a(?P<version>b)$`, `(?m)^x\n^(?P<version>y)`,
	`a|(?P<version>b)`, `\x{FFFD}(?P<version>.)`, `(?P<version>)`, `ab?c/(?P<version>.+)`,
}

func FuzzParseGlob(f *testing.F) {
	for _, s := range globSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseGlob(s)
		if err != nil {
			return
		}
		if p.String() != s || !p.IsGlob() {
			t.Fatalf("String() = %q, IsGlob %v", p.String(), p.IsGlob())
		}
		if !strings.HasPrefix(unescape(s), p.Prefix()) {
			t.Fatalf("prefix %q is not a prefix of the unescaped glob %q", p.Prefix(), s)
		}
		if p.star && p.pre+"*"+p.post != s {
			t.Fatalf("split %q | %q does not rebuild %q", p.pre, p.post, s)
		}
	})
}

// unescape removes the glob escapes of s, keeping every other byte.
func unescape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func FuzzParseRegexp(f *testing.F) {
	for _, s := range regexpSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseRegexp(s)
		if err != nil {
			return
		}
		if p.String() != s || p.IsGlob() || !p.HasVersion() {
			t.Fatalf("String() = %q, IsGlob %v", p.String(), p.IsGlob())
		}
		if p.Prefix() != "" {
			if _, ok := p.Match(p.Prefix()); ok != p.re.MatchString(p.Prefix()) {
				t.Fatalf("Match disagrees with the regexp on its own prefix %q", p.Prefix())
			}
		}
	})
}

// FuzzMatch checks Match against doublestar and regexp run on their own:
// they must agree on every valid UTF-8 key, and every key Match accepts must
// start with Prefix.
func FuzzMatch(f *testing.F) {
	for _, s := range globSeeds {
		f.Add(true, s, "charts/app-1.2.3.tgz")
		f.Add(true, s, "a")
	}
	for _, s := range regexpSeeds {
		f.Add(false, s, "charts/app-1.2.3.tgz")
	}
	f.Fuzz(func(t *testing.T, glob bool, pattern, key string) {
		if glob {
			fuzzGlobMatch(t, pattern, key)
		} else {
			fuzzRegexpMatch(t, pattern, key)
		}
	})
}

func fuzzGlobMatch(t *testing.T, pattern, key string) {
	p, err := ParseGlob(pattern)
	if err != nil {
		return
	}
	v, ok := p.Match(key)
	want, _ := doublestar.Match(pattern, key)
	want = want && utf8.ValidString(key)
	if ok != want {
		t.Fatalf("Match(%q) ok = %v, doublestar says %v", key, ok, want)
	}
	if !ok {
		return
	}
	if !strings.HasPrefix(key, p.Prefix()) {
		t.Fatalf("matched key %q does not start with prefix %q", key, p.Prefix())
	}
	if !p.star {
		return
	}
	i, j, found := p.splitGlob(key)
	if !found || key[i:j] != v || strings.Contains(v, "/") {
		t.Fatalf("version %q of %q: split %d:%d found %v", v, key, i, j, found)
	}
}

func fuzzRegexpMatch(t *testing.T, pattern, key string) {
	p, err := ParseRegexp(pattern)
	if err != nil {
		return
	}
	v, ok := p.Match(key)
	re := regexp.MustCompile(`^(?:` + pattern + `)$`)
	m := re.FindStringSubmatch(key)
	want := m != nil && utf8.ValidString(key)
	if ok != want {
		t.Fatalf("Match(%q) ok = %v, regexp says %v", key, ok, want)
	}
	if !ok {
		return
	}
	if !strings.HasPrefix(key, p.Prefix()) {
		t.Fatalf("matched key %q does not start with prefix %q", key, p.Prefix())
	}
	if v != m[re.SubexpIndex(VersionGroup)] {
		t.Fatalf("version %q, regexp group says %q", v, m[re.SubexpIndex(VersionGroup)])
	}
}
