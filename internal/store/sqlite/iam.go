package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"errors"

	"github.com/troveproject/trove/internal/store"
)

// PutManagedPolicy stores a customer managed policy by account and name,
// keeping its versions as store.PolicyVersions says: a new policy gets v1,
// a changed document a new default version. The description of a stored
// policy is kept. It returns store.ErrNotFound when the account does not
// exist.
func (db *DB) PutManagedPolicy(ctx context.Context, p store.ManagedPolicy) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, p.Account); err != nil {
			return err
		}
		var old []byte
		err := tx.QueryRowContext(ctx, `SELECT document FROM managed_policies
WHERE account = ? AND name = ?`, p.Account, p.Name).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return insertManaged(ctx, tx, p)
		}
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE managed_policies SET id = ?, path = ?
WHERE account = ? AND name = ? AND (id, path) IS NOT (?, ?)`, p.ID, p.Path, p.Account,
			p.Name, p.ID, p.Path)
		if err != nil || bytes.Equal(old, nonNil(p.Document)) {
			return err
		}
		_, err = addVersion(ctx, tx, p.Account, p.Name, nonNil(p.Document), true, true)
		return err
	})
	return fail(err, "put managed policy %q in account %s", p.Name, p.Account)
}

// insertManaged stores a new managed policy with its first version, v1.
func insertManaged(ctx context.Context, tx *sql.Tx, p store.ManagedPolicy) error {
	_, err := tx.ExecContext(ctx, `
INSERT INTO managed_policies (account, name, id, path, document, description, next_version)
VALUES (?, ?, ?, ?, ?, ?, 2)`, p.Account, p.Name, p.ID, p.Path, nonNil(p.Document),
		p.Description)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO policy_versions
(account, policy, number, document, is_default, created) VALUES (?, ?, 1, ?, 1, ?)`,
		p.Account, p.Name, nonNil(p.Document), toNanos(versionClock()))
	return err
}

// managedColumns is the column list scanManaged reads, qualified by the
// table alias mp so that joins can use it.
const managedColumns = `mp.account, mp.name, mp.id, mp.path, mp.document, mp.description`

// scanManaged scans managedColumns into p.
func scanManaged(row interface{ Scan(...any) error }, p *store.ManagedPolicy) error {
	return row.Scan(&p.Account, &p.Name, &p.ID, &p.Path, &p.Document, &p.Description)
}

// GetManagedPolicy returns a managed policy, or store.ErrNotFound.
func (db *DB) GetManagedPolicy(ctx context.Context, account, name string) (
	store.ManagedPolicy, error) {
	var p store.ManagedPolicy
	row := db.r.QueryRowContext(ctx, `SELECT `+managedColumns+` FROM managed_policies mp
WHERE account = ? AND name = ?`, account, name)
	err := scanManaged(row, &p)
	return p, fail(err, "get managed policy %q in account %s", name, account)
}

// ListManagedPolicies lists an account's managed policies by name.
func (db *DB) ListManagedPolicies(ctx context.Context, account string) (
	[]store.ManagedPolicy, error) {
	ps, err := list(ctx, db.r, `SELECT `+managedColumns+` FROM managed_policies mp
WHERE account = ? ORDER BY name`, []any{account}, scanManagedRows)
	return ps, fail(err, "list managed policies in account %s", account)
}

func scanManagedRows(rows *sql.Rows, p *store.ManagedPolicy) error { return scanManaged(rows, p) }

