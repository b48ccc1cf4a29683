package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// objectColumns is the column list of the objects table scanObject reads
// and objectArgs writes.
const objectColumns = `bucket, key, blob_id, size, etag, last_modified,
	headers, user_meta, checksums, version_id, tags, parts`

// objectValues are the placeholders for objectColumns and seq.
const objectValues = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// blobIDBatch is how many records BlobIDs reads per query; no connection is
// held while its callback runs.
const blobIDBatch = 1000

// PutObject stores o as the key's new current version, following the
// bucket's versioning state (see store.Versions), and returns its version
// id and the blob the write freed. Storing a record equal to the stored
// one in a bucket whose versioning was never enabled writes nothing. It
// returns store.ErrNotFound when the bucket does not exist, and what
// want.Check returns when the current version does not meet want; the
// check and the write share one write transaction, in which a new version
// id is drawn.
func (db *DB) PutObject(ctx context.Context, o store.Object, want store.Expect) (
	store.WriteResult, error) {
	var res store.WriteResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = putObject(ctx, tx, o, want)
		return err
	})
	return res, fail(err, "put object %q in bucket %s", o.Key, o.Bucket)
}

// putObject is PutObject inside a write transaction, queueing the event
// ctx carries (queueEvent).
func putObject(ctx context.Context, tx *sql.Tx, o store.Object, want store.Expect) (
	store.WriteResult, error) {
	res, err := storeObject(ctx, tx, o, want)
	if err != nil {
		return res, err
	}
	return res, queueEvent(ctx, tx, o.Bucket, o.Key, func(e *store.Event) {
		e.Size, e.ETag, e.VersionID = o.Size, o.ETag, res.VersionID
	})
}

// storeObject writes o's record for putObject.
func storeObject(ctx context.Context, tx *sql.Tx, o store.Object, want store.Expect) (
	store.WriteResult, error) {
	state, err := bucketVersioning(ctx, tx, o.Bucket)
	if err != nil {
		return store.WriteResult{}, err
	}
	cur, found, err := currentObject(ctx, tx, o.Bucket, o.Key)
	if err != nil {
		return store.WriteResult{}, err
	}
	if err := want.Check(cur, found); err != nil {
		return store.WriteResult{}, err
	}
	if state == "" {
		return putUnversioned(ctx, tx, o, cur, found)
	}
	o.VersionID = store.NullVersion
	if state == store.VersioningEnabled {
		o.VersionID = newVersionID()
	}
	freed, err := makeRoom(ctx, tx, o.Bucket, o.Key, state)
	if err != nil {
		return store.WriteResult{}, err
	}
	if err := insertCurrent(ctx, tx, o); err != nil {
		return store.WriteResult{}, err
	}
	return store.WriteResult{VersionID: o.VersionID, Freed: freed}, nil
}

