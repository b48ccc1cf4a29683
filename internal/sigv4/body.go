package sigv4

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
)

// Body is a request body that verifies itself as it is read. It decodes
// aws-chunked encoding, so Read returns the object's bytes, and checks the
// chunk and trailer signatures along the way; at the end of the body it
// checks the signed payload hash, Content-MD5 and x-amz-checksum-* values and
// the decoded length. Read returns io.EOF only once everything has verified.
//
// Any failure is returned by Read as an *s3err.Error, and every later Read
// returns the same error; bytes already returned must then be discarded.
// Close closes the original body. A Body is not safe for concurrent use.
type Body struct {
	src    io.ReadCloser
	rd     io.Reader    // src, or the aws-chunked decoder over it
	chunks *chunkReader // nil unless aws-chunked
	md5    hash.Hash    // always computed: the server's ETag
	sha    hash.Hash    // non-nil when x-amz-content-sha256 is a hash
	spec   bodySpec     // what the headers promised
	sums   map[checksum.Algorithm]hash.Hash
	n      int64 // decoded bytes read so far
	err    error // sticky error
	done   bool  // everything verified, Read returns io.EOF
	final  map[checksum.Algorithm]string
}

// bodySpec is what the request headers say the body must match.
type bodySpec struct {
	payload  payload
	md5      []byte                        // Content-MD5, if sent
	headers  map[checksum.Algorithm][]byte // x-amz-checksum-* headers
	trailers []checksum.Algorithm          // x-amz-checksum-* named by x-amz-trailer
	extra    checksum.Algorithm            // x-amz-sdk-checksum-algorithm, if any
	length   int64                         // decoded length for aws-chunked, else -1
}

// attachBody parses the body-related headers and, when there is a body to
// verify, replaces r.Body with a *Body. ch is nil for anonymous requests;
// objectSum leaves x-amz-checksum-* headers out (Verifier.ObjectChecksum).
func attachBody(r *http.Request, auth *Auth, p payload, ch *chain,
	objectSum bool) *s3err.Error {
	spec, err := parseBodySpec(r, p, objectSum)
	if err != nil {
		return err
	}
	if r.Body == nil || r.Body == http.NoBody {
		if !p.chunked() && spec.md5 == nil && len(spec.headers) == 0 {
			if p.kind == payloadHash && hex.EncodeToString(p.sum) != emptySHA256 {
				return sha256Mismatch(p.value, emptySHA256)
			}
			return nil
		}
		r.Body = http.NoBody
	}
	b := newBody(r.Body, spec, ch)
	if p.chunked() {
		r.ContentLength = spec.length
		stripAWSChunked(r.Header)
	}
	r.Body = b
	auth.Body = b
	return nil
}

// maxDecodedLength is S3's largest object, 5 TiB.
const maxDecodedLength = 5 << 40

func parseBodySpec(r *http.Request, p payload, objectSum bool) (bodySpec, *s3err.Error) {
	spec := bodySpec{payload: p, length: -1}
	var err *s3err.Error
	if spec.md5, err = parseContentMD5(r.Header); err != nil {
		return spec, err
	}
	if !objectSum { // else the headers are the caller's (Verifier.ObjectChecksum)
		if spec.headers, err = parseChecksumHeaders(r.Header); err != nil {
			return spec, err
		}
	}
	if spec.trailers, err = parseTrailerHeader(r.Header.Get("X-Amz-Trailer"), p); err != nil {
		return spec, err
	}
	if len(spec.headers)+len(spec.trailers) > 1 {
		return spec, newError(s3err.InvalidRequest, msgOneChecksum)
	}
	if v := r.Header.Get("X-Amz-Sdk-Checksum-Algorithm"); v != "" {
		alg, ok := checksum.Parse(v)
		if !ok {
			return spec, s3err.Newf(s3err.InvalidRequest,
				"Value for x-amz-sdk-checksum-algorithm header is invalid.")
		}
		spec.extra = alg
	}
	if p.chunked() {
		spec.length, err = decodedLength(r.Header)
	}
	return spec, err
}

