package policylint

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// nodeKind is the JSON type of a node.
type nodeKind uint8

const (
	jsonObject nodeKind = iota
	jsonArray
	jsonString
	jsonNumber
	jsonBool
	jsonNull
)

var kindNames = [...]string{"an object", "a list", "a string", "a number", "a boolean", "null"}

func (k nodeKind) String() string { return kindNames[k] }

// node is one JSON value with the byte offset it starts at. Objects keep
// their members in document order, repeats included.
type node struct {
	kind    nodeKind
	off     int    // offset of the value's first byte
	end     int    // offset just after its last byte
	text    string // string: the unescaped value; number and boolean: the literal
	members []member
	elems   []*node
}

// member is one name and value of an object.
type member struct {
	name string
	off  int // offset of the name's opening quote
	val  *node
}

// get returns the first member called name.
func (n *node) get(name string) (member, bool) {
	for _, m := range n.members {
		if m.name == name {
			return m, true
		}
	}
	return member{}, false
}

// jsonError is a syntax error at a byte offset.
type jsonError struct {
	off int
	msg string
}

func (e *jsonError) Error() string { return e.msg }

// maxDepth bounds nesting; no valid policy comes near it, and the bound
// keeps hostile input from exhausting the stack.
const maxDepth = 200

// parseJSON reads one JSON value and nothing after it but white space. It
// accepts what encoding/json accepts (invalid UTF-8 and lone surrogates
// become U+FFFD) so that its verdict matches the policy parser's.
func parseJSON(doc []byte) (*node, *jsonError) {
	n, _, err := readJSON(doc)
	return n, err
}

// readJSON is parseJSON that also returns the offset of the first \u escape
// of half a surrogate pair without its other half, or -1 when there is none.
func readJSON(doc []byte) (root *node, lone int, err *jsonError) {
	p := &jsonParser{s: doc, lone: -1}
	p.space()
	n, err := p.value(0)
	if err != nil {
		return nil, p.lone, err
	}
	p.space()
	if p.i < len(p.s) {
		return nil, p.lone, p.fail("unexpected %s after the JSON value", p.char())
	}
	return n, p.lone, nil
}

type jsonParser struct {
	s    []byte
	i    int
	lone int // offset of the first lone surrogate escape, or -1
}

func (p *jsonParser) fail(format string, args ...any) *jsonError {
	return &jsonError{off: p.i, msg: fmt.Sprintf(format, args...)}
}

// char describes the byte at the cursor for a message.
func (p *jsonParser) char() string {
	if p.i >= len(p.s) {
		return "end of input"
	}
	r, _ := utf8.DecodeRune(p.s[p.i:])
	return "character " + strconv.QuoteRune(r)
}

func (p *jsonParser) space() {
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) (*node, *jsonError) {
	n, err := p.anyValue(depth)
	if err != nil {
		return nil, err
	}
	n.end = p.i
	return n, nil
}

func (p *jsonParser) anyValue(depth int) (*node, *jsonError) {
	if depth > maxDepth {
		return nil, p.fail("values nested more than %d deep", maxDepth)
	}
	if p.i >= len(p.s) {
		return nil, p.fail("unexpected end of input; a value was expected")
	}
	switch c := p.s[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		off := p.i
		s, err := p.str()
		return &node{kind: jsonString, off: off, text: s}, err
	case c == '-' || '0' <= c && c <= '9':
		return p.number()
	case c == 't' || c == 'f' || c == 'n':
		return p.literal()
	}
	return nil, p.fail("unexpected %s; a value was expected", p.char())
}

func (p *jsonParser) object(depth int) (*node, *jsonError) {
	n := &node{kind: jsonObject, off: p.i}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == '}' {
		p.i++
		return n, nil
	}
	for {
		m, err := p.member(depth)
		if err != nil {
			return nil, err
		}
		n.members = append(n.members, m)
		if done, err := p.separator('}'); done || err != nil {
			return n, err
		}
	}
}

func (p *jsonParser) member(depth int) (member, *jsonError) {
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return member{}, p.fail("unexpected %s; a member name in quotes was expected", p.char())
	}
	m := member{off: p.i}
	var err *jsonError
	if m.name, err = p.str(); err != nil {
		return m, err
	}
	p.space()
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return m, p.fail("unexpected %s; a colon after the member name was expected", p.char())
	}
	p.i++
	p.space()
	m.val, err = p.value(depth + 1)
	return m, err
}

// separator reads the comma before another element, or the closing
// delimiter; done reports the latter.
func (p *jsonParser) separator(closing byte) (done bool, err *jsonError) {
	p.space()
	if p.i < len(p.s) {
		switch p.s[p.i] {
		case ',':
			p.i++
			return false, nil
		case closing:
			p.i++
			return true, nil
		}
	}
	return false, p.fail("unexpected %s; a comma or %q was expected", p.char(), closing)
}

