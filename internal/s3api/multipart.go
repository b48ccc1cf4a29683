package s3api

// Multipart uploads: CreateMultipartUpload records what the object will be,
// UploadPart and UploadPartCopy store each part as its own blob,
// CompleteMultipartUpload streams the chosen parts into one new blob and
// commits it as the object (commitObject, so the write order and
// versioning of PutObject apply), and AbortMultipartUpload frees the parts.
// docs/s3-multipart.md is the reference; multipart_keys.go says which
// condition keys each call carries and why.

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// S3's multipart upload limits.
const (
	maxParts        = 10000
	minPartSize     = 5 << 20 // every part but the last, checked at completion
	maxPartSize     = 5 << 30 // one part
	maxMultipart    = 5 << 40 // the completed object
	maxListParts    = 1000    // parts per ListParts page
	maxUploads      = 1000    // uploads per ListMultipartUploads page
	maxCompleteBody = 8 << 20 // CompleteMultipartUpload's XML body
)

// newUploadID returns a new upload id: 16 hex digits of the time, so that
// a key's uploads sort in the order they were created, as S3 lists them,
// then 32 of a random 128-bit value, which makes the id unguessable.
func newUploadID(now time.Time) string {
	var b [24]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixNano()))
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[:])
}

// initiateResult is CreateMultipartUpload's response body.
type initiateResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ InitiateMultipartUploadResult"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	UploadID string   `xml:"UploadId"`
}

func (h *Handler) createMultipartUpload(rq *request) error {
	if err := validKey(rq.key); err != nil {
		return err
	}
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	u, err := uploadFromRequest(rq)
	if err != nil {
		return err
	}
	now := h.cfg.Now()
	keys, err := multipartContext(u.KeyHeaders, rq.r, false, false, now)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, objectTarget("s3:PutObject", b, rq.key), keys); err != nil {
		return err
	}
	// Tags set at creation need s3:PutObjectTagging too, as on PutObject.
	if u.Tags, err = h.uploadTags(rq, b, rq.key); err != nil {
		return err
	}
	if err := refuseObjectLock(rq.r.Header); err != nil {
		return err
	}
	u.Bucket, u.Key, u.ID = b.Name, rq.key, newUploadID(now)
	u.Initiated = now.UTC().Truncate(time.Millisecond)
	u.Owner, u.Initiator = b.Owner, principalName(rq.caller)
	if err := h.cfg.Meta.CreateUpload(rq.ctx, u); err != nil {
		return bucketError(err, b.Name, "create upload")
	}
	rq.w.Header().Set(sseHeader, u.Headers[sseHeader])
	if u.ChecksumAlgorithm != "" {
		rq.w.Header().Set("x-amz-checksum-algorithm", u.ChecksumAlgorithm)
		rq.w.Header().Set("x-amz-checksum-type", u.ChecksumType)
	}
	return writeXML(rq, http.StatusOK, initiateResult{Bucket: b.Name, Key: rq.key,
		UploadID: u.ID})
}

// uploadFromRequest reads what CreateMultipartUpload fixes for the object:
// PutObject's headers, user metadata and encryption, the checksum
// algorithm, and the headers that are condition keys of the upload's calls.
// The tags of x-amz-tagging are checked here and set, once authorized, by
// createMultipartUpload.
func uploadFromRequest(rq *request) (store.Upload, error) {
	var u store.Upload
	if err := checkSSE(rq.r); err != nil {
		return u, err
	}
	o, err := objectFromHeaders(rq)
	if err != nil {
		return u, err
	}
	u.Headers, u.UserMeta = o.Headers, o.UserMeta
	if _, err = parseTaggingHeader(rq.r.Header); err != nil {
		return u, err
	}
	if err := uploadChecksum(rq.r.Header, &u); err != nil {
		return u, err
	}
	u.KeyHeaders = uploadKeyHeaders(rq.r)
	return u, nil
}

// uploadChecksum reads x-amz-checksum-algorithm and x-amz-checksum-type
// into u. As in S3, the type defaults to FULL_OBJECT for CRC64NVME and to
// COMPOSITE for the others, and the SHA algorithms are composite only.
func uploadChecksum(h http.Header, u *store.Upload) error {
	typ, hasType := headerValue(h, "x-amz-checksum-type")
	typ = strings.ToUpper(typ)
	v, ok := headerValue(h, "x-amz-checksum-algorithm")
	if !ok {
		if hasType {
			return s3err.Newf(s3err.InvalidRequest, "The x-amz-checksum-type header can only "+
				"be used with the x-amz-checksum-algorithm header.")
		}
		return nil
	}
	alg, known := checksum.Parse(v)
	if !known {
		return s3err.Newf(s3err.InvalidRequest,
			"Value for x-amz-checksum-algorithm header is invalid.")
	}
	full := alg == checksum.CRC32 || alg == checksum.CRC32C || alg == checksum.CRC64NVME
	switch {
	case !hasType && alg == checksum.CRC64NVME:
		typ = typeFullObject
	case !hasType:
		typ = typeComposite
	case typ == typeFullObject && !full, typ == typeComposite && alg == checksum.CRC64NVME,
		typ != typeFullObject && typ != typeComposite:
		return s3err.Newf(s3err.InvalidRequest, "The %s checksum type cannot be used with "+
			"the %s checksum algorithm.", typ, strings.ToLower(string(alg)))
	}
	u.ChecksumAlgorithm, u.ChecksumType = string(alg), typ
	return nil
}

