// Package sqlite is trove's embedded metadata store: a store.Meta kept in one
// SQLite database file, through the pure-Go modernc.org/sqlite driver.
//
// The database runs in WAL mode with synchronous=FULL, so a write that has
// returned survives a crash or power loss. Writes go through a single
// connection and are therefore serialized; reads use a separate pool of
// read-only connections and see the last committed state.
//
// Object keys are stored as BLOBs, so SQLite compares them with memcmp: that
// is UTF-8 binary order, the order S3 lists keys in. Object headers, user
// metadata and checksums are JSON columns.
//
// Referential integrity is enforced: a user, access key, group, managed
// policy or bucket needs its account, an IAM user's access key, inline
// policy, tag or permissions boundary needs the user (and the boundary its
// managed policy), a membership or attachment needs both ends, an SCP or RCP
// attachment its target and policy, and an object needs its bucket. Put
// and Attach methods given a missing parent return store.ErrNotFound
// wrapped with what was missing.
//
// Triggers (schema version 2) count every change to the identity and
// organization tables in one row, which IdentityVersion reads: a change made
// by another process sharing the file is seen as well.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"runtime"
	"sync"

	"github.com/troveproject/trove/internal/store"
	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver
)

// busyTimeoutMillis is how long a connection waits for a lock held by
// another process before giving up with SQLITE_BUSY.
const busyTimeoutMillis = 10000

// DB is a store.Meta backed by an SQLite database file. It is safe for
// concurrent use. Close it when done.
type DB struct {
	w      *sql.DB // the one write connection; its transactions serialize writers
	r      *sql.DB // read-only connections
	logger *slog.Logger

	closeOnce sync.Once
	closeErr  error // set once by Close
}

// Open opens the database at path, creating it when it does not exist, and
// migrates its schema to the current version. A nil logger discards.
func Open(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	w, err := openPool(path, false, 1)
	if err != nil {
		return nil, err
	}
	from, to, err := migrate(ctx, w)
	if err != nil {
		w.Close()
		return nil, err
	}
	r, err := openPool(path, true, max(4, runtime.GOMAXPROCS(0)))
	if err != nil {
		w.Close()
		return nil, err
	}
	db := &DB{w: w, r: r, logger: logger}
	logger.Debug("sqlite: opened metadata database",
		"path", path, "schema_from", from, "schema_version", to)
	return db, nil
}

// openPool opens a connection pool on path. The write pool takes its write
// lock at BEGIN (BEGIN IMMEDIATE), so a transaction never fails half-way to
// upgrade a read lock; read pools are query_only.
func openPool(path string, readOnly bool, conns int) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()})
	db, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}

// Close closes the database. Calling it again returns the first result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() {
		db.closeErr = db.r.Close()
		if db.w != db.r { // OpenReadOnly's DB has one pool
			db.closeErr = errors.Join(db.closeErr, db.w.Close())
		}
		if db.closeErr != nil {
			db.closeErr = fmt.Errorf("sqlite: close: %w", db.closeErr)
		}
	})
	return db.closeErr
}

// write runs fn in a transaction on the write connection, which holds the
// write lock from its start, and commits it when fn returns nil.
func (db *DB) write(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return runTx(ctx, db.w, fn)
}

// read runs fn in a read transaction, so that its queries see one snapshot.
func (db *DB) read(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return runTx(ctx, db.r, fn)
}

// rollback rolls tx back, ignoring the error of a transaction already ended.
func rollback(tx *sql.Tx) error {
	if err := tx.Rollback(); err != nil && !errors.Is(err, sql.ErrTxDone) {
		return err
	}
	return nil
}

// querier is what *sql.DB and *sql.Tx share.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// exists reports whether query, given args, returns a row.
func exists(ctx context.Context, q querier, query string, args ...any) (bool, error) {
	var one int
	err := q.QueryRowContext(ctx, query, args...).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// fail prefixes err with "sqlite: " and the operation, turning sql.ErrNoRows
// into store.ErrNotFound; it returns nil for a nil err.
func fail(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = store.ErrNotFound
	}
	return fmt.Errorf("sqlite: %s: %w", fmt.Sprintf(format, args...), err)
}

// missing returns store.ErrNotFound wrapped with what is missing, for fail.
func missing(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), store.ErrNotFound)
}

// orMissing returns err, the result of exists, or, when exists found no row,
// what missing returns for format and args.
func orMissing(ok bool, err error, format string, args ...any) error {
	if err == nil && !ok {
		return missing(format, args...)
	}
	return err
}
