package sigv4

import (
	"bufio"
	"crypto/sha256"
	"hash"
	"io"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
)

const (
	// maxLine bounds a chunk-size or trailer line, CRLF included. A signed
	// chunk-size line is under 100 bytes.
	maxLine = 4 << 10
	// maxChunk bounds one chunk's data. Clients use 8 KiB to 16 MiB; chunk
	// data is streamed, so this only rejects absurd sizes early.
	maxChunk = 256 << 20
	// maxTrailers bounds the number of trailer lines.
	maxTrailers = 16
	// trailerSignature is the trailer carrying the trailer block's signature.
	trailerSignature = "x-amz-trailer-signature"
)

type chunkState int

const (
	stateSize chunkState = iota // expecting a chunk-size line
	stateData                   // inside a chunk's data
	stateDone                   // final chunk and trailers read, at EOF
)

// chunkReader decodes an aws-chunked body (see the package doc), verifying
// chunk and trailer signatures when ch is set. Its errors are *s3err.Error.
type chunkReader struct {
	br        *bufio.Reader
	ch        *chain // nil for unsigned chunks
	spec      bodySpec
	state     chunkState
	remaining int64     // data bytes left in the current chunk
	total     int64     // decoded bytes so far
	chunkSum  hash.Hash // SHA-256 of the current chunk, for signed chunks
	claimed   []byte    // the current chunk's signature
	// trailers holds the trailers received, by lower-case name; set at EOF.
	trailers map[string]string
}

func newChunkReader(src io.Reader, ch *chain, spec bodySpec) *chunkReader {
	return &chunkReader{br: bufio.NewReaderSize(src, 64<<10), ch: ch, spec: spec,
		chunkSum: sha256.New()}
}

// Read returns decoded data.
func (c *chunkReader) Read(p []byte) (int, error) {
	for {
		switch c.state {
		case stateDone:
			return 0, io.EOF
		case stateSize:
			if err := c.readSize(); err != nil {
				return 0, err
			}
		case stateData:
			if c.remaining == 0 {
				if err := c.endChunk(); err != nil {
					return 0, err
				}
				continue
			}
			return c.readData(p)
		}
	}
}

func (c *chunkReader) readData(p []byte) (int, error) {
	if int64(len(p)) > c.remaining {
		p = p[:c.remaining]
	}
	n, err := c.br.Read(p)
	c.remaining -= int64(n)
	c.total += int64(n)
	if c.ch != nil {
		c.chunkSum.Write(p[:n])
	}
	if n > 0 {
		return n, nil
	}
	return 0, truncated(err)
}

// truncated maps a read failure inside the body to an S3 error.
func truncated(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF || err == nil {
		return incompleteBody("The aws-chunked body ended before its final chunk.")
	}
	return readError(err)
}

// readLine reads one CRLF-terminated line, without the CRLF.
func (c *chunkReader) readLine() (string, error) {
	line, err := c.readToLF()
	if err != nil {
		return "", err
	}
	s, ok := strings.CutSuffix(line, "\r\n")
	if !ok {
		return "", malformedBody("a line does not end with CRLF")
	}
	return s, nil
}

// readTrailerLine reads one trailer line without its end: CRLF or, after a
// trailer, LF and CRLF. minio-go ends each trailer so (the "name:value\n"
// the trailer signature signs, then CRLF), and S3 accepts it.
func (c *chunkReader) readTrailerLine() (string, error) {
	line, err := c.readToLF()
	if err != nil {
		return "", err
	}
	if s, ok := strings.CutSuffix(line, "\r\n"); ok {
		return s, nil
	}
	s := strings.TrimSuffix(line, "\n")
	if s == "" {
		return "", malformedBody("a line does not end with CRLF")
	}
	next, err := c.br.Peek(2)
	if err != nil {
		return "", truncated(err)
	}
	if string(next) != "\r\n" {
		return "", malformedBody("a line does not end with CRLF")
	}
	_, _ = c.br.Discard(2)
	return s, nil
}

// readToLF reads one line of at most maxLine bytes, its LF included.
func (c *chunkReader) readToLF() (string, error) {
	line, err := c.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull || len(line) > maxLine {
		return "", malformedBody("a chunk-size or trailer line is too long")
	}
	if err != nil {
		return "", truncated(err)
	}
	return string(line), nil
}

