package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// objectColumns is the column list scanObject reads.
const objectColumns = `bucket, key, blob_id, size, etag, last_modified,
	headers, user_meta, checksums`

// blobIDBatch is how many records BlobIDs reads per query; no connection is
// held while its callback runs.
const blobIDBatch = 1000

// PutObject stores o, replacing the record under the same key, and returns
// the replaced record's BlobID for the caller to remove. The BlobID is ""
// when no record was replaced or the replaced record points at o.BlobID
// itself. Storing a record equal to the stored one writes nothing. It
// returns store.ErrNotFound when the bucket does not exist, and what
// want.Check returns when the stored record does not meet want; the check
// and the write share one write transaction.
func (db *DB) PutObject(ctx context.Context, o store.Object, want store.Expect) (string, error) {
	var replaced string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		replaced, err = putObject(ctx, tx, o, want)
		return err
	})
	return replaced, fail(err, "put object %q in bucket %s", o.Key, o.Bucket)
}

// putObject is PutObject inside a write transaction.
func putObject(ctx context.Context, tx *sql.Tx, o store.Object, want store.Expect) (
	string, error) {
	if err := needBucket(ctx, tx, o.Bucket); err != nil {
		return "", err
	}
	var old store.Object
	err := tx.QueryRowContext(ctx,
		`SELECT blob_id, etag FROM objects WHERE bucket = ? AND key = ?`,
		o.Bucket, []byte(o.Key)).Scan(&old.BlobID, &old.ETag)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if err := want.Check(old, err == nil); err != nil {
		return "", err
	}
	args, err := objectArgs(o)
	if err != nil {
		return "", err
	}
	_, err = tx.ExecContext(ctx, `
INSERT INTO objects (`+objectColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (bucket, key) DO UPDATE SET blob_id = excluded.blob_id, size = excluded.size,
	etag = excluded.etag, last_modified = excluded.last_modified,
	headers = excluded.headers, user_meta = excluded.user_meta, checksums = excluded.checksums
WHERE (blob_id, size, etag, last_modified, headers, user_meta, checksums) IS NOT
	(excluded.blob_id, excluded.size, excluded.etag, excluded.last_modified,
	excluded.headers, excluded.user_meta, excluded.checksums)`, args...)
	if err != nil || old.BlobID == o.BlobID {
		return "", err
	}
	return old.BlobID, nil
}

// objectArgs returns o's values in objectColumns order.
func objectArgs(o store.Object) ([]any, error) {
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
	return []any{o.Bucket, []byte(o.Key), o.BlobID, o.Size, o.ETag,
		toNanos(o.LastModified), headers, meta, sums}, nil
}

// GetObject returns the record of one object. It returns store.ErrNotFound,
// wrapped with whether the bucket or the key was missing.
func (db *DB) GetObject(ctx context.Context, bucket, key string) (store.Object, error) {
	var o store.Object
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		o, err = getObject(ctx, tx, bucket, key)
		return err
	})
	return o, fail(err, "get object")
}

// getObject reads one record and explains a miss.
func getObject(ctx context.Context, tx *sql.Tx, bucket, key string) (store.Object, error) {
	var o store.Object
	row := tx.QueryRowContext(ctx,
		`SELECT `+objectColumns+` FROM objects WHERE bucket = ? AND key = ?`,
		bucket, []byte(key))
	err := scanObject(row, &o)
	if !errors.Is(err, sql.ErrNoRows) {
		return o, err
	}
	if err := needBucket(ctx, tx, bucket); err != nil {
		return o, err
	}
	return o, missing("key %q in bucket %s", key, bucket)
}

// DeleteObject removes a record and returns it. It returns
// store.ErrNotFound, wrapped with whether the bucket or the key was missing,
// and store.ErrPrecondition when the record does not meet want (with
// store.ErrNotFound too when want needs a record and the key is missing).
func (db *DB) DeleteObject(ctx context.Context, bucket, key string, want store.Expect) (
	store.Object, error) {
	var o store.Object
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		var err error
		o, err = getObject(ctx, tx, bucket, key)
		found := err == nil
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if cerr := want.Check(o, found); cerr != nil {
			return fmt.Errorf("key %q in bucket %s: %w", key, bucket, cerr)
		}
		if !found {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM objects WHERE bucket = ? AND key = ?`,
			bucket, []byte(key))
		return err
	})
	return o, fail(err, "delete object")
}

// BlobIDs calls fn for the BlobID of every record, in bucket and key order.
// Records written while it runs may or may not be visited. It stops at, and
// returns, the first error from fn.
func (db *DB) BlobIDs(ctx context.Context, fn func(id string) error) error {
	bucket, key, op := "", []byte{}, ">=" // ("", x'') sorts before every record
	for {
		ids, err := db.blobIDPage(ctx, op, &bucket, &key)
		if err != nil {
			return fail(err, "list blob ids")
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < blobIDBatch {
			return nil
		}
		op = ">"
	}
}

// blobIDPage reads the blob ids of up to blobIDBatch records whose (bucket,
// key) compare by op to (*bucket, *key), and leaves the last record's bucket
// and key there.
func (db *DB) blobIDPage(ctx context.Context, op string, bucket *string, key *[]byte) (
	[]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT bucket, key, blob_id FROM objects
WHERE (bucket, key) `+op+` (?, ?) ORDER BY bucket, key LIMIT ?`, *bucket, *key, blobIDBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(bucket, key, &id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// scanObject scans objectColumns into o.
func scanObject(row interface{ Scan(...any) error }, o *store.Object) error {
	var key []byte
	var modified int64
	var headers, meta, sums []byte
	err := row.Scan(&o.Bucket, &key, &o.BlobID, &o.Size, &o.ETag, &modified,
		&headers, &meta, &sums)
	if err != nil {
		return err
	}
	o.Key = string(key)
	o.LastModified = fromNanos(modified)
	return errors.Join(decodeMap(headers, &o.Headers), decodeMap(meta, &o.UserMeta),
		decodeMap(sums, &o.Checksums))
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
