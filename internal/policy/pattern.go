package policy

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type tokKind uint8

const (
	tokLit   tokKind = iota // literal text
	tokStar                 // * : any run of characters, possibly empty
	tokQuest                // ? : exactly one character
	tokVar                  // ${key} or ${key, 'default'}
)

// token is one piece of a compiled pattern.
type token struct {
	text   string // tokLit: the text; tokVar: the lower-cased key ("" if the variable is malformed)
	def    string // tokVar: the default value
	kind   tokKind
	hasDef bool
}

// template is a policy string compiled once: literal runs, wildcards when the
// operator has them, and policy variables when the version has them.
type template struct {
	toks []token
	lit  string // the whole value when it has no wildcard and no variable
	vars bool   // holds at least one tokVar
	wild bool   // holds at least one wildcard
}

// compileTemplate compiles s. wild makes * and ? wildcards; vars makes ${...}
// a policy variable (2012-10-17 documents only); lower lower-cases literal
// text (for the case-insensitive comparisons).
func compileTemplate(s string, wild, vars, lower bool) template {
	var t template
	var lit strings.Builder
	var braces *braceIndex
	flush := func() {
		if lit.Len() > 0 {
			t.toks = append(t.toks, token{kind: tokLit, text: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case wild && (c == '*' || c == '?'):
			flush()
			t.wild = true
			t.toks = append(t.toks, token{kind: wildKind(c)})
			i++
		case vars && strings.HasPrefix(s[i:], "${"):
			if braces == nil {
				braces = newBraceIndex(s)
			}
			tok, n := parseVariable(s[i:], braces.closing(i))
			if n == 0 { // unterminated: literal text
				lit.WriteString("${")
				i += 2
				continue
			}
			i += n
			if tok.kind == tokLit {
				lit.WriteString(tok.text)
				continue
			}
			flush()
			t.vars = true
			t.toks = append(t.toks, tok)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if lower {
		for i := range t.toks {
			if t.toks[i].kind == tokLit {
				t.toks[i].text = strings.ToLower(t.toks[i].text)
			}
		}
	}
	if !t.vars && !t.wild {
		t.lit = joinLits(t.toks)
	}
	return t
}

func wildKind(c byte) tokKind {
	if c == '*' {
		return tokStar
	}
	return tokQuest
}

func joinLits(toks []token) string {
	if len(toks) == 1 {
		return toks[0].text
	}
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.text)
	}
	return b.String()
}

// parseVariable parses the variable at the start of s, which begins "${" and
// whose closing brace is at end (-1 when none). It returns the token and the
// bytes consumed, or n == 0 when no closing brace ends it. The escapes ${*},
// ${?} and ${$} come back as literal tokens. A variable whose inside is not
// `key` or `key, 'default'` becomes a tokVar with an empty key, which never
// resolves.
func parseVariable(s string, end int) (tok token, n int) {
	if end < 0 {
		return token{}, 0
	}
	inner := strings.TrimSpace(s[2:end])
	if inner == "*" || inner == "?" || inner == "$" {
		return token{kind: tokLit, text: inner}, end + 1
	}
	tok = token{kind: tokVar}
	key, rest, hasComma := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " \t'{}$") {
		return tok, end + 1
	}
	if hasComma {
		def, ok := unquoteDefault(strings.TrimSpace(rest))
		if !ok {
			return tok, end + 1
		}
		tok.def, tok.hasDef = def, true
	}
	tok.text = strings.ToLower(key)
	return tok, end + 1
}

// braceIndex finds, in one string, the brace that closes a variable: for
// each position and quote state, the next } that is not inside a quoted
// default. Built once per string in linear time, it keeps a value with many
// unterminated "${" from costing quadratic time.
type braceIndex struct {
	next [2][]int32 // [quoted][position]: index of the next closing }, -1 when none
}

func newBraceIndex(s string) *braceIndex {
	n := len(s)
	b := &braceIndex{}
	b.next[0], b.next[1] = make([]int32, n+1), make([]int32, n+1)
	b.next[0][n], b.next[1][n] = -1, -1
	for p := n - 1; p >= 0; p-- {
		for q := 0; q < 2; q++ {
			switch {
			case s[p] == '\'':
				b.next[q][p] = b.next[1-q][p+1]
			case s[p] == '}' && q == 0:
				b.next[q][p] = int32(p)
			default:
				b.next[q][p] = b.next[q][p+1]
			}
		}
	}
	return b
}

// VariableEnds returns a function that gives, for a position i of s where a
// policy variable begins with "${", the position relative to i of the brace
// that closes it, as the engine reads variables (a brace inside a quoted
// default does not count), or -1 when none does. It indexes s once, in
// linear time, so that tools scanning many variables stay linear too.
func VariableEnds(s string) func(i int) int {
	var b *braceIndex
	return func(i int) int {
		if b == nil {
			b = newBraceIndex(s)
		}
		return b.closing(i)
	}
}

// closing returns the position, relative to i, of the brace closing the
// variable that starts at i with "${", or -1 when none does.
func (b *braceIndex) closing(i int) int {
	start := i + 2
	if start >= len(b.next[0]) {
		return -1
	}
	end := b.next[0][start]
	if end < 0 {
		return -1
	}
	return int(end) - i
}

// unquoteDefault reads 'text' where ” stands for one quote.
func unquoteDefault(s string) (string, bool) {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return "", false
	}
	body := s[1 : len(s)-1]
	var b strings.Builder
	for i := 0; i < len(body); i++ {
		if body[i] != '\'' {
			b.WriteByte(body[i])
			continue
		}
		if i+1 >= len(body) || body[i+1] != '\'' {
			return "", false
		}
		b.WriteByte('\'')
		i++
	}
	return b.String(), true
}

