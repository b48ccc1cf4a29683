package store

import "context"

// Bucket versioning states, as Bucket.Versioning holds them. A bucket whose
// versioning was never enabled has "": it can be enabled, and then only
// suspended and enabled again, never returned to "".
const (
	VersioningEnabled   = "Enabled"
	VersioningSuspended = "Suspended"
)

// NullVersion is the version id of a version written while the bucket's
// versioning was off or suspended. At most one version of a key has it.
const NullVersion = "null"

// WriteResult is what a write of an object did.
type WriteResult struct {
	// VersionID is the version a put created, the delete marker a delete
	// added, or the version a delete by version id removed. It is "" when
	// the bucket's versioning was never enabled and nothing names versions.
	VersionID string
	// DeleteMarker reports that the version created or removed is a delete
	// marker.
	DeleteMarker bool
	// Freed is the blob no record points at any more, for the caller to
	// remove once the write has returned; "" when none. It is never the
	// blob the write stored.
	Freed string
	// Removed is the record a delete removed (a delete by version id, or
	// the current version of a bucket whose versioning was never enabled).
	// A put, or a delete that only added a marker, leaves it zero.
	Removed Object
}

// VersionListParams selects a page of ListObjectVersions: every version and
// delete marker of the bucket's keys, by key in UTF-8 binary order and,
// within a key, newest first.
type VersionListParams struct {
	Prefix    string
	Delimiter string
	// KeyMarker and VersionIDMarker say where the previous page ended:
	// with KeyMarker alone, the page starts past every version of that key
	// (and past the common prefix it rolls up into); with both, it starts
	// at the version after VersionIDMarker of KeyMarker.
	KeyMarker       string
	VersionIDMarker string
	MaxKeys         int // versions plus common prefixes in the page; 0 means none
}

// VersionPage is one page of versions. Each Object has VersionID,
// DeleteMarker and IsLatest set; a delete marker has no blob, size or
// ETag. NextKeyMarker and NextVersionIDMarker are set when Truncated: the
// last entry's key and version id, or a common prefix and "".
type VersionPage struct {
	Versions            []Object
	CommonPrefixes      []string
	Truncated           bool
	NextKeyMarker       string
	NextVersionIDMarker string
}

// Versions is the part of Meta that serves bucket versioning: version ids,
// delete markers and reads, deletes and listings by version.
//
// How PutObject and DeleteObject treat versions follows the bucket's
// state. Enabled: a put adds a version with a new random id and a delete
// without a version id adds a delete marker; older versions are kept.
// Suspended: both write the "null" version (a put its bytes, a delete a
// marker), replacing any null version there was. Never enabled: a put
// replaces the key's one record and a delete removes it. The current
// version of a key is its newest; GetObject and ListObjects see it only
// when it is not a delete marker, and a write's Expect is checked against
// it the same way.
type Versions interface {
	// SetBucketVersioning sets the bucket's state to VersioningEnabled or
	// VersioningSuspended. It returns ErrNotFound when the bucket does not
	// exist.
	SetBucketVersioning(ctx context.Context, bucket, state string) error
	// GetObjectVersion returns one version of a key, a delete marker
	// included, with IsLatest set when it is the current one; versionID ""
	// names the current version. It returns ErrNotFound when the bucket,
	// the key or the version is missing.
	GetObjectVersion(ctx context.Context, bucket, key, versionID string) (Object, error)
	// DeleteObjectVersion removes exactly one version, a delete marker
	// included; the newest remaining version, if any, becomes current. It
	// returns ErrNotFound when the bucket or the version is missing.
	DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) (WriteResult,
		error)
	// ListObjectVersions returns a page of the bucket's versions. It returns
	// ErrNotFound when the bucket does not exist.
	ListObjectVersions(ctx context.Context, bucket string, p VersionListParams) (VersionPage,
		error)
}
