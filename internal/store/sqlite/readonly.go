package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
)

// ErrSchemaMismatch is OpenReadOnly's error for a database whose schema is
// not this build's: OpenReadOnly never migrates.
var ErrSchemaMismatch = errors.New("sqlite: the database's schema is not this build's")

// OpenReadOnly opens the existing database at path for reading only: it
// creates nothing, migrates nothing and takes no lock, so it may read a
// database that a running server holds open (WAL mode lets readers and
// the writer go on together). Every write method fails. Each read sees the
// last committed state; successive reads may see different states.
func OpenReadOnly(ctx context.Context, path string, logger *slog.Logger) (*DB, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	q := url.Values{}
	q.Set("mode", "ro")
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMillis))
	q.Add("_pragma", "query_only(1)")
	dsn := (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()})
	r, err := sql.Open("sqlite", dsn.String())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	var v int
	if err := r.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v); err != nil {
		r.Close()
		return nil, fmt.Errorf("sqlite: open %s: read schema version: %w", path, err)
	}
	if v != len(migrations) {
		r.Close()
		return nil, fmt.Errorf("%w: %s has schema version %d, this build %d (start trove "+
			"serve of this build on it once to migrate)", ErrSchemaMismatch, path, v,
			len(migrations))
	}
	logger.Debug("sqlite: opened metadata database read-only", "path", path)
	return &DB{w: r, r: r, logger: logger}, nil
}
