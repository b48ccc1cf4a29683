package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// checkType rejects policy types other than the store's constants.
func checkType(t store.PolicyType) error {
	if t != store.ServiceControlPolicy && t != store.ResourceControlPolicy {
		return fmt.Errorf("unknown policy type %q", t)
	}
	return nil
}

// EnablePolicyType enables a policy type; enabling an enabled one changes
// nothing.
func (db *DB) EnablePolicyType(ctx context.Context, t store.PolicyType) error {
	err := checkType(t)
	if err == nil {
		_, err = db.w.ExecContext(ctx,
			`INSERT INTO enabled_policy_types (type) VALUES (?) ON CONFLICT DO NOTHING`, t)
	}
	return fail(err, "enable policy type %s", t)
}

// DisablePolicyType disables a policy type and detaches every policy of the
// type. It returns store.ErrNotFound when the type is not enabled.
func (db *DB) DisablePolicyType(ctx context.Context, t store.PolicyType) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := checkType(t); err != nil {
			return err
		}
		if err := remove(ctx, tx, `DELETE FROM enabled_policy_types WHERE type = ?`,
			t); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM org_attachments WHERE type = ?`, t)
		return err
	})
	return fail(err, "disable policy type %s", t)
}

// ListEnabledPolicyTypes lists the enabled policy types by name.
func (db *DB) ListEnabledPolicyTypes(ctx context.Context) ([]store.PolicyType, error) {
	ts, err := list(ctx, db.r, `SELECT type FROM enabled_policy_types ORDER BY type`, nil,
		func(rows *sql.Rows, t *store.PolicyType) error { return rows.Scan(t) })
	return ts, fail(err, "list enabled policy types")
}

// PutOrgPolicy stores an SCP or RCP by type and name.
func (db *DB) PutOrgPolicy(ctx context.Context, p store.OrgPolicy) error {
	err := checkType(p.Type)
	if err == nil {
		_, err = db.w.ExecContext(ctx, `
INSERT INTO org_policies (type, name, id, document) VALUES (?, ?, ?, ?)
ON CONFLICT (type, name) DO UPDATE SET id = excluded.id, document = excluded.document
WHERE (id, document) IS NOT (excluded.id, excluded.document)`,
			p.Type, p.Name, p.ID, nonNil(p.Document))
	}
	return fail(err, "put %s %q", p.Type, p.Name)
}

// ListOrgPolicies lists the stored policies of one type by name.
func (db *DB) ListOrgPolicies(ctx context.Context, t store.PolicyType) (
	[]store.OrgPolicy, error) {
	ps, err := list(ctx, db.r, `SELECT type, name, id, document FROM org_policies
WHERE type = ? ORDER BY name`, []any{t},
		func(rows *sql.Rows, p *store.OrgPolicy) error {
			return rows.Scan(&p.Type, &p.Name, &p.ID, &p.Document)
		})
	return ps, fail(err, "list %s policies", t)
}

// AttachOrgPolicy attaches an SCP or RCP to the root, an OU or an account.
// It returns store.ErrNotFound when the target or the policy does not exist.
func (db *DB) AttachOrgPolicy(ctx context.Context, a store.OrgAttachment) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := checkType(a.Type); err != nil {
			return err
		}
		if err := needTarget(ctx, tx, a.Target); err != nil {
			return err
		}
		if err := needOrgPolicy(ctx, tx, a.Type, a.Policy); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `
INSERT INTO org_attachments (type, target, policy) VALUES (?, ?, ?)
ON CONFLICT DO NOTHING`, a.Type, a.Target, a.Policy)
		return err
	})
	return fail(err, "attach %s %q to %s", a.Type, a.Policy, a.Target)
}

// DetachOrgPolicy detaches an SCP or RCP. It returns store.ErrNotFound when
// it is not attached.
func (db *DB) DetachOrgPolicy(ctx context.Context, a store.OrgAttachment) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		return remove(ctx, tx, `DELETE FROM org_attachments
WHERE type = ? AND target = ? AND policy = ?`, a.Type, a.Target, a.Policy)
	})
	return fail(err, "detach %s %q from %s", a.Type, a.Policy, a.Target)
}

// ListOrgAttachments lists the attachments of one type by target and policy.
func (db *DB) ListOrgAttachments(ctx context.Context, t store.PolicyType) (
	[]store.OrgAttachment, error) {
	as, err := list(ctx, db.r, `SELECT type, policy, target FROM org_attachments
WHERE type = ? ORDER BY target, policy`, []any{t},
		func(rows *sql.Rows, a *store.OrgAttachment) error {
			return rows.Scan(&a.Type, &a.Policy, &a.Target)
		})
	return as, fail(err, "list %s attachments", t)
}

// IdentityVersion returns the counter that the triggers of migration 2
// increment on every change to an identity or organization record.
func (db *DB) IdentityVersion(ctx context.Context) (uint64, error) {
	var v int64
	err := db.r.QueryRowContext(ctx,
		`SELECT version FROM identity_version`).Scan(&v)
	return uint64(v), fail(err, "read identity version")
}

// needTarget returns store.ErrNotFound, wrapped, unless target is the
// stored organization's root, an OU or an account.
func needTarget(ctx context.Context, tx *sql.Tx, target string) error {
	ok, err := exists(ctx, tx, `
SELECT 1 FROM organization WHERE root_id = ?1
UNION ALL SELECT 1 FROM ous WHERE id = ?1
UNION ALL SELECT 1 FROM accounts WHERE id = ?1`, target)
	return orMissing(ok, err, "root, OU or account %s", target)
}

// needOrgPolicy returns store.ErrNotFound, wrapped, unless the policy is
// stored or is the AWS managed policy of its type.
func needOrgPolicy(ctx context.Context, tx *sql.Tx, t store.PolicyType, name string) error {
	if store.Builtin(t, name) {
		return nil
	}
	ok, err := exists(ctx, tx, `SELECT 1 FROM org_policies WHERE type = ? AND name = ?`,
		t, name)
	return orMissing(ok, err, "%s %q", t, name)
}
