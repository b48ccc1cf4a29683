package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// multipartMigration is migration 4: multipart uploads in progress and
// their parts. Deleting a bucket deletes its uploads, and deleting an
// upload its parts; the blobs of parts deleted that way are no longer
// visited by BlobIDs, so the next start-up sweep removes them.
const multipartMigration = `
CREATE TABLE multipart_uploads (
	bucket             TEXT NOT NULL REFERENCES buckets (name) ON DELETE CASCADE,
	key                BLOB NOT NULL,
	upload_id          TEXT NOT NULL,
	initiated          INTEGER NOT NULL, -- Unix nanoseconds
	owner              TEXT NOT NULL,
	initiator          TEXT NOT NULL,
	headers            TEXT NOT NULL,    -- JSON object
	user_meta          TEXT NOT NULL,    -- JSON object
	tags               TEXT NOT NULL,    -- JSON object
	checksum_algorithm TEXT NOT NULL,
	checksum_type      TEXT NOT NULL,
	key_headers        TEXT NOT NULL,    -- JSON object
	PRIMARY KEY (bucket, key, upload_id)
) WITHOUT ROWID;
CREATE UNIQUE INDEX multipart_uploads_by_id ON multipart_uploads (upload_id);
CREATE TABLE multipart_parts (
	upload_id     TEXT NOT NULL REFERENCES multipart_uploads (upload_id) ON DELETE CASCADE,
	part_number   INTEGER NOT NULL,
	blob_id       TEXT NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	last_modified INTEGER NOT NULL, -- Unix nanoseconds
	checksums     TEXT NOT NULL,    -- JSON object
	PRIMARY KEY (upload_id, part_number)
) WITHOUT ROWID;
`

// uploadColumns is the column list scanUpload reads.
const uploadColumns = `bucket, key, upload_id, initiated, owner, initiator, headers,
	user_meta, tags, checksum_algorithm, checksum_type, key_headers`

// partColumns is the column list scanPart reads.
const partColumns = `part_number, blob_id, size, etag, last_modified, checksums`

// CreateUpload records u with no parts. It returns store.ErrNotFound when
// the bucket does not exist.
func (db *DB) CreateUpload(ctx context.Context, u store.Upload) error {
	args, err := uploadArgs(u)
	if err != nil {
		return fail(err, "create upload")
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, u.Bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO multipart_uploads (`+uploadColumns+`)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, args...)
		return err
	})
	return fail(err, "create upload of %q in bucket %s", u.Key, u.Bucket)
}

// uploadArgs returns u's values in uploadColumns order.
func uploadArgs(u store.Upload) ([]any, error) {
	var enc [4]string
	for i, m := range []map[string]string{u.Headers, u.UserMeta, u.Tags, u.KeyHeaders} {
		var err error
		if enc[i], err = encodeMap(m); err != nil {
			return nil, err
		}
	}
	return []any{u.Bucket, []byte(u.Key), u.ID, toNanos(u.Initiated), u.Owner, u.Initiator,
		enc[0], enc[1], enc[2], u.ChecksumAlgorithm, u.ChecksumType, enc[3]}, nil
}

// scanUpload scans uploadColumns into u.
func scanUpload(row interface{ Scan(...any) error }, u *store.Upload) error {
	var key []byte
	var initiated int64
	var headers, meta, tags, keyHeaders []byte
	err := row.Scan(&u.Bucket, &key, &u.ID, &initiated, &u.Owner, &u.Initiator,
		&headers, &meta, &tags, &u.ChecksumAlgorithm, &u.ChecksumType, &keyHeaders)
	if err != nil {
		return err
	}
	u.Key = string(key)
	u.Initiated = fromNanos(initiated)
	return errors.Join(decodeMap(headers, &u.Headers), decodeMap(meta, &u.UserMeta),
		decodeMap(tags, &u.Tags), decodeMap(keyHeaders, &u.KeyHeaders))
}

// GetUpload returns the upload bucket, key and id name, or
// store.ErrNotFound.
func (db *DB) GetUpload(ctx context.Context, bucket, key, id string) (store.Upload, error) {
	var u store.Upload
	err := db.read(ctx, func(tx *sql.Tx) error {
		var err error
		u, err = getUpload(ctx, tx, bucket, key, id)
		return err
	})
	return u, fail(err, "get upload")
}

// getUpload reads one upload and explains a miss.
func getUpload(ctx context.Context, tx *sql.Tx, bucket, key, id string) (store.Upload,
	error) {
	var u store.Upload
	row := tx.QueryRowContext(ctx, `SELECT `+uploadColumns+` FROM multipart_uploads
WHERE bucket = ? AND key = ? AND upload_id = ?`, bucket, []byte(key), id)
	err := scanUpload(row, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, missing("upload %q of key %q in bucket %s", id, key, bucket)
	}
	return u, err
}