// resolveInto replaces the variables of t with their values, appending the
// tokens to dst (the env's scratch, so that no allocation is needed). ok is
// false when a variable has neither a value nor a default.
func (t *template) resolveInto(e *env, dst []token) (toks []token, ok bool) {
	if !t.vars {
		return t.toks, true
	}
	toks = dst[:0]
	for _, tok := range t.toks {
		if tok.kind == tokVar {
			v, found := tok.value(e)
			if !found {
				return nil, false
			}
			tok = token{kind: tokLit, text: v}
		}
		toks = append(toks, tok)
	}
	return toks, true
}

// resolvable reports whether every variable of t has a value or a default.
func (t *template) resolvable(e *env) bool {
	for _, tok := range t.toks {
		if tok.kind != tokVar {
			continue
		}
		if _, found := tok.value(e); !found {
			return false
		}
	}
	return true
}

// value is a variable's value: the key's single value, or the default.
func (tok *token) value(e *env) (string, bool) {
	if tok.text != "" {
		if v, found := e.single(tok.text); found {
			return v, true
		}
	}
	return tok.def, tok.hasDef
}

// equalPieces reports whether the texts of toks, end to end, are s.
func equalPieces(toks []token, s string) bool {
	for _, t := range toks {
		if !strings.HasPrefix(s, t.text) {
			return false
		}
		s = s[len(t.text):]
	}
	return s == ""
}

// equalFoldPieces is equalPieces under Unicode simple case folding, rune by
// rune as strings.EqualFold compares.
func equalFoldPieces(toks []token, s string) bool {
	for _, t := range toks {
		text := t.text
		for text != "" {
			if s == "" {
				return false
			}
			r1, n1 := utf8.DecodeRuneInString(text)
			r2, n2 := utf8.DecodeRuneInString(s)
			if !equalFoldRune(r1, r2) {
				return false
			}
			text, s = text[n1:], s[n2:]
		}
	}
	return s == ""
}

func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// glob reports whether s matches toks, where tokStar matches any run of
// characters and tokQuest exactly one. It backtracks only to the last star,
// which suffices for this pattern language, so it runs in O(len(toks)*len(s)).
func glob(toks []token, s string) bool { return globFold(toks, s, false) }

