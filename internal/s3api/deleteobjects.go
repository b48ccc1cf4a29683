package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

const (
	// maxDeleteKeys is how many keys one DeleteObjects request may name.
	maxDeleteKeys = 1000
	// maxDeleteBody bounds the Delete document trove reads into memory:
	// 1000 keys of 1024 bytes, each escaped (up to six bytes a byte as a
	// character reference) and wrapped in its elements, fit well within it.
	maxDeleteBody = 8 << 20
)

// msgMissingDigest is S3's answer to a DeleteObjects without an integrity
// header.
const msgMissingDigest = "Missing required header for this request: Content-MD5 OR " +
	"x-amz-checksum-*"

// deleteRequest is the Delete document of a DeleteObjects request. Its
// element names match in any namespace, as S3 accepts the document with or
// without S3's.
type deleteRequest struct {
	XMLName xml.Name       `xml:"Delete"`
	Quiet   bool           `xml:"Quiet"`
	Objects []deleteTarget `xml:"Object"`
}

// deleteTarget is one Object of a Delete document. ETag, LastModifiedTime
// and Size make its delete conditional.
type deleteTarget struct {
	Key              *string `xml:"Key"`
	VersionID        *string `xml:"VersionId"`
	ETag             *string `xml:"ETag"`
	LastModifiedTime *string `xml:"LastModifiedTime"`
	Size             *string `xml:"Size"`
}

func (d deleteTarget) key() string { return *d.Key }

func (d deleteTarget) version() string {
	if d.VersionID == nil {
		return ""
	}
	return *d.VersionID
}

type deletedEntry struct {
	Key                   string `xml:"Key"`
	VersionID             string `xml:"VersionId,omitempty"`
	DeleteMarker          bool   `xml:"DeleteMarker,omitempty"`
	DeleteMarkerVersionID string `xml:"DeleteMarkerVersionId,omitempty"`
}

// newDeletedEntry is the Deleted entry of a key whose delete did res: as
// in S3, a delete that added a delete marker, or removed one by version id,
// names the marker.
func newDeletedEntry(o deleteTarget, res store.WriteResult) deletedEntry {
	e := deletedEntry{Key: o.key(), VersionID: o.version()}
	if res.DeleteMarker {
		e.DeleteMarker, e.DeleteMarkerVersionID = true, res.VersionID
	}
	return e
}

type deleteErrorEntry struct {
	Key       string `xml:"Key"`
	VersionID string `xml:"VersionId,omitempty"`
	Code      string `xml:"Code"`
	Message   string `xml:"Message"`
}

type deleteResult struct {
	XMLName xml.Name           `xml:"http://s3.amazonaws.com/doc/2006-03-01/ DeleteResult"`
	Deleted []deletedEntry     `xml:"Deleted"`
	Errors  []deleteErrorEntry `xml:"Error"`
}

// parseDelete decodes a Delete document. Anything but a Delete element with
// one to maxDeleteKeys Objects, each with a non-empty Key, is MalformedXML.
func parseDelete(body []byte) (deleteRequest, error) {
	var d deleteRequest
	if err := xml.Unmarshal(body, &d); err != nil {
		return d, s3err.New(s3err.MalformedXML).WithCause(fmt.Errorf("s3api: %w", err))
	}
	if len(d.Objects) == 0 || len(d.Objects) > maxDeleteKeys {
		return d, s3err.New(s3err.MalformedXML)
	}
	for _, o := range d.Objects {
		if o.Key == nil || *o.Key == "" {
			return d, s3err.New(s3err.MalformedXML)
		}
	}
	return d, nil
}

// hasIntegrityHeader reports whether r carries Content-MD5, an
// x-amz-checksum-* header or an x-amz-trailer naming one. sigv4 has
// already checked their form and verifies the body against them as it is
// read.
func hasIntegrityHeader(r *http.Request) bool {
	if _, ok := r.Header["Content-Md5"]; ok {
		return true
	}
	for _, alg := range checksum.All {
		if r.Header.Get(alg.Header()) != "" {
			return true
		}
	}
	return strings.TrimSpace(r.Header.Get("X-Amz-Trailer")) != ""
}

