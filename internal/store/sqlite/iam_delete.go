package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// dependent is a table whose rows keep a user, group or managed policy from
// being removed: noun names them in the error, query counts the rows that
// depend on the record (its parameters are the account and the name).
type dependent struct {
	noun  string
	query string
}

// The records that keep a user, a group and a managed policy alive, as IAM
// lists them for DeleteUser, DeleteGroup and DeletePolicy (roles included).
var (
	userDependents = []dependent{
		{"access keys", `SELECT count(*) FROM access_keys WHERE account = ? AND user_name = ?`},
		{"inline policies",
			`SELECT count(*) FROM user_policies WHERE account = ? AND user_name = ?`},
		{"attached managed policies",
			`SELECT count(*) FROM user_attached_policies WHERE account = ? AND user_name = ?`},
		{"group memberships",
			`SELECT count(*) FROM group_members WHERE account = ? AND user_name = ?`},
	}
	groupDependents = []dependent{
		{"members", `SELECT count(*) FROM group_members WHERE account = ? AND group_name = ?`},
		{"inline policies",
			`SELECT count(*) FROM group_policies WHERE account = ? AND group_name = ?`},
		{"attached managed policies",
			`SELECT count(*) FROM group_attached_policies WHERE account = ? AND group_name = ?`},
	}
	policyDependents = []dependent{
		{"user attachments",
			`SELECT count(*) FROM user_attached_policies WHERE account = ? AND policy = ?`},
		{"group attachments",
			`SELECT count(*) FROM group_attached_policies WHERE account = ? AND policy = ?`},
		{"users whose permissions boundary it is",
			`SELECT count(*) FROM users WHERE account = ? AND boundary = ?`},
		{"role attachments",
			`SELECT count(*) FROM role_attached_policies WHERE account = ? AND policy = ?`},
		{"roles whose permissions boundary it is",
			`SELECT count(*) FROM roles WHERE account = ? AND boundary = ?`},
	}
)

// inUse returns store.ErrInUse, wrapped with what depends on the record,
// when any of deps has a row for account and name.
func inUse(ctx context.Context, tx *sql.Tx, deps []dependent, account, name string) error {
	var held []string
	for _, d := range deps {
		var n int
		if err := tx.QueryRowContext(ctx, d.query, account, name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			held = append(held, fmt.Sprintf("%d %s", n, d.noun))
		}
	}
	if len(held) == 0 {
		return nil
	}
	return fmt.Errorf("%w: it has %s", store.ErrInUse, strings.Join(held, ", "))
}

// deleteIfUnused removes the row of table keyed by account and name, after
// need and inUse found it and nothing depending on it.
func (db *DB) deleteIfUnused(ctx context.Context, table string, deps []dependent,
	need func(context.Context, *sql.Tx, string, string) error, account, name string) error {
	return db.write(ctx, func(tx *sql.Tx) error {
		if err := need(ctx, tx, account, name); err != nil {
			return err
		}
		if err := inUse(ctx, tx, deps, account, name); err != nil {
			return err
		}
		return remove(ctx, tx, `DELETE FROM `+table+` WHERE account = ? AND name = ?`,
			account, name)
	})
}

// DeleteUser removes a user and its tags; see store.IAMDeletes.
func (db *DB) DeleteUser(ctx context.Context, account, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needUser(ctx, tx, account, name); err != nil || name == "" {
			return orMissing(name != "", err, "user %q", name)
		}
		if err := inUse(ctx, tx, userDependents, account, name); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM user_tags
WHERE account = ? AND user_name = ?`, account, name)
		if err != nil {
			return err
		}
		return remove(ctx, tx, `DELETE FROM users WHERE account = ? AND name = ?`,
			account, name)
	})
	return fail(err, "delete user %q in account %s", name, account)
}

// userReferences are the tables whose rows name a user, with their column
// for the user's name; RenameUser rewrites them all.
var userReferences = []string{"access_keys", "user_policies", "group_members",
	"user_attached_policies", "user_tags"}

// RenameUser gives a user a new name and path; see store.IAMDeletes. The
// foreign keys are checked at commit, after every row names the new user.
func (db *DB) RenameUser(ctx context.Context, account, name, newName, newPath string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needUser(ctx, tx, account, name); err != nil || name == "" {
			return orMissing(name != "", err, "user %q", name)
		}
		if newName != name {
			taken, err := exists(ctx, tx, `SELECT 1 FROM users WHERE account = ? AND name = ?`,
				account, newName)
			if err != nil || taken {
				return orExists(taken, err, "user %q", newName)
			}
		}
		if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `UPDATE users SET name = ?, path = ?
WHERE account = ? AND name = ?`, newName, newPath, account, name)
		if err != nil || newName == name {
			return err
		}
		for _, table := range userReferences {
			_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET user_name = ?
WHERE account = ? AND user_name = ?`, newName, account, name)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "rename user %q in account %s", name, account)
}

