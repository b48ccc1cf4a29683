package s3api

// Bucket versioning: GetBucketVersioning, PutBucketVersioning and
// ListObjectVersions, and the version ids that object operations take in
// their versionId query parameter. The store keeps the versions
// (store.Versions); here requests are parsed, authorized and answered.

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// versionIDLength is the length of the version ids the store draws.
const versionIDLength = 32

// maxVersioningBody bounds the VersioningConfiguration document read.
const maxVersioningBody = 64 << 10

// validVersionID reports whether id could name a version: "null", or 32
// characters of the URL-safe base64 alphabet the store draws ids from.
func validVersionID(id string) bool {
	if id == store.NullVersion {
		return true
	}
	if len(id) != versionIDLength {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// invalidVersion is S3's answer to a version id that cannot name a version.
func invalidVersion(param, id string) error {
	if id == "" {
		return s3err.Newf(s3err.InvalidArgument, "Version id cannot be the empty string").
			With("ArgumentName", param).With("ArgumentValue", id)
	}
	return s3err.Newf(s3err.InvalidArgument, "Invalid version id specified").
		With("ArgumentName", param).With("ArgumentValue", id)
}

// versionArg reads the versionId query parameter. named reports whether it
// was sent; a value that cannot name a version is InvalidArgument.
func versionArg(rq *request) (id string, named bool, err error) {
	if !rq.hasQuery("versionId") {
		return "", false, nil
	}
	id = rq.query("versionId")
	if !validVersionID(id) {
		return id, true, invalidVersion("versionId", id)
	}
	return id, true, nil
}

// withVersionKey returns c with s3:versionid set to id when named.
func withVersionKey(c policy.Context, id string, named bool) policy.Context {
	if c == nil {
		c = policy.Context{}
	}
	if named {
		c.Set("s3:versionid", id)
	}
	return c
}

// setVersionHeader sends x-amz-version-id when id names a version: the
// store leaves it "" for a bucket whose versioning was never enabled.
func setVersionHeader(rq *request, id string) {
	if id != "" {
		rq.w.Header().Set("x-amz-version-id", id)
	}
}

// setDeleteMarkerHeaders sends what S3 sends about a delete marker.
func setDeleteMarkerHeaders(rq *request, versionID string) {
	rq.w.Header().Set("x-amz-delete-marker", "true")
	setVersionHeader(rq, versionID)
}

// versioningConfiguration is what PutBucketVersioning's document sets, as
// parseVersioning reads it.
type versioningConfiguration struct {
	Status    string
	MfaDelete string
}

// versioningOutput is GetBucketVersioning's answer, in S3's namespace.
type versioningOutput struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ VersioningConfiguration"`
	Status  string   `xml:"Status,omitempty"`
}

// getBucketVersioning answers with the bucket's state; a bucket whose
// versioning was never enabled has no Status, as in S3.
func (h *Handler) getBucketVersioning(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:GetBucketVersioning", b), nil); err != nil {
		return err
	}
	return writeXML(rq, http.StatusOK, versioningOutput{Status: b.Versioning})
}

