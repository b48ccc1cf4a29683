package sqlite

import (
	"context"
	"database/sql"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// ListObjects returns a page of a bucket's keys in UTF-8 binary order, S3
// style: with a delimiter, keys that contain it after the prefix roll up into
// one common prefix each, and objects and common prefixes share MaxKeys. It
// returns store.ErrNotFound when the bucket does not exist.
//
// A common prefix costs one index seek, however many keys lie beneath it:
// the scan jumps to the first key past them.
func (db *DB) ListObjects(ctx context.Context, bucket string, p store.ListParams) (
	store.ListPage, error) {
	l := lister{bucket: bucket, p: p, end: successor(p.Prefix)}
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		return l.run(ctx, tx)
	})
	if err != nil {
		return store.ListPage{}, fail(err, "list objects in bucket %s", bucket)
	}
	return l.page, nil
}

// lister builds one page.
type lister struct {
	bucket string
	p      store.ListParams
	end    []byte // every key under p.Prefix sorts below it; nil when unbounded
	page   store.ListPage
	n      int // objects plus common prefixes in page
}

// bound is where a scan starts.
type bound struct {
	key       []byte
	inclusive bool
}

// run scans from the first candidate key until the page is full and it
// knows whether more entries follow, or the keys run out.
func (l *lister) run(ctx context.Context, tx *sql.Tx) error {
	from := bound{key: []byte(l.p.Prefix), inclusive: true}
	if l.p.After != "" && l.p.After >= l.p.Prefix {
		from = bound{key: []byte(l.p.After)}
	}
	for {
		next, more, err := l.scan(ctx, tx, from)
		if err != nil || !more {
			return err
		}
		from = next
	}
}

// scan reads keys from `from` on and adds them to the page. It stops at a
// common prefix and returns where the keys beyond it start, or at the end of
// a batch and returns where the next batch starts; more is false when the
// page is complete.
func (l *lister) scan(ctx context.Context, tx *sql.Tx, from bound) (next bound, more bool,
	err error) {
	limit := max(l.p.MaxKeys-l.n, 0) + 1 // one more to learn whether the page is truncated
	rows, err := l.query(ctx, tx, from, limit)
	if err != nil {
		return bound{}, false, err
	}
	defer rows.Close()
	seen := 0
	for ; rows.Next(); seen++ {
		var o store.Object
		if err := scanListed(rows, &o); err != nil {
			return bound{}, false, err
		}
		cp := l.rollup(o.Key)
		if cp != "" && cp <= l.p.After {
			return l.past(cp) // already listed on an earlier page
		}
		if l.n >= l.p.MaxKeys {
			l.page.Truncated = true
			return bound{}, false, nil
		}
		if cp != "" {
			l.add(cp)
			l.page.CommonPrefixes = append(l.page.CommonPrefixes, cp)
			return l.past(cp)
		}
		l.add(o.Key)
		l.page.Objects = append(l.page.Objects, o)
		next = bound{key: []byte(o.Key)}
	}
	return next, seen == limit, rows.Err()
}

// query selects up to limit records of the bucket from `from` on, below end.
func (l *lister) query(ctx context.Context, tx *sql.Tx, from bound, limit int) (*sql.Rows,
	error) {
	var q strings.Builder
	q.WriteString(`SELECT ` + listedColumns + ` FROM objects WHERE bucket = ? AND key `)
	if from.inclusive {
		q.WriteString(">= ?")
	} else {
		q.WriteString("> ?")
	}
	args := []any{l.bucket, from.key}
	if l.end != nil {
		q.WriteString(" AND key < ?")
		args = append(args, l.end)
	}
	q.WriteString(" ORDER BY key LIMIT ?")
	return tx.QueryContext(ctx, q.String(), append(args, limit)...)
}

// listedColumns are the columns of a listed record: those a listing
// answers with, so that a page decodes no headers, metadata or tags.
const listedColumns = `bucket, key, size, etag, last_modified, version_id`

// scanListed scans listedColumns into o.
func scanListed(row interface{ Scan(...any) error }, o *store.Object) error {
	var key []byte
	var modified int64
	if err := row.Scan(&o.Bucket, &key, &o.Size, &o.ETag, &modified, &o.VersionID); err != nil {
		return err
	}
	o.Key = string(key)
	o.LastModified = fromNanos(modified)
	o.IsLatest = true
	return nil
}

// rollup returns the common prefix key rolls up into, or "" when it is
// listed as itself.
func (l *lister) rollup(key string) string {
	return commonPrefix(l.p.Prefix, l.p.Delimiter, key)
}

// commonPrefix returns the common prefix a key under prefix rolls up into
// with delimiter, or "" when it is listed as itself.
func commonPrefix(prefix, delimiter, key string) string {
	if delimiter == "" {
		return ""
	}
	rest := key[len(prefix):]
	i := strings.Index(rest, delimiter)
	if i < 0 {
		return ""
	}
	return key[:len(prefix)+i+len(delimiter)]
}

// past returns the bound past every key that starts with cp; more is false
// when no key under the listed prefix can lie beyond it.
func (l *lister) past(cp string) (next bound, more bool, err error) {
	b := successor(cp)
	if b == nil || (l.end != nil && string(b) >= string(l.end)) {
		return bound{}, false, nil
	}
	return bound{key: b, inclusive: true}, true, nil
}

// add counts an entry and makes it the page's last.
func (l *lister) add(entry string) {
	l.n++
	l.page.NextAfter = entry
}

// successor returns the least byte string greater than every string that
// starts with s, or nil when there is none (s empty or all 0xff bytes).
func successor(s string) []byte {
	b := []byte(s)
	for len(b) > 0 && b[len(b)-1] == 0xff {
		b = b[:len(b)-1]
	}
	if len(b) == 0 {
		return nil
	}
	b[len(b)-1]++
	return b
}
