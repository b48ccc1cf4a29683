package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/troveproject/trove/internal/store"
)

// oidcMigration is migration 7: the accounts' OIDC identity providers.
// client_ids and thumbprints are JSON arrays written whole by
// PutOIDCProvider; jwks_file and jwks_url are ” when not used.
var oidcMigration = `
CREATE TABLE oidc_providers (
	account     TEXT NOT NULL REFERENCES accounts (id),
	url         TEXT NOT NULL,
	client_ids  TEXT NOT NULL, -- JSON array
	thumbprints TEXT NOT NULL, -- JSON array
	jwks_file   TEXT NOT NULL,
	jwks_url    TEXT NOT NULL,
	PRIMARY KEY (account, url)
);
` + versionTriggers("oidc_providers")

const oidcColumns = `account, url, client_ids, thumbprints, jwks_file, jwks_url`

// PutOIDCProvider stores p by account and URL; store.ErrNotFound when the
// account does not exist.
func (db *DB) PutOIDCProvider(ctx context.Context, p store.OIDCProvider) error {
	ids, err := json.Marshal(nonNilStrings(p.ClientIDs))
	if err != nil {
		return fail(err, "put OIDC provider %s in account %s", p.URL, p.Account)
	}
	prints, err := json.Marshal(nonNilStrings(p.Thumbprints))
	if err != nil {
		return fail(err, "put OIDC provider %s in account %s", p.URL, p.Account)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, p.Account); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO oidc_providers (`+oidcColumns+`) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (account, url) DO UPDATE
SET client_ids = excluded.client_ids, thumbprints = excluded.thumbprints,
	jwks_file = excluded.jwks_file, jwks_url = excluded.jwks_url
WHERE (client_ids, thumbprints, jwks_file, jwks_url) IS NOT
	(excluded.client_ids, excluded.thumbprints, excluded.jwks_file, excluded.jwks_url)`,
			p.Account, p.URL, string(ids), string(prints), p.JWKSFile, p.JWKSURL)
		return err
	})
	return fail(err, "put OIDC provider %s in account %s", p.URL, p.Account)
}

// GetOIDCProvider returns an account's provider by URL.
func (db *DB) GetOIDCProvider(ctx context.Context, account, url string) (
	store.OIDCProvider, error) {
	var p store.OIDCProvider
	rows, err := db.r.QueryContext(ctx, `SELECT `+oidcColumns+` FROM oidc_providers
WHERE account = ? AND url = ?`, account, url)
	if err == nil {
		defer rows.Close()
		err = sql.ErrNoRows
		if rows.Next() {
			err = scanOIDCProvider(rows, &p)
		} else if rerr := rows.Err(); rerr != nil {
			err = rerr
		}
	}
	return p, fail(err, "get OIDC provider %s in account %s", url, account)
}

// ListOIDCProviders lists an account's providers by URL.
func (db *DB) ListOIDCProviders(ctx context.Context, account string) (
	[]store.OIDCProvider, error) {
	ps, err := list(ctx, db.r, `SELECT `+oidcColumns+` FROM oidc_providers
WHERE account = ? ORDER BY url`, []any{account}, scanOIDCProvider)
	return ps, fail(err, "list OIDC providers of account %s", account)
}

// DeleteOIDCProvider removes an account's provider by URL.
func (db *DB) DeleteOIDCProvider(ctx context.Context, account, url string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx,
			`DELETE FROM oidc_providers WHERE account = ? AND url = ?`, account, url)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		return orMissing(n > 0, err, "OIDC provider %s", url)
	})
	return fail(err, "delete OIDC provider %s in account %s", url, account)
}

// scanOIDCProvider scans oidcColumns into p.
func scanOIDCProvider(rows *sql.Rows, p *store.OIDCProvider) error {
	var ids, prints string
	err := rows.Scan(&p.Account, &p.URL, &ids, &prints, &p.JWKSFile, &p.JWKSURL)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(ids), &p.ClientIDs); err != nil {
		return err
	}
	return json.Unmarshal([]byte(prints), &p.Thumbprints)
}

// nonNilStrings returns s, or an empty slice when s is nil, so that it
// stores as [] rather than null.
func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
