package s3api

// CopyObject: a PUT to the destination object with an x-amz-copy-source
// header naming the source. As in S3, the caller needs s3:PutObject on the
// destination (with the copy's condition keys) and s3:GetObject on the
// source, each decided by the usual evaluation: identity policies, the
// bucket's own policy, SCPs and RCPs. A cross-account copy thus works only
// when both buckets' policies allow it.

import (
	"crypto/md5"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// copySource is the object an x-amz-copy-source header names.
type copySource struct {
	bucket, key string
	versionID   string
	hasVersion  bool
}

// parseCopySource reads an x-amz-copy-source value: "bucket/key" or
// "/bucket/key", URL-encoded, optionally followed by "?versionId=<id>".
// The first literal "?" ends the object's name; a "?" in a key is sent as
// %3F.
func parseCopySource(v string) (copySource, error) {
	var src copySource
	path, rawQuery, hasQuery := strings.Cut(v, "?")
	name, err := url.PathUnescape(path)
	if err != nil || !validCopyName(name) {
		return src, badCopySource("Invalid copy source encoding.")
	}
	if strings.HasPrefix(name, "arn:") {
		return src, s3err.Newf(s3err.NotImplemented,
			"trove does not serve access points; name the source as bucket/key.")
	}
	src.bucket, src.key, _ = strings.Cut(strings.TrimPrefix(name, "/"), "/")
	if src.bucket == "" || src.key == "" {
		return src, badCopySource("Invalid copy source object key")
	}
	if !hasQuery {
		return src, nil
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return src, badCopySource("Invalid copy source encoding.")
	}
	if vs, ok := q["versionId"]; ok {
		src.versionID, src.hasVersion = vs[0], true
	}
	return src, nil
}

// validCopyName rejects names that cannot be a bucket and key at all.
func validCopyName(name string) bool {
	return name != "" && !strings.ContainsRune(name, 0)
}

func badCopySource(msg string) error {
	return s3err.Newf(s3err.InvalidArgument, "%s", msg).With("ArgumentName", "x-amz-copy-source")
}

// action is s3:GetObject, or s3:GetObjectVersion with s3:versionid when
// the source names a version, which must be one that could exist.
func (s copySource) action() (string, policy.Context, error) {
	if !s.hasVersion {
		return "s3:GetObject", policy.Context{}, nil
	}
	if !validVersionID(s.versionID) {
		return "", nil, invalidVersion("x-amz-copy-source", s.versionID)
	}
	return "s3:GetObjectVersion", withVersionKey(nil, s.versionID, true), nil
}

// Metadata directives: COPY keeps the source's headers and user metadata,
// REPLACE takes them from the request.
const (
	directiveCopy    = "COPY"
	directiveReplace = "REPLACE"
)

// metadataDirective reads x-amz-metadata-directive; COPY when not sent.
func metadataDirective(h http.Header) (string, error) {
	v, ok := headerValue(h, "x-amz-metadata-directive")
	switch {
	case !ok:
		return directiveCopy, nil
	case v == directiveCopy || v == directiveReplace:
		return v, nil
	}
	return "", s3err.Newf(s3err.InvalidArgument, "Unknown metadata directive.").
		With("ArgumentName", "x-amz-metadata-directive").With("ArgumentValue", v)
}

// taggingDirective reads x-amz-tagging-directive; COPY when not sent.
func taggingDirective(h http.Header) (string, error) {
	v, ok := headerValue(h, "x-amz-tagging-directive")
	switch {
	case !ok:
		return directiveCopy, nil
	case v == directiveCopy || v == directiveReplace:
		return v, nil
	}
	return "", s3err.Newf(s3err.InvalidArgument, "Unknown tagging directive.").
		With("ArgumentName", "x-amz-tagging-directive").With("ArgumentValue", v)
}

// copyObjectResult is CopyObject's response body.
type copyObjectResult struct {
	XMLName      xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CopyObjectResult"`
	ETag         string   `xml:"ETag"`
	LastModified string   `xml:"LastModified"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// copyRequest is what copyObject learns of a request before touching data.
type copyRequest struct {
	dst       store.Bucket
	src       copySource
	directive string
	// meta holds the destination's headers and user metadata when the
	// directive is REPLACE.
	meta store.Object
	// tagDirective is x-amz-tagging-directive: COPY keeps the source's
	// tags, REPLACE sets tags, those of x-amz-tagging (none without it).
	tagDirective string
	tags         map[string]string
	// want is the destination's precondition: If-None-Match and If-Match.
	want store.Expect
	// sumAlg is x-amz-checksum-algorithm, the checksum the copy must get;
	// "" keeps the source's.
	sumAlg checksum.Algorithm
}

func (h *Handler) copyObject(rq *request) error {
	if err := copyTarget(rq); err != nil {
		return err
	}
	cr, err := h.prepareCopy(rq)
	if err != nil {
		return err
	}
	src, blob, err := h.openSource(rq, cr)
	if err != nil {
		return err
	}
	defer blob.Close()
	if err := refuseSelfCopy(rq, cr); err != nil {
		return err
	}
	obj := copyRecord(cr, src)
	if cr.sumAlg != "" {
		obj.Checksums = nil // storeCopy computes the one asked for
	}
	obj.Bucket, obj.Key = cr.dst.Name, rq.key
	if len(obj.Tags) > 0 {
		err := h.authorizeTagWrite(rq, cr.dst, rq.key, "s3:PutObjectTagging", nil)
		if err != nil {
			return err
		}
	}
	if err := h.storeCopy(rq, &obj, blob, src.Size, cr.sumAlg, cr.want); err != nil {
		return err
	}
	rq.w.Header().Set(sseHeader, obj.Headers[sseHeader])
	if cr.src.hasVersion || src.VersionID != store.NullVersion {
		rq.w.Header().Set("x-amz-copy-source-version-id", src.VersionID)
	}
	res := copyObjectResult{ETag: obj.ETag,
		LastModified: obj.LastModified.UTC().Format(timeFormat)}
	for alg, v := range obj.Checksums { // one: the source's, or the one computed
		res.checksumFields, res.ChecksumType = checksumsOf(alg, obj.Checksums), checksumType(v)
	}
	return writeXML(rq, http.StatusOK, res)
}

// copyTarget refuses a copy source on what is not a plain object PUT: a
// part upload (UploadPartCopy, not served with multipart uploads) or any
// other subresource, and a PUT to a bucket.
func copyTarget(rq *request) error {
	switch sel := selector(rq); {
	case sel == "partNumber" || sel == "uploadId":
		rq.op = "UploadPartCopy"
		return s3err.Newf(s3err.NotImplemented, "trove does not implement UploadPartCopy yet.")
	case sel != "":
		return s3err.Newf(s3err.NotImplemented,
			"trove does not implement the PUT object operation (?%s) with a copy source.", sel)
	case rq.key == "":
		return s3err.Newf(s3err.InvalidRequest, "A copy must name the destination object.")
	}
	return nil
}

// prepareCopy validates the request and authorizes the write of the
// destination, the part of a copy that needs no source.
func (h *Handler) prepareCopy(rq *request) (copyRequest, error) {
	var cr copyRequest
	if err := validKey(rq.key); err != nil {
		return cr, err
	}
	var err error
	if cr.dst, err = h.loadBucket(rq); err != nil {
		return cr, err
	}
	if err := checkSSE(rq.r); err != nil {
		return cr, err
	}
	if cr.src, err = parseCopySource(rq.r.Header.Get("x-amz-copy-source")); err != nil {
		return cr, err
	}
	if cr.directive, err = metadataDirective(rq.r.Header); err != nil {
		return cr, err
	}
	if cr.tagDirective, err = taggingDirective(rq.r.Header); err != nil {
		return cr, err
	}
	if cr.meta, err = objectFromHeaders(rq); err != nil {
		return cr, err
	}
	keys, err := copyContext(rq.r, h.cfg.Now())
	if err != nil {
		return cr, err
	}
	t := objectTarget("s3:PutObject", cr.dst, rq.key)
	if err := h.authorize(rq, t, keys); err != nil {
		return cr, err
	}
	if cr.tags, err = parseTaggingHeader(rq.r.Header); err != nil {
		return cr, err
	}
	if err := refuseUnsupportedPut(rq.r.Header); err != nil {
		return cr, err
	}
	// As on PutObject, the destination may be conditional (S3's CopyObject
	// takes If-None-Match: * and If-Match), checked when the copy commits.
	if cr.want, err = writeExpect(rq.r.Header, "If-Match", "If-None-Match"); err != nil {
		return cr, err
	}
	cr.sumAlg, err = copyChecksumAlgorithm(rq.r.Header)
	return cr, err
}

// copyChecksumAlgorithm reads x-amz-checksum-algorithm: the checksum S3
// computes for the copy instead of keeping the source's.
func copyChecksumAlgorithm(h http.Header) (checksum.Algorithm, error) {
	v, ok := headerValue(h, "x-amz-checksum-algorithm")
	if !ok {
		return "", nil
	}
	alg, known := checksum.Parse(v)
	if !known {
		return "", s3err.Newf(s3err.InvalidRequest,
			"Value for x-amz-checksum-algorithm header is invalid.")
	}
	return alg, nil
}

// openSource authorizes the read of the source, loads its record, applies
// the x-amz-copy-source-if-* conditions and opens its blob. As in openRead,
// a write that removes the blob between reading the record and opening it
// makes the record be read, and the read authorized, again.
func (h *Handler) openSource(rq *request, cr copyRequest) (store.Object, store.Blob, error) {
	b, err := h.sourceBucket(rq, cr.src)
	if err != nil {
		return store.Object{}, nil, err
	}
	const attempts = 5
	for i := 1; ; i++ {
		o, err := h.sourceRecord(rq, b, cr.src)
		if err != nil {
			return o, nil, err
		}
		if err := checkCopyPreconditions(rq.r.Header, o); err != nil {
			return o, nil, err
		}
		blob, err := h.cfg.Blobs.Open(rq.ctx, o.BlobID)
		if err == nil {
			return o, blob, nil
		}
		if !errors.Is(err, store.ErrNotFound) || i == attempts {
			return o, nil, fmt.Errorf("s3api: open blob of %s/%s: %w", o.Bucket, o.Key, err)
		}
	}
}

// sourceBucket loads the source's bucket. Unlike the destination, it may
// live in another region, as S3 copies across regions.
func (h *Handler) sourceBucket(rq *request, src copySource) (store.Bucket, error) {
	b, err := h.cfg.Meta.GetBucket(rq.ctx, src.bucket)
	if err != nil {
		return b, bucketError(err, src.bucket, "get bucket")
	}
	want := rq.r.Header.Get("x-amz-source-expected-bucket-owner")
	if want != "" && want != b.Owner {
		return b, s3err.New(s3err.AccessDenied)
	}
	return b, nil
}

// sourceRecord reads the source's record, the version it names or the
// current one, and authorizes its read with the record's tags
// (s3:ExistingObjectTag/<key>). A missing key or version is NoSuchKey or
// NoSuchVersion only for callers who may list the source bucket; others get
// AccessDenied. A delete marker named by version id cannot be copied.
func (h *Handler) sourceRecord(rq *request, b store.Bucket, src copySource) (store.Object,
	error) {
	action, keys, err := src.action()
	if err != nil {
		return store.Object{}, err
	}
	o, found, err := h.readVersion(rq, b, src.key, src.versionID)
	if err != nil {
		return o, err
	}
	for k, v := range existingTagKeys(o, found) {
		keys.Set(k, v...)
	}
	if err := h.authorize(rq, objectTarget(action, b, src.key), keys); err != nil {
		return o, err
	}
	if err := h.sourceReadable(rq, b, src, o, found); err != nil {
		return o, err
	}
	if o.Size > maxObjectSize {
		return o, s3err.Newf(s3err.InvalidRequest, "The specified copy source is larger than "+
			"the maximum allowable size for a copy source: %d", int64(maxObjectSize))
	}
	return o, nil
}

// sourceReadable answers a source version that cannot be copied.
func (h *Handler) sourceReadable(rq *request, b store.Bucket, src copySource, o store.Object,
	found bool) error {
	switch {
	case found && !o.DeleteMarker:
		return nil
	case found && src.hasVersion:
		return s3err.Newf(s3err.InvalidRequest, "The source of a copy request may not "+
			"specifically refer to a delete marker by version id.")
	case !h.allowed(rq, bucketTarget("s3:ListBucket", b), nil):
		return s3err.New(s3err.AccessDenied)
	case src.hasVersion:
		return s3err.New(s3err.NoSuchVersion).With("Key", src.key).
			With("VersionId", src.versionID)
	}
	return s3err.New(s3err.NoSuchKey).With("Key", src.key)
}

// checkCopyPreconditions applies the x-amz-copy-source-if-* headers with
// S3's precedence: a true if-match overrides a false if-unmodified-since,
// and a false if-none-match a true if-modified-since. Every failure is
// PreconditionFailed; a copy has no 304.
func checkCopyPreconditions(h http.Header, o store.Object) error {
	const p = "X-Amz-Copy-Source-If-"
	mod := o.LastModified.Truncate(time.Second)
	im, hasIM := h[p+"Match"]
	if hasIM && !etagMatches(im, o.ETag) {
		return copyPrecondition("x-amz-copy-source-if-match")
	}
	if t, ok := copyHeaderTime(h, p+"Unmodified-Since"); ok && !hasIM && mod.After(t) {
		return copyPrecondition("x-amz-copy-source-if-unmodified-since")
	}
	inm, hasINM := h[p+"None-Match"]
	if hasINM && etagMatches(inm, o.ETag) {
		return copyPrecondition("x-amz-copy-source-if-none-match")
	}
	if t, ok := copyHeaderTime(h, p+"Modified-Since"); ok && !hasINM && !mod.After(t) {
		return copyPrecondition("x-amz-copy-source-if-modified-since")
	}
	return nil
}

func copyPrecondition(header string) error {
	return s3err.New(s3err.PreconditionFailed).With("Condition", header)
}

// copyHeaderTime reads an HTTP date header; one that does not parse is
// ignored, as S3 ignores it.
func copyHeaderTime(h http.Header, name string) (time.Time, bool) {
	v := h.Get(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// refuseSelfCopy answers a copy of an object onto itself that changes
// nothing, as S3 does: it must replace the metadata, or name an
// encryption, storage class or website redirect. Copying a named version
// onto its key is how S3's user guide restores a previous version, so it is
// always allowed.
func refuseSelfCopy(rq *request, cr copyRequest) error {
	if cr.src.bucket != cr.dst.Name || cr.src.key != rq.key ||
		cr.directive == directiveReplace || cr.src.versionID != "" {
		return nil
	}
	for _, name := range []string{sseHeader, "X-Amz-Storage-Class",
		"X-Amz-Website-Redirect-Location"} {
		if _, ok := rq.r.Header[name]; ok {
			return nil
		}
	}
	return s3err.Newf(s3err.InvalidRequest, "This copy request is illegal because it is "+
		"trying to copy an object to itself without changing the object's metadata, storage "+
		"class, website redirect location or encryption attributes.")
}

// copyRecord is the new object's record before its bytes are written: the
// source's headers and user metadata for COPY, the request's for REPLACE,
// encrypted with SSE-S3 either way; the source's tags or the request's, as
// the tagging directive says. The source's whole-object checksums cover
// the same bytes, so they are kept; a composite one is not, the copy having
// no parts, and a copy left without any gets CRC64NVME (storeCopy).
func copyRecord(cr copyRequest, src store.Object) store.Object {
	o := store.Object{Headers: map[string]string{}, UserMeta: map[string]string{}}
	headers, meta := src.Headers, src.UserMeta
	if cr.directive == directiveReplace {
		headers, meta = cr.meta.Headers, cr.meta.UserMeta
	}
	for k, v := range headers {
		o.Headers[k] = v
	}
	for k, v := range meta {
		o.UserMeta[k] = v
	}
	o.Headers[sseHeader] = "AES256"
	o.Tags = maps.Clone(src.Tags)
	if cr.tagDirective == directiveReplace {
		o.Tags = maps.Clone(cr.tags)
	}
	for k, v := range src.Checksums {
		if checksumType(v) == "FULL_OBJECT" { // a composite one names parts the copy lacks
			if o.Checksums == nil {
				o.Checksums = map[string]string{}
			}
			o.Checksums[k] = v
		}
	}
	return o
}

// storeCopy streams size bytes of src into a new blob and commits the
// record if the destination meets want, as storeBody does for an upload.
// alg, when set, is the checksum the copy gets. On any failure the new
// blob is discarded and no record changes.
func (h *Handler) storeCopy(rq *request, o *store.Object, src io.Reader, size int64,
	alg checksum.Algorithm, want store.Expect) error {
	w, err := h.cfg.Blobs.Create(rq.ctx)
	if err != nil {
		return fmt.Errorf("s3api: create blob: %w", err)
	}
	defer func() { _ = w.Abort() }()
	sum, hashes := md5.New(), []hash.Hash{}
	var crc hash.Hash
	if alg == "" && len(o.Checksums) == 0 { // S3 gives every new object a CRC64NVME
		alg = checksum.CRC64NVME
	}
	if alg != "" {
		crc = alg.New()
		hashes = append(hashes, crc)
	}
	n, err := copyHashed(w, io.LimitReader(src, size), append(hashes, sum)...)
	if err != nil {
		return fmt.Errorf("s3api: copy blob: %w", err)
	}
	if n != size {
		return fmt.Errorf("s3api: copy blob: read %d of %d bytes", n, size)
	}
	if crc != nil {
		o.Checksums = map[string]string{string(alg): checksum.Encode(crc.Sum(nil))}
	}
	return h.commitObject(rq, o, w, want, size, sum.Sum(nil))
}
