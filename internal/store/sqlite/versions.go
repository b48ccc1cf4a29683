package sqlite

// Versioning keeps a key's versions in two tables (schema version 3): the
// objects table holds the current version when it is not a delete marker,
// object_versions every other version. seq orders a key's versions across
// both, larger being newer, so that the objects row, when there is one, has
// the key's largest seq, and when there is none the current version is the
// newest row of object_versions: a delete marker.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// versionColumns is the column list of object_versions scanVersion reads.
const versionColumns = `bucket, key, blob_id, size, etag, last_modified,
	headers, user_meta, checksums, version_id, tags, parts, delete_marker`

// versionIDBytes is how many random bytes a version id carries; base64url
// makes 32 characters of them, the length of S3's version ids.
const versionIDBytes = 24

// newVersionID draws a random, URL-safe version id.
func newVersionID() string {
	var b [versionIDBytes]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// SetBucketVersioning sets the bucket's versioning state. It returns
// store.ErrNotFound when there is no such bucket.
func (db *DB) SetBucketVersioning(ctx context.Context, bucket, state string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE buckets SET versioning = ? WHERE name = ?`,
			state, bucket)
		return err
	})
	return fail(err, "set versioning of bucket %s", bucket)
}

// bucketVersioning reads the bucket's versioning state, or store.ErrNotFound.
func bucketVersioning(ctx context.Context, tx *sql.Tx, bucket string) (string, error) {
	var state string
	err := tx.QueryRowContext(ctx, `SELECT versioning FROM buckets WHERE name = ?`, bucket).
		Scan(&state)
	if errors.Is(err, sql.ErrNoRows) {
		return "", missing("bucket %s", bucket)
	}
	return state, err
}

// nextSeq returns a seq larger than every version of the key has.
func nextSeq(ctx context.Context, tx *sql.Tx, bucket, key string) (int64, error) {
	var seq int64
	err := tx.QueryRowContext(ctx, `SELECT max(
	(SELECT coalesce(max(seq), -1) FROM objects WHERE bucket = ?1 AND key = ?2),
	(SELECT coalesce(max(seq), -1) FROM object_versions WHERE bucket = ?1 AND key = ?2))`,
		bucket, []byte(key)).Scan(&seq)
	return seq + 1, err
}

// demoteCurrent moves the key's objects row, if any, to object_versions.
func demoteCurrent(ctx context.Context, tx *sql.Tx, bucket, key string) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO object_versions (bucket, key, seq, version_id, delete_marker, blob_id, size, etag,
	last_modified, headers, user_meta, checksums, tags, parts)
SELECT bucket, key, seq, version_id, 0, blob_id, size, etag,
	last_modified, headers, user_meta, checksums, tags, parts
FROM objects WHERE bucket = ? AND key = ?`, bucket, []byte(key))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`,
		bucket, []byte(key))
	return err
}

// promoteNewest makes the key's newest version of object_versions its
// objects row, unless the key has one already or that version is a delete
// marker, after the version that was current has been removed.
func promoteNewest(ctx context.Context, tx *sql.Tx, bucket, key string) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO objects (`+objectColumns+`, seq)
SELECT `+objectColumns+`, seq FROM object_versions
WHERE bucket = ?1 AND key = ?2 AND delete_marker = 0
	AND seq = (SELECT max(seq) FROM object_versions WHERE bucket = ?1 AND key = ?2)
	AND NOT EXISTS (SELECT 1 FROM objects WHERE bucket = ?1 AND key = ?2)`,
		bucket, []byte(key))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `
DELETE FROM object_versions WHERE bucket = ?1 AND key = ?2
	AND seq = (SELECT seq FROM objects WHERE bucket = ?1 AND key = ?2)`,
		bucket, []byte(key))
	return err
}

// addDeleteMarker makes a delete marker the key's current version: a new
// version id in an enabled bucket, the null version (replacing the one
// there was, whose blob it returns as freed) in a suspended one.
func addDeleteMarker(ctx context.Context, tx *sql.Tx, bucket, key, state string) (
	store.WriteResult, error) {
	res := store.WriteResult{VersionID: store.NullVersion, DeleteMarker: true}
	if state == store.VersioningEnabled {
		res.VersionID = newVersionID()
	}
	freed, err := makeRoom(ctx, tx, bucket, key, state)
	if err != nil {
		return res, err
	}
	res.Freed = freed
	seq, err := nextSeq(ctx, tx, bucket, key)
	if err != nil {
		return res, err
	}
	// TODO(trove): the marker's time is this process's clock, not the S3
	// handler's Config.Now; passing the time in needs a parameter on
	// DeleteObject, worth adding once a test must pin marker times.
	now := time.Now().UTC().Truncate(time.Millisecond)
	_, err = tx.ExecContext(ctx, `
INSERT INTO object_versions (bucket, key, seq, version_id, delete_marker, blob_id, size, etag,
	last_modified, headers, user_meta, checksums, tags, parts)
VALUES (?, ?, ?, ?, 1, '', 0, '', ?, '{}', '{}', '{}', '{}', '[]')`,
		bucket, []byte(key), seq, res.VersionID, toNanos(now))
	return res, err
}

