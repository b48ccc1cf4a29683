package sqlite

import (
	"context"
	"database/sql"
)

// SetBucketTags replaces the bucket's tag set; nil or empty removes it. It
// returns store.ErrNotFound when there is no such bucket.
func (db *DB) SetBucketTags(ctx context.Context, bucket string, tags map[string]string) error {
	var value any // NULL: no tag set
	if len(tags) > 0 {
		enc, err := encodeMap(tags)
		if err != nil {
			return fail(err, "set tags of bucket %s", bucket)
		}
		value = enc
	}
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE buckets SET tags = ? WHERE name = ?`, value, bucket)
		return err
	})
	return fail(err, "set tags of bucket %s", bucket)
}

// SetObjectTags replaces the tag set of one version of a key, versionID ""
// naming the current one, and returns the version's id. It returns
// store.ErrNotFound, wrapped, when the bucket or the version is missing or
// the version is a delete marker.
func (db *DB) SetObjectTags(ctx context.Context, bucket, key, versionID string,
	tags map[string]string) (string, error) {
	enc, err := encodeMap(tags)
	if err != nil {
		return "", fail(err, "set object tags")
	}
	var id string
	err = db.write(ctx, func(tx *sql.Tx) error {
		o, found, err := findVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		if !found || o.DeleteMarker {
			if err := needBucket(ctx, tx, bucket); err != nil {
				return err
			}
			return missing("version %q of key %q in bucket %s", versionID, key, bucket)
		}
		id = o.VersionID
		table := "object_versions"
		if o.IsLatest {
			table = "objects"
		}
		_, err = tx.ExecContext(ctx, `UPDATE `+table+
			` SET tags = ? WHERE bucket = ? AND key = ? AND version_id = ?`,
			enc, bucket, []byte(key), id)
		return err
	})
	return id, fail(err, "set object tags")
}
