package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// GetOU returns the OU with id, or store.ErrNotFound.
func (db *DB) GetOU(ctx context.Context, id string) (store.OU, error) {
	ou := store.OU{ID: id}
	err := db.r.QueryRowContext(ctx, `SELECT name, parent_id FROM ous WHERE id = ?`, id).
		Scan(&ou.Name, &ou.ParentID)
	return ou, fail(err, "get ou %s", id)
}

// GetOrgPolicyByID returns the stored SCP or RCP with id, or
// store.ErrNotFound.
func (db *DB) GetOrgPolicyByID(ctx context.Context, id string) (store.OrgPolicy, error) {
	p := store.OrgPolicy{ID: id}
	err := db.r.QueryRowContext(ctx,
		`SELECT type, name, document FROM org_policies WHERE id = ? ORDER BY type, name LIMIT 1`,
		id).Scan(&p.Type, &p.Name, &p.Document)
	return p, fail(err, "get organization policy %s", id)
}

// RenameOrgPolicy renames an SCP or RCP and its attachments in one
// transaction.
func (db *DB) RenameOrgPolicy(ctx context.Context, t store.PolicyType, name,
	newName string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needStoredOrgPolicy(ctx, tx, t, name); err != nil {
			return err
		}
		if name == newName {
			return nil
		}
		taken, err := exists(ctx, tx,
			`SELECT 1 FROM org_policies WHERE type = ? AND name = ?`, t, newName)
		if err != nil {
			return err
		}
		if taken || store.Builtin(t, newName) {
			return fmt.Errorf("%s %q: %w", t, newName, store.ErrExists)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE org_policies SET name = ?
WHERE type = ? AND name = ?`, newName, t, name); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE org_attachments SET policy = ?
WHERE type = ? AND policy = ?`, newName, t, name)
		return err
	})
	return fail(err, "rename %s %q to %q", t, name, newName)
}

// DeleteOrgPolicy removes an SCP or RCP that is attached nowhere.
func (db *DB) DeleteOrgPolicy(ctx context.Context, t store.PolicyType, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needStoredOrgPolicy(ctx, tx, t, name); err != nil {
			return err
		}
		attached, err := exists(ctx, tx,
			`SELECT 1 FROM org_attachments WHERE type = ? AND policy = ?`, t, name)
		if err != nil {
			return err
		}
		if attached {
			return fmt.Errorf("%s %q is attached: %w", t, name, store.ErrInUse)
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM org_policies WHERE type = ? AND name = ?`,
			t, name)
		return err
	})
	return fail(err, "delete %s %q", t, name)
}

// needStoredOrgPolicy returns store.ErrNotFound, wrapped, unless a policy of
// type t called name is stored; an unknown type is an error of its own.
func needStoredOrgPolicy(ctx context.Context, tx *sql.Tx, t store.PolicyType,
	name string) error {
	if err := checkType(t); err != nil {
		return err
	}
	ok, err := exists(ctx, tx, `SELECT 1 FROM org_policies WHERE type = ? AND name = ?`,
		t, name)
	return orMissing(ok, err, "%s %q", t, name)
}
