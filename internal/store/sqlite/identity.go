package sqlite

import (
	"context"
	"database/sql"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// The upserts below update a row only when a column differs (the WHERE on DO
// UPDATE), so putting an equal value writes nothing.

// PutOrganization stores the organization, replacing the one stored.
func (db *DB) PutOrganization(ctx context.Context, org store.Organization) error {
	_, err := db.w.ExecContext(ctx, `
INSERT INTO organization (singleton, id, root_id, management_account) VALUES (1, ?, ?, ?)
ON CONFLICT (singleton) DO UPDATE
SET id = excluded.id, root_id = excluded.root_id,
	management_account = excluded.management_account
WHERE (id, root_id, management_account) IS NOT
	(excluded.id, excluded.root_id, excluded.management_account)`,
		org.ID, org.RootID, org.ManagementAccount)
	return fail(err, "put organization %s", org.ID)
}

// GetOrganization returns the organization, or store.ErrNotFound.
func (db *DB) GetOrganization(ctx context.Context) (store.Organization, error) {
	var o store.Organization
	err := db.r.QueryRowContext(ctx,
		`SELECT id, root_id, management_account FROM organization`).
		Scan(&o.ID, &o.RootID, &o.ManagementAccount)
	return o, fail(err, "get organization")
}

// PutOU stores an organizational unit by id.
func (db *DB) PutOU(ctx context.Context, ou store.OU) error {
	_, err := db.w.ExecContext(ctx, `
INSERT INTO ous (id, name, parent_id) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id
WHERE (name, parent_id) IS NOT (excluded.name, excluded.parent_id)`,
		ou.ID, ou.Name, ou.ParentID)
	return fail(err, "put ou %s", ou.ID)
}

// ListOUs lists every OU by id.
func (db *DB) ListOUs(ctx context.Context) ([]store.OU, error) {
	ous, err := list(ctx, db.r, `SELECT id, name, parent_id FROM ous ORDER BY id`, nil,
		func(rows *sql.Rows, ou *store.OU) error {
			return rows.Scan(&ou.ID, &ou.Name, &ou.ParentID)
		})
	return ous, fail(err, "list ous")
}

// PutAccount stores an account by id.
func (db *DB) PutAccount(ctx context.Context, a store.Account) error {
	_, err := db.w.ExecContext(ctx, `
INSERT INTO accounts (id, name, parent_id) VALUES (?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, parent_id = excluded.parent_id
WHERE (name, parent_id) IS NOT (excluded.name, excluded.parent_id)`,
		a.ID, a.Name, a.ParentID)
	return fail(err, "put account %s", a.ID)
}

// GetAccount returns the account with the given id, or store.ErrNotFound.
func (db *DB) GetAccount(ctx context.Context, id string) (store.Account, error) {
	a := store.Account{ID: id}
	err := db.r.QueryRowContext(ctx,
		`SELECT name, parent_id FROM accounts WHERE id = ?`, id).Scan(&a.Name, &a.ParentID)
	return a, fail(err, "get account %s", id)
}

// ListAccounts lists every account by id.
func (db *DB) ListAccounts(ctx context.Context) ([]store.Account, error) {
	as, err := list(ctx, db.r, `SELECT id, name, parent_id FROM accounts ORDER BY id`, nil,
		func(rows *sql.Rows, a *store.Account) error {
			return rows.Scan(&a.ID, &a.Name, &a.ParentID)
		})
	return as, fail(err, "list accounts")
}

// PutUser stores an IAM user by account and name. It returns
// store.ErrNotFound when the account, or the managed policy its Boundary
// names, does not exist.
func (db *DB) PutUser(ctx context.Context, u store.User) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, u.Account); err != nil {
			return err
		}
		if u.Boundary != "" {
			if err := needManagedPolicy(ctx, tx, u.Account, u.Boundary); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO users (account, name, id, path, boundary) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (account, name) DO UPDATE
SET id = excluded.id, path = excluded.path, boundary = excluded.boundary
WHERE (id, path, boundary) IS NOT (excluded.id, excluded.path, excluded.boundary)`,
			u.Account, u.Name, u.ID, u.Path, nullString(u.Boundary))
		return err
	})
	return fail(err, "put user %q in account %s", u.Name, u.Account)
}

// userColumns is the column list scanUser reads.
const userColumns = `account, name, id, path, boundary`

// GetUser returns a user, or store.ErrNotFound.
func (db *DB) GetUser(ctx context.Context, account, name string) (store.User, error) {
	var u store.User
	row := db.r.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE account = ? AND name = ?`, account, name)
	err := scanUser(row, &u)
	return u, fail(err, "get user %q in account %s", name, account)
}