// The checksum types of a multipart upload: one checksum of the parts'
// checksums, or one of the whole object's bytes.
const (
	typeComposite  = "COMPOSITE"
	typeFullObject = "FULL_OBJECT"
)

// refuseObjectLock answers Object Lock headers as S3 does for a bucket
// without Object Lock, which every trove bucket is.
func refuseObjectLock(h http.Header) error {
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-object-lock-") {
			return s3err.Newf(s3err.InvalidRequest, "Bucket is missing Object Lock Configuration")
		}
	}
	return nil
}

// uploadCall starts a call on the upload rq names that carries none of its
// keys: it reads the upload id, loads the bucket and authorizes action on
// the key.
func (h *Handler) uploadCall(rq *request, action string) (string, store.Bucket, error) {
	id, err := uploadIDParam(rq)
	if err != nil {
		return "", store.Bucket{}, err
	}
	b, err := h.loadBucket(rq)
	if err != nil {
		return "", b, err
	}
	return id, b, h.authorize(rq, objectTarget(action, b, rq.key), nil)
}

func (h *Handler) abortMultipartUpload(rq *request) error {
	id, b, err := h.uploadCall(rq, "s3:AbortMultipartUpload")
	if err != nil {
		return err
	}
	blobs, err := h.cfg.Meta.DeleteUpload(rq.ctx, b.Name, rq.key, id)
	if err != nil {
		return uploadError(err, id)
	}
	for _, blob := range blobs {
		h.removeBlob(rq, blob)
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}

// uploadIDParam is the uploadId query parameter, which must not be empty.
func uploadIDParam(rq *request) (string, error) {
	id := rq.query("uploadId")
	if id == "" {
		return "", s3err.Newf(s3err.InvalidArgument, "This operation needs an upload id.").
			With("ArgumentName", "uploadId").With("ArgumentValue", id)
	}
	return id, nil
}

// uploadError maps a store error about an upload: NoSuchUpload when it is
// missing.
func uploadError(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return s3err.New(s3err.NoSuchUpload).With("UploadId", id).WithCause(err)
	}
	return fmt.Errorf("s3api: upload %s: %w", id, err)
}

// loadUpload reads the upload rq names. A missing upload is not an error
// here: found is false, so that the caller can authorize first and answer
// NoSuchUpload only to a caller who may act on the key.
func (h *Handler) loadUpload(rq *request, b store.Bucket, id string) (u store.Upload,
	found bool, err error) {
	u, err = h.cfg.Meta.GetUpload(rq.ctx, b.Name, rq.key, id)
	if errors.Is(err, store.ErrNotFound) {
		return u, false, nil
	}
	if err != nil {
		return u, false, fmt.Errorf("s3api: get upload %s: %w", id, err)
	}
	return u, true, nil
}

// missingUpload answers a part or completion of an upload that is not
// there. Without the upload, the keys its calls carry (the encryption it
// was created with) are unknown, so s3:PutObject cannot be decided as for
// a live upload; the caller is asked for what an upload's end takes
// without them, s3:AbortMultipartUpload: NoSuchUpload if allowed, else
// AccessDenied. A refused caller can tell from the action the denial names
// whether an upload id it holds is live; ids are unguessable, so that
// tells only of an id already leaked.
func (h *Handler) missingUpload(rq *request, b store.Bucket, id string) error {
	if err := h.authorize(rq, objectTarget("s3:AbortMultipartUpload", b, rq.key),
		nil); err != nil {
		return err
	}
	return s3err.New(s3err.NoSuchUpload).With("UploadId", id)
}

// partNumberParam reads partNumber: an integer from 1 to 10000 in decimal
// digits, given once.
func partNumberParam(rq *request) (int, error) {
	vs := rq.r.URL.Query()["partNumber"]
	v := strings.Join(vs, ",")
	n, err := strconv.Atoi(v)
	if err != nil || len(vs) != 1 || strings.TrimLeft(v, "0123456789") != "" || n < 1 ||
		n > maxParts {
		return 0, s3err.Newf(s3err.InvalidArgument,
			"Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber").With("ArgumentValue", v)
	}
	return n, nil
}
