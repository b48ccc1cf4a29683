package s3api

// UploadPart and UploadPartCopy: each part is a blob of its own, written
// and made durable before the part's record names it, as for PutObject.

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// partRequest is what UploadPart and UploadPartCopy learn before touching
// data: the bucket, the upload and the part number, authorized.
type partRequest struct {
	bucket store.Bucket
	upload store.Upload
	number int
}

// preparePart validates a part request and authorizes its s3:PutObject
// with the upload's keys plus extra. An upload that does not exist is
// NoSuchUpload once the caller is authorized without its keys.
func (h *Handler) preparePart(rq *request, extra policy.Context) (partRequest, error) {
	var pr partRequest
	id, err := uploadIDParam(rq)
	if err != nil {
		return pr, err
	}
	if pr.number, err = partNumberParam(rq); err != nil {
		return pr, err
	}
	if pr.bucket, err = h.loadBucket(rq); err != nil {
		return pr, err
	}
	if err := refusePartSSE(rq.r); err != nil {
		return pr, err
	}
	u, found, err := h.loadUpload(rq, pr.bucket, id)
	if err != nil {
		return pr, err
	}
	if !found {
		return pr, h.missingUpload(rq, pr.bucket, id)
	}
	keys, err := multipartContext(u.KeyHeaders, rq.r, false, false, h.cfg.Now())
	if err != nil {
		return pr, err
	}
	for k, v := range extra {
		keys.Set(k, v...)
	}
	t := objectTarget("s3:PutObject", pr.bucket, rq.key)
	if err := h.authorize(rq, t, keys); err != nil {
		return pr, err
	}
	pr.upload = u
	return pr, nil
}

// refusePartSSE answers encryption headers on a part as S3 does: the
// upload's encryption was fixed by CreateMultipartUpload, and S3 refuses
// x-amz-server-side-encryption on a part; SSE-C and KMS headers get
// checkSSE's answers.
func refusePartSSE(r *http.Request) error {
	if v, ok := headerValue(r.Header, sseHeader); ok {
		return s3err.Newf(s3err.InvalidArgument,
			"x-amz-server-side-encryption header is not supported for this operation.").
			With("ArgumentName", "x-amz-server-side-encryption").With("ArgumentValue", v)
	}
	return checkSSE(r)
}