func (p *jsonParser) array(depth int) (*node, *jsonError) {
	n := &node{kind: jsonArray, off: p.i}
	p.i++
	p.space()
	if p.i < len(p.s) && p.s[p.i] == ']' {
		p.i++
		return n, nil
	}
	for {
		p.space()
		v, err := p.value(depth + 1)
		if err != nil {
			return nil, err
		}
		n.elems = append(n.elems, v)
		if done, err := p.separator(']'); done || err != nil {
			return n, err
		}
	}
}

// str reads a string from its opening quote.
func (p *jsonParser) str() (string, *jsonError) {
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		switch {
		case c == '"':
			p.i++
			return b.String(), nil
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		case c < 0x20:
			return "", p.fail("control character %q in a string", rune(c))
		case c < utf8.RuneSelf:
			b.WriteByte(c)
			p.i++
		default:
			r, size := utf8.DecodeRune(p.s[p.i:])
			b.WriteRune(r) // U+FFFD for invalid UTF-8, as encoding/json does
			p.i += size
		}
	}
	return "", p.fail("unexpected end of input in a string")
}

func (p *jsonParser) escape(b *strings.Builder) *jsonError {
	start := p.i
	p.i++
	if p.i >= len(p.s) {
		return p.fail("unexpected end of input in a string")
	}
	c := p.s[p.i]
	p.i++
	if r, ok := simpleEscapes[c]; ok {
		b.WriteByte(r)
		return nil
	}
	if c != 'u' {
		p.i--
		return p.fail("invalid escape \\%c in a string", c)
	}
	r, ok := p.hex4()
	if !ok {
		return p.fail("invalid \\u escape in a string")
	}
	if utf16.IsSurrogate(r) {
		if r = p.lowSurrogate(r); r == utf8.RuneError && p.lone < 0 {
			p.lone = start
		}
	}
	b.WriteRune(r)
	return nil
}

var simpleEscapes = map[byte]byte{
	'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t',
}

// lowSurrogate completes a surrogate pair when the next escape holds its
// second half; a lone surrogate is U+FFFD.
func (p *jsonParser) lowSurrogate(hi rune) rune {
	if p.i+1 < len(p.s) && p.s[p.i] == '\\' && p.s[p.i+1] == 'u' {
		save := p.i
		p.i += 2
		if lo, ok := p.hex4(); ok {
			if r := utf16.DecodeRune(hi, lo); r != utf8.RuneError {
				return r
			}
		}
		p.i = save
	}
	return utf8.RuneError
}

func (p *jsonParser) hex4() (rune, bool) {
	if p.i+4 > len(p.s) {
		return 0, false
	}
	v, err := strconv.ParseUint(string(p.s[p.i:p.i+4]), 16, 32)
	if err != nil || strings.ContainsAny(string(p.s[p.i:p.i+4]), "+-") {
		return 0, false
	}
	p.i += 4
	return rune(v), true
}

func (p *jsonParser) number() (*node, *jsonError) {
	start := p.i
	if p.s[p.i] == '-' {
		p.i++
	}
	switch {
	case p.i < len(p.s) && p.s[p.i] == '0':
		p.i++
	case p.digits() == 0:
		return nil, p.fail("invalid number: a digit was expected")
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		p.i++
		if p.digits() == 0 {
			return nil, p.fail("invalid number: a digit was expected after the point")
		}
	}
	if p.i < len(p.s) && (p.s[p.i] == 'e' || p.s[p.i] == 'E') {
		p.i++
		if p.i < len(p.s) && (p.s[p.i] == '+' || p.s[p.i] == '-') {
			p.i++
		}
		if p.digits() == 0 {
			return nil, p.fail("invalid number: a digit was expected in the exponent")
		}
	}
	return &node{kind: jsonNumber, off: start, text: string(p.s[start:p.i])}, nil
}

func (p *jsonParser) digits() int {
	n := 0
	for p.i < len(p.s) && '0' <= p.s[p.i] && p.s[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

func (p *jsonParser) literal() (*node, *jsonError) {
	for _, lit := range []struct {
		word string
		kind nodeKind
	}{{"true", jsonBool}, {"false", jsonBool}, {"null", jsonNull}} {
		if strings.HasPrefix(string(p.s[p.i:min(len(p.s), p.i+5)]), lit.word) {
			n := &node{kind: lit.kind, off: p.i, text: lit.word}
			p.i += len(lit.word)
			return n, nil
		}
	}
	return nil, p.fail("unexpected %s; a value was expected", p.char())
}

// position returns the 1-based line and column of a byte offset; columns
// count characters, not bytes. A line ends at LF, CR LF, or a CR alone.
func position(doc []byte, off int) (line, col int) {
	off = min(max(off, 0), len(doc))
	line, start := 1, 0
	for i := 0; i < off; i++ {
		switch {
		case doc[i] == '\n', doc[i] == '\r' && (i+1 >= len(doc) || doc[i+1] != '\n'):
			line, start = line+1, i+1
		}
	}
	return line, utf8.RuneCount(doc[start:off]) + 1
}
