package s3api

// CompleteMultipartUpload: the listed parts are checked against the
// recorded ones, streamed in order into one new blob (each part's bytes
// checked against its MD5 on the way), and the blob is committed as the
// object with Meta.CompleteUpload: the conditional-write check, the object's
// record and the upload's deletion share one metadata transaction, so of
// two racing completions (or a completion and an abort) one wins whole and
// the other gets NoSuchUpload. Only then is every part blob, listed or not,
// removed.

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"hash"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// completePart is one listed part of a CompleteMultipartUpload body, read
// by parseCompletePart. PartNumber is a string so that a malformed one is
// told apart from a missing one.
type completePart struct {
	PartNumber string `xml:"PartNumber"`
	ETag       string `xml:"ETag"`
	checksumFields
}

// completeResult is CompleteMultipartUpload's response body.
type completeResult struct {
	XMLName  xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ CompleteMultipartUploadResult"`
	Location string   `xml:"Location"`
	Bucket   string   `xml:"Bucket"`
	Key      string   `xml:"Key"`
	ETag     string   `xml:"ETag"`
	checksumFields
	ChecksumType string `xml:"ChecksumType,omitempty"`
}

// chosenPart is a listed part matched with its record.
type chosenPart struct {
	store.Part
	listed completePart
}

// completeMultipartUpload answers once the object is committed.
//
// TODO(trove): S3 sends 200 at once and white space while it assembles, so
// that a long completion does not hit a client's read timeout; trove
// answers at the end. Doing the same means writing errors inside a 200
// body, which clients accept for this operation (docs/s3-multipart.md).
func (h *Handler) completeMultipartUpload(rq *request) error {
	u, want, err := h.prepareComplete(rq)
	if err != nil {
		return err
	}
	listed, err := readCompleteBody(rq)
	if err != nil {
		return err
	}
	parts, err := h.chooseParts(rq, u, listed)
	if err != nil {
		return err
	}
	obj, w, err := h.assemble(rq, u, parts)
	if err != nil {
		return err
	}
	defer func() { _ = w.Abort() }()
	if err := checkObjectChecksum(rq.r.Header, u, obj.Checksums); err != nil {
		return err
	}
	var partBlobs []string
	err = h.commitWith(rq, &obj, w, want, obj.Size, nil,
		func(o store.Object) (store.WriteResult, error) {
			ctx := h.eventContext(rq, createdEvents[rq.op])
			res, blobs, err := h.cfg.Meta.CompleteUpload(ctx, u.ID, o, want)
			if err != nil && !errors.Is(err, store.ErrPrecondition) {
				return res, uploadError(err, u.ID)
			}
			partBlobs = blobs
			return res, err
		})
	if err != nil {
		return err
	}
	for _, b := range partBlobs {
		h.removeBlob(rq, b)
	}
	return h.writeComplete(rq, u, obj)
}

// checkObjectChecksum compares an x-amz-checksum-<alg> header, the whole
// object's checksum as the client computed it, with the completed object's:
// the algorithm must be the upload's, and a composite value may come with
// or without its "-<parts>" suffix (minio-go sends it without). An
// x-amz-checksum-type must be the upload's type.
func checkObjectChecksum(h http.Header, u store.Upload, sums map[string]string) error {
	if v, ok := headerValue(h, "x-amz-checksum-type"); ok &&
		!strings.EqualFold(v, cmp.Or(u.ChecksumType, typeFullObject)) {
		return s3err.Newf(s3err.InvalidRequest, "The upload was created with the %s "+
			"checksum type; x-amz-checksum-type names %q.",
			cmp.Or(u.ChecksumType, typeFullObject), v)
	}
	for _, alg := range checksum.All {
		vs := h.Values(alg.Header())
		if len(vs) > 1 {
			return s3err.Newf(s3err.InvalidRequest, "Expecting a single %s header.",
				alg.Header())
		}
		if len(vs) == 0 {
			continue
		}
		v := vs[0]
		stored, ok := sums[string(alg)]
		if !ok {
			return s3err.Newf(s3err.InvalidRequest, "The upload was not created with "+
				"the %s checksum algorithm that %s names.", alg, alg.Header())
		}
		base, _, _ := strings.Cut(stored, "-")
		if v != stored && v != base {
			return s3err.Newf(s3err.BadDigest, "The value of %s you specified did not "+
				"match the calculated checksum.", alg.Header())
		}
	}
	return nil
}

