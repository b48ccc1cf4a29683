package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// migrations are the schema changes in order; the database's schema_version
// is how many have been applied. Append to the list, never edit an entry
// that has shipped: databases in the field have already run it.
var migrations = []string{
	// 1: the organization, identities, buckets and objects.
	`
CREATE TABLE organization (
	singleton          INTEGER PRIMARY KEY CHECK (singleton = 1),
	id                 TEXT NOT NULL,
	root_id            TEXT NOT NULL,
	management_account TEXT NOT NULL
);
CREATE TABLE ous (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	parent_id TEXT NOT NULL
);
CREATE TABLE accounts (
	id        TEXT PRIMARY KEY,
	name      TEXT NOT NULL,
	parent_id TEXT NOT NULL
);
CREATE TABLE users (
	account TEXT NOT NULL REFERENCES accounts (id),
	name    TEXT NOT NULL,
	id      TEXT NOT NULL,
	path    TEXT NOT NULL,
	PRIMARY KEY (account, name)
);
-- user_name is NULL for the account's root user, which exempts the row from
-- the foreign key to users.
CREATE TABLE access_keys (
	id        TEXT PRIMARY KEY,
	secret    TEXT NOT NULL,
	account   TEXT NOT NULL REFERENCES accounts (id),
	user_name TEXT,
	active    INTEGER NOT NULL,
	created   INTEGER NOT NULL, -- Unix nanoseconds
	FOREIGN KEY (account, user_name) REFERENCES users (account, name)
);
CREATE INDEX access_keys_by_user ON access_keys (account, user_name);
CREATE TABLE user_policies (
	account   TEXT NOT NULL,
	user_name TEXT NOT NULL,
	name      TEXT NOT NULL,
	document  BLOB NOT NULL,
	PRIMARY KEY (account, user_name, name),
	FOREIGN KEY (account, user_name) REFERENCES users (account, name)
);
CREATE TABLE buckets (
	name    TEXT PRIMARY KEY,
	owner   TEXT NOT NULL REFERENCES accounts (id),
	region  TEXT NOT NULL,
	created INTEGER NOT NULL, -- Unix nanoseconds
	policy  BLOB
);
CREATE INDEX buckets_by_owner ON buckets (owner, name);
-- key is a BLOB so that it sorts by bytes (UTF-8 binary order).
CREATE TABLE objects (
	bucket        TEXT NOT NULL REFERENCES buckets (name),
	key           BLOB NOT NULL,
	blob_id       TEXT NOT NULL,
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	last_modified INTEGER NOT NULL, -- Unix nanoseconds
	headers       TEXT NOT NULL,    -- JSON object
	user_meta     TEXT NOT NULL,    -- JSON object
	checksums     TEXT NOT NULL,    -- JSON object
	PRIMARY KEY (bucket, key)
) WITHOUT ROWID;
`,
	// 2: managed policies, groups, tags and permissions boundaries; the
	// organization's policy types, SCPs, RCPs and attachments; the identity
	// version that every change to those records (and to migration 1's
	// identity tables but access_keys) increments.
	`
CREATE TABLE managed_policies (
	account  TEXT NOT NULL REFERENCES accounts (id),
	name     TEXT NOT NULL,
	id       TEXT NOT NULL,
	path     TEXT NOT NULL,
	document BLOB NOT NULL,
	PRIMARY KEY (account, name)
);
-- boundary names a managed policy of the user's account; NULL for none.
ALTER TABLE users ADD COLUMN boundary TEXT;
CREATE TABLE iam_groups (
	account TEXT NOT NULL REFERENCES accounts (id),
	name    TEXT NOT NULL,
	id      TEXT NOT NULL,
	path    TEXT NOT NULL,
	PRIMARY KEY (account, name)
);
CREATE TABLE group_policies (
	account    TEXT NOT NULL,
	group_name TEXT NOT NULL,
	name       TEXT NOT NULL,
	document   BLOB NOT NULL,
	PRIMARY KEY (account, group_name, name),
	FOREIGN KEY (account, group_name) REFERENCES iam_groups (account, name)
);
CREATE TABLE group_members (
	account    TEXT NOT NULL,
	user_name  TEXT NOT NULL,
	group_name TEXT NOT NULL,
	PRIMARY KEY (account, user_name, group_name),
	FOREIGN KEY (account, user_name) REFERENCES users (account, name),
	FOREIGN KEY (account, group_name) REFERENCES iam_groups (account, name)
);
CREATE TABLE user_attached_policies (
	account   TEXT NOT NULL,
	user_name TEXT NOT NULL,
	policy    TEXT NOT NULL,
	PRIMARY KEY (account, user_name, policy),
	FOREIGN KEY (account, user_name) REFERENCES users (account, name),
	FOREIGN KEY (account, policy) REFERENCES managed_policies (account, name)
);
CREATE TABLE group_attached_policies (
	account    TEXT NOT NULL,
	group_name TEXT NOT NULL,
	policy     TEXT NOT NULL,
	PRIMARY KEY (account, group_name, policy),
	FOREIGN KEY (account, group_name) REFERENCES iam_groups (account, name),
	FOREIGN KEY (account, policy) REFERENCES managed_policies (account, name)
);
CREATE TABLE user_tags (
	account   TEXT NOT NULL,
	user_name TEXT NOT NULL,
	key       TEXT NOT NULL,
	value     TEXT NOT NULL,
	PRIMARY KEY (account, user_name, key),
	FOREIGN KEY (account, user_name) REFERENCES users (account, name)
);
CREATE TABLE enabled_policy_types (
	type TEXT PRIMARY KEY
);
CREATE TABLE org_policies (
	type     TEXT NOT NULL,
	name     TEXT NOT NULL,
	id       TEXT NOT NULL,
	document BLOB NOT NULL,
	PRIMARY KEY (type, name)
);
-- policy names a row of org_policies of the same type or an AWS managed
-- policy, which has no row; target is the root, an OU or an account.
CREATE TABLE org_attachments (
	type   TEXT NOT NULL,
	target TEXT NOT NULL,
	policy TEXT NOT NULL,
	PRIMARY KEY (type, target, policy)
);
CREATE TABLE identity_version (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	version   INTEGER NOT NULL
);
INSERT INTO identity_version (singleton, version) VALUES (1, 0);
` + versionTriggers("organization", "ous", "accounts", "users", "user_policies",
		"managed_policies", "iam_groups", "group_policies", "group_members",
		"user_attached_policies", "group_attached_policies", "user_tags",
		"enabled_policy_types", "org_policies", "org_attachments"),
	// 3: versioning, tagging and the part sizes of multipart objects. The
	// objects table keeps the current version of every key whose current
	// version is not a delete marker, so that listing the current objects
	// reads nothing else; object_versions keeps every other version: the
	// noncurrent ones and delete markers, current or not. seq orders a key's
	// versions across both tables (larger is newer).
	`
ALTER TABLE buckets ADD COLUMN versioning TEXT NOT NULL DEFAULT '';
ALTER TABLE buckets ADD COLUMN tags TEXT; -- JSON object; NULL when there is no tag set
ALTER TABLE objects ADD COLUMN version_id TEXT NOT NULL DEFAULT 'null';
ALTER TABLE objects ADD COLUMN seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE objects ADD COLUMN tags TEXT NOT NULL DEFAULT '{}';
-- parts: the sizes of a completed multipart upload's parts, in order, as a
-- JSON array; '[]' for an object not uploaded in parts.
ALTER TABLE objects ADD COLUMN parts TEXT NOT NULL DEFAULT '[]';
CREATE TABLE object_versions (
	bucket        TEXT NOT NULL REFERENCES buckets (name),
	key           BLOB NOT NULL,
	seq           INTEGER NOT NULL,
	version_id    TEXT NOT NULL,
	delete_marker INTEGER NOT NULL,
	blob_id       TEXT NOT NULL, -- '' for a delete marker
	size          INTEGER NOT NULL,
	etag          TEXT NOT NULL,
	last_modified INTEGER NOT NULL, -- Unix nanoseconds
	headers       TEXT NOT NULL,
	user_meta     TEXT NOT NULL,
	checksums     TEXT NOT NULL,
	tags          TEXT NOT NULL,
	parts         TEXT NOT NULL, -- JSON array of part sizes; '[]' when not multipart
	PRIMARY KEY (bucket, key, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX object_versions_by_id ON object_versions (bucket, key, version_id);
`,
	multipartMigration,
	notificationMigration,
	roleMigration,
	oidcMigration,
	policyVersionMigration,
}