// putUnversioned replaces the key's one record in a bucket whose versioning
// was never enabled, writing nothing when the stored record is equal.
func putUnversioned(ctx context.Context, tx *sql.Tx, o store.Object, cur store.Object,
	found bool) (store.WriteResult, error) {
	o.VersionID = store.NullVersion
	seq, err := nextSeq(ctx, tx, o.Bucket, o.Key)
	if err != nil {
		return store.WriteResult{}, err
	}
	args, err := objectArgs(o, seq)
	if err != nil {
		return store.WriteResult{}, err
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO objects (`+objectColumns+`, seq) VALUES `+objectValues+`
ON CONFLICT (bucket, key) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size,
	etag = excluded.etag, last_modified = excluded.last_modified,
	headers = excluded.headers, user_meta = excluded.user_meta, checksums = excluded.checksums,
	tags = excluded.tags, parts = excluded.parts
WHERE (blob_id, size, etag, last_modified, headers, user_meta, checksums, tags, parts) IS NOT
	(excluded.blob_id, excluded.size, excluded.etag, excluded.last_modified,
	excluded.headers, excluded.user_meta, excluded.checksums, excluded.tags,
	excluded.parts)`, args...)
	if err != nil || !found || cur.BlobID == o.BlobID {
		return store.WriteResult{}, err
	}
	return store.WriteResult{Freed: cur.BlobID}, nil
}

// makeRoom prepares a key of a versioned bucket for a new current version:
// in a suspended bucket it removes the null version, returning its blob,
// and it moves the current version, when it is not a delete marker, from
// objects to object_versions.
func makeRoom(ctx context.Context, tx *sql.Tx, bucket, key, state string) (string, error) {
	var freed string
	if state == store.VersioningSuspended {
		removed, found, err := removeVersion(ctx, tx, bucket, key, store.NullVersion)
		if err != nil {
			return "", err
		}
		if found {
			freed = removed.BlobID
		}
	}
	return freed, demoteCurrent(ctx, tx, bucket, key)
}

// insertCurrent inserts o into objects as the key's newest version; the
// key must have no row there.
func insertCurrent(ctx context.Context, tx *sql.Tx, o store.Object) error {
	seq, err := nextSeq(ctx, tx, o.Bucket, o.Key)
	if err != nil {
		return err
	}
	args, err := objectArgs(o, seq)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx,
		`INSERT INTO objects (`+objectColumns+`, seq) VALUES `+objectValues, args...)
	return err
}

// objectArgs returns o's values in objectColumns order, then seq.
func objectArgs(o store.Object, seq int64) ([]any, error) {
	headers, err := encodeMap(o.Headers)
	if err != nil {
		return nil, err
	}
	meta, err := encodeMap(o.UserMeta)
	if err != nil {
		return nil, err
	}
	sums, err := encodeMap(o.Checksums)
	if err != nil {
		return nil, err
	}
	tags, err := encodeMap(o.Tags)
	if err != nil {
		return nil, err
	}
	return []any{o.Bucket, []byte(o.Key), o.BlobID, o.Size, o.ETag,
		toNanos(o.LastModified), headers, meta, sums, o.VersionID, tags,
		encodeSizes(o.PartSizes), seq}, nil
}

// GetObject returns the key's current version when it is not a delete
// marker. It returns store.ErrNotFound, wrapped with whether the bucket or
// the key was missing.
func (db *DB) GetObject(ctx context.Context, bucket, key string) (store.Object, error) {
	var o store.Object
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = getObject(ctx, tx, bucket, key)
		return err
	})
	return o, fail(err, "get object")
}

// getObject reads one current record and explains a miss.
func getObject(ctx context.Context, tx *sql.Tx, bucket, key string) (store.Object, error) {
	o, found, err := currentObject(ctx, tx, bucket, key)
	if err != nil || found {
		return o, err
	}
	if err := needBucket(ctx, tx, bucket); err != nil {
		return o, err
	}
	return o, missing("key %q in bucket %s", key, bucket)
}

// currentObject reads the key's row of objects: its current version unless
// that is a delete marker.
func currentObject(ctx context.Context, tx *sql.Tx, bucket, key string) (store.Object, bool,
	error) {
	var o store.Object
	row := tx.QueryRowContext(ctx,
		`SELECT `+objectColumns+` FROM objects WHERE bucket = ? AND key = ?`,
		bucket, []byte(key))
	err := scanObject(row, &o)
	if errors.Is(err, sql.ErrNoRows) {
		return o, false, nil
	}
	return o, err == nil, err
}

// DeleteObject deletes a key following the bucket's versioning state (see
// store.Versions). It returns store.ErrNotFound, wrapped with whether the
// bucket or the key was missing, and store.ErrPrecondition when the
// current version does not meet want (with store.ErrNotFound too when want
// needs a record and there is none).
func (db *DB) DeleteObject(ctx context.Context, bucket, key string, want store.Expect) (
	store.WriteResult, error) {
	var res store.WriteResult
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		res, err = deleteObject(ctx, tx, bucket, key, want)
		return err
	})
	return res, fail(err, "delete object")
}

// deleteObject is DeleteObject inside a write transaction, queueing the
// event ctx carries (queueEvent), named after what the delete did.
func deleteObject(ctx context.Context, tx *sql.Tx, bucket, key string, want store.Expect) (
	store.WriteResult, error) {
	res, err := removeObject(ctx, tx, bucket, key, want)
	if err != nil {
		return res, err
	}
	return res, queueEvent(ctx, tx, bucket, key, func(e *store.Event) {
		e.Name, e.VersionID = store.EventDelete, res.VersionID
		if res.DeleteMarker {
			e.Name = store.EventDeleteMarkerCreated
		}
	})
}

// removeObject removes the key or adds a delete marker for deleteObject.
func removeObject(ctx context.Context, tx *sql.Tx, bucket, key string, want store.Expect) (
	store.WriteResult, error) {
	state, err := bucketVersioning(ctx, tx, bucket)
	if err != nil {
		return store.WriteResult{}, err
	}
	cur, found, err := currentObject(ctx, tx, bucket, key)
	if err != nil {
		return store.WriteResult{}, err
	}
	if cerr := want.Check(cur, found); cerr != nil {
		return store.WriteResult{}, fmt.Errorf("key %q in bucket %s: %w", key, bucket, cerr)
	}
	if state != "" {
		return addDeleteMarker(ctx, tx, bucket, key, state)
	}
	if !found {
		return store.WriteResult{}, missing("key %q in bucket %s", key, bucket)
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`,
		bucket, []byte(key))
	return store.WriteResult{Freed: cur.BlobID, Removed: cur}, err
}