// prepareComplete authorizes the completion of the upload rq names (with
// the upload's keys, s3:ObjectCreationOperation true and the conditional
// headers) and reads the precondition the commit must meet.
func (h *Handler) prepareComplete(rq *request) (store.Upload, store.Expect, error) {
	var want store.Expect
	id, err := uploadIDParam(rq)
	if err != nil {
		return store.Upload{}, want, err
	}
	if err := validKey(rq.key); err != nil {
		return store.Upload{}, want, err
	}
	b, err := h.loadBucket(rq)
	if err != nil {
		return store.Upload{}, want, err
	}
	u, found, err := h.loadUpload(rq, b, id)
	if err != nil {
		return u, want, err
	}
	if !found {
		return u, want, h.missingUpload(rq, b, id)
	}
	keys, err := multipartContext(u.KeyHeaders, rq.r, true, true, h.cfg.Now())
	if err != nil {
		return u, want, err
	}
	if err := h.authorize(rq, objectTarget("s3:PutObject", b, rq.key), keys); err != nil {
		return u, want, err
	}
	want, err = writeExpect(rq.r.Header, "If-Match", "If-None-Match")
	return u, want, err
}

// completeTokens bounds the tokens of a parts list: a Part with its number,
// ETag, every checksum S3 defines and white space between takes 32.
const completeTokens = 32*(maxParts+1) + 64

// completePartFields are the children of a Part element, in the order of
// parseCompletePart's pointers.
var completePartFields = []string{"PartNumber", "ETag", "ChecksumCRC32", "ChecksumCRC32C",
	"ChecksumCRC64NVME", "ChecksumSHA1", "ChecksumSHA256"}

// readCompleteBody parses the parts list of rq's body, refusing at once a
// body whose Content-Length is over maxCompleteBody.
func readCompleteBody(rq *request) ([]completePart, error) {
	if rq.r.ContentLength > maxCompleteBody {
		return nil, malformed("parts list of %d bytes", rq.r.ContentLength)
	}
	return parseCompleteBody(rq.r.Body)
}

// parseCompleteBody reads a parts list from r, as it streams, up to the end
// of r: at least one part, part numbers from 1 to 10000 in strictly
// ascending order. Each part is checked as it is read, so reading stops at
// the first bad one, and a list cannot grow past 10000 parts: the 10001st
// number is out of order or out of range.
func parseCompleteBody(r io.Reader) ([]completePart, error) {
	x := newXMLBody(r, xmlLimits{bytes: maxCompleteBody, tokens: completeTokens})
	if err := x.open("CompleteMultipartUpload"); err != nil {
		return nil, err
	}
	var parts []completePart
	prev := 0
	for {
		name, ok, err := x.child()
		switch {
		case err != nil:
			return nil, err
		case !ok:
			if len(parts) == 0 {
				return nil, malformed("no Part in a parts list")
			}
			if err := x.close(); err != nil {
				return nil, err
			}
			return parts, nil
		case name != "Part":
			if err := x.skip(); err != nil {
				return nil, err
			}
			continue
		}
		p, n, err := parseCompletePart(x)
		if err != nil {
			return nil, err
		}
		if n <= prev {
			return nil, s3err.New(s3err.InvalidPartOrder)
		}
		prev = n
		parts = append(parts, p)
	}
}

// parseCompletePart reads the children of a Part element, each at most
// once, and its part number.
func parseCompletePart(x *xmlBody) (completePart, int, error) {
	var p completePart
	dst := [...]*string{&p.PartNumber, &p.ETag, &p.CRC32, &p.CRC32C, &p.CRC64NVME, &p.SHA1,
		&p.SHA256}
	if err := x.fields(completePartFields, func(i int, v string) { *dst[i] = v }); err != nil {
		return p, 0, err
	}
	n, err := partNumberValue(p.PartNumber)
	return p, n, err
}

