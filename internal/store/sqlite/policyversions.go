package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// policyVersionMigration is migration 8: the versions of managed policies,
// their descriptions and their tags. managed_policies.document stays the
// default version's document, so that what reads policies for evaluation
// is unchanged; every policy stored before gets that document as v1, its
// default, of unknown creation time (0). next_version is the number the
// policy's next version takes: numbers are not reused.
var policyVersionMigration = `
ALTER TABLE managed_policies ADD COLUMN description TEXT NOT NULL DEFAULT '';
ALTER TABLE managed_policies ADD COLUMN next_version INTEGER NOT NULL DEFAULT 2;
CREATE TABLE policy_versions (
	account    TEXT NOT NULL,
	policy     TEXT NOT NULL,
	number     INTEGER NOT NULL, -- the N of the version id vN
	document   BLOB NOT NULL,
	is_default INTEGER NOT NULL,
	created    INTEGER NOT NULL, -- Unix nanoseconds; 0 when unknown
	PRIMARY KEY (account, policy, number),
	FOREIGN KEY (account, policy) REFERENCES managed_policies (account, name)
);
INSERT INTO policy_versions (account, policy, number, document, is_default, created)
SELECT account, name, 1, document, 1, 0 FROM managed_policies;
CREATE TABLE policy_tags (
	account TEXT NOT NULL,
	policy  TEXT NOT NULL,
	key     TEXT NOT NULL,
	value   TEXT NOT NULL,
	PRIMARY KEY (account, policy, key),
	FOREIGN KEY (account, policy) REFERENCES managed_policies (account, name)
);
` + versionTriggers("policy_versions", "policy_tags")

// versionClock is the clock that stamps policy versions: the store makes
// versions itself (PutManagedPolicy makes them too), so it reads its own.
var versionClock = func() time.Time { return time.Now().UTC().Truncate(time.Second) }

// addVersion adds a version holding doc to a stored policy, the default
// when makeDefault is set. At store.MaxPolicyVersions it returns
// store.ErrLimit, or, with prune, first removes the oldest version that is
// not the default.
func addVersion(ctx context.Context, tx *sql.Tx, account, policy string, doc []byte,
	makeDefault, prune bool) (store.PolicyVersion, error) {
	var count, next int
	err := tx.QueryRowContext(ctx, `SELECT count(*), mp.next_version FROM managed_policies mp
JOIN policy_versions v ON v.account = mp.account AND v.policy = mp.name
WHERE mp.account = ? AND mp.name = ?`, account, policy).Scan(&count, &next)
	if err != nil {
		return store.PolicyVersion{}, err
	}
	if count >= store.MaxPolicyVersions {
		if !prune {
			return store.PolicyVersion{}, fmt.Errorf("%w: policy %q has %d versions",
				store.ErrLimit, policy, count)
		}
		if err := pruneOldest(ctx, tx, account, policy); err != nil {
			return store.PolicyVersion{}, err
		}
	}
	v := store.PolicyVersion{ID: store.VersionID(next), Document: doc, Default: makeDefault,
		Created: versionClock()}
	_, err = tx.ExecContext(ctx, `UPDATE managed_policies SET next_version = ?
WHERE account = ? AND name = ?`, next+1, account, policy)
	if err == nil && makeDefault {
		err = setDefault(ctx, tx, account, policy, next, doc)
	}
	if err != nil {
		return v, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO policy_versions
(account, policy, number, document, is_default, created) VALUES (?, ?, ?, ?, ?, ?)`,
		account, policy, next, doc, makeDefault, toNanos(v.Created))
	return v, err
}

// pruneOldest removes the policy's oldest version that is not its default.
func pruneOldest(ctx context.Context, tx *sql.Tx, account, policy string) error {
	_, err := tx.ExecContext(ctx, `DELETE FROM policy_versions
WHERE account = ? AND policy = ? AND number = (SELECT min(number) FROM policy_versions
	WHERE account = ? AND policy = ? AND is_default = 0)`, account, policy, account, policy)
	return err
}

// setDefault makes version number n, whose document is doc, the policy's
// default (the row of n itself may not exist yet).
func setDefault(ctx context.Context, tx *sql.Tx, account, policy string, n int,
	doc []byte) error {
	_, err := tx.ExecContext(ctx, `UPDATE policy_versions SET is_default = (number = ?)
WHERE account = ? AND policy = ? AND is_default IS NOT (number = ?)`, n, account, policy, n)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE managed_policies SET document = ?
WHERE account = ? AND name = ? AND document IS NOT ?`, doc, account, policy, doc)
	return err
}

// CreatePolicyVersion adds a version to a managed policy; see
// store.PolicyVersions.
func (db *DB) CreatePolicyVersion(ctx context.Context, account, policy string, doc []byte,
	makeDefault bool) (store.PolicyVersion, error) {
	var v store.PolicyVersion
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		var err error
		v, err = addVersion(ctx, tx, account, policy, nonNil(doc), makeDefault, false)
		return err
	})
	return v, fail(err, "create a version of managed policy %q in account %s", policy,
		account)
}

// policyVersionColumns is the column list scanPolicyVersion reads.
const policyVersionColumns = `number, document, is_default, created`

