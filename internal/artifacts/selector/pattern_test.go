package selector

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestGlobPrefix(t *testing.T) {
	tests := []struct {
		name, glob, want string
	}{
		{"plain star", "charts/app-*.tgz", "charts/app-"},
		{"no meta", "charts/app-1.0.0.tgz", "charts/app-1.0.0.tgz"},
		{"question mark", "builds/v?.*/out.zip", "builds/v"},
		{"class", "logs/[0-9]*.gz", "logs/"},
		{"alternatives drop slash", "dist/{linux,darwin}/tool-*", "dist"},
		{"doublestar drops slash", "charts/**/app-*.tgz", "charts"},
		{"doublestar at start", "**/app-*.tgz", ""},
		{"doublestar at end", "a/b/**", "a/b"},
		{"star in segment keeps slash", "a/*/b", "a/"},
		{"double star inside segment", "a/x**", "a/x"},
		{"escaped star", `charts/app\*-*.tgz`, "charts/app*-"},
		{"escaped brace and bracket", `a\{b\}\[c]/*`, "a{b}[c]/"},
		{"escaped backslash", `a\\*`, `a\`},
		{"star first", "*.tgz", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseGlob(tt.glob)
			if err != nil {
				t.Fatalf("ParseGlob(%q): %v", tt.glob, err)
			}
			if got := p.Prefix(); got != tt.want {
				t.Errorf("Prefix() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRegexpPrefix(t *testing.T) {
	tests := []struct {
		name, re, want string
	}{
		{"plain", `charts/app-(?P<version>.+)\.tgz`, "charts/app-"},
		{"caret", `^charts/app-(?P<version>.+)\.tgz$`, "charts/app-"},
		{"begin text", `\Acharts/(?P<version>.+)`, "charts/"},
		{"literal inside group", `a/(?P<version>1\.[0-9]+)`, "a/1."},
		{"case folded", `(?i)charts/(?P<version>.+)`, ""},
		{"fold from middle", `charts/(?i:app)-(?P<version>.+)`, "charts/"},
		{"alternation", `(?:a|b)/(?P<version>.+)`, ""},
		{"factored alternation", `rel/(?:x|y)-(?P<version>.+)`, "rel/"},
		{"optional char", `ab?c/(?P<version>.+)`, "a"},
		{"multiline caret", `(?m)^pkg/(?P<version>.+)`, "pkg/"},
		{"version first", `(?P<version>[^/]+)/chart.tgz`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseRegexp(tt.re)
			if err != nil {
				t.Fatalf("ParseRegexp(%q): %v", tt.re, err)
			}
			if got := p.Prefix(); got != tt.want {
				t.Errorf("Prefix() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name  string
		parse func(string) (*Pattern, error)
		src   string
	}{
		{"empty glob", ParseGlob, ""},
		{"unclosed class", ParseGlob, "a/[0-9"},
		{"unclosed brace", ParseGlob, "a/{x,y"},
		{"dangling escape", ParseGlob, `a\`},
		{"bad regexp", ParseRegexp, `a/(?P<version>`},
		{"no version group", ParseRegexp, `charts/app-(.+)\.tgz`},
		{"other named group only", ParseRegexp, `charts/(?P<v>.+)`},
		{"two version groups", ParseRegexp, `(?P<version>a)|(?P<version>b)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := tt.parse(tt.src)
			if err == nil {
				t.Fatalf("parse(%q) = %v, want error", tt.src, p)
			}
			if !errors.Is(err, ErrBadPattern) {
				t.Errorf("error %v does not wrap ErrBadPattern", err)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name    string
		glob    bool
		pattern string
		key     string
		version string
		ok      bool
	}{
		{"glob simple", true, "charts/app-*.tgz", "charts/app-1.2.3.tgz", "1.2.3", true},
		{"glob wrong suffix", true, "charts/app-*.tgz", "charts/app-1.2.3.tar", "", false},
		{"glob star stops at slash", true, "charts/app-*.tgz", "charts/app-1/x.tgz", "", false},
		{"glob doublestar not version", true, "charts/**/app-*.tgz",
			"charts/x/y/app-2.0.0.tgz", "2.0.0", true},
		{"glob doublestar zero dirs", true, "charts/**/app-*.tgz", "charts/app-2.0.0.tgz",
			"2.0.0", true},
		{"glob greedy", true, "tool-*-*.tgz", "tool-1.0.0-rc.1-linux.tgz", "1.0.0-rc.1", true},
		{"glob star in braces skipped", true, "{a*,b}/v*", "ax/v9", "9", true},
		{"glob star in class skipped", true, "x[*]/*", "x*/1.0.0", "1.0.0", true},
		{"glob escaped star skipped", true, `a\*-*`, "a*-3", "3", true},
		{"glob no version star", true, "nightly/**", "nightly/a/b", "", true},
		{"glob empty version", true, "app-*.tgz", "app-.tgz", "", true},
		{"glob invalid utf8", true, "app-*", "app-\xff", "", false},
		{"regexp", false, `charts/app-(?P<version>.+)\.tgz`, "charts/app-1.0.0.tgz",
			"1.0.0", true},
		{"regexp anchored", false, `app-(?P<version>.+)\.tgz`, "x/app-1.0.0.tgz", "", false},
		{"regexp anchored end", false, `app-(?P<version>[0-9.]+)`, "app-1.0.0.tgz", "", false},
		{"regexp optional group", false, `app(?:-(?P<version>.+))?`, "app", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := ParseRegexp
			if tt.glob {
				parse = ParseGlob
			}
			p, err := parse(tt.pattern)
			if err != nil {
				t.Fatal(err)
			}
			v, ok := p.Match(tt.key)
			if v != tt.version || ok != tt.ok {
				t.Errorf("Match(%q) = %q, %v; want %q, %v", tt.key, v, ok, tt.version, tt.ok)
			}
		})
	}
}

// TestMatchLongKey checks that a key of the S3 maximum length, 1024 bytes,
// with many candidate splits is matched correctly.
func TestMatchLongKey(t *testing.T) {
	tests := []struct {
		name, glob, key, want string
	}{
		{"deep doublestar", "**/x-*.tgz", strings.Repeat("a/", 500) + "x-1.0.0.tgz", "1.0.0"},
		{"long segment greedy", "*-*", strings.Repeat("a-", 512), strings.Repeat("a-", 511) + "a"},
		{"long segment alternatives", "{a,b}*/**/*", strings.Repeat("b", 1000) + "/c/d",
			strings.Repeat("b", 999)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseGlob(tt.glob)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			v, ok := p.Match(tt.key)
			if !ok || v != tt.want {
				t.Errorf("Match = %q, %v; want %q", v, ok, tt.want)
			}
			t.Logf("took %v", time.Since(start))
		})
	}
}
