package s3api

// Request documents (Delete, CompleteMultipartUpload, VersioningConfiguration,
// Tagging) are read with an xmlBody, token by token straight from the request
// body, never whole: what a request may cost is bounded by what a valid
// document holds, not by how many elements a client sends. The callers stop at
// the first element over their own limit (the 1001st Object of a Delete), and
// an xmlBody bounds the rest: the bytes of one token, the tokens of a
// document, the nesting depth and the body's length. Past any bound the
// answer is MalformedXML.
//
// The documents are read as S3 reads them: element names match in any
// namespace or none, unknown child elements are skipped. What encoding/xml's
// Unmarshal let through is refused: content after the root element (other
// than white space, comments and processing instructions), a single-valued
// child given twice, text mixed with child elements, and DOCTYPE or other
// directives.

import (
	"bufio"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
)

const (
	// maxXMLToken bounds the bytes of one token (an element tag, a run of
	// text, a comment). The longest valid one is a 1024-byte object key
	// written with six-byte character references; 64 KiB leaves room.
	maxXMLToken = 64 << 10
	// maxXMLDepth bounds element nesting; a Tagging document, the deepest,
	// nests four.
	maxXMLDepth = 16
)

// errXMLBound is the cause of a MalformedXML answer to a document over one
// of an xmlBody's bounds.
var errXMLBound = errors.New("s3api: xml document over its bounds")

// xmlLimits are the bounds of one kind of document.
type xmlLimits struct {
	bytes  int64 // the body's length
	tokens int   // tokens of the document, white space and comments included
}

// boundedInput is the byte source of an xmlBody's decoder. It fails the
// decoder when the current token or the whole body runs over its bound, and
// keeps the error of the body itself, which is answered as such (a
// BadDigest from package sigv4, say) rather than as MalformedXML.
type boundedInput struct {
	r       *bufio.Reader
	left    int64 // bytes the body may still have
	inToken int   // bytes read since the decoder was last asked for a token
	err     error // the body's own read error, io.EOF excepted
}

// ReadByte is what xml.Decoder reads through, as boundedInput is an
// io.ByteReader.
func (in *boundedInput) ReadByte() (byte, error) {
	if in.inToken >= maxXMLToken {
		return 0, fmt.Errorf("%w: token over %d bytes", errXMLBound, maxXMLToken)
	}
	c, err := in.r.ReadByte()
	if err != nil {
		if err != io.EOF {
			in.err = err
		}
		return 0, err
	}
	if in.left--; in.left < 0 {
		return 0, fmt.Errorf("%w: body too long", errXMLBound)
	}
	in.inToken++
	return c, nil
}

// Read makes boundedInput an io.Reader; the decoder uses ReadByte.
func (in *boundedInput) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		c, err := in.ReadByte()
		if err != nil {
			return n, err
		}
		p[n] = c
		n++
	}
	return n, nil
}

// xmlBody reads one request document. Its methods follow the document's
// shape: open reads up to the root element, child and text and skip read
// inside the element opened last, close reads from the root's end to the
// end of the body. Every error is an *s3err.Error.
type xmlBody struct {
	d      *xml.Decoder
	in     *boundedInput
	tokens int                   // tokens the document may still have
	depth  int                   // elements open
	stack  [maxXMLDepth]xml.Name // their names, prefix as written in Space
}

// newXMLBody reads a document from r within lim.
func newXMLBody(r io.Reader, lim xmlLimits) *xmlBody {
	in := &boundedInput{r: bufio.NewReaderSize(r, 4096), left: lim.bytes}
	return &xmlBody{d: xml.NewDecoder(in), in: in, tokens: lim.tokens}
}

