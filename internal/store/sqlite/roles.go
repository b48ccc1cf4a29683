package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/troveproject/trove/internal/store"
)

// roleMigration is migration 6: IAM roles, their inline policies and
// managed policy attachments, and the keys that seal session tokens. Role
// tags are a JSON object in the role's row, written whole by PutRole.
// session_keys has no version trigger: adding a key changes no identity.
var roleMigration = `
CREATE TABLE roles (
	account      TEXT NOT NULL REFERENCES accounts (id),
	name         TEXT NOT NULL,
	id           TEXT NOT NULL,
	path         TEXT NOT NULL,
	trust_policy BLOB NOT NULL,
	boundary     TEXT, -- a managed policy of the account; NULL for none
	max_session  INTEGER NOT NULL, -- seconds; 0 for the default
	tags         TEXT NOT NULL,    -- JSON object
	description  TEXT NOT NULL,
	created      INTEGER NOT NULL, -- Unix nanoseconds
	PRIMARY KEY (account, name)
);
CREATE TABLE role_policies (
	account   TEXT NOT NULL,
	role_name TEXT NOT NULL,
	name      TEXT NOT NULL,
	document  BLOB NOT NULL,
	PRIMARY KEY (account, role_name, name),
	FOREIGN KEY (account, role_name) REFERENCES roles (account, name)
);
CREATE TABLE role_attached_policies (
	account   TEXT NOT NULL,
	role_name TEXT NOT NULL,
	policy    TEXT NOT NULL,
	PRIMARY KEY (account, role_name, policy),
	FOREIGN KEY (account, role_name) REFERENCES roles (account, name),
	FOREIGN KEY (account, policy) REFERENCES managed_policies (account, name)
);
CREATE TABLE session_keys (
	id      INTEGER PRIMARY KEY,
	secret  BLOB NOT NULL,
	created INTEGER NOT NULL -- Unix nanoseconds
);
` + versionTriggers("roles", "role_policies", "role_attached_policies")

// roles is the principal kind of IAM roles, for the shared queries on
// inline policies and attachments (principals.go).
var roles = principalKind{noun: "role", column: "role_name", inline: "role_policies",
	attached: "role_attached_policies", need: needRole}

// PutRole stores a role by account and name. It returns store.ErrNotFound
// when the account, or the managed policy its Boundary names, does not
// exist.
func (db *DB) PutRole(ctx context.Context, r store.Role) error {
	tags, err := json.Marshal(nonNilMap(r.Tags))
	if err != nil {
		return fail(err, "put role %q in account %s", r.Name, r.Account)
	}
	err = db.write(ctx, func(tx *sql.Tx) error {
		if err := needAccount(ctx, tx, r.Account); err != nil {
			return err
		}
		if r.Boundary != "" {
			if err := needManagedPolicy(ctx, tx, r.Account, r.Boundary); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO roles (`+roleColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (account, name) DO UPDATE
SET id = excluded.id, path = excluded.path, trust_policy = excluded.trust_policy,
	boundary = excluded.boundary, max_session = excluded.max_session,
	tags = excluded.tags, description = excluded.description, created = excluded.created
WHERE (id, path, trust_policy, boundary, max_session, tags, description, created) IS NOT
	(excluded.id, excluded.path, excluded.trust_policy, excluded.boundary,
	excluded.max_session, excluded.tags, excluded.description, excluded.created)`,
			r.Account, r.Name, r.ID, r.Path, nonNil(r.TrustPolicy), nullString(r.Boundary),
			r.MaxSessionDuration, string(tags), r.Description, toNanos(r.Created))
		return err
	})
	return fail(err, "put role %q in account %s", r.Name, r.Account)
}

// roleColumns is the column list scanRole reads.
const roleColumns = `account, name, id, path, trust_policy, boundary, max_session, tags,
	description, created`

// scanRole scans roleColumns into r.
func scanRole(row interface{ Scan(...any) error }, r *store.Role) error {
	var boundary sql.NullString
	var tags string
	var created int64
	err := row.Scan(&r.Account, &r.Name, &r.ID, &r.Path, &r.TrustPolicy, &boundary,
		&r.MaxSessionDuration, &tags, &r.Description, &created)
	if err != nil {
		return err
	}
	r.Boundary, r.Created = boundary.String, fromNanos(created)
	if err := json.Unmarshal([]byte(tags), &r.Tags); err != nil {
		return err
	}
	if len(r.Tags) == 0 {
		r.Tags = nil
	}
	return nil
}

// GetRole returns a role, or store.ErrNotFound.
func (db *DB) GetRole(ctx context.Context, account, name string) (store.Role, error) {
	var r store.Role
	row := db.r.QueryRowContext(ctx,
		`SELECT `+roleColumns+` FROM roles WHERE account = ? AND name = ?`, account, name)
	err := scanRole(row, &r)
	return r, fail(err, "get role %q in account %s", name, account)
}

// ListRoles lists an account's roles by name.
func (db *DB) ListRoles(ctx context.Context, account string) ([]store.Role, error) {
	rs, err := list(ctx, db.r,
		`SELECT `+roleColumns+` FROM roles WHERE account = ? ORDER BY name`, []any{account},
		func(rows *sql.Rows, r *store.Role) error { return scanRole(rows, r) })
	return rs, fail(err, "list roles in account %s", account)
}

// DeleteRole removes a role with its inline policies and attachments. It
// returns store.ErrNotFound when there is no such role.
func (db *DB) DeleteRole(ctx context.Context, account, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		for _, table := range []string{"role_policies", "role_attached_policies"} {
			_, err := tx.ExecContext(ctx, `DELETE FROM `+table+
				` WHERE account = ? AND role_name = ?`, account, name)
			if err != nil {
				return err
			}
		}
		return remove(ctx, tx, `DELETE FROM roles WHERE account = ? AND name = ?`,
			account, name)
	})
	return fail(err, "delete role %q in account %s", name, account)
}