func parseContentMD5(h http.Header) ([]byte, *s3err.Error) {
	v, ok := h["Content-Md5"]
	if !ok {
		return nil, nil
	}
	sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(strings.Join(v, "")))
	if err != nil || len(sum) != md5.Size || len(v) != 1 {
		return nil, s3err.New(s3err.InvalidDigest)
	}
	return sum, nil
}

func parseChecksumHeaders(h http.Header) (map[checksum.Algorithm][]byte, *s3err.Error) {
	var out map[checksum.Algorithm][]byte
	for _, alg := range checksum.All {
		v := h.Values(alg.Header())
		if len(v) == 0 {
			continue
		}
		sum, ok := alg.Decode(v[0])
		if !ok || len(v) > 1 {
			return nil, s3err.Newf(s3err.InvalidRequest,
				"Value for %s header is invalid.", alg.Header())
		}
		if out == nil {
			out = make(map[checksum.Algorithm][]byte)
		}
		out[alg] = sum
	}
	return out, nil
}

// parseTrailerHeader parses x-amz-trailer: a comma-separated list of
// x-amz-checksum-* names, allowed only with a -TRAILER payload.
func parseTrailerHeader(v string, p payload) ([]checksum.Algorithm, *s3err.Error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	if !p.trailers() {
		return nil, s3err.Newf(s3err.InvalidRequest, "The x-amz-trailer header requires "+
			"x-amz-content-sha256 to be a STREAMING-...-TRAILER value.")
	}
	var algs []checksum.Algorithm
	for name := range strings.SplitSeq(v, ",") {
		alg, ok := checksum.FromHeader(name)
		if !ok {
			return nil, s3err.Newf(s3err.InvalidArgument,
				"The value specified in the x-amz-trailer header is not supported").
				With("ArgumentName", "x-amz-trailer").With("ArgumentValue", truncate(v))
		}
		algs = append(algs, alg)
	}
	return algs, nil
}

func decodedLength(h http.Header) (int64, *s3err.Error) {
	v := h.Get("X-Amz-Decoded-Content-Length")
	if v == "" {
		return 0, s3err.New(s3err.MissingContentLength)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 || n > maxDecodedLength {
		return 0, s3err.Newf(s3err.InvalidArgument,
			"x-amz-decoded-content-length must be a non-negative integer of at most 5 TiB.").
			With("ArgumentName", "x-amz-decoded-content-length").
			With("ArgumentValue", truncate(v))
	}
	return n, nil
}

// stripAWSChunked removes the aws-chunked coding from Content-Encoding, as
// S3 does before storing the header.
func stripAWSChunked(h http.Header) {
	var keep []string
	for _, v := range h.Values("Content-Encoding") {
		for enc := range strings.SplitSeq(v, ",") {
			enc = strings.TrimSpace(enc)
			if enc != "" && !strings.EqualFold(enc, "aws-chunked") {
				keep = append(keep, enc)
			}
		}
	}
	if len(keep) == 0 {
		h.Del("Content-Encoding")
		return
	}
	h.Set("Content-Encoding", strings.Join(keep, ","))
}

func newBody(src io.ReadCloser, spec bodySpec, ch *chain) *Body {
	b := &Body{src: src, rd: src, md5: md5.New(), spec: spec,
		sums: make(map[checksum.Algorithm]hash.Hash)}
	if spec.payload.kind == payloadHash {
		b.sha = sha256.New()
	}
	for alg := range spec.headers {
		b.sums[alg] = alg.New()
	}
	for _, alg := range spec.trailers {
		b.sums[alg] = alg.New()
	}
	if spec.extra != "" && b.sums[spec.extra] == nil {
		b.sums[spec.extra] = spec.extra.New()
	}
	if len(b.sums) == 0 {
		// S3 gives every object a full-object CRC64NVME when the client
		// sends no checksum.
		b.sums[checksum.CRC64NVME] = checksum.CRC64NVME.New()
	}
	if spec.payload.chunked() {
		if !spec.payload.signedChunks() {
			ch = nil
		}
		b.chunks = newChunkReader(src, ch, spec)
		b.rd = b.chunks
	}
	return b
}

// Read reads decoded body bytes; see Body for the verification contract.
func (b *Body) Read(p []byte) (int, error) {
	if b.err != nil {
		return 0, b.err
	}
	if b.done {
		return 0, io.EOF
	}
	n, err := b.rd.Read(p)
	if n > 0 {
		b.consume(p[:n])
	}
	if err == nil {
		return n, nil
	}
	if err != io.EOF {
		b.err = readError(err)
		return n, b.err
	}
	if ferr := b.finish(); ferr != nil {
		b.err = ferr
		return n, b.err
	}
	b.done = true
	return n, io.EOF
}

func (b *Body) consume(p []byte) {
	b.n += int64(len(p))
	b.md5.Write(p)
	if b.sha != nil {
		b.sha.Write(p)
	}
	for _, h := range b.sums {
		h.Write(p)
	}
}

// readError turns a failure of the underlying body into an S3 error.
func readError(err error) *s3err.Error {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return s3err.New(s3err.IncompleteBody).WithCause(err)
	}
	return s3err.Newf(s3err.IncompleteBody, "The request body could not be read.").
		WithCause(err)
}