// token returns the next token, whose bytes stay valid until the next call.
// The end of the body is io.EOF, left for the caller to judge. Tokens are
// read raw, without namespace translation, which the documents do not need
// (their names match in any namespace) and which costs allocations; token
// checks instead that each end element closes the element open last.
func (x *xmlBody) token() (xml.Token, error) {
	if x.tokens--; x.tokens < 0 {
		return nil, x.fail(fmt.Errorf("%w: too many tokens", errXMLBound))
	}
	x.in.inToken = 0
	tok, err := x.d.RawToken()
	if err == io.EOF && x.in.err == nil {
		return nil, io.EOF
	}
	if err != nil {
		return nil, x.fail(err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		if x.depth == maxXMLDepth {
			return nil, x.fail(fmt.Errorf("%w: nested over %d", errXMLBound, maxXMLDepth))
		}
		x.stack[x.depth] = t.Name
		x.depth++
	case xml.EndElement:
		if x.depth == 0 || x.stack[x.depth-1] != t.Name {
			return nil, malformed("end element %s:%s matches no start", t.Name.Space,
				t.Name.Local)
		}
		x.depth--
	case xml.Directive:
		return nil, x.fail(errors.New("s3api: xml directive in a request document"))
	}
	return tok, nil
}

// fail is err as the client's answer: the body's own error as bodyError
// makes it, anything else MalformedXML.
func (x *xmlBody) fail(err error) error {
	if x.in.err != nil {
		return bodyError(x.in.err)
	}
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	return s3err.New(s3err.MalformedXML).WithCause(fmt.Errorf("s3api: request xml: %w", err))
}

// malformed is a MalformedXML answer whose cause says why.
func malformed(format string, args ...any) error {
	return s3err.New(s3err.MalformedXML).WithCause(fmt.Errorf("s3api: "+format, args...))
}

// open reads up to the root element, which must be named root, in any
// namespace or none.
func (x *xmlBody) open(root string) error {
	for {
		tok, err := x.token()
		if err == io.EOF {
			return malformed("no %s element", root)
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if t.Name.Local != root {
				return malformed("root element %q, want %s", t.Name.Local, root)
			}
			return nil
		case xml.CharData:
			if !blank(t) {
				return malformed("text before the %s element", root)
			}
		}
	}
}

// child reads up to the next child element of the element opened last and
// returns its local name, or ok false when that element ends instead.
func (x *xmlBody) child() (name string, ok bool, err error) {
	for {
		tok, err := x.token()
		if err != nil {
			return "", false, x.inside(err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return t.Name.Local, true, nil
		case xml.EndElement:
			return "", false, nil
		case xml.CharData:
			if !blank(t) {
				return "", false, malformed("text among child elements")
			}
		}
	}
}

// text reads the text of the element opened last, up to its end. A child
// element inside it is MalformedXML.
func (x *xmlBody) text() (string, error) {
	var b strings.Builder
	for {
		tok, err := x.token()
		if err != nil {
			return "", x.inside(err)
		}
		switch t := tok.(type) {
		case xml.CharData:
			if b.Len()+len(t) > maxXMLToken {
				return "", x.fail(fmt.Errorf("%w: text over %d bytes", errXMLBound,
					maxXMLToken))
			}
			b.Write(t)
		case xml.EndElement:
			return b.String(), nil
		case xml.StartElement:
			return "", malformed("element %q inside a text element", t.Name.Local)
		}
	}
}

// skip reads past the end of the element opened last, whatever it holds.
func (x *xmlBody) skip() error {
	for depth := 1; depth > 0; {
		tok, err := x.token()
		if err != nil {
			return x.inside(err)
		}
		switch tok.(type) {
		case xml.StartElement:
			depth++
		case xml.EndElement:
			depth--
		}
	}
	return nil
}

// close reads the rest of the body after the root element: white space,
// comments and processing instructions only. Reading to the end is what has
// package sigv4 verify the body's digest, so a document is only acted on
// once close returns nil.
func (x *xmlBody) close() error {
	for {
		tok, err := x.token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			return malformed("element %q after the root element", t.Name.Local)
		case xml.CharData:
			if !blank(t) {
				return malformed("text after the root element")
			}
		}
	}
}

// inside maps an end of the body inside an open element, which RawToken
// reports as io.EOF, to MalformedXML.
func (x *xmlBody) inside(err error) error {
	if err == io.EOF {
		return malformed("body ends inside an element")
	}
	return err
}

// textOnce reads the text of a single-valued child element named name,
// which seen records: a second one is MalformedXML.
func (x *xmlBody) textOnce(name string, seen *bool) (string, error) {
	if *seen {
		return "", malformed("element %s twice", name)
	}
	*seen = true
	return x.text()
}

// fields reads the children of the element opened last, up to its end, for
// an element whose children are single-valued text elements: the text of
// names[i] goes to set(i, text); a name twice is MalformedXML; a child not
// in names is skipped. names holds at most 32 names.
func (x *xmlBody) fields(names []string, set func(i int, text string)) error {
	var seen uint32
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			return err
		}
		i := slices.Index(names, name)
		if i < 0 {
			if err := x.skip(); err != nil {
				return err
			}
			continue
		}
		if seen&(1<<i) != 0 {
			return malformed("element %s twice", name)
		}
		seen |= 1 << i
		v, err := x.text()
		if err != nil {
			return err
		}
		set(i, v)
	}
}

// blank reports whether text is only XML white space.
func blank(text []byte) bool {
	for _, c := range text {
		if c != ' ' && c != '\t' && c != '\r' && c != '\n' {
			return false
		}
	}
	return true
}