// PutPart records p in the upload, replacing the part of the same number,
// and returns the replaced part's BlobID ("" when none, or when it is
// p.BlobID itself).
func (db *DB) PutPart(ctx context.Context, bucket, key, id string, p store.Part) (string,
	error) {
	sums, err := encodeMap(p.Checksums)
	if err != nil {
		return "", fail(err, "put part")
	}
	var replaced string
	err = db.write(ctx, func(tx *sql.Tx) error {
		if _, err := getUpload(ctx, tx, bucket, key, id); err != nil {
			return err
		}
		err := tx.QueryRowContext(ctx, `SELECT blob_id FROM multipart_parts
WHERE upload_id = ? AND part_number = ?`, id, p.Number).Scan(&replaced)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT OR REPLACE INTO multipart_parts (`+partColumns+
			`, upload_id) VALUES (?, ?, ?, ?, ?, ?, ?)`, p.Number, p.BlobID, p.Size, p.ETag,
			toNanos(p.LastModified), sums, id)
		return err
	})
	if err != nil || replaced == p.BlobID {
		return "", fail(err, "put part %d of upload %q", p.Number, id)
	}
	return replaced, nil
}

// ListParts returns up to limit parts of the upload numbered above after.
func (db *DB) ListParts(ctx context.Context, bucket, key, id string, after, limit int) (
	store.PartPage, error) {
	var page store.PartPage
	err := db.read(ctx, func(tx *sql.Tx) error {
		if _, err := getUpload(ctx, tx, bucket, key, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+partColumns+` FROM multipart_parts
WHERE upload_id = ? AND part_number > ? ORDER BY part_number LIMIT ?`, id, after, limit+1)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p store.Part
			if err := scanPart(rows, &p); err != nil {
				return err
			}
			page.Parts = append(page.Parts, p)
		}
		return rows.Err()
	})
	if len(page.Parts) > limit {
		page.Parts, page.Truncated = page.Parts[:limit], true
	}
	return page, fail(err, "list parts of upload %q", id)
}

// scanPart scans partColumns into p.
func scanPart(row interface{ Scan(...any) error }, p *store.Part) error {
	var modified int64
	var sums []byte
	err := row.Scan(&p.Number, &p.BlobID, &p.Size, &p.ETag, &modified, &sums)
	if err != nil {
		return err
	}
	p.LastModified = fromNanos(modified)
	return decodeMap(sums, &p.Checksums)
}

// DeleteUpload removes the upload and its parts and returns the parts' blob
// ids, in part number order.
func (db *DB) DeleteUpload(ctx context.Context, bucket, key, id string) ([]string, error) {
	var blobs []string
	err := db.write(ctx, func(tx *sql.Tx) error {
		var err error
		blobs, err = deleteUpload(ctx, tx, bucket, key, id)
		return err
	})
	return blobs, fail(err, "delete upload %q", id)
}

// CompleteUpload stores o and removes upload id in one write transaction;
// the upload is checked first, so a completion that lost a race to
// another completion or an abort stores nothing.
func (db *DB) CompleteUpload(ctx context.Context, id string, o store.Object,
	want store.Expect) (store.WriteResult, []string, error) {
	var res store.WriteResult
	var blobs []string
	err := db.write(ctx, func(tx *sql.Tx) error {
		if _, err := getUpload(ctx, tx, o.Bucket, o.Key, id); err != nil {
			return err
		}
		var err error
		if res, err = putObject(ctx, tx, o, want); err != nil {
			return err
		}
		blobs, err = deleteUpload(ctx, tx, o.Bucket, o.Key, id)
		return err
	})
	return res, blobs, fail(err, "complete upload %q", id)
}

// deleteUpload removes an upload and its parts and returns their blob ids.
func deleteUpload(ctx context.Context, tx *sql.Tx, bucket, key, id string) ([]string,
	error) {
	if _, err := getUpload(ctx, tx, bucket, key, id); err != nil {
		return nil, err
	}
	blobs, err := partBlobs(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx,
		`DELETE FROM multipart_parts WHERE upload_id = ?`, id); err != nil {
		return nil, err
	}
	_, err = tx.ExecContext(ctx, `DELETE FROM multipart_uploads WHERE upload_id = ?`, id)
	return blobs, err
}

// partBlobs reads the blob ids of an upload's parts.
func partBlobs(ctx context.Context, tx *sql.Tx, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx,
		`SELECT blob_id FROM multipart_parts WHERE upload_id = ? ORDER BY part_number`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			return nil, err
		}
		ids = append(ids, b)
	}
	return ids, rows.Err()
}

// partBlobIDs calls fn for the blob id of every part of every upload in
// progress, for BlobIDs. Like BlobIDs it reads in batches and holds no
// connection while fn runs.
func (db *DB) partBlobIDs(ctx context.Context, fn func(id string) error) error {
	upload, number := "", 0
	for {
		var ids []string
		err := db.read(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, `SELECT upload_id, part_number, blob_id
FROM multipart_parts WHERE (upload_id, part_number) > (?, ?)
ORDER BY upload_id, part_number LIMIT ?`, upload, number, blobIDBatch)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&upload, &number, &id); err != nil {
					return err
				}
				ids = append(ids, id)
			}
			return rows.Err()
		})
		if err != nil {
			return fail(err, "list part blob ids")
		}
		for _, id := range ids {
			if err := fn(id); err != nil {
				return err
			}
		}
		if len(ids) < blobIDBatch {
			return nil
		}
	}
}

// ListUploads returns a page of a bucket's uploads in key order and, for
// one key, upload id order, S3 style: with a delimiter, the keys that
// contain it after the prefix roll up into one common prefix each, and
// uploads and common prefixes share MaxUploads.
func (db *DB) ListUploads(ctx context.Context, bucket string, p store.UploadListParams) (
	store.UploadPage, error) {
	l := uploadLister{bucket: bucket, p: p, end: successor(p.Prefix)}
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		return l.run(ctx, tx)
	})
	if err != nil {
		return store.UploadPage{}, fail(err, "list uploads in bucket %s", bucket)
	}
	return l.page, nil
}

// uploadLister builds one page of uploads.
type uploadLister struct {
	bucket string
	p      store.UploadListParams
	end    []byte // every key under p.Prefix sorts below it; nil when unbounded
	page   store.UploadPage
	n      int // uploads plus common prefixes in page
}

// uploadPos is where a scan of uploads starts: at key itself when
// inclusive, else after (key, id), or after every upload of key when id is "".
type uploadPos struct {
	key       string
	id        string
	inclusive bool
}

// run scans from the first candidate until the page is full and it knows
// whether more entries follow, or the uploads run out.
func (l *uploadLister) run(ctx context.Context, tx *sql.Tx) error {
	from := uploadPos{key: l.p.Prefix, inclusive: true}
	if l.p.KeyMarker != "" && l.p.KeyMarker >= l.p.Prefix {
		from = uploadPos{key: l.p.KeyMarker, id: l.p.UploadIDMarker}
	}
	for {
		next, more, err := l.scan(ctx, tx, from)
		if err != nil || !more {
			return err
		}
		from = next
	}
}

// scan reads uploads from `from` on and adds them to the page; see
// lister.scan, which it follows.
func (l *uploadLister) scan(ctx context.Context, tx *sql.Tx, from uploadPos) (
	next uploadPos, more bool, err error) {
	limit := max(l.p.MaxUploads-l.n, 0) + 1
	rows, err := l.query(ctx, tx, from, limit)
	if err != nil {
		return next, false, err
	}
	defer rows.Close()
	seen := 0
	for ; rows.Next(); seen++ {
		var u store.Upload
		if err := scanUpload(rows, &u); err != nil {
			return next, false, err
		}
		cp := l.rollup(u.Key)
		if cp != "" && cp <= l.p.KeyMarker {
			return l.past(cp)
		}
		if l.n >= l.p.MaxUploads {
			l.page.Truncated = true
			return next, false, nil
		}
		l.n++
		if cp != "" {
			l.page.CommonPrefixes = append(l.page.CommonPrefixes, cp)
			l.page.NextKeyMarker, l.page.NextUploadIDMarker = cp, ""
			return l.past(cp)
		}
		l.page.Uploads = append(l.page.Uploads, u)
		l.page.NextKeyMarker, l.page.NextUploadIDMarker = u.Key, u.ID
		next = uploadPos{key: u.Key, id: u.ID}
	}
	return next, seen == limit, rows.Err()
}

// query selects up to limit uploads of the bucket from `from` on, below end.
func (l *uploadLister) query(ctx context.Context, tx *sql.Tx, from uploadPos, limit int) (
	*sql.Rows, error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + uploadColumns + ` FROM multipart_uploads WHERE bucket = ? AND `)
	args := []any{l.bucket}
	switch {
	case from.inclusive:
		q.WriteString("key >= ?")
		args = append(args, []byte(from.key))
	case from.id == "":
		q.WriteString("key > ?")
		args = append(args, []byte(from.key))
	default:
		q.WriteString("(key > ? OR (key = ? AND upload_id > ?))")
		args = append(args, []byte(from.key), []byte(from.key), from.id)
	}
	if l.end != nil {
		q.WriteString(" AND key < ?")
		args = append(args, l.end)
	}
	q.WriteString(" ORDER BY key, upload_id LIMIT ?")
	return tx.QueryContext(ctx, q.String(), append(args, limit)...)
}

// rollup returns the common prefix key rolls up into, or "".
func (l *uploadLister) rollup(key string) string {
	if l.p.Delimiter == "" || !strings.HasPrefix(key, l.p.Prefix) {
		return ""
	}
	rest := key[len(l.p.Prefix):]
	i := strings.Index(rest, l.p.Delimiter)
	if i < 0 {
		return ""
	}
	return key[:len(l.p.Prefix)+i+len(l.p.Delimiter)]
}

// past returns the position past every key that starts with cp; more is
// false when no key under the prefix can lie beyond it.
func (l *uploadLister) past(cp string) (uploadPos, bool, error) {
	b := successor(cp)
	if b == nil || (l.end != nil && string(b) >= string(l.end)) {
		return uploadPos{}, false, nil
	}
	return uploadPos{key: string(b), inclusive: true}, true, nil
}