// PutGroup stores an IAM group by account and name. It returns
// store.ErrNotFound when the account does not exist.
func (db *DB) PutGroup(ctx context.Context, g store.Group) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, g.Account); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO iam_groups (account, name, id, path) VALUES (?, ?, ?, ?)
ON CONFLICT (account, name) DO UPDATE SET id = excluded.id, path = excluded.path
WHERE (id, path) IS NOT (excluded.id, excluded.path)`,
			g.Account, g.Name, g.ID, g.Path)
		return err
	})
	return fail(err, "put group %q in account %s", g.Name, g.Account)
}

// groupColumns is the column list scanGroup reads, qualified by the table
// alias g.
const groupColumns = `g.account, g.name, g.id, g.path`

func scanGroup(rows *sql.Rows, g *store.Group) error {
	return rows.Scan(&g.Account, &g.Name, &g.ID, &g.Path)
}

// GetGroup returns a group, or store.ErrNotFound.
func (db *DB) GetGroup(ctx context.Context, account, name string) (store.Group, error) {
	var g store.Group
	err := db.r.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM iam_groups g
WHERE account = ? AND name = ?`, account, name).Scan(&g.Account, &g.Name, &g.ID, &g.Path)
	return g, fail(err, "get group %q in account %s", name, account)
}

// ListGroups lists an account's groups by name.
func (db *DB) ListGroups(ctx context.Context, account string) ([]store.Group, error) {
	gs, err := list(ctx, db.r, `SELECT `+groupColumns+` FROM iam_groups g
WHERE account = ? ORDER BY name`, []any{account}, scanGroup)
	return gs, fail(err, "list groups in account %s", account)
}

// PutGroupPolicy stores an inline group policy by account, group and name.
// It returns store.ErrNotFound when the group does not exist.
func (db *DB) PutGroupPolicy(ctx context.Context, p store.GroupPolicy) error {
	return db.putInline(ctx, groups, p.Account, p.Group, p.Name, p.Document)
}

// ListGroupPolicies lists a group's inline policies by name.
func (db *DB) ListGroupPolicies(ctx context.Context, account, group string) (
	[]store.GroupPolicy, error) {
	return listInline(ctx, db, groups, account, group, func(p *store.GroupPolicy) []any {
		return []any{&p.Account, &p.Group, &p.Name, &p.Document}
	})
}

// AddUserToGroup makes user a member of group. It returns store.ErrNotFound
// when either does not exist.
func (db *DB) AddUserToGroup(ctx context.Context, account, user, group string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needUserAndGroup(ctx, tx, account, user, group); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO group_members (account, user_name, group_name) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING`, account, user, group)
		return err
	})
	return fail(err, "add user %q to group %q in account %s", user, group, account)
}

// RemoveUserFromGroup ends a membership. It returns store.ErrNotFound when
// the user is not a member.
func (db *DB) RemoveUserFromGroup(ctx context.Context, account, user, group string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM group_members
WHERE account = ? AND user_name = ? AND group_name = ?`, account, user, group)
	})
	return fail(err, "remove user %q from group %q in account %s", user, group, account)
}

// ListGroupsForUser lists the groups a user is in, by name.
func (db *DB) ListGroupsForUser(ctx context.Context, account, user string) (
	[]store.Group, error) {
	gs, err := list(ctx, db.r, `SELECT `+groupColumns+` FROM group_members m
JOIN iam_groups g ON g.account = m.account AND g.name = m.group_name
WHERE m.account = ? AND m.user_name = ? ORDER BY g.name`, []any{account, user}, scanGroup)
	return gs, fail(err, "list groups of user %q in account %s", user, account)
}

// AttachUserPolicy attaches the account's managed policy to a user. It
// returns store.ErrNotFound when the user or the policy does not exist.
func (db *DB) AttachUserPolicy(ctx context.Context, account, user, policy string) error {
	return db.attach(ctx, users, account, user, policy)
}

// DetachUserPolicy detaches a managed policy from a user. It returns
// store.ErrNotFound when it is not attached.
func (db *DB) DetachUserPolicy(ctx context.Context, account, user, policy string) error {
	return db.detach(ctx, users, account, user, policy)
}

// ListAttachedUserPolicies returns the managed policies attached to a user,
// by name.
func (db *DB) ListAttachedUserPolicies(ctx context.Context, account, user string) (
	[]store.ManagedPolicy, error) {
	return db.listAttached(ctx, users, account, user)
}