// globFold is glob, comparing literal text case-insensitively when fold is
// set (for action names, whose patterns are compiled lower-case).
func globFold(toks []token, s string, fold bool) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			switch t := toks[ti]; t.kind {
			case tokStar:
				starT, starS = ti, si
				ti++
				continue
			case tokQuest:
				if si < len(s) {
					_, n := utf8.DecodeRuneInString(s[si:])
					si += n
					ti++
					continue
				}
			case tokLit:
				if hasPrefix(s[si:], t.text, fold) {
					si += len(t.text)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		_, n := utf8.DecodeRuneInString(s[starS:])
		starS += n
		si, ti = starS, starT+1
	}
}

func hasPrefix(s, prefix string, fold bool) bool {
	if !fold {
		return strings.HasPrefix(s, prefix)
	}
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// splitARN splits s at its first n-1 colons; the last part keeps any further
// colons, as an ARN's resource part may. ok is false when s has fewer parts.
func splitARN(s string, n int) (parts [6]string, ok bool) {
	for i := 0; i < n-1; i++ {
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], s = s[:j], s[j+1:]
	}
	parts[n-1] = s
	return parts, true
}

// splitTokens splits a compiled ARN pattern into its colon-separated segments,
// at most six; colons after the fifth stay in the last segment.
func splitTokens(toks []token) [][]token {
	segs, n := splitTokensInto(toks, nil)
	return append([][]token(nil), segs[:n]...)
}

// splitTokensInto is splitTokens writing the segments' tokens to buf, so that
// a caller with room to spare allocates nothing. It returns the segments in
// an array, and how many there are.
func splitTokensInto(toks, buf []token) (segs [6][]token, n int) {
	out := buf[:0]
	var starts [7]int
	n = 1
	for _, t := range toks {
		if t.kind != tokLit {
			out = append(out, t)
			continue
		}
		text := t.text
		for n < 6 {
			j := strings.IndexByte(text, ':')
			if j < 0 {
				break
			}
			if j > 0 {
				out = append(out, token{kind: tokLit, text: text[:j]})
			}
			starts[n] = len(out)
			n++
			text = text[j+1:]
		}
		if text != "" {
			out = append(out, token{kind: tokLit, text: text})
		}
	}
	starts[n] = len(out)
	for i := 0; i < n; i++ {
		segs[i] = out[starts[i]:starts[i+1]]
	}
	return segs, n
}

// arnPattern is a compiled Resource/NotResource entry or Arn condition value.
type arnPattern struct {
	any  bool      // the pattern is "*" (Resource only)
	tmpl template  // the whole pattern
	segs [][]token // its segments, when it has no variable
}

func compileARN(s string, vars bool) arnPattern {
	if s == "*" {
		return arnPattern{any: true}
	}
	p := arnPattern{tmpl: compileTemplate(s, true, vars, false)}
	if !p.tmpl.vars {
		p.segs = splitTokens(p.tmpl.toks)
	}
	return p
}

// match reports whether the ARN s (already split into six parts when split6
// is ok) matches the pattern. ok is false when a variable did not resolve.
func (p *arnPattern) match(e *env, s string, split6 [6]string, ok6 bool) (matched, ok bool) {
	if p.any {
		return true, true
	}
	segs := p.segs
	var resolved [6][]token
	if p.tmpl.vars {
		toks, ok := p.tmpl.resolveInto(e, e.scr.toks[:0])
		if !ok {
			return false, false
		}
		var n int
		resolved, n = splitTokensInto(toks, e.scr.split[:0])
		segs = resolved[:n]
	}
	parts, okN := split6, ok6
	if len(segs) != 6 {
		parts, okN = splitARN(s, len(segs))
	}
	if !okN {
		return false, true
	}
	for i, seg := range segs {
		if !glob(seg, parts[i]) {
			return false, true
		}
	}
	return true, true
}

// WildcardMatch reports whether s matches pattern, in which * matches any
// run of characters and ? exactly one; fold compares letters
// case-insensitively (as for actions), otherwise case matters (as for ARNs).
// Policy variables are not substituted.
func WildcardMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	return glob(compileTemplate(pattern, true, false, false).toks, s)
}