// readSize reads a chunk-size line and starts the chunk.
func (c *chunkReader) readSize() error {
	line, err := c.readLine()
	if err != nil {
		return err
	}
	sizeHex, ext, hasExt := strings.Cut(line, ";")
	size, perr := strconv.ParseUint(sizeHex, 16, 64)
	if perr != nil || len(sizeHex) > 16 || size > maxChunk {
		return malformedBody("invalid chunk size")
	}
	if c.total+int64(size) > c.spec.length {
		return incompleteBody("The aws-chunked body carries more than the %d bytes "+
			"of x-amz-decoded-content-length.", c.spec.length)
	}
	if c.ch != nil {
		sig, ok := strings.CutPrefix(ext, "chunk-signature=")
		if !hasExt || !ok {
			return malformedBody("a chunk has no chunk-signature")
		}
		if c.claimed, ok = decodeSignature(sig); !ok {
			return malformedBody("a chunk-signature is not 64 hexadecimal characters")
		}
	}
	c.remaining = int64(size)
	c.chunkSum.Reset()
	c.state = stateData
	if size == 0 {
		return c.endFinal()
	}
	return nil
}

// endChunk checks the CRLF after a chunk's data and its signature.
func (c *chunkReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil {
		return truncated(err)
	}
	if crlf != [2]byte{'\r', '\n'} {
		return malformedBody("chunk data is not followed by CRLF")
	}
	if err := c.verifyChunk(); err != nil {
		return err
	}
	c.state = stateSize
	return nil
}

func (c *chunkReader) verifyChunk() error {
	if c.ch != nil && !c.ch.next(c.chunkSum.Sum(nil), c.claimed) {
		return chunkSignatureMismatch()
	}
	return nil
}

// endFinal handles the zero-size chunk: its signature, the trailers and the
// end of the body.
func (c *chunkReader) endFinal() error {
	if err := c.verifyChunk(); err != nil {
		return err
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	if _, err := c.br.ReadByte(); err != io.EOF {
		if err != nil {
			return readError(err)
		}
		return malformedBody("data follows the final chunk")
	}
	c.state = stateDone
	return nil
}

// readTrailers reads trailer lines up to the blank line ending the body and
// verifies the trailer signature for signed trailers.
func (c *chunkReader) readTrailers() error {
	c.trailers = map[string]string{}
	var canonical strings.Builder
	var sig []byte
	for i := 0; ; i++ {
		line, err := c.readTrailerLine()
		if err != nil {
			return err
		}
		if line == "" {
			break
		}
		if i >= maxTrailers || !c.spec.payload.trailers() || sig != nil {
			return malformedBody("unexpected trailer")
		}
		name, value, err := c.parseTrailer(line)
		if err != nil {
			return err
		}
		if name == trailerSignature {
			if sig, err = c.trailerSig(value); err != nil {
				return err
			}
			continue
		}
		c.trailers[name] = value
		canonical.WriteString(name + ":" + value + "\n")
	}
	return c.checkTrailerSig(canonical.String(), sig)
}

// parseTrailer splits "name:value" and checks the name was declared.
func (c *chunkReader) parseTrailer(line string) (string, string, error) {
	name, value, ok := strings.Cut(line, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	value = strings.TrimSpace(value)
	if !ok || name == "" {
		return "", "", malformedBody("a trailer is not name:value")
	}
	if _, dup := c.trailers[name]; dup {
		return "", "", malformedBody("a trailer is repeated")
	}
	if name == trailerSignature {
		return name, value, nil
	}
	for _, alg := range c.spec.trailers {
		if alg.Header() == name {
			return name, value, nil
		}
	}
	return "", "", s3err.Newf(s3err.InvalidRequest,
		"The trailer %s was not declared in x-amz-trailer.", truncate(name))
}

func (c *chunkReader) trailerSig(value string) ([]byte, error) {
	if c.ch == nil {
		return nil, malformedBody("an unsigned payload carries a trailer signature")
	}
	sig, ok := decodeSignature(value)
	if !ok {
		return nil, malformedBody("the trailer signature is not 64 hexadecimal characters")
	}
	return sig, nil
}

func (c *chunkReader) checkTrailerSig(canonical string, sig []byte) error {
	if c.ch == nil || !c.spec.payload.trailers() {
		return nil
	}
	if sig == nil {
		return malformedBody("the trailer signature is missing")
	}
	if !c.ch.trailer(canonical, sig) {
		return s3err.Newf(s3err.SignatureDoesNotMatch, "The trailer signature we "+
			"calculated does not match the signature you provided.")
	}
	return nil
}
