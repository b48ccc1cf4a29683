package s3api

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

const (
	maxKeyLength  = 1024
	maxObjectSize = 5 << 30 // a single PUT is limited to 5 GiB
	maxUserMeta   = 2 << 10 // user metadata headers total at most 2 KB
	sseHeader     = "X-Amz-Server-Side-Encryption"
)

// storedHeaders are the request headers PutObject keeps and GET/HEAD return.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding",
	"Content-Language", "Content-Type", "Expires"}

func validKey(key string) error {
	if len(key) > maxKeyLength {
		return s3err.New(s3err.KeyTooLongError).With("Size", fmt.Sprint(len(key))).
			With("MaxSizeAllowed", fmt.Sprint(maxKeyLength))
	}
	if !utf8.ValidString(key) {
		return s3err.Newf(s3err.InvalidArgument, "Object key is not valid UTF-8.")
	}
	return nil
}

// checkSSE accepts SSE-S3 (AES256) and refuses what trove cannot honour:
// KMS keys and customer-provided keys (SSE-C) are never silently ignored.
func checkSSE(r *http.Request) error {
	for name := range r.Header {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-server-side-encryption-customer-") {
			return s3err.Newf(s3err.NotImplemented, "trove does not offer server-side "+
				"encryption with customer-provided keys (SSE-C); use AES256.")
		}
	}
	vs, ok := r.Header[sseHeader]
	if !ok {
		for _, h := range []string{"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id",
			"X-Amz-Server-Side-Encryption-Context"} {
			if r.Header.Get(h) != "" {
				return s3err.Newf(s3err.InvalidArgument, "Server Side Encryption with AWS KMS "+
					"managed key requires HTTP header x-amz-server-side-encryption : aws:kms").
					With("ArgumentName", strings.ToLower(h))
			}
		}
		return nil
	}
	switch v := strings.Join(vs, ","); v {
	case "AES256":
		return nil
	case "aws:kms", "aws:kms:dsse":
		return s3err.Newf(s3err.NotImplemented,
			"trove does not offer server-side encryption with KMS keys (%s); use AES256.", v)
	default:
		return s3err.Newf(s3err.InvalidArgument,
			"The encryption method specified is not supported: %q.", v).
			With("ArgumentName", "x-amz-server-side-encryption").With("ArgumentValue", v)
	}
}

