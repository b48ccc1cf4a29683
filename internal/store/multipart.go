package store

import (
	"context"
	"time"
)

// Upload is a multipart upload in progress: what CreateMultipartUpload
// fixed for the object that completing it will make.
type Upload struct {
	Bucket string
	Key    string
	// ID is the upload id: random, unguessable, and sorting after the ids
	// of earlier uploads (see package s3api), as S3 lists them.
	ID        string
	Initiated time.Time
	// Owner is the account the upload's object will belong to (the
	// bucket's owner); Initiator is the ARN of the principal that created it.
	Owner     string
	Initiator string
	// Headers, UserMeta and Tags become the object's (see Object).
	Headers  map[string]string
	UserMeta map[string]string
	Tags     map[string]string
	// ChecksumAlgorithm is the x-amz-checksum-algorithm named at creation,
	// "" when none was; ChecksumType is then COMPOSITE or FULL_OBJECT.
	ChecksumAlgorithm string
	ChecksumType      string
	// KeyHeaders are the request headers of the creation that are condition
	// keys of every later call on the upload (s3:x-amz-server-side-encryption
	// and the like), keyed in canonical form.
	KeyHeaders map[string]string
}

// Part is one uploaded part of an Upload.
type Part struct {
	Number       int // 1 to 10000
	BlobID       string
	Size         int64
	ETag         string // quoted MD5 of the part's bytes
	LastModified time.Time
	// Checksums maps an algorithm to the base64 checksum of the part.
	Checksums map[string]string
}

// UploadListParams selects a page of a bucket's uploads, in key order and,
// for one key, in upload id order.
type UploadListParams struct {
	Prefix    string
	Delimiter string
	// KeyMarker excludes the uploads of keys up to and including it, but
	// for UploadIDMarker: when both are set, the uploads of KeyMarker whose
	// ids sort after UploadIDMarker are included.
	KeyMarker      string
	UploadIDMarker string
	MaxUploads     int // uploads plus common prefixes; 0 means none
}

// UploadPage is one page of uploads. NextKeyMarker and NextUploadIDMarker
// name the last upload (or common prefix, with an empty upload id) listed.
type UploadPage struct {
	Uploads            []Upload
	CommonPrefixes     []string
	Truncated          bool
	NextKeyMarker      string
	NextUploadIDMarker string
}

// PartPage is one page of an upload's parts, by part number.
type PartPage struct {
	Parts     []Part
	Truncated bool
}

// Multipart is the part of Meta that records multipart uploads and their
// parts until they are completed or aborted. The part blobs an upload
// records are its own: BlobIDs visits them, so that a start-up sweep keeps
// them, and the caller removes the ids that PutPart and DeleteUpload hand
// back. Every method that names an upload returns ErrNotFound (wrapped)
// when bucket, key and id do not name one.
type Multipart interface {
	// CreateUpload records u with no parts. It returns ErrNotFound when the
	// bucket does not exist.
	CreateUpload(ctx context.Context, u Upload) error
	GetUpload(ctx context.Context, bucket, key, id string) (Upload, error)
	// PutPart records p, replacing the part of the same number, and returns
	// the replaced part's BlobID ("" if none) for the caller to remove.
	PutPart(ctx context.Context, bucket, key, id string, p Part) (replacedBlob string,
		err error)
	// ListParts returns up to limit parts whose numbers are above after.
	ListParts(ctx context.Context, bucket, key, id string, after, limit int) (PartPage, error)
	// DeleteUpload removes the upload and its parts and returns the parts'
	// blob ids for the caller to remove.
	DeleteUpload(ctx context.Context, bucket, key, id string) (partBlobs []string, err error)
	// CompleteUpload stores o as PutObject does (want, versioning and the
	// result alike) and, in the same transaction, removes the upload id of
	// o's bucket and key with its parts, returning the parts' blob ids for
	// the caller to remove. When the upload is gone (another completion or
	// an abort came first) it returns ErrNotFound and stores nothing.
	CompleteUpload(ctx context.Context, id string, o Object, want Expect) (WriteResult,
		[]string, error)
	// ListUploads lists a bucket's uploads; ErrNotFound when the bucket
	// does not exist.
	ListUploads(ctx context.Context, bucket string, p UploadListParams) (UploadPage, error)
}