// versionTriggers returns, for each table, triggers that increment the
// identity version after every insert, update and delete of a row. Its
// output is part of migration 2: change it only by adding a migration.
func versionTriggers(tables ...string) string {
	var b strings.Builder
	for _, table := range tables {
		for _, op := range []string{"INSERT", "UPDATE", "DELETE"} {
			fmt.Fprintf(&b, "CREATE TRIGGER %s_%s_version AFTER %s ON %s\n"+
				"BEGIN UPDATE identity_version SET version = version + 1; END;\n",
				table, strings.ToLower(op), op, table)
		}
	}
	return b.String()
}

// migrate brings the schema up to date on the write connection and returns
// the versions before and after.
func migrate(ctx context.Context, w *sql.DB) (from, to int, err error) {
	err = runTx(ctx, w, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx,
			`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`)
		if err != nil {
			return err
		}
		from, err = schemaVersion(ctx, tx)
		return err
	})
	if err != nil {
		return 0, 0, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	if from > len(migrations) {
		return from, from, fmt.Errorf("sqlite: schema version %d is newer than this build's %d",
			from, len(migrations))
	}
	for v := from; v < len(migrations); v++ {
		err := runTx(ctx, w, func(tx *sql.Tx) error { return applyMigration(ctx, tx, v) })
		if err != nil {
			return from, v, fmt.Errorf("sqlite: migrate schema to version %d: %w", v+1, err)
		}
	}
	return from, len(migrations), nil
}

// schemaVersion reads the version row, creating it at 0 when absent.
func schemaVersion(ctx context.Context, tx *sql.Tx) (int, error) {
	var v int
	err := tx.QueryRowContext(ctx, `SELECT version FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_version (version) VALUES (0)`)
	}
	return v, err
}

// applyMigration runs migrations[i] and records version i+1.
func applyMigration(ctx context.Context, tx *sql.Tx, i int) error {
	if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE schema_version SET version = ?`, i+1)
	return err
}

// runTx runs fn in a transaction on db and commits it when fn returns nil.
func runTx(ctx context.Context, db *sql.DB, fn func(tx *sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, rollback(tx))
	}
	return tx.Commit()
}
