package store

import "context"

// Tagging is the part of Meta that stores bucket and object tag sets. Tag
// sets are stored as given; the limits on them are the caller's to apply.
type Tagging interface {
	// SetBucketTags replaces the bucket's tag set; nil or empty removes it,
	// so that GetBucket returns nil Tags. It returns ErrNotFound when the
	// bucket does not exist.
	SetBucketTags(ctx context.Context, bucket string, tags map[string]string) error
	// SetObjectTags replaces the tag set of one version of a key (versionID
	// "" names the current one) and returns that version's id. It returns
	// ErrNotFound when the bucket, the key or the version is missing, or
	// when the version is a delete marker, which has no tags.
	SetObjectTags(ctx context.Context, bucket, key, versionID string,
		tags map[string]string) (string, error)
}