// GetObjectVersion returns one version of a key, a delete marker included;
// versionID "" names the current version. It returns store.ErrNotFound,
// wrapped with whether the bucket, the key or the version was missing.
func (db *DB) GetObjectVersion(ctx context.Context, bucket, key, versionID string) (
	store.Object, error) {
	var o store.Object
	err := db.read(ctx, func(tx *sql.Tx) error {
		var found bool
		var err error
		o, found, err = findVersion(ctx, tx, bucket, key, versionID)
		if err != nil || found {
			return err
		}
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		return missing("version %q of key %q in bucket %s", versionID, key, bucket)
	})
	return o, fail(err, "get object version")
}

// findVersion reads one version of a key, versionID "" naming the current
// one, with IsLatest set.
func findVersion(ctx context.Context, tx *sql.Tx, bucket, key, versionID string) (
	store.Object, bool, error) {
	cur, found, err := currentObject(ctx, tx, bucket, key)
	if err != nil || (found && (versionID == "" || cur.VersionID == versionID)) {
		return cur, found, err
	}
	q := `SELECT ` + versionColumns + `, seq = (SELECT max(seq) FROM object_versions
	WHERE bucket = ?1 AND key = ?2) FROM object_versions WHERE bucket = ?1 AND key = ?2 AND `
	args := []any{bucket, []byte(key)}
	if versionID == "" {
		q += `seq = (SELECT max(seq) FROM object_versions WHERE bucket = ?1 AND key = ?2)`
	} else {
		q += `version_id = ?3`
		args = append(args, versionID)
	}
	var o store.Object
	var newest bool
	err = scanVersion(tx.QueryRowContext(ctx, q, args...), &o, &newest)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	o.IsLatest = newest && !found
	return o, err == nil, err
}

// scanVersion scans versionColumns, then the extra columns given, into o.
func scanVersion(row interface{ Scan(...any) error }, o *store.Object, extra ...any) error {
	var key []byte
	var modified int64
	var headers, meta, sums, tags, parts []byte
	dest := []any{&o.Bucket, &key, &o.BlobID, &o.Size, &o.ETag, &modified,
		&headers, &meta, &sums, &o.VersionID, &tags, &parts, &o.DeleteMarker}
	if err := row.Scan(append(dest, extra...)...); err != nil {
		return err
	}
	o.Key = string(key)
	o.LastModified = fromNanos(modified)
	return errors.Join(decodeMap(headers, &o.Headers), decodeMap(meta, &o.UserMeta),
		decodeMap(sums, &o.Checksums), decodeMap(tags, &o.Tags),
		decodeSizes(parts, &o.PartSizes))
}

// DeleteObjectVersion removes one version of a key, a delete marker
// included, and makes the newest remaining version current. It returns
// store.ErrNotFound, wrapped with whether the bucket or the version was
// missing.
func (db *DB) DeleteObjectVersion(ctx context.Context, bucket, key, versionID string) (
	store.WriteResult, error) {
	var res store.WriteResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		o, found, err := removeVersion(ctx, tx, bucket, key, versionID)
		if err != nil {
			return err
		}
		if !found {
			return missing("version %q of key %q in bucket %s", versionID, key, bucket)
		}
		res = store.WriteResult{VersionID: versionID, DeleteMarker: o.DeleteMarker,
			Freed: o.BlobID, Removed: o}
		if err := promoteNewest(ctx, tx, bucket, key); err != nil {
			return err
		}
		return queueEvent(ctx, tx, bucket, key, func(e *store.Event) {
			e.Name, e.VersionID = store.EventDelete, versionID
		})
	})
	return res, fail(err, "delete object version")
}

// removeVersion deletes one version of a key from whichever table holds it
// and returns it, promoting nothing.
func removeVersion(ctx context.Context, tx *sql.Tx, bucket, key, versionID string) (
	store.Object, bool, error) {
	o, found, err := findVersion(ctx, tx, bucket, key, versionID)
	if err != nil || !found {
		return o, false, err
	}
	table := "object_versions"
	if o.IsLatest && !o.DeleteMarker {
		table = "objects"
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM `+table+
		` WHERE bucket = ? AND key = ? AND version_id = ?`, bucket, []byte(key), versionID)
	return o, true, err
}