// partNumberValue reads a PartNumber element: MalformedXML when it is not
// an integer, InvalidArgument when it is out of range.
func partNumberValue(v string) (int, error) {
	digits := strings.TrimSpace(v)
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, s3err.New(s3err.MalformedXML)
	}
	n, err := strconv.Atoi(digits) // decimal, leading zeros and all
	if err != nil {
		n = maxParts + 1 // too many digits: out of range
	}
	if n < 1 || n > maxParts {
		return 0, s3err.Newf(s3err.InvalidArgument,
			"Part number must be an integer between 1 and 10000, inclusive").
			With("ArgumentName", "partNumber").With("ArgumentValue", v)
	}
	return n, nil
}

// chooseParts matches the listed parts with the recorded ones: each must
// exist with the listed ETag (and checksum, when one is listed), and each
// but the last must be at least 5 MiB.
func (h *Handler) chooseParts(rq *request, u store.Upload, listed []completePart) (
	[]chosenPart, error) {
	page, err := h.cfg.Meta.ListParts(rq.ctx, u.Bucket, u.Key, u.ID, 0, maxParts)
	if err != nil {
		return nil, uploadError(err, u.ID)
	}
	byNumber := make(map[int]store.Part, len(page.Parts))
	for _, p := range page.Parts {
		byNumber[p.Number] = p
	}
	chosen := make([]chosenPart, 0, len(listed))
	var total int64
	for i, l := range listed {
		n, _ := partNumberValue(l.PartNumber) // checked by readCompleteBody
		p, ok := byNumber[n]
		if !ok || strings.Trim(l.ETag, `" `) != strings.Trim(p.ETag, `"`) ||
			!listedChecksumMatches(l.checksumFields, p.Checksums) {
			return nil, s3err.New(s3err.InvalidPart).With("UploadId", u.ID).
				With("PartNumber", fmt.Sprint(n)).With("ETag", l.ETag)
		}
		if i < len(listed)-1 && p.Size < minPartSize {
			return nil, s3err.New(s3err.EntityTooSmall).
				With("ProposedSize", fmt.Sprint(p.Size)).
				With("MinSizeAllowed", fmt.Sprint(minPartSize)).
				With("PartNumber", fmt.Sprint(n)).With("ETag", p.ETag)
		}
		total += p.Size
		chosen = append(chosen, chosenPart{Part: p, listed: l})
	}
	if total > maxMultipart {
		return nil, s3err.New(s3err.EntityTooLarge).With("ProposedSize", fmt.Sprint(total)).
			With("MaxSizeAllowed", fmt.Sprint(int64(maxMultipart)))
	}
	return chosen, checkObjectSize(rq.r.Header, total)
}

// checkObjectSize compares x-amz-mp-object-size, when sent, with the size
// of the object the listed parts make.
func checkObjectSize(h http.Header, total int64) error {
	v, ok := headerValue(h, "x-amz-mp-object-size")
	if !ok {
		return nil
	}
	if n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err != nil || n != total {
		return s3err.Newf(s3err.InvalidRequest, "The x-amz-mp-object-size header says %q, "+
			"but the listed parts make %d bytes.", v, total)
	}
	return nil
}

// listedChecksumMatches reports whether every checksum a listed part names
// is the one recorded for the part.
func listedChecksumMatches(f checksumFields, recorded map[string]string) bool {
	for alg, v := range map[checksum.Algorithm]string{checksum.CRC32: f.CRC32,
		checksum.CRC32C: f.CRC32C, checksum.CRC64NVME: f.CRC64NVME, checksum.SHA1: f.SHA1,
		checksum.SHA256: f.SHA256} {
		if v != "" && recorded[string(alg)] != v {
			return false
		}
	}
	return true
}

