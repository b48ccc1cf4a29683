// Package store defines trove's persistent state behind two interfaces: Meta
// for metadata (the organization with its SCPs and RCPs, identities with
// their groups and policies, buckets and object records) and Blobs for
// object bytes. The embedded defaults are SQLite (package store/sqlite) and
// files on disk (package store/fsblob); other backends can stand behind the
// same interfaces.
//
// Writing an object is three steps, in this order: the bytes go to a new blob
// that is made durable under a fresh random id (Blobs), then the record that
// points at it commits (Meta.PutObject), then the blob the write freed
// (WriteResult.Freed) is removed. A crash between the steps leaves at most
// an orphaned blob, never a record without its bytes. Noncurrent versions
// keep their blobs until they are deleted. Object keys never become file
// paths: blob ids are random.
package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

// Conditions callers test with errors.Is.
var (
	ErrNotFound       = errors.New("store: not found")
	ErrBucketExists   = errors.New("store: bucket already exists")
	ErrBucketNotEmpty = errors.New("store: bucket not empty")
	// ErrPrecondition is a write's Expect that the stored record did not
	// meet. When the record is missing, the error is also ErrNotFound.
	ErrPrecondition = errors.New("store: precondition failed")
)

// Expect is a precondition on the record a write would replace or remove,
// checked in the same transaction as the write, so that no other write
// comes between the check and the change. The zero Expect always holds.
type Expect struct {
	// Absent requires that no record be stored under the key.
	Absent bool
	// Present requires that a record be stored under the key.
	Present bool
	// ETag, when not "", requires a stored record with exactly this ETag
	// (quoted, as in Object.ETag); it implies Present.
	ETag string
}

// Check reports whether a stored record meets e: nil when it does,
// ErrPrecondition when it does not, and ErrPrecondition that is also
// ErrNotFound when e needs a record and there is none. o is the stored
// record when found is true.
func (e Expect) Check(o Object, found bool) error {
	switch {
	case e.Absent && found:
		return fmt.Errorf("%w: the key exists", ErrPrecondition)
	case (e.Present || e.ETag != "") && !found:
		return fmt.Errorf("%w: %w", ErrPrecondition, ErrNotFound)
	case e.ETag != "" && e.ETag != o.ETag:
		return fmt.Errorf("%w: the ETag differs", ErrPrecondition)
	}
	return nil
}

// Organization is the one organization trove models.
type Organization struct {
	ID                string // o-xxxxxxxxxx
	RootID            string // r-xxxx
	ManagementAccount string // 12-digit account id
}

// OU is an organizational unit. ParentID is the root id or another OU's id.
type OU struct {
	ID       string
	Name     string
	ParentID string
}

// Account is an AWS-style account. ParentID is the root id or an OU id when
// the account is in the organization, and empty when it is not.
type Account struct {
	ID       string
	Name     string
	ParentID string
}

// User is an IAM user.
type User struct {
	Account string
	Name    string
	ID      string // unique id, AIDA...
	Path    string // "/" by default
	// Boundary names the account's managed policy that is the user's
	// permissions boundary; "" when the user has none.
	Boundary string
}

// AccessKey is a long-term access key. User is empty for the account's root
// user. The secret is stored because SigV4 verification needs it.
type AccessKey struct {
	ID      string
	Secret  string
	Account string
	User    string
	Active  bool
	Created time.Time
}

// UserPolicy is an inline identity policy attached to a user.
type UserPolicy struct {
	Account  string
	User     string
	Name     string
	Document []byte
}

// Bucket is a bucket record. Policy is nil when the bucket has none.
type Bucket struct {
	Name    string
	Owner   string // account id
	Region  string
	Created time.Time
	Policy  []byte
	// Versioning is "" for a bucket whose versioning was never enabled,
	// else "Enabled" or "Suspended".
	Versioning string
	// Tags is the bucket's tag set; nil when it has none.
	Tags map[string]string
	// Notification is the bucket's notification configuration as
	// PutBucketNotification stored it; nil when it has none.
	Notification []byte
}

// Object is the record of one object.
type Object struct {
	Bucket       string
	Key          string
	BlobID       string
	Size         int64
	ETag         string // quoted, as sent in the ETag header
	LastModified time.Time
	// Headers are the stored system headers sent back on GET and HEAD:
	// Content-Type, Cache-Control, Content-Disposition, Content-Encoding,
	// Content-Language, Expires, x-amz-server-side-encryption and the like,
	// keyed in canonical form.
	Headers map[string]string
	// UserMeta holds x-amz-meta-* values keyed by the lower-case suffix.
	UserMeta map[string]string
	// Checksums maps an algorithm (CRC32, CRC32C, CRC64NVME, SHA1, SHA256)
	// to its base64 value.
	Checksums map[string]string
	// Tags is the object's tag set (at most 10 tags).
	Tags map[string]string
	// PartSizes are the sizes, in order, of the parts a completed multipart
	// upload assembled the object from; they sum to Size. It is nil for an
	// object not uploaded in parts (a PUT or a copy), and an empty slice may
	// come back nil. GET and HEAD with ?partNumber= read it.
	PartSizes []int64
	// VersionID is the version's id; "null" for a version written while the
	// bucket's versioning was off or suspended.
	VersionID string
	// DeleteMarker marks a version that records a delete: it has no bytes.
	DeleteMarker bool
	// IsLatest is set on records read back when the version is the key's
	// current one.
	IsLatest bool
}

// ListParams selects a page of a bucket's keys in UTF-8 binary order.
type ListParams struct {
	Prefix    string
	Delimiter string
	// After excludes every key (and common prefix) up to and including it.
	After   string
	MaxKeys int // objects plus common prefixes in the page; 0 means none
}