// putBucketVersioning enables or suspends versioning. As in S3, a bucket's
// versioning, once enabled, can only be suspended, never turned off: the
// document has no way to say so.
func (h *Handler) putBucketVersioning(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:PutBucketVersioning", b), nil); err != nil {
		return err
	}
	state, err := parseVersioning(rq.r.Body)
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.SetBucketVersioning(rq.ctx, b.Name, state); err != nil {
		return bucketError(err, b.Name, "put bucket versioning")
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

// versioningTokens bounds the tokens of a VersioningConfiguration document.
const versioningTokens = 256

// parseVersioning reads a VersioningConfiguration document from r up to its
// end and returns the state it sets: Status and MfaDelete at most once each.
// MFA delete, which needs an MFA device trove does not have, is refused;
// MfaDelete Disabled is what every bucket has and is accepted.
func parseVersioning(r io.Reader) (string, error) {
	x := newXMLBody(r, xmlLimits{bytes: maxVersioningBody, tokens: versioningTokens})
	if err := x.open("VersioningConfiguration"); err != nil {
		return "", err
	}
	var c versioningConfiguration
	dst := [...]*string{&c.Status, &c.MfaDelete}
	err := x.fields([]string{"Status", "MfaDelete"}, func(i int, v string) { *dst[i] = v })
	if err == nil {
		err = x.close()
	}
	if err != nil {
		return "", err
	}
	switch c.MfaDelete {
	case "", "Disabled":
	case "Enabled":
		// TODO(trove): MFA delete needs MFA devices and the x-amz-mfa
		// header checked on version deletes; it waits for MFA in IAM.
		return "", s3err.Newf(s3err.NotImplemented,
			"trove does not implement MFA delete: it has no MFA devices.")
	default:
		return "", s3err.New(s3err.MalformedXML)
	}
	if c.Status != store.VersioningEnabled && c.Status != store.VersioningSuspended {
		return "", s3err.New(s3err.MalformedXML)
	}
	return c.Status, nil
}

// versionListArgs are the parsed arguments of ListObjectVersions.
type versionListArgs struct {
	p      store.VersionListParams
	encode bool
}

// parseVersionListArgs reads ListObjectVersions' query parameters. A
// version-id-marker needs a key-marker and must be able to name a version.
func parseVersionListArgs(rq *request) (versionListArgs, error) {
	q := rq.r.URL.Query()
	a := versionListArgs{p: store.VersionListParams{Prefix: q.Get("prefix"),
		Delimiter: q.Get("delimiter"), KeyMarker: q.Get("key-marker"), MaxKeys: maxListKeys}}
	var err error
	if a.p.MaxKeys, err = intParam(rq, "max-keys", maxListKeys); err != nil {
		return a, err
	}
	if a.encode, err = encodingType(q); err != nil {
		return a, err
	}
	if !q.Has("version-id-marker") {
		return a, nil
	}
	a.p.VersionIDMarker = q.Get("version-id-marker")
	if a.p.KeyMarker == "" {
		return a, s3err.Newf(s3err.InvalidArgument,
			"A version-id marker cannot be specified without a key marker.").
			With("ArgumentName", "version-id-marker").With("ArgumentValue", a.p.VersionIDMarker)
	}
	if !validVersionID(a.p.VersionIDMarker) {
		return a, invalidVersion("version-id-marker", a.p.VersionIDMarker)
	}
	return a, nil
}

// listObjectVersions serves ListObjectVersions, authorized as
// s3:ListBucketVersions with ListBucket's condition keys.
func (h *Handler) listObjectVersions(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	a, err := parseVersionListArgs(rq)
	if err != nil {
		return err
	}
	keys := listContext(rq.r.URL.Query())
	if err := h.authorize(rq, bucketTarget("s3:ListBucketVersions", b), keys); err != nil {
		return err
	}
	page, err := h.cfg.Meta.ListObjectVersions(rq.ctx, b.Name, a.p)
	if errors.Is(err, store.ErrNotFound) && a.p.VersionIDMarker != "" {
		return invalidVersion("version-id-marker", a.p.VersionIDMarker)
	}
	if err != nil {
		return fmt.Errorf("s3api: list object versions: %w", err)
	}
	return writeXML(rq, http.StatusOK, versionsResult(b, a, page))
}

// versionEntry is a Version or a DeleteMarker element, as kind says, so
// that both kinds keep the store's order in one list.
type versionEntry struct {
	kind   string
	fields versionFields
}

// MarshalXML writes the entry as an element named after its kind.
func (v versionEntry) MarshalXML(enc *xml.Encoder, _ xml.StartElement) error {
	return enc.EncodeElement(v.fields, xml.StartElement{Name: xml.Name{Local: v.kind}})
}

// versionFields are the elements of a Version or a DeleteMarker; a delete
// marker has no ETag, Size or StorageClass.
type versionFields struct {
	Key          string `xml:"Key"`
	VersionID    string `xml:"VersionId"`
	IsLatest     bool   `xml:"IsLatest"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag,omitempty"`
	Size         *int64 `xml:"Size,omitempty"`
	StorageClass string `xml:"StorageClass,omitempty"`
	Owner        *owner `xml:"Owner,omitempty"`
}

// listVersionsResult is ListObjectVersions' answer.
type listVersionsResult struct {
	XMLName         xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
	Name            string   `xml:"Name"`
	Prefix          string   `xml:"Prefix"`
	KeyMarker       string   `xml:"KeyMarker"`
	VersionIDMarker string   `xml:"VersionIdMarker"`
	NextKeyMarker   string   `xml:"NextKeyMarker,omitempty"`
	NextVersionID   string   `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys         int      `xml:"MaxKeys"`
	Delimiter       string   `xml:"Delimiter,omitempty"`
	EncodingType    string   `xml:"EncodingType,omitempty"`
	IsTruncated     bool     `xml:"IsTruncated"`
	Entries         []versionEntry
	CommonPrefixes  []commonPrefix `xml:"CommonPrefixes"`
}

// versionsResult is the answer for page; with encoding-type=url, keys,
// prefixes and markers are URL-encoded as in ListObjects.
func versionsResult(b store.Bucket, a versionListArgs,
	page store.VersionPage) *listVersionsResult {
	enc := func(s string) string {
		if a.encode {
			return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
		}
		return s
	}
	out := &listVersionsResult{Name: b.Name, Prefix: enc(a.p.Prefix),
		KeyMarker: enc(a.p.KeyMarker), VersionIDMarker: a.p.VersionIDMarker,
		MaxKeys: a.p.MaxKeys, Delimiter: enc(a.p.Delimiter), IsTruncated: page.Truncated}
	if a.encode {
		out.EncodingType = "url"
	}
	if page.Truncated {
		out.NextKeyMarker, out.NextVersionID = enc(page.NextKeyMarker), page.NextVersionIDMarker
	}
	for _, v := range page.Versions {
		out.Entries = append(out.Entries, newVersionEntry(b, v, enc(v.Key)))
	}
	for _, p := range page.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	return out
}

// newVersionEntry is the element of one version or delete marker.
func newVersionEntry(b store.Bucket, v store.Object, key string) versionEntry {
	f := versionFields{Key: key, VersionID: v.VersionID, IsLatest: v.IsLatest,
		LastModified: v.LastModified.UTC().Format(timeFormat), Owner: ownerOf(b.Owner)}
	if v.DeleteMarker {
		return versionEntry{kind: "DeleteMarker", fields: f}
	}
	size := v.Size
	f.ETag, f.Size, f.StorageClass = v.ETag, &size, "STANDARD"
	return versionEntry{kind: "Version", fields: f}
}

// readVersion loads a version of key in b, id "" naming the current one
// (which may be a delete marker). found is false when there is none.
func (h *Handler) readVersion(rq *request, b store.Bucket, key, id string) (store.Object,
	bool, error) {
	o, err := h.cfg.Meta.GetObjectVersion(rq.ctx, b.Name, key, id)
	if errors.Is(err, store.ErrNotFound) {
		return o, false, nil
	}
	if err != nil {
		return o, false, fmt.Errorf("s3api: get object version: %w", err)
	}
	return o, true, nil
}

// readable answers, once a read is authorized, a version that cannot be
// read, as S3 does: a missing key or version is NoSuchKey or NoSuchVersion
// for callers who may list the bucket and AccessDenied for others; a key
// whose current version is a delete marker is missing too, and those who
// may list learn of the marker (x-amz-delete-marker, x-amz-version-id); a
// delete marker named by its version id is MethodNotAllowed.
func (h *Handler) readable(rq *request, b store.Bucket, o store.Object, found,
	named bool) error {
	if found && o.DeleteMarker && named {
		setDeleteMarkerHeaders(rq, o.VersionID)
		rq.w.Header().Set("Last-Modified", o.LastModified.UTC().Format(http.TimeFormat))
		return s3err.New(s3err.MethodNotAllowed)
	}
	if found && !o.DeleteMarker {
		return nil
	}
	if !h.allowed(rq, bucketTarget("s3:ListBucket", b), nil) {
		return s3err.New(s3err.AccessDenied)
	}
	if found {
		setDeleteMarkerHeaders(rq, o.VersionID)
		return s3err.New(s3err.NoSuchKey).With("Key", rq.key)
	}
	if named {
		return s3err.New(s3err.NoSuchVersion).With("Key", rq.key).
			With("VersionId", rq.query("versionId"))
	}
	return s3err.New(s3err.NoSuchKey).With("Key", rq.key)
}

// deleteVersion removes the version id of rq's key, authorized already. As
// in S3, a version that does not exist is deleted already: the answer is
// the same 204 naming it.
func (h *Handler) deleteVersion(rq *request, b store.Bucket, id string) error {
	if err := refuseConditional(rq.r.Header, "If-Match"); err != nil {
		return err
	}
	ctx := h.eventContext(rq, store.EventDelete)
	res, err := h.cfg.Meta.DeleteObjectVersion(ctx, b.Name, rq.key, id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("s3api: delete object version: %w", err)
	}
	if err == nil {
		h.notified(rq)
	}
	h.removeBlob(rq, res.Freed)
	if res.DeleteMarker {
		rq.w.Header().Set("x-amz-delete-marker", "true")
	}
	setVersionHeader(rq, id)
	rq.writeHeader(http.StatusNoContent)
	return nil
}