func (h *Handler) uploadPart(rq *request) error {
	pr, err := h.preparePart(rq, nil)
	if err != nil {
		return err
	}
	size, err := bodySize(rq, maxPartSize)
	if err != nil {
		return err
	}
	if err := checkPartChecksum(rq.r.Header, pr.upload.ChecksumAlgorithm); err != nil {
		return err
	}
	p, err := h.storePart(rq, pr, rq.r.Body, size, true)
	if err != nil {
		return err
	}
	rq.w.Header().Set("ETag", p.ETag)
	rq.w.Header().Set(sseHeader, pr.upload.Headers[sseHeader])
	if alg, ok := checksum.Parse(pr.upload.ChecksumAlgorithm); ok {
		rq.w.Header().Set(alg.Header(), p.Checksums[string(alg)])
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

// checkPartChecksum refuses a part whose checksum, in a header, a trailer
// or x-amz-sdk-checksum-algorithm, is of another algorithm than the one the
// upload was created with, as S3 does.
func checkPartChecksum(h http.Header, want string) error {
	if want == "" {
		return nil
	}
	var named []string
	for name := range h {
		if alg, ok := checksum.FromHeader(name); ok {
			named = append(named, string(alg))
		}
	}
	for _, v := range strings.Split(h.Get("X-Amz-Trailer"), ",") {
		if alg, ok := checksum.FromHeader(v); ok {
			named = append(named, string(alg))
		}
	}
	if alg, ok := checksum.Parse(h.Get("X-Amz-Sdk-Checksum-Algorithm")); ok {
		named = append(named, string(alg))
	}
	for _, got := range named {
		if got != want {
			return s3err.Newf(s3err.InvalidRequest, "Checksum Type mismatch occurred, "+
				"expected checksum Type: %s, actual checksum Type: %s",
				strings.ToLower(want), strings.ToLower(got))
		}
	}
	return nil
}

// storePart streams size bytes of src into a new blob, computing its MD5
// and the upload's checksum, and records it as part pr.number. fromBody
// says src is the request body, whose verified checksums are recorded
// too. On any failure the blob is discarded and no record changes; a part
// it replaces has its blob removed.
func (h *Handler) storePart(rq *request, pr partRequest, src io.Reader, size int64,
	fromBody bool) (store.Part, error) {
	p := store.Part{Number: pr.number, Size: size}
	w, err := h.cfg.Blobs.Create(rq.ctx)
	if err != nil {
		return p, fmt.Errorf("s3api: create blob: %w", err)
	}
	defer func() { _ = w.Abort() }()
	sum := md5.New()
	hashes := []hash.Hash{sum}
	var algSum hash.Hash
	alg, hasAlg := checksum.Parse(pr.upload.ChecksumAlgorithm)
	if hasAlg {
		algSum = alg.New()
		hashes = append(hashes, algSum)
	}
	n, err := copyHashed(w, io.LimitReader(src, size+1), hashes...)
	switch {
	case err != nil && fromBody:
		return p, bodyError(err)
	case err != nil:
		return p, fmt.Errorf("s3api: copy part: %w", err)
	case n != size && fromBody:
		return p, s3err.New(s3err.IncompleteBody)
	case n != size:
		return p, fmt.Errorf("s3api: copy part: read %d of %d bytes", n, size)
	}
	p.Checksums = map[string]string{}
	if fromBody && rq.auth != nil && rq.auth.Body != nil {
		for a, v := range rq.auth.Body.Checksums() {
			p.Checksums[string(a)] = v
		}
	}
	if hasAlg {
		p.Checksums[string(alg)] = checksum.Encode(algSum.Sum(nil))
	}
	p.ETag = `"` + hex.EncodeToString(sum.Sum(nil)) + `"`
	return p, h.commitPart(rq, pr, &p, w)
}

// commitPart makes the part's blob durable, then records it; the part it
// replaces has its blob removed.
func (h *Handler) commitPart(rq *request, pr partRequest, p *store.Part,
	w store.BlobWriter) error {
	p.LastModified = h.cfg.Now().UTC().Truncate(time.Millisecond)
	id, err := w.Commit()
	if err != nil {
		return fmt.Errorf("s3api: commit blob: %w", err)
	}
	p.BlobID = id
	replaced, err := h.cfg.Meta.PutPart(rq.ctx, pr.bucket.Name, rq.key, pr.upload.ID, *p)
	if err != nil {
		h.removeBlob(rq, id)
		return uploadError(err, pr.upload.ID)
	}
	h.removeBlob(rq, replaced)
	return nil
}

// copyPartResult is UploadPartCopy's response body.
type copyPartResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyPartResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumFields
}

// checksumFields are the Checksum* elements of S3's multipart results.
type checksumFields struct {
	CRC32     string `xml:"ChecksumCRC32,omitempty"`
	CRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	CRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	SHA1      string `xml:"ChecksumSHA1,omitempty"`
	SHA256    string `xml:"ChecksumSHA256,omitempty"`
}

// checksumsOf returns the value of alg in sums as checksumFields; nothing
// when alg is "".
func checksumsOf(alg string, sums map[string]string) checksumFields {
	var f checksumFields
	v := sums[alg]
	switch checksum.Algorithm(alg) {
	case checksum.CRC32:
		f.CRC32 = v
	case checksum.CRC32C:
		f.CRC32C = v
	case checksum.CRC64NVME:
		f.CRC64NVME = v
	case checksum.SHA1:
		f.SHA1 = v
	case checksum.SHA256:
		f.SHA256 = v
	}
	return f
}

// uploadPartCopy copies a source object, or a range of it, into a part.
//
// TODO(trove): openSource refuses sources over 5 GiB, as CopyObject must;
// S3 lets UploadPartCopy take a range of up to 5 GiB from a larger one.
// Lifting it needs openSource to take the limit from its caller.
func (h *Handler) uploadPartCopy(rq *request) error {
	src, err := parseCopySource(rq.r.Header.Get("x-amz-copy-source"))
	if err != nil {
		return err
	}
	extra := policy.Context{}
	setHeaderKeys(extra, rq.r.Header, "x-amz-copy-source")
	pr, err := h.preparePart(rq, extra)
	if err != nil {
		return err
	}
	o, blob, err := h.openSource(rq, copyRequest{src: src})
	if err != nil {
		return err
	}
	defer blob.Close()
	rng, err := copySourceRange(rq.r.Header, o.Size)
	if err != nil {
		return err
	}
	if rng.length > maxPartSize {
		return s3err.New(s3err.EntityTooLarge).With("ProposedSize", fmt.Sprint(rng.length)).
			With("MaxSizeAllowed", fmt.Sprint(int64(maxPartSize)))
	}
	section := io.NewSectionReader(blob, rng.start, rng.length)
	p, err := h.storePart(rq, pr, section, rng.length, false)
	if err != nil {
		return err
	}
	rq.w.Header().Set(sseHeader, pr.upload.Headers[sseHeader])
	return writeXML(rq, http.StatusOK, copyPartResult{ETag: p.ETag,
		LastModified:   p.LastModified.Format(timeFormat),
		checksumFields: checksumsOf(pr.upload.ChecksumAlgorithm, p.Checksums)})
}

// copySourceRange reads x-amz-copy-source-range, "bytes=first-last" with
// zero-based inclusive offsets inside the source; without it the whole
// source is copied.
func copySourceRange(h http.Header, size int64) (byteRange, error) {
	v, ok := headerValue(h, "x-amz-copy-source-range")
	if !ok {
		return byteRange{start: 0, length: size}, nil
	}
	spec, ok := strings.CutPrefix(strings.TrimSpace(v), "bytes=")
	first, last, ok2 := strings.Cut(spec, "-")
	start, err1 := strconv.ParseInt(first, 10, 64)
	end, err2 := strconv.ParseInt(last, 10, 64)
	if !ok || !ok2 || errors.Join(err1, err2) != nil || start < 0 || end < start {
		return byteRange{}, s3err.Newf(s3err.InvalidArgument, "x-amz-copy-source-range "+
			"must read bytes=first-last: the zero-based offsets of the first and the last "+
			"byte to copy.").
			With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	}
	if end >= size {
		return byteRange{}, s3err.Newf(s3err.InvalidArgument,
			"Range specified is not valid for source object of size: %d", size).
			With("ArgumentName", "x-amz-copy-source-range").With("ArgumentValue", v)
	}
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}