// assemble streams the chosen parts, in order, into a new blob, which the
// caller must commit or abort, and returns the object record for it: the
// upload's headers, metadata and tags, the multipart ETag and the
// checksum. Memory stays flat: each part is copied through a fixed buffer.
func (h *Handler) assemble(rq *request, u store.Upload, parts []chosenPart) (store.Object,
	store.BlobWriter, error) {
	obj := store.Object{Bucket: u.Bucket, Key: u.Key, Headers: u.Headers,
		UserMeta: u.UserMeta, Tags: u.Tags}
	w, err := h.cfg.Blobs.Create(rq.ctx)
	if err != nil {
		return obj, nil, fmt.Errorf("s3api: create blob: %w", err)
	}
	full := fullChecksum(u)
	dst := io.Writer(w)
	if full != nil {
		dst = io.MultiWriter(w, full)
	}
	etags := md5.New()
	for _, p := range parts {
		if err := h.appendPart(rq, dst, p.Part); err != nil {
			_ = w.Abort()
			return obj, nil, err
		}
		raw, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
		etags.Write(raw)
		obj.Size += p.Size
		obj.PartSizes = append(obj.PartSizes, p.Size)
	}
	obj.ETag = fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(etags.Sum(nil)), len(parts))
	obj.Checksums = objectChecksums(u, parts, full)
	return obj, w, nil
}

// fullChecksum is the hash of the whole object's bytes the upload needs: its
// algorithm for a FULL_OBJECT upload, CRC64NVME (which S3 computes for
// every new object) for an upload without one, nil for a composite one.
func fullChecksum(u store.Upload) hash.Hash {
	switch {
	case u.ChecksumAlgorithm == "":
		return checksum.CRC64NVME.New()
	case u.ChecksumType == typeFullObject:
		return checksum.Algorithm(u.ChecksumAlgorithm).New()
	}
	return nil
}

// objectChecksums is the completed object's checksum: the whole object's,
// or, for a composite upload, the checksum of the parts' binary checksums
// followed by "-" and the number of parts. A composite checksum is left out
// when a part has none recorded, which trove's own parts always have.
func objectChecksums(u store.Upload, parts []chosenPart, full hash.Hash) map[string]string {
	alg := u.ChecksumAlgorithm
	if full != nil {
		if alg == "" {
			alg = string(checksum.CRC64NVME)
		}
		return map[string]string{alg: checksum.Encode(full.Sum(nil))}
	}
	comp := checksum.Algorithm(alg).New()
	for _, p := range parts {
		raw, err := base64.StdEncoding.DecodeString(p.Checksums[alg])
		if err != nil || len(raw) == 0 {
			return nil
		}
		comp.Write(raw)
	}
	return map[string]string{alg: fmt.Sprintf("%s-%d", checksum.Encode(comp.Sum(nil)),
		len(parts))}
}

// appendPart copies one part's blob to dst, checking its bytes against the
// part's size and MD5: a part blob that changed on disk fails the
// completion rather than the object.
func (h *Handler) appendPart(rq *request, dst io.Writer, p store.Part) error {
	blob, err := h.cfg.Blobs.Open(rq.ctx, p.BlobID)
	if errors.Is(err, store.ErrNotFound) {
		// Removed under us: the upload was aborted or completed meanwhile.
		return s3err.New(s3err.NoSuchUpload).WithCause(err)
	}
	if err != nil {
		return fmt.Errorf("s3api: open part %d: %w", p.Number, err)
	}
	defer blob.Close()
	sum := md5.New()
	n, err := copyHashed(dst, io.LimitReader(blob, p.Size+1), sum)
	if err != nil {
		return fmt.Errorf("s3api: copy part %d: %w", p.Number, err)
	}
	want, _ := hex.DecodeString(strings.Trim(p.ETag, `"`))
	if n != p.Size || !bytes.Equal(sum.Sum(nil), want) {
		return fmt.Errorf("s3api: part %d blob %s does not match its record", p.Number,
			p.BlobID)
	}
	return nil
}

func (h *Handler) writeComplete(rq *request, u store.Upload, obj store.Object) error {
	rq.w.Header().Set(sseHeader, obj.Headers[sseHeader]) // commitObject set the version
	res := completeResult{Location: h.location(rq), Bucket: u.Bucket, Key: u.Key,
		ETag: obj.ETag}
	if u.ChecksumAlgorithm != "" {
		res.checksumFields = checksumsOf(u.ChecksumAlgorithm, obj.Checksums)
		res.ChecksumType = u.ChecksumType
	}
	return writeXML(rq, http.StatusOK, res)
}

// location is the object's URL as the client addressed it.
func (h *Handler) location(rq *request) string {
	scheme := "http"
	if rq.r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + rq.r.Host + rq.r.URL.EscapedPath()
}