// orExists returns err, or store.ErrExists wrapped with what exists when
// taken is true.
func orExists(taken bool, err error, format string, args ...any) error {
	if err == nil && taken {
		return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), store.ErrExists)
	}
	return err
}

// DeleteUserPolicy removes a user's inline policy.
func (db *DB) DeleteUserPolicy(ctx context.Context, account, user, name string) error {
	return db.deleteInline(ctx, users, account, user, name)
}

// DeleteGroupPolicy removes a group's inline policy.
func (db *DB) DeleteGroupPolicy(ctx context.Context, account, group, name string) error {
	return db.deleteInline(ctx, groups, account, group, name)
}

// deleteInline removes an inline policy of a principal, or returns
// store.ErrNotFound.
func (db *DB) deleteInline(ctx context.Context, k principalKind, account, owner,
	name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM `+k.inline+`
WHERE account = ? AND `+k.column+` = ? AND name = ?`, account, owner, name)
	})
	return fail(err, "delete policy %q of %s %q in account %s", name, k.noun, owner, account)
}

// DeleteAccessKey removes an access key by id.
func (db *DB) DeleteAccessKey(ctx context.Context, id string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM access_keys WHERE id = ?`, id)
	})
	return fail(err, "delete access key %s", id)
}

// DeleteGroup removes a group; see store.IAMDeletes.
func (db *DB) DeleteGroup(ctx context.Context, account, name string) error {
	err := db.deleteIfUnused(ctx, "iam_groups", groupDependents, needGroup, account, name)
	return fail(err, "delete group %q in account %s", name, account)
}

// ListGroupMembers lists a group's users by name.
func (db *DB) ListGroupMembers(ctx context.Context, account, group string) (
	[]store.User, error) {
	us, err := list(ctx, db.r, `SELECT u.account, u.name, u.id, u.path, u.boundary
FROM group_members m JOIN users u ON u.account = m.account AND u.name = m.user_name
WHERE m.account = ? AND m.group_name = ? ORDER BY u.name`, []any{account, group},
		func(rows *sql.Rows, u *store.User) error { return scanUser(rows, u) })
	return us, fail(err, "list members of group %q in account %s", group, account)
}

// DeleteManagedPolicy removes a managed policy; see store.IAMDeletes.
func (db *DB) DeleteManagedPolicy(ctx context.Context, account, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, name); err != nil {
			return err
		}
		if err := inUse(ctx, tx, policyDependents, account, name); err != nil {
			return err
		}
		if err := deletePolicyRecords(ctx, tx, account, name); err != nil {
			return err
		}
		return remove(ctx, tx, `DELETE FROM managed_policies WHERE account = ? AND name = ?`,
			account, name)
	})
	return fail(err, "delete managed policy %q in account %s", name, account)
}

// ListPolicyEntities returns who uses a managed policy, read in one
// snapshot.
func (db *DB) ListPolicyEntities(ctx context.Context, account, policy string) (
	store.PolicyEntities, error) {
	var e store.PolicyEntities
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		var err error
		queries := []struct {
			into  *[]string
			query string
		}{
			{&e.Users, `SELECT user_name FROM user_attached_policies
WHERE account = ? AND policy = ? ORDER BY user_name`},
			{&e.Groups, `SELECT group_name FROM group_attached_policies
WHERE account = ? AND policy = ? ORDER BY group_name`},
			{&e.Boundaries, `SELECT name FROM users
WHERE account = ? AND boundary = ? ORDER BY name`},
			{&e.Roles, `SELECT role_name FROM role_attached_policies
WHERE account = ? AND policy = ? ORDER BY role_name`},
			{&e.RoleBoundaries, `SELECT name FROM roles
WHERE account = ? AND boundary = ? ORDER BY name`},
		}
		for _, q := range queries {
			if *q.into, err = names(ctx, tx, q.query, account, policy); err != nil {
				return err
			}
		}
		return nil
	})
	return e, fail(err, "list entities of managed policy %q in account %s", policy, account)
}

// names runs query in tx and returns the first column of every row.
func names(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