// PutRolePolicy stores an inline role policy by account, role and name. It
// returns store.ErrNotFound when the role does not exist.
func (db *DB) PutRolePolicy(ctx context.Context, p store.RolePolicy) error {
	return db.putInline(ctx, roles, p.Account, p.Role, p.Name, p.Document)
}

// DeleteRolePolicy removes an inline role policy. It returns
// store.ErrNotFound when there is none of that name.
func (db *DB) DeleteRolePolicy(ctx context.Context, account, role, name string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM role_policies
WHERE account = ? AND role_name = ? AND name = ?`, account, role, name)
	})
	return fail(err, "delete policy %q of role %q in account %s", name, role, account)
}

// ListRolePolicies lists a role's inline policies by name.
func (db *DB) ListRolePolicies(ctx context.Context, account, role string) (
	[]store.RolePolicy, error) {
	return listInline(ctx, db, roles, account, role, func(p *store.RolePolicy) []any {
		return []any{&p.Account, &p.Role, &p.Name, &p.Document}
	})
}

// AttachRolePolicy attaches the account's managed policy to a role. It
// returns store.ErrNotFound when the role or the policy does not exist.
func (db *DB) AttachRolePolicy(ctx context.Context, account, role, policy string) error {
	return db.attach(ctx, roles, account, role, policy)
}

// DetachRolePolicy detaches a managed policy from a role. It returns
// store.ErrNotFound when it is not attached.
func (db *DB) DetachRolePolicy(ctx context.Context, account, role, policy string) error {
	return db.detach(ctx, roles, account, role, policy)
}

// ListAttachedRolePolicies returns the managed policies attached to a role,
// by name.
func (db *DB) ListAttachedRolePolicies(ctx context.Context, account, role string) (
	[]store.ManagedPolicy, error) {
	return db.listAttached(ctx, roles, account, role)
}

// SessionKeys returns the session keys, newest first.
func (db *DB) SessionKeys(ctx context.Context) ([]store.SessionKey, error) {
	ks, err := list(ctx, db.r, `SELECT id, secret, created FROM session_keys ORDER BY id DESC`,
		nil, func(rows *sql.Rows, k *store.SessionKey) error {
			var created int64
			err := rows.Scan(&k.ID, &k.Secret, &created)
			k.Created = fromNanos(created)
			return err
		})
	return ks, fail(err, "list session keys")
}

// AddSessionKey stores k unless a key with its id exists.
func (db *DB) AddSessionKey(ctx context.Context, k store.SessionKey) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO session_keys (id, secret, created)
VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING`, k.ID, nonNil(k.Secret), toNanos(k.Created))
	return fail(err, "add session key %d", k.ID)
}

// needRole returns store.ErrNotFound, wrapped, unless the role exists.
func needRole(ctx context.Context, tx *sql.Tx, account, role string) error {
	ok, err := exists(ctx, tx, `SELECT 1 FROM roles WHERE account = ? AND name = ?`,
		account, role)
	return orMissing(ok, err, "role %q in account %s", role, account)
}

// nonNilMap returns m, or an empty map when m is nil, so that it encodes
// as {}.
func nonNilMap(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}
