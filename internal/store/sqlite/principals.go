package sqlite

import (
	"context"
	"database/sql"

	"github.com/troveproject/trove/internal/store"
)

// principalKind is what the queries on inline policies and managed policy
// attachments need to know of a kind of IAM principal: users and groups
// keep them in tables of the same shape, which differ only in their names.
// The names are constants of this package, never input.
type principalKind struct {
	noun     string // "user" or "group", for errors
	column   string // the column naming the principal in the tables below
	inline   string // the table of its inline policies
	attached string // the table of its managed policy attachments
	// need returns store.ErrNotFound, wrapped, unless the principal exists.
	need func(ctx context.Context, tx *sql.Tx, account, name string) error
}

// The kinds of principal that have inline and attached policies.
var (
	users = principalKind{noun: "user", column: "user_name", inline: "user_policies",
		attached: "user_attached_policies", need: needUser}
	groups = principalKind{noun: "group", column: "group_name", inline: "group_policies",
		attached: "group_attached_policies", need: needGroup}
)

// putInline stores an inline policy of a principal by account, principal
// and name. It returns store.ErrNotFound when the principal does not exist.
func (db *DB) putInline(ctx context.Context, k principalKind, account, owner, name string,
	doc []byte) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := k.need(ctx, tx, account, owner); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO `+k.inline+` (account, `+k.column+`, name, document) VALUES (?, ?, ?, ?)
ON CONFLICT (account, `+k.column+`, name) DO UPDATE SET document = excluded.document
WHERE document IS NOT excluded.document`,
			account, owner, name, nonNil(doc))
		return err
	})
	return fail(err, "put policy %q of %s %q in account %s", name, k.noun, owner, account)
}

// listInline lists a principal's inline policies by name; fields returns
// the pointers to scan the account, principal, name and document into.
func listInline[T any](ctx context.Context, db *DB, k principalKind, account, owner string,
	fields func(p *T) []any) ([]T, error) {
	ps, err := list(ctx, db.r, `SELECT account, `+k.column+`, name, document FROM `+k.inline+`
WHERE account = ? AND `+k.column+` = ? ORDER BY name`,
		[]any{account, owner},
		func(rows *sql.Rows, p *T) error { return rows.Scan(fields(p)...) })
	return ps, fail(err, "list policies of %s %q in account %s", k.noun, owner, account)
}

// attach attaches the account's managed policy to a principal. It returns
// store.ErrNotFound when the principal or the policy does not exist.
func (db *DB) attach(ctx context.Context, k principalKind, account, name, policy string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := k.need(ctx, tx, account, name); err != nil {
			return err
		}
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO `+k.attached+` (account, `+k.column+`, policy) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING`, account, name, policy)
		return err
	})
	return fail(err, "attach policy %q to %s %q in account %s", policy, k.noun, name, account)
}

// detach detaches a managed policy from a principal. It returns
// store.ErrNotFound when it is not attached.
func (db *DB) detach(ctx context.Context, k principalKind, account, name, policy string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM `+k.attached+`
WHERE account = ? AND `+k.column+` = ? AND policy = ?`, account, name, policy)
	})
	return fail(err, "detach policy %q from %s %q in account %s", policy, k.noun, name,
		account)
}

// listAttached returns the managed policies attached to a principal, by
// name.
func (db *DB) listAttached(ctx context.Context, k principalKind, account, name string) (
	[]store.ManagedPolicy, error) {
	ps, err := list(ctx, db.r, `SELECT `+managedColumns+` FROM `+k.attached+` a
JOIN managed_policies mp ON mp.account = a.account AND mp.name = a.policy
WHERE a.account = ? AND a.`+k.column+` = ? ORDER BY mp.name`,
		[]any{account, name}, scanManagedRows)
	return ps, fail(err, "list policies attached to %s %q in account %s", k.noun, name,
		account)
}