// ListUsers lists an account's users by name.
func (db *DB) ListUsers(ctx context.Context, account string) ([]store.User, error) {
	us, err := list(ctx, db.r,
		`SELECT `+userColumns+` FROM users WHERE account = ? ORDER BY name`,
		[]any{account},
		func(rows *sql.Rows, u *store.User) error { return scanUser(rows, u) })
	return us, fail(err, "list users in account %s", account)
}

// scanUser scans userColumns into u.
func scanUser(row interface{ Scan(...any) error }, u *store.User) error {
	var boundary sql.NullString
	if err := row.Scan(&u.Account, &u.Name, &u.ID, &u.Path, &boundary); err != nil {
		return err
	}
	u.Boundary = boundary.String
	return nil
}

// PutAccessKey stores an access key by id. It returns store.ErrNotFound when
// the account, or the user when k.User is set, does not exist.
func (db *DB) PutAccessKey(ctx context.Context, k store.AccessKey) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needUser(ctx, tx, k.Account, k.User); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO access_keys (id, secret, account, user_name, active, created)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET secret = excluded.secret, account = excluded.account,
	user_name = excluded.user_name, active = excluded.active, created = excluded.created
WHERE (secret, account, user_name, active, created) IS NOT
	(excluded.secret, excluded.account, excluded.user_name, excluded.active, excluded.created)`,
			k.ID, k.Secret, k.Account, nullString(k.User), k.Active, toNanos(k.Created))
		return err
	})
	return fail(err, "put access key %s", k.ID)
}

// accessKeyColumns is the column list scanAccessKey reads.
const accessKeyColumns = `id, secret, account, user_name, active, created`

// GetAccessKey returns the access key with the given id, or
// store.ErrNotFound.
func (db *DB) GetAccessKey(ctx context.Context, id string) (store.AccessKey, error) {
	var k store.AccessKey
	row := db.r.QueryRowContext(ctx,
		`SELECT `+accessKeyColumns+` FROM access_keys WHERE id = ?`, id)
	err := scanAccessKey(row, &k)
	return k, fail(err, "get access key %s", id)
}

// ListAccessKeys lists the keys of one user of an account by id; user ""
// lists the root user's keys.
func (db *DB) ListAccessKeys(ctx context.Context, account, user string) (
	[]store.AccessKey, error) {
	ks, err := list(ctx, db.r, `SELECT `+accessKeyColumns+` FROM access_keys
WHERE account = ? AND user_name IS ? ORDER BY id`,
		[]any{account, nullString(user)},
		func(rows *sql.Rows, k *store.AccessKey) error { return scanAccessKey(rows, k) })
	return ks, fail(err, "list access keys of user %q in account %s", user, account)
}

// scanAccessKey scans accessKeyColumns into k.
func scanAccessKey(row interface{ Scan(...any) error }, k *store.AccessKey) error {
	var user sql.NullString
	var created int64
	if err := row.Scan(&k.ID, &k.Secret, &k.Account, &user, &k.Active, &created); err != nil {
		return err
	}
	k.User = user.String
	k.Created = fromNanos(created)
	return nil
}

// PutUserPolicy stores an inline user policy by account, user and name. It
// returns store.ErrNotFound when the user does not exist.
func (db *DB) PutUserPolicy(ctx context.Context, p store.UserPolicy) error {
	return db.putInline(ctx, users, p.Account, p.User, p.Name, p.Document)
}

// ListUserPolicies lists a user's inline policies by name.
func (db *DB) ListUserPolicies(ctx context.Context, account, user string) (
	[]store.UserPolicy, error) {
	return listInline(ctx, db, users, account, user, func(p *store.UserPolicy) []any {
		return []any{&p.Account, &p.User, &p.Name, &p.Document}
	})
}

// needAccount returns store.ErrNotFound, wrapped, unless the account exists.
func needAccount(ctx context.Context, tx *sql.Tx, account string) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM accounts WHERE id = ?`, account)
	return orMissing(ok, err, "account %s", account)
}

// needUser returns store.ErrNotFound, wrapped, unless the account exists and,
// when user is not "", the user exists in it.
func needUser(ctx context.Context, tx *sql.Tx, account, user string) error {
	if user == "" {
		return needAccount(ctx, tx, account)
	}
	ok, err := exists(ctx, tx, `SELECT 1 FROM users WHERE account = ? AND name = ?`,
		account, user)
	return orMissing(ok, err, "user %q in account %s", user, account)
}

// list runs query with args and scans each row into a new T.
func list[T any](ctx context.Context, db *sql.DB, query string, args []any,
	scan func(rows *sql.Rows, v *T) error) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// nullString maps "" to NULL.
func nullString(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// nonNil returns b, or an empty slice when b is nil, for NOT NULL BLOBs.
func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// fromNanos turns stored Unix nanoseconds back into a UTC time; 0 is the
// zero time, which is what a zero time.Time was stored as.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// toNanos stores t as Unix nanoseconds; the zero time is stored as 0.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}