// ListPage is one page. NextAfter is the last key or common prefix in the
// page, to pass as After for the next one. A listed Object carries what a
// listing answers with: Bucket, Key, Size, ETag, LastModified, VersionID
// and IsLatest; GetObject reads the rest.
type ListPage struct {
	Objects        []Object
	CommonPrefixes []string
	Truncated      bool
	NextAfter      string
}

// Meta stores metadata. Implementations are safe for concurrent use. Put
// methods are upserts that change nothing when the stored value is equal.
// A record needs its parent: PutUser, PutAccessKey and CreateBucket return
// ErrNotFound (wrapped) when the account is missing, PutAccessKey with a user
// and PutUserPolicy when the user is missing, PutUser with a Boundary when
// the account has no managed policy of that name. Empty maps in an Object
// may come back nil. The suite in store/storetest pins these behaviours.
type Meta interface {
	IAM
	PolicyVersions
	Roles
	Organizations
	Versions
	Tagging
	Multipart
	Notifications
	OrgAdmin
	OIDCProviders

	// IdentityVersion returns a number that changes whenever a record other
	// than an access key, a bucket or an object is created, changed or
	// removed, by this process or another, so that callers may cache what
	// they derive from those records while it stays the same. A backend may
	// also change it when nothing changed, at the cost of those caches.
	IdentityVersion(ctx context.Context) (uint64, error)

	PutOrganization(ctx context.Context, org Organization) error
	// GetOrganization returns ErrNotFound when no organization is stored.
	GetOrganization(ctx context.Context) (Organization, error)
	PutOU(ctx context.Context, ou OU) error
	ListOUs(ctx context.Context) ([]OU, error)

	PutAccount(ctx context.Context, a Account) error
	GetAccount(ctx context.Context, id string) (Account, error)
	ListAccounts(ctx context.Context) ([]Account, error)

	PutUser(ctx context.Context, u User) error
	GetUser(ctx context.Context, account, name string) (User, error)
	ListUsers(ctx context.Context, account string) ([]User, error)

	PutAccessKey(ctx context.Context, k AccessKey) error
	GetAccessKey(ctx context.Context, id string) (AccessKey, error)
	// ListAccessKeys lists an account's keys; user "" lists the root user's.
	ListAccessKeys(ctx context.Context, account, user string) ([]AccessKey, error)

	PutUserPolicy(ctx context.Context, p UserPolicy) error
	ListUserPolicies(ctx context.Context, account, user string) ([]UserPolicy, error)

	// CreateBucket returns ErrBucketExists (wrapped) when the name is taken,
	// whoever owns it; GetBucket then tells the owner.
	CreateBucket(ctx context.Context, b Bucket) error
	GetBucket(ctx context.Context, name string) (Bucket, error)
	// ListBuckets lists the buckets one account owns, by name.
	ListBuckets(ctx context.Context, owner string) ([]Bucket, error)
	// DeleteBucket returns ErrBucketNotEmpty when objects, noncurrent
	// versions or delete markers remain, and ErrNotFound when there is no
	// such bucket.
	DeleteBucket(ctx context.Context, name string) error
	// PutBucketPolicy stores doc as the bucket's policy; nil deletes it.
	PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error

	// PutObject stores o as the key's new current version, as the bucket's
	// versioning state says (Versions): it sets the version id itself,
	// ignoring o.VersionID, o.DeleteMarker and o.IsLatest, and returns it
	// with the blob the write freed (a replaced record's, never o.BlobID)
	// for the caller to remove. Storing a record equal to the stored one in
	// a bucket whose versioning was never enabled writes nothing. It
	// returns ErrNotFound when the bucket does not exist, and what
	// want.Check returns, storing nothing, when the current version does
	// not meet want (a delete marker counts as no record).
	PutObject(ctx context.Context, o Object, want Expect) (WriteResult, error)
	// GetObject returns the key's current version, with VersionID set and
	// IsLatest true; ErrNotFound when there is none or it is a delete
	// marker.
	GetObject(ctx context.Context, bucket, key string) (Object, error)
	// DeleteObject deletes the key as the bucket's versioning state says
	// (Versions): it removes the record, returned in Removed, or adds a
	// delete marker. It returns ErrNotFound if the bucket is absent, or if
	// the bucket's versioning was never enabled and the key is absent
	// (also ErrPrecondition when want needs a record), and ErrPrecondition,
	// changing nothing, when the current version does not meet want.
	DeleteObject(ctx context.Context, bucket, key string, want Expect) (WriteResult, error)
	ListObjects(ctx context.Context, bucket string, p ListParams) (ListPage, error)
	// BlobIDs calls fn for every blob id a record points at, noncurrent
	// versions included.
	BlobIDs(ctx context.Context, fn func(id string) error) error

	Close() error
}

// Blobs stores object bytes under random ids. Implementations are safe for
// concurrent use.
type Blobs interface {
	// Create starts a new blob. The caller must Commit or Abort it.
	Create(ctx context.Context) (BlobWriter, error)
	// Open opens a committed blob for reading.
	Open(ctx context.Context, id string) (Blob, error)
	// Remove deletes a blob; removing a missing blob is not an error.
	Remove(ctx context.Context, id string) error
	// Sweep removes unfinished writes and every committed blob for which
	// keep returns false. It is meant for start-up, before serving.
	Sweep(ctx context.Context, keep func(id string) bool) (removed int, err error)
}

// BlobWriter receives a new blob's bytes.
type BlobWriter interface {
	io.Writer
	// Commit makes the bytes durable and returns the blob's id.
	Commit() (id string, err error)
	// Abort discards the bytes; it is safe to call after Commit (no-op).
	Abort() error
}

// Blob is an open committed blob.
type Blob interface {
	io.ReadSeekCloser
	io.ReaderAt
	Size() int64
}