// BlobIDs calls fn for the BlobID of every record, current and noncurrent,
// in bucket and key order, current versions first. Records written while
// it runs may or may not be visited. It stops at, and returns, the first
// error from fn.
func (db *DB) BlobIDs(ctx context.Context, fn func(id string) error) error {
	for _, table := range []string{"objects", "object_versions"} {
		if err := db.tableBlobIDs(ctx, table, fn); err != nil {
			return err
		}
	}
	return db.partBlobIDs(ctx, fn) // parts of uploads in progress (multipart.go)
}

// tableBlobIDs calls fn for every blob id of one table, delete markers'
// empty ones left out.
func (db *DB) tableBlobIDs(ctx context.Context, table string, fn func(id string) error) error {
	pos := blobPos{key: []byte{}, seq: -1} // ("", x'', -1) sorts before every record
	for {
		ids, err := db.blobIDPage(ctx, table, &pos)
		if err != nil {
			return fail(err, "list blob ids")
		}
		for _, id := range ids {
			if id == "" {
				continue
			}
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < blobIDBatch {
			return nil
		}
	}
}

// blobPos is where a page of blobIDPage starts: past this row.
type blobPos struct {
	bucket string
	key    []byte
	seq    int64
}

// blobIDPage reads the blob ids of up to blobIDBatch rows of table that
// sort after *pos by (bucket, key, seq), and leaves the last row's position
// in *pos.
func (db *DB) blobIDPage(ctx context.Context, table string, pos *blobPos) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT bucket, key, seq, blob_id FROM `+table+`
WHERE (bucket, key, seq) > (?, ?, ?) ORDER BY bucket, key, seq LIMIT ?`,
		pos.bucket, pos.key, pos.seq, blobIDBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&pos.bucket, &pos.key, &pos.seq, &id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanObject scans objectColumns into o, a row of objects and so current.
func scanObject(row interface{ Scan(...any) error }, o *store.Object) error {
	var key []byte
	var modified int64
	var headers, meta, sums, tags, parts []byte
	err := row.Scan(&o.Bucket, &key, &o.BlobID, &o.Size, &o.ETag, &modified,
		&headers, &meta, &sums, &o.VersionID, &tags, &parts)
	if err != nil {
		return err
	}
	o.Key, o.IsLatest = string(key), true
	o.LastModified = fromNanos(modified)
	return errors.Join(decodeMap(headers, &o.Headers), decodeMap(meta, &o.UserMeta),
		decodeMap(sums, &o.Checksums), decodeMap(tags, &o.Tags),
		decodeSizes(parts, &o.PartSizes))
}

// encodeMap encodes m as a JSON object with sorted keys, so that equal maps
// store equal text; nil and empty maps both store "{}".
func encodeMap(m map[string]string) (string, error) {
	if len(m) == 0 {
		return "{}", nil
	}
	b, err := json.Marshal(m)
	if err != nil {
		return "", fmt.Errorf("encode map: %w", err)
	}
	return string(b), nil
}

// decodeMap decodes a JSON object into *m, leaving *m nil when it is empty.
func decodeMap(b []byte, m *map[string]string) error {
	if string(b) == "{}" {
		*m = nil
		return nil
	}
	if err := json.Unmarshal(b, m); err != nil {
		return fmt.Errorf("decode map: %w", err)
	}
	return nil
}

// encodeSizes encodes part sizes as a JSON array; nil and empty both store
// "[]", so that equal records store equal text.
func encodeSizes(sizes []int64) string {
	if len(sizes) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(sizes) // a slice of integers always encodes
	return string(b)
}

// decodeSizes decodes a JSON array of part sizes into *sizes, leaving it
// nil when the array is empty.
func decodeSizes(b []byte, sizes *[]int64) error {
	*sizes = nil
	if string(b) == "[]" {
		return nil
	}
	if err := json.Unmarshal(b, sizes); err != nil {
		return fmt.Errorf("decode part sizes: %w", err)
	}
	return nil
}