func (h *Handler) putObject(rq *request) error {
	if err := validKey(rq.key); err != nil {
		return err
	}
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := checkSSE(rq.r); err != nil {
		return err
	}
	obj, err := objectFromHeaders(rq)
	if err != nil {
		return err
	}
	keys, err := putContext(rq.r, h.cfg.Now())
	if err != nil {
		return err
	}
	if err := h.authorize(rq, objectTarget("s3:PutObject", b, rq.key), keys); err != nil {
		return err
	}
	if obj.Tags, err = h.uploadTags(rq, b, rq.key); err != nil {
		return err
	}
	if err := refuseUnsupportedPut(rq.r.Header); err != nil {
		return err
	}
	want, err := writeExpect(rq.r.Header, "If-Match", "If-None-Match")
	if err != nil {
		return err
	}
	size, err := bodySize(rq, maxObjectSize)
	if err != nil {
		return err
	}
	obj.Bucket, obj.Key = b.Name, rq.key
	if err := h.storeBody(rq, &obj, want, size); err != nil {
		return err
	}
	rq.w.Header().Set("ETag", obj.ETag)
	rq.w.Header().Set(sseHeader, obj.Headers[sseHeader])
	for alg, v := range obj.Checksums {
		if a, ok := checksum.Parse(alg); ok {
			rq.w.Header().Set(a.Header(), v)
		}
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

// bodySize is the request's declared body size: MissingContentLength when
// it has none and EntityTooLarge when it exceeds limit.
func bodySize(rq *request, limit int64) (int64, error) {
	size := rq.r.ContentLength
	switch {
	case size < 0:
		return 0, s3err.New(s3err.MissingContentLength)
	case size > limit:
		return 0, s3err.New(s3err.EntityTooLarge).With("ProposedSize", fmt.Sprint(size)).
			With("MaxSizeAllowed", fmt.Sprint(limit))
	}
	return size, nil
}

// objectFromHeaders collects the headers and user metadata PutObject stores.
func objectFromHeaders(rq *request) (store.Object, error) {
	o := store.Object{Headers: map[string]string{}, UserMeta: map[string]string{}}
	for _, name := range storedHeaders {
		if v := rq.r.Header.Get(name); v != "" {
			o.Headers[name] = v
		}
	}
	if o.Headers["Content-Type"] == "" {
		o.Headers["Content-Type"] = "binary/octet-stream"
	}
	// Every object is encrypted with SSE-S3 by default, as in S3 since 2023.
	// TODO(trove): the blob store keeps bytes unencrypted on disk; encrypting
	// blobs at rest needs a key-management design and waits for one
	// (docs/limitations.md).
	o.Headers[sseHeader] = "AES256"
	total := 0
	for name, vs := range rq.r.Header {
		if k, ok := strings.CutPrefix(strings.ToLower(name), "x-amz-meta-"); ok {
			o.UserMeta[k] = strings.Join(vs, ",")
			total += len(k) + len(o.UserMeta[k])
		}
	}
	if total > maxUserMeta {
		return o, s3err.Newf(s3err.InvalidArgument,
			"Your metadata headers exceed the maximum allowed metadata size of 2 KB.")
	}
	return o, nil
}

// storeBody streams the request body into a new blob and commits the record
// if the stored one meets want. On any failure the blob is discarded and no
// record changes.
func (h *Handler) storeBody(rq *request, o *store.Object, want store.Expect, size int64) error {
	w, err := h.cfg.Blobs.Create(rq.ctx)
	if err != nil {
		return fmt.Errorf("s3api: create blob: %w", err)
	}
	defer func() { _ = w.Abort() }()
	sum := md5.New()
	n, err := copyHashed(w, io.LimitReader(rq.r.Body, size+1), sum)
	if err != nil {
		return bodyError(err)
	}
	if n != size {
		return s3err.New(s3err.IncompleteBody)
	}
	if rq.auth != nil && rq.auth.Body != nil {
		o.Checksums = map[string]string{}
		for alg, v := range rq.auth.Body.Checksums() {
			o.Checksums[string(alg)] = v
		}
	}
	return h.commitObject(rq, o, w, want, size, sum.Sum(nil))
}

// commitObject makes the blob w holds durable, then records o over it with
// its size and MD5 digest if the stored record meets want, checked by the
// store in the same transaction as the write: the data is on disk before
// the metadata names it, and a failed record leaves no blob behind. The
// blob of the object o replaces is removed.
func (h *Handler) commitObject(rq *request, o *store.Object, w store.BlobWriter,
	want store.Expect, size int64, md5sum []byte) error {
	return h.commitWith(rq, o, w, want, size, md5sum,
		func(o store.Object) (store.WriteResult, error) {
			return h.cfg.Meta.PutObject(h.eventContext(rq, createdEvents[rq.op]), o, want)
		})
}

// commitWith is commitObject with put recording the object; put must check
// want in the transaction that writes the record.
func (h *Handler) commitWith(rq *request, o *store.Object, w store.BlobWriter,
	want store.Expect, size int64, md5sum []byte,
	put func(store.Object) (store.WriteResult, error)) error {
	o.Size = size
	if o.ETag == "" { // a completed multipart upload brings its own (multipart.go)
		o.ETag = `"` + hex.EncodeToString(md5sum) + `"`
	}
	o.LastModified = h.cfg.Now().UTC().Truncate(time.Millisecond)
	id, err := w.Commit()
	if err != nil {
		return fmt.Errorf("s3api: commit blob: %w", err)
	}
	o.BlobID = id
	replaced, err := put(*o)
	if err != nil {
		_ = h.cfg.Blobs.Remove(rq.ctx, o.BlobID)
		var answer *s3err.Error
		switch {
		case errors.Is(err, store.ErrPrecondition):
			return conditionError(err, want, o.Key)
		case errors.As(err, &answer): // put chose the answer
			return err
		case errors.Is(err, store.ErrNotFound):
			return s3err.New(s3err.NoSuchBucket).With("BucketName", o.Bucket)
		}
		return fmt.Errorf("s3api: put object record: %w", err)
	}
	h.notified(rq)
	h.removeBlob(rq, replaced.Freed)
	o.VersionID = replaced.VersionID
	setVersionHeader(rq, replaced.VersionID)
	return nil
}

func (h *Handler) removeBlob(rq *request, id string) {
	if id == "" {
		return
	}
	if err := h.cfg.Blobs.Remove(rq.ctx, id); err != nil {
		h.log.Warn("remove replaced blob", "blob", id, "err", err)
	}
}

// bodyError maps a failure to read the request body: verification failures
// from sigv4 keep their code; a body that ends early is IncompleteBody.
func bodyError(err error) error {
	var e *s3err.Error
	if errors.As(err, &e) {
		return e
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return s3err.New(s3err.IncompleteBody).WithCause(err)
	}
	return s3err.Newf(s3err.IncompleteBody, "The request body could not be read.").WithCause(err)
}

// lookupObject authorizes a read of rq's object, or of the version its
// versionId names (s3:GetObjectVersion), and loads the record. The record
// is read before authorizing, so that policies can test its tags
// (s3:ExistingObjectTag/<key>); nothing of it reaches a caller who is not
// allowed the read. A missing key or version is NoSuchKey or NoSuchVersion
// only for callers who may list the bucket; others get AccessDenied, as in
// S3. Versioning's answers are in readable.
func (h *Handler) lookupObject(rq *request) (store.Object, error) {
	b, err := h.loadBucket(rq)
	if err != nil {
		return store.Object{}, err
	}
	id, named, err := versionArg(rq)
	if err != nil {
		return store.Object{}, err
	}
	o, found, err := h.readVersion(rq, b, rq.key, id)
	if err != nil {
		return o, err
	}
	action := "s3:GetObject"
	if named {
		action = "s3:GetObjectVersion"
	}
	keys := withVersionKey(existingTagKeys(o, found), id, named)
	if err := h.authorize(rq, objectTarget(action, b, rq.key), keys); err != nil {
		return o, err
	}
	if err := h.readable(rq, b, o, found, named); err != nil {
		return o, err
	}
	if b.Versioning != "" || named {
		setVersionHeader(rq, o.VersionID)
	}
	h.setTaggingCount(rq, b, o, named)
	return o, nil
}

// readSpan is what a GET or HEAD sends of an object: a byte range, from the
// Range header or the partNumber parameter.
type readSpan struct {
	byteRange
	// parts is the number of parts to report in x-amz-mp-parts-count: the
	// object's, when a part of a multipart object was asked for; else 0.
	parts int
	// whole marks a span that is every byte of the object although it is
	// sent as a part (partNumber=1 of an object not uploaded in parts), so
	// that the stored checksums cover it.
	whole bool
}

// prepareRead authorizes and loads the object a GET or HEAD reads, applies
// the conditional headers and resolves the range or part.
func (h *Handler) prepareRead(rq *request) (store.Object, readSpan, error) {
	part, err := partArg(rq)
	if err != nil {
		return store.Object{}, readSpan{}, err
	}
	o, err := h.lookupObject(rq)
	if err != nil {
		return o, readSpan{}, err
	}
	if err := checkPreconditions(rq.r, o); err != nil {
		if errors.Is(err, s3err.New(s3err.NotModified)) {
			// A 304 still names the representation it stands for.
			rq.w.Header().Set("ETag", o.ETag)
			rq.w.Header().Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
		}
		return o, readSpan{}, err
	}
	if part > 0 {
		span, err := partSpan(o, part)
		return o, span, err
	}
	rng, err := parseRange(rq.r.Header.Get("Range"), o.Size)
	return o, readSpan{byteRange: rng}, err
}

// partArg reads the partNumber parameter of a GET or HEAD: 0 when there is
// none, InvalidArgument when it is not an integer from 1 to 10000, and
// InvalidRequest when a Range header, well-formed or not, comes with it.
func partArg(rq *request) (int, error) {
	if !rq.r.URL.Query().Has("partNumber") {
		return 0, nil
	}
	n, err := partNumberParam(rq)
	if err != nil {
		return 0, err
	}
	if _, ok := rq.r.Header["Range"]; ok {
		return 0, s3err.Newf(s3err.InvalidRequest,
			"Cannot specify both Range header and partNumber query parameter")
	}
	return n, nil
}

// partSpan is the span of part n of o. An object not uploaded in parts is
// one part, so partNumber=1 sends it whole, as a 206 with a Content-Range
// (when it has a byte to name) but no parts count; a part number beyond
// the object's parts is InvalidPartNumber.
func partSpan(o store.Object, n int) (readSpan, error) {
	if len(o.PartSizes) == 0 {
		if n != 1 {
			return readSpan{}, s3err.New(s3err.InvalidPartNumber)
		}
		return readSpan{byteRange: byteRange{length: o.Size, partial: o.Size > 0},
			whole: true}, nil
	}
	if n > len(o.PartSizes) {
		return readSpan{}, s3err.New(s3err.InvalidPartNumber)
	}
	var start int64
	for _, size := range o.PartSizes[:n-1] {
		start += size
	}
	length := o.PartSizes[n-1]
	if start+length > o.Size {
		return readSpan{}, fmt.Errorf("s3api: part %d of %s/%s ends at %d, past its %d bytes",
			n, o.Bucket, o.Key, start+length, o.Size)
	}
	// An empty part (only the last can be) has no byte a Content-Range
	// could name; it is sent as a 200 with its parts count.
	return readSpan{byteRange: byteRange{start: start, length: length, partial: length > 0},
		parts: len(o.PartSizes)}, nil
}

// openRead is prepareRead plus opening the blob. A PUT or DELETE of the same
// key may commit between reading the record and opening its blob, removing
// the blob; the record is then read again, so a reader gets the old or the
// new object, never an error.
func (h *Handler) openRead(rq *request) (store.Object, readSpan, store.Blob, error) {
	const attempts = 5
	for i := 1; ; i++ {
		o, span, err := h.prepareRead(rq)
		if err != nil {
			return o, span, nil, err
		}
		blob, err := h.cfg.Blobs.Open(rq.ctx, o.BlobID)
		if err == nil {
			return o, span, blob, nil
		}
		if !errors.Is(err, store.ErrNotFound) || i == attempts {
			return o, span, nil, fmt.Errorf("s3api: open blob of %s/%s: %w", o.Bucket, o.Key, err)
		}
	}
}

func (h *Handler) headObject(rq *request) error {
	o, span, err := h.prepareRead(rq)
	if err != nil {
		return err
	}
	if err := h.objectHeaders(rq, o, span); err != nil {
		return err
	}
	return writeRangeHeaders(rq, o, span)
}

func (h *Handler) getObject(rq *request) error {
	o, span, blob, err := h.openRead(rq)
	if err != nil {
		return err
	}
	defer blob.Close()
	if err := h.objectHeaders(rq, o, span); err != nil {
		return err
	}
	if err := writeRangeHeaders(rq, o, span); err != nil {
		return err
	}
	if _, err := io.Copy(rq.w, io.NewSectionReader(blob, span.start, span.length)); err != nil {
		h.log.Debug("send object", "request_id", rq.id, "err", err)
	}
	return nil
}

// objectHeaders sets the stored headers, user metadata, response overrides
// and, when asked for, checksums. A range gets no checksum: the stored ones
// cover the whole object, and S3 sends none for part of it. Nor does a part
// of a multipart object.
//
// TODO(trove): S3 sends a part's own checksum for a part of an object with
// a composite checksum; trove keeps no part checksums once an upload is
// completed, so it sends none (docs/s3-multipart.md).
func (h *Handler) objectHeaders(rq *request, o store.Object, span readSpan) error {
	hd := rq.w.Header()
	for k, v := range o.Headers {
		hd.Set(k, v)
	}
	for k, v := range o.UserMeta {
		hd["X-Amz-Meta-"+http.CanonicalHeaderKey(k)] = []string{v}
	}
	hd.Set("ETag", o.ETag)
	hd.Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
	hd.Set("Accept-Ranges", "bytes")
	// A part of a multipart object is never the whole, even when it is
	// empty and so sent without a Content-Range.
	whole := span.whole || (!span.partial && span.parts == 0)
	if whole && strings.EqualFold(rq.r.Header.Get("x-amz-checksum-mode"), "ENABLED") {
		for alg, v := range o.Checksums {
			if a, ok := checksum.Parse(alg); ok {
				hd.Set(a.Header(), v)
				hd.Set("x-amz-checksum-type", checksumType(v))
			}
		}
	}
	return responseOverrides(rq)
}

// checksumType is how a stored checksum covers the object: COMPOSITE for a
// checksum of part checksums ("<base64>-<parts>"), else FULL_OBJECT.
func checksumType(v string) string {
	if strings.Contains(v, "-") { // base64 has no '-'
		return "COMPOSITE"
	}
	return "FULL_OBJECT"
}

// responseOverrides applies response-content-type and its siblings, which
// S3 honours on signed requests only.
func responseOverrides(rq *request) error {
	q := rq.r.URL.Query()
	for param, header := range map[string]string{
		"response-content-type": "Content-Type", "response-content-language": "Content-Language",
		"response-expires": "Expires", "response-cache-control": "Cache-Control",
		"response-content-disposition": "Content-Disposition",
		"response-content-encoding":    "Content-Encoding",
	} {
		if !q.Has(param) {
			continue
		}
		if rq.auth == nil || rq.auth.Method == sigv4.None {
			return overrideRefused(rq)
		}
		rq.w.Header().Set(header, q.Get(param))
	}
	return nil
}

// writeRangeHeaders sends the status and the headers that say which bytes
// follow: 206 with a Content-Range for a range or part, 200 for the whole
// object, and the parts count when a part of a multipart object was asked
// for.
func writeRangeHeaders(rq *request, o store.Object, span readSpan) error {
	hd := rq.w.Header()
	rng := span.byteRange
	hd.Set("Content-Length", fmt.Sprint(rng.length))
	if span.parts > 0 {
		hd.Set("x-amz-mp-parts-count", fmt.Sprint(span.parts))
	}
	if rng.partial {
		hd.Set("Content-Range",
			fmt.Sprintf("bytes %d-%d/%d", rng.start, rng.start+rng.length-1, o.Size))
		rq.writeHeader(http.StatusPartialContent)
		return nil
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteObject(rq *request) error {
	if err := validKey(rq.key); err != nil {
		return err
	}
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	id, named, err := versionArg(rq)
	if err != nil {
		return err
	}
	// As in S3, deleting a named version, even the null one, is
	// s3:DeleteObjectVersion.
	action := "s3:DeleteObject"
	if named {
		action = "s3:DeleteObjectVersion"
	}
	if err := h.authorize(rq, objectTarget(action, b, rq.key), deleteContext(rq)); err != nil {
		return err
	}
	if named {
		return h.deleteVersion(rq, b, id)
	}
	want, err := writeExpect(rq.r.Header, "If-Match")
	if err != nil {
		return err
	}
	if want != (store.Expect{}) {
		if err := h.authorizeConditionalDelete(rq, b, rq.key); err != nil {
			return err
		}
	}
	ctx := h.eventContext(rq, store.EventDelete)
	res, err := h.cfg.Meta.DeleteObject(ctx, b.Name, rq.key, want)
	switch {
	case errors.Is(err, store.ErrPrecondition):
		return conditionError(err, want, rq.key)
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return fmt.Errorf("s3api: delete object: %w", err)
	default:
		h.notified(rq)
		h.removeBlob(rq, res.Freed)
	}
	if res.DeleteMarker {
		setDeleteMarkerHeaders(rq, res.VersionID)
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}

// overrideRefused is the error for response-* parameters on a GET without
// a signature: S3 refuses them on anonymous requests, and trove likewise on
// the Helm view's HTTP Basic requests, which carry no SigV4 signature.
func overrideRefused(rq *request) error {
	if rq.caller != nil && !rq.caller.Principal.Anonymous {
		return s3err.Newf(s3err.InvalidRequest, "Request specific response headers "+
			"cannot be used with HTTP Basic credentials; sign the request with SigV4.")
	}
	return s3err.Newf(s3err.InvalidRequest,
		"Request specific response headers cannot be used for anonymous GET requests.")
}