// Close closes the original request body.
func (b *Body) Close() error { return b.src.Close() }

// finish runs the end-of-body checks.
func (b *Body) finish() *s3err.Error {
	if b.spec.length >= 0 && b.n != b.spec.length {
		return incompleteBody("The aws-chunked body decoded to %d bytes but "+
			"x-amz-decoded-content-length is %d.", b.n, b.spec.length)
	}
	if b.sha != nil {
		if got := b.sha.Sum(nil); !bytes.Equal(got, b.spec.payload.sum) {
			return sha256Mismatch(b.spec.payload.value, hex.EncodeToString(got))
		}
	}
	md5Sum := b.md5.Sum(nil)
	if b.spec.md5 != nil && !bytes.Equal(md5Sum, b.spec.md5) {
		return s3err.Newf(s3err.BadDigest,
			"The Content-MD5 you specified did not match what we received.").
			With("ExpectedDigest", checksum.Encode(b.spec.md5)).
			With("CalculatedDigest", checksum.Encode(md5Sum))
	}
	return b.checkSums()
}

// checkSums compares computed checksums with the headers and trailers.
func (b *Body) checkSums() *s3err.Error {
	final := make(map[checksum.Algorithm]string, len(b.sums))
	for alg, h := range b.sums {
		final[alg] = checksum.Encode(h.Sum(nil))
	}
	for alg, want := range b.spec.headers {
		if final[alg] != checksum.Encode(want) {
			return checksumMismatch(alg)
		}
	}
	for _, alg := range b.spec.trailers {
		v, ok := b.chunks.trailers[alg.Header()]
		if !ok {
			return s3err.Newf(s3err.InvalidRequest,
				"The trailer %s named in x-amz-trailer was not sent.", alg.Header())
		}
		want, ok := alg.Decode(v)
		if !ok {
			return s3err.Newf(s3err.InvalidRequest,
				"Value for %s trailing header is invalid.", alg.Header())
		}
		if final[alg] != checksum.Encode(want) {
			return checksumMismatch(alg)
		}
	}
	b.final = final
	return nil
}

func checksumMismatch(alg checksum.Algorithm) *s3err.Error {
	return s3err.Newf(s3err.BadDigest, "The value of %s you specified did not match "+
		"the calculated checksum.", alg.Header())
}

func sha256Mismatch(client, computed string) *s3err.Error {
	return s3err.New(s3err.XAmzContentSHA256Mismatch).
		With("ClientComputedContentSHA256", client).
		With("S3ComputedContentSHA256", computed)
}

// Checksums returns the base64 checksums of the decoded content, keyed by
// algorithm. It includes every algorithm the client sent (in a header or
// trailer, all verified) or named in x-amz-sdk-checksum-algorithm, and
// CRC64NVME when the client named none. It is nil until Read has returned
// io.EOF.
func (b *Body) Checksums() map[checksum.Algorithm]string {
	if !b.done {
		return nil
	}
	out := make(map[checksum.Algorithm]string, len(b.final))
	for k, v := range b.final {
		out[k] = v
	}
	return out
}

// MD5 returns the MD5 of the decoded content, or nil until Read has returned
// io.EOF.
func (b *Body) MD5() []byte {
	if !b.done {
		return nil
	}
	return b.md5.Sum(nil)
}
