package sqlite

import (
	"context"
	"database/sql"

	"github.com/troveproject/trove/internal/store"
)

// bucketColumns is the column list scanBucket reads.
const bucketColumns = `name, owner, region, created, policy, versioning, tags, notification`

// CreateBucket creates b. It returns store.ErrBucketExists when the name is
// taken, whoever owns it, and store.ErrNotFound when the owner account does
// not exist.
func (db *DB) CreateBucket(ctx context.Context, b store.Bucket) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, b.Owner); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `
INSERT INTO buckets (name, owner, region, created, policy) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (name) DO NOTHING`,
			b.Name, b.Owner, b.Region, toNanos(b.Created), policyValue(b.Policy))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			err = store.ErrBucketExists
		}
		return err
	})
	return fail(err, "create bucket %s", b.Name)
}

// GetBucket returns a bucket, or store.ErrNotFound.
func (db *DB) GetBucket(ctx context.Context, name string) (store.Bucket, error) {
	var b store.Bucket
	row := db.r.QueryRowContext(ctx, `SELECT `+bucketColumns+` FROM buckets WHERE name = ?`,
		name)
	err := scanBucket(row, &b)
	return b, fail(err, "get bucket %s", name)
}

// ListBuckets lists the buckets one account owns, by name.
func (db *DB) ListBuckets(ctx context.Context, owner string) ([]store.Bucket, error) {
	bs, err := list(ctx, db.r,
		`SELECT `+bucketColumns+` FROM buckets WHERE owner = ? ORDER BY name`, []any{owner},
		func(rows *sql.Rows, b *store.Bucket) error { return scanBucket(rows, b) })
	return bs, fail(err, "list buckets of account %s", owner)
}

// DeleteBucket deletes an empty bucket. It returns store.ErrBucketNotEmpty
// when objects, noncurrent versions or delete markers remain, and
// store.ErrNotFound when there is no such bucket.
func (db *DB) DeleteBucket(ctx context.Context, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, name); err != nil {
			return err
		}
		full, err := exists(ctx, tx, `SELECT 1 FROM objects WHERE bucket = ?1
UNION ALL SELECT 1 FROM object_versions WHERE bucket = ?1 LIMIT 1`, name)
		if err != nil {
			return err
		}
		if full {
			return store.ErrBucketNotEmpty
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM buckets WHERE name = ?`, name)
		return err
	})
	return fail(err, "delete bucket %s", name)
}

// PutBucketPolicy stores doc as the bucket's policy; nil or empty deletes it.
// It returns store.ErrNotFound when there is no such bucket.
func (db *DB) PutBucketPolicy(ctx context.Context, bucket string, doc []byte) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`UPDATE buckets SET policy = ?1 WHERE name = ?2 AND policy IS NOT ?1`,
			policyValue(doc), bucket)
		return err
	})
	return fail(err, "put policy of bucket %s", bucket)
}

// scanBucket scans bucketColumns into b.
func scanBucket(row interface{ Scan(...any) error }, b *store.Bucket) error {
	var created int64
	var tags []byte
	err := row.Scan(&b.Name, &b.Owner, &b.Region, &created, &b.Policy, &b.Versioning, &tags,
		&b.Notification)
	if err != nil {
		return err
	}
	b.Created = fromNanos(created)
	if tags == nil {
		return nil
	}
	return decodeMap(tags, &b.Tags)
}

// policyValue stores an empty policy as NULL, which scans back as nil.
func policyValue(doc []byte) any {
	if len(doc) == 0 {
		return nil
	}
	return doc
}

// needBucket returns store.ErrNotFound, wrapped, unless the bucket exists.
func needBucket(ctx context.Context, q querier, name string) error {
	ok, err := exists(ctx, q, `SELECT 1 FROM buckets WHERE name = ?`, name)
	return orMissing(ok, err, "bucket %s", name)
}