// AttachGroupPolicy attaches the account's managed policy to a group. It
// returns store.ErrNotFound when the group or the policy does not exist.
func (db *DB) AttachGroupPolicy(ctx context.Context, account, group, policy string) error {
	return db.attach(ctx, groups, account, group, policy)
}

// DetachGroupPolicy detaches a managed policy from a group. It returns
// store.ErrNotFound when it is not attached.
func (db *DB) DetachGroupPolicy(ctx context.Context, account, group, policy string) error {
	return db.detach(ctx, groups, account, group, policy)
}

// ListAttachedGroupPolicies returns the managed policies attached to a
// group, by name.
func (db *DB) ListAttachedGroupPolicies(ctx context.Context, account, group string) (
	[]store.ManagedPolicy, error) {
	return db.listAttached(ctx, groups, account, group)
}

// TagUser adds tags to a user, replacing the values of keys it has. It
// returns store.ErrNotFound when the user does not exist.
func (db *DB) TagUser(ctx context.Context, account, user string, tags map[string]string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needUser(ctx, tx, account, user); err != nil {
			return err
		}
		for k, v := range tags {
			// A key replaces the keys that differ from it only in case.
			_, err := tx.ExecContext(ctx, `DELETE FROM user_tags
WHERE account = ? AND user_name = ? AND lower(key) = lower(?) AND key <> ?`,
				account, user, k, k)
			if err != nil {
				return err
			}
			_, err = tx.ExecContext(ctx, `
INSERT INTO user_tags (account, user_name, key, value) VALUES (?, ?, ?, ?)
ON CONFLICT (account, user_name, key) DO UPDATE SET value = excluded.value
WHERE value IS NOT excluded.value`, account, user, k, v)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "tag user %q in account %s", user, account)
}

// UntagUser removes tags from a user, keys compared regardless of case; keys
// it does not have are ignored.
func (db *DB) UntagUser(ctx context.Context, account, user string, keys []string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `DELETE FROM user_tags
WHERE account = ? AND user_name = ? AND lower(key) = lower(?)`, account, user, k)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "untag user %q in account %s", user, account)
}

// ListUserTags returns a user's tags, nil when it has none.
func (db *DB) ListUserTags(ctx context.Context, account, user string) (
	map[string]string, error) {
	type tag struct{ k, v string }
	ts, err := list(ctx, db.r, `SELECT key, value FROM user_tags
WHERE account = ? AND user_name = ?`, []any{account, user},
		func(rows *sql.Rows, t *tag) error { return rows.Scan(&t.k, &t.v) })
	if err != nil {
		return nil, fail(err, "list tags of user %q in account %s", user, account)
	}
	var m map[string]string
	for _, t := range ts {
		if m == nil {
			m = make(map[string]string, len(ts))
		}
		m[t.k] = t.v
	}
	return m, nil
}

// needManagedPolicy returns store.ErrNotFound, wrapped, unless the account
// has a managed policy of that name.
func needManagedPolicy(ctx context.Context, tx *sql.Tx, account, name string) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM managed_policies WHERE account = ? AND name = ?`,
		account, name)
	return orMissing(ok, err, "managed policy %q in account %s", name, account)
}

// needGroup returns store.ErrNotFound, wrapped, unless the group exists.
func needGroup(ctx context.Context, tx *sql.Tx, account, group string) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM iam_groups WHERE account = ? AND name = ?`,
		account, group)
	return orMissing(ok, err, "group %q in account %s", group, account)
}

// needUserAndGroup is needUser and needGroup.
func needUserAndGroup(ctx context.Context, tx *sql.Tx, account, user, group string) error {
	if err := needUser(ctx, tx, account, user); err != nil {
		return err
	}
	return needGroup(ctx, tx, account, group)
}

// remove runs a DELETE and returns store.ErrNotFound, wrapped, when it
// deleted nothing.
func remove(ctx context.Context, tx *sql.Tx, query string, args ...any) error {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		err = missing("nothing to remove")
	}
	return err
}