// deleteObjects serves DeleteObjects: every key is authorized and deleted
// on its own, as S3 does, so a denied or failed key becomes an Error entry
// of a 200 answer while the others are deleted. There is no action for the
// request as a whole.
func (h *Handler) deleteObjects(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if !hasIntegrityHeader(rq.r) {
		return s3err.Newf(s3err.InvalidRequest, "%s", msgMissingDigest)
	}
	body, err := readDeleteBody(rq)
	if err != nil {
		return err
	}
	d, err := parseDelete(body)
	if err != nil {
		return err
	}
	var res deleteResult
	var denied *verdict
	for _, o := range d.Objects {
		done, e := h.deleteOne(rq, b, o)
		switch {
		case e == nil && !d.Quiet:
			res.Deleted = append(res.Deleted, newDeletedEntry(o, done))
		case e != nil:
			res.Errors = append(res.Errors, deleteErrorEntry{Key: o.key(),
				VersionID: o.version(), Code: string(e.Code), Message: e.Message})
			if e.Code == s3err.AccessDenied && denied == nil {
				denied = rq.verdict
			}
		}
	}
	// The access log names the bucket and, when a key was denied, the
	// first denial's explanation.
	rq.resource = bucketARN(b.Name)
	if denied != nil {
		rq.verdict = denied
	}
	return writeXML(rq, http.StatusOK, res)
}

// readDeleteBody reads the whole body, which sigv4 verifies at its end.
func readDeleteBody(rq *request) ([]byte, error) {
	if rq.r.ContentLength > maxDeleteBody {
		return nil, s3err.New(s3err.MalformedXML)
	}
	body, err := io.ReadAll(io.LimitReader(rq.r.Body, maxDeleteBody+1))
	if err != nil {
		return nil, bodyError(err)
	}
	if len(body) > maxDeleteBody {
		return nil, s3err.New(s3err.MalformedXML)
	}
	return body, nil
}

// deleteOne authorizes and deletes one key, or one version of it, and
// returns what the delete did, or the error that key's Error entry
// reports. A key or a well-formed version id that is not there is deleted
// already, as S3 answers; a version id that cannot name a version is
// NoSuchVersion, as S3 answers in this operation.
func (h *Handler) deleteOne(rq *request, b store.Bucket, o deleteTarget) (store.WriteResult,
	*s3err.Error) {
	var none store.WriteResult
	if err := validKey(o.key()); err != nil {
		return none, s3err.From(err)
	}
	action, keys := "s3:DeleteObject", policy.Context{}
	if o.VersionID != nil {
		// As for DeleteObject, naming a version, even the null one, is
		// s3:DeleteObjectVersion.
		action = "s3:DeleteObjectVersion"
		keys.Set("s3:versionid", o.version())
	}
	if err := h.authorize(rq, objectTarget(action, b, o.key()), keys); err != nil {
		h.log.Debug("delete objects: key denied", "request_id", rq.id, "key", o.key(),
			"reason", rq.verdict.reason)
		return none, s3err.From(err)
	}
	switch {
	case o.VersionID != nil && !validVersionID(o.version()):
		return none, s3err.New(s3err.NoSuchVersion)
	case o.ETag != nil || o.LastModifiedTime != nil || o.Size != nil:
		// TODO(trove): an ETag needs only a store.Expect and per-key error
		// mapping; LastModifiedTime and Size are S3 Express (directory
		// bucket) conditions.
		return none, s3err.Newf(s3err.NotImplemented,
			"trove does not implement conditional deletes (ETag, LastModifiedTime, Size) yet.")
	}
	var res store.WriteResult
	var err error
	if o.VersionID != nil {
		res, err = h.cfg.Meta.DeleteObjectVersion(rq.ctx, b.Name, o.key(), o.version())
	} else {
		res, err = h.cfg.Meta.DeleteObject(rq.ctx, b.Name, o.key(), store.Expect{})
	}
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		h.log.Error("delete objects: delete key", "request_id", rq.id, "key", o.key(),
			"err", err)
		return none, s3err.New(s3err.InternalError)
	default:
		h.removeBlob(rq, res.Freed)
	}
	return res, nil
}