// scanPolicyVersion scans policyVersionColumns into v.
func scanPolicyVersion(row interface{ Scan(...any) error }, v *store.PolicyVersion) error {
	var n int
	var created int64
	if err := row.Scan(&n, &v.Document, &v.Default, &created); err != nil {
		return err
	}
	v.ID, v.Created = store.VersionID(n), fromNanos(created)
	return nil
}

// GetPolicyVersion returns one version of a managed policy.
func (db *DB) GetPolicyVersion(ctx context.Context, account, policy, id string) (
	store.PolicyVersion, error) {
	var v store.PolicyVersion
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		return scanPolicyVersion(tx.QueryRowContext(ctx, `SELECT `+policyVersionColumns+`
FROM policy_versions WHERE account = ? AND policy = ? AND number = ?`, account, policy,
			store.VersionNumber(id)), &v)
	})
	return v, fail(err, "get version %q of managed policy %q in account %s", id, policy,
		account)
}

// ListPolicyVersions lists a managed policy's versions, oldest first.
func (db *DB) ListPolicyVersions(ctx context.Context, account, policy string) (
	[]store.PolicyVersion, error) {
	var vs []store.PolicyVersion
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT `+policyVersionColumns+` FROM policy_versions
WHERE account = ? AND policy = ? ORDER BY number`, account, policy)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v store.PolicyVersion
			if err := scanPolicyVersion(rows, &v); err != nil {
				return err
			}
			vs = append(vs, v)
		}
		return rows.Err()
	})
	return vs, fail(err, "list versions of managed policy %q in account %s", policy, account)
}

// SetDefaultPolicyVersion makes a version the default of a managed policy.
func (db *DB) SetDefaultPolicyVersion(ctx context.Context, account, policy, id string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		var doc []byte
		n := store.VersionNumber(id)
		err := tx.QueryRowContext(ctx, `SELECT document FROM policy_versions
WHERE account = ? AND policy = ? AND number = ?`, account, policy, n).Scan(&doc)
		if err != nil {
			return err
		}
		return setDefault(ctx, tx, account, policy, n, doc)
	})
	return fail(err, "set version %q as the default of managed policy %q in account %s", id,
		policy, account)
}

// DeletePolicyVersion removes a version of a managed policy other than its
// default.
func (db *DB) DeletePolicyVersion(ctx context.Context, account, policy, id string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		var isDefault bool
		n := store.VersionNumber(id)
		err := tx.QueryRowContext(ctx, `SELECT is_default FROM policy_versions
WHERE account = ? AND policy = ? AND number = ?`, account, policy, n).Scan(&isDefault)
		if err != nil {
			return err
		}
		if isDefault {
			return fmt.Errorf("%w: version %s is the policy's default", store.ErrInUse, id)
		}
		return remove(ctx, tx, `DELETE FROM policy_versions
WHERE account = ? AND policy = ? AND number = ?`, account, policy, n)
	})
	return fail(err, "delete version %q of managed policy %q in account %s", id, policy,
		account)
}

// TagPolicy adds tags to a managed policy, replacing the values of keys it
// has.
func (db *DB) TagPolicy(ctx context.Context, account, policy string,
	tags map[string]string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		for k, v := range tags {
			_, err := tx.ExecContext(ctx, `
INSERT INTO policy_tags (account, policy, key, value) VALUES (?, ?, ?, ?)
ON CONFLICT (account, policy, key) DO UPDATE SET value = excluded.value
WHERE value IS NOT excluded.value`, account, policy, k, v)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "tag managed policy %q in account %s", policy, account)
}

// UntagPolicy removes tags from a managed policy; keys it lacks are
// ignored.
func (db *DB) UntagPolicy(ctx context.Context, account, policy string, keys []string) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		for _, k := range keys {
			_, err := tx.ExecContext(ctx, `DELETE FROM policy_tags
WHERE account = ? AND policy = ? AND key = ?`, account, policy, k)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "untag managed policy %q in account %s", policy, account)
}

// ListPolicyTags returns a managed policy's tags, nil when it has none.
func (db *DB) ListPolicyTags(ctx context.Context, account, policy string) (
	map[string]string, error) {
	var m map[string]string
	err := db.read(ctx, func(tx *sql.Tx) error {
		if err := needManagedPolicy(ctx, tx, account, policy); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT key, value FROM policy_tags
WHERE account = ? AND policy = ?`, account, policy)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k, v string
			if err := rows.Scan(&k, &v); err != nil {
				return err
			}
			if m == nil {
				m = map[string]string{}
			}
			m[k] = v
		}
		return rows.Err()
	})
	return m, fail(err, "list tags of managed policy %q in account %s", policy, account)
}

// deletePolicyRecords removes what a managed policy keeps besides its row:
// its versions, once only the default is left, and its tags.
func deletePolicyRecords(ctx context.Context, tx *sql.Tx, account, name string) error {
	var others int
	err := tx.QueryRowContext(ctx, `SELECT count(*) FROM policy_versions
WHERE account = ? AND policy = ? AND is_default = 0`, account, name).Scan(&others)
	if err != nil {
		return err
	}
	if others > 0 {
		return fmt.Errorf("%w: it has %d versions other than the default", store.ErrInUse,
			others)
	}
	for _, table := range []string{"policy_versions", "policy_tags"} {
		_, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE account = ? AND policy = ?`,
			account, name)
		if err != nil {
			return err
		}
	}
	return nil
}
