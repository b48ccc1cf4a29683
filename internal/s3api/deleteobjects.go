package s3api

import (
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

const (
	// maxDeleteKeys is how many keys one DeleteObjects request may name.
	maxDeleteKeys = 1000
	// maxDeleteBody bounds the Delete document's length. 1000 Objects of
	// 8 KiB each fit: a 1024-byte key written with six-byte character
	// references (&#x3C;) is 6 KiB, leaving 2 KiB for the version id, the
	// markup and the white space of a pretty-printed document. The
	// document is decoded as it streams (xmlbody.go), so memory does not
	// grow with this bound: only the Objects kept, at most 1000, stay.
	maxDeleteBody = maxDeleteKeys*8<<10 + 64<<10
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

// deleteTokens bounds the tokens of a Delete document: an Object with every
// child S3 defines, white space between them, takes 24; the bound lets the
// 1001st Object be seen and refused as such.
const deleteTokens = 32*(maxDeleteKeys+1) + 64

// parseDelete reads a Delete document from r up to the end of r. Anything but
// a Delete element with one to maxDeleteKeys Objects, each with a non-empty
// Key, and at most one Quiet, is MalformedXML; reading stops at the first
// Object too many. The body's own errors (a BadDigest from package sigv4)
// are returned as they are.
func parseDelete(r io.Reader) (deleteRequest, error) {
	var d deleteRequest
	x := newXMLBody(r, xmlLimits{bytes: maxDeleteBody, tokens: deleteTokens})
	if err := x.open("Delete"); err != nil {
		return d, err
	}
	var quietSeen bool
	for {
		name, ok, err := x.child()
		switch {
		case err != nil:
			return d, err
		case !ok:
			if len(d.Objects) == 0 {
				return d, malformed("no Object in a Delete document")
			}
			if err := x.close(); err != nil {
				return deleteRequest{}, err
			}
			return d, nil
		case name == "Object":
			if len(d.Objects) == maxDeleteKeys {
				return d, malformed("more than %d objects to delete", maxDeleteKeys)
			}
			o, err := parseDeleteTarget(x)
			if err != nil {
				return d, err
			}
			d.Objects = append(d.Objects, o)
		case name == "Quiet":
			if d.Quiet, err = parseQuiet(x, &quietSeen); err != nil {
				return d, err
			}
		default:
			if err := x.skip(); err != nil {
				return d, err
			}
		}
	}
}

// parseQuiet reads a Quiet element: a boolean as encoding/xml reads one,
// empty being false.
func parseQuiet(x *xmlBody, seen *bool) (bool, error) {
	v, err := x.textOnce("Quiet", seen)
	if err != nil {
		return false, err
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return false, nil
	}
	quiet, err := strconv.ParseBool(v)
	if err != nil {
		return false, malformed("Quiet %q", v)
	}
	return quiet, nil
}

// deleteTargetFields are the children of an Object element, in the order of
// parseDeleteTarget's pointers.
var deleteTargetFields = []string{"Key", "VersionId", "ETag", "LastModifiedTime", "Size"}

// parseDeleteTarget reads the children of an Object element: each at most
// once, a non-empty Key required, unknown ones skipped.
func parseDeleteTarget(x *xmlBody) (deleteTarget, error) {
	var o deleteTarget
	dst := [...]**string{&o.Key, &o.VersionID, &o.ETag, &o.LastModifiedTime, &o.Size}
	if err := x.fields(deleteTargetFields, func(i int, v string) { *dst[i] = &v }); err != nil {
		return o, err
	}
	if o.Key == nil || *o.Key == "" {
		return o, malformed("Object without a Key")
	}
	return o, nil
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
	// Every key waits for the whole body: parseDelete reads to its end,
	// where sigv4 checks Content-MD5 or the checksum, before one is deleted.
	d, err := readDelete(rq)
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

// readDelete parses the Delete document of rq's body, refusing at once a
// body whose Content-Length is over maxDeleteBody.
func readDelete(rq *request) (deleteRequest, error) {
	if rq.r.ContentLength > maxDeleteBody {
		return deleteRequest{}, malformed("Delete document of %d bytes", rq.r.ContentLength)
	}
	return parseDelete(rq.r.Body)
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
	if o.ETag != nil {
		keys.Set("s3:if-match", *o.ETag)
	}
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
	case o.LastModifiedTime != nil || o.Size != nil || (o.ETag != nil && o.VersionID != nil):
		// LastModifiedTime and Size are S3 Express (directory bucket)
		// conditions; a version is removed whatever its ETag.
		return none, s3err.Newf(s3err.NotImplemented, "trove does not implement "+
			"conditional deletes by LastModifiedTime, Size, or ETag with VersionId.")
	}
	var want store.Expect
	if o.ETag != nil { // the current version's ETag, as If-Match on DeleteObject
		if err := h.authorizeConditionalDelete(rq, b, o.key()); err != nil {
			return none, s3err.From(err)
		}
		want = matchExpect(*o.ETag)
	}
	var res store.WriteResult
	var err error
	ctx := h.eventContext(rq, store.EventDelete)
	if o.VersionID != nil {
		res, err = h.cfg.Meta.DeleteObjectVersion(ctx, b.Name, o.key(), o.version())
	} else {
		res, err = h.cfg.Meta.DeleteObject(ctx, b.Name, o.key(), want)
	}
	switch {
	case errors.Is(err, store.ErrPrecondition):
		return none, s3err.From(conditionError(err, want, o.key()))
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		h.log.Error("delete objects: delete key", "request_id", rq.id, "key", o.key(),
			"err", err)
		return none, s3err.New(s3err.InternalError)
	default:
		h.notified(rq)
		h.removeBlob(rq, res.Freed)
	}
	return res, nil
}
