package orgfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"regexp"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/store"
)

// Role is an IAM role. TrustPolicy says who may assume it (a document or a
// file, as for any policy; its name is ignored); ManagedPolicies and
// PermissionsBoundary name managed policies of the account by name or ARN.
// MaxSessionDuration is in seconds, 3600 to 43200; 0 means 3600.
type Role struct {
	Name                string            `yaml:"name"`
	Path                string            `yaml:"path"`
	Description         string            `yaml:"description"`
	TrustPolicy         Policy            `yaml:"trustPolicy"`
	Policies            []Policy          `yaml:"policies"`
	ManagedPolicies     []string          `yaml:"managedPolicies"`
	PermissionsBoundary string            `yaml:"permissionsBoundary"`
	MaxSessionDuration  int               `yaml:"maxSessionDuration"`
	Tags                map[string]string `yaml:"tags"`
	// managed and boundary hold the names ManagedPolicies and
	// PermissionsBoundary resolve to, filled in by Load.
	managed  []string
	boundary string
}

// roleNameRe is IAM's role name: up to 64 characters.
var roleNameRe = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

// validateRoles checks the account's roles and their references.
func (a *Account) validateRoles(dir string) error {
	names := make(map[string]string)
	for i := range a.Roles {
		r := &a.Roles[i]
		if err := uniqueName(names, roleNameRe, "role", r.Name); err != nil {
			return err
		}
		if err := r.validate(a, dir); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	return nil
}

func (r *Role) validate(a *Account, dir string) error {
	if err := checkPath(&r.Path); err != nil {
		return err
	}
	if d := r.MaxSessionDuration; d != 0 && (d < 3600 || d > 43200) {
		return fmt.Errorf("maxSessionDuration %d: must be 3600 to 43200 seconds", d)
	}
	if len(r.Description) > 1000 {
		return errors.New("description: at most 1000 characters")
	}
	doc, err := r.TrustPolicy.resolve(dir)
	if err != nil {
		return fmt.Errorf("trustPolicy: %w", err)
	}
	if _, err := identity.ParseTrust(doc); err != nil {
		return fmt.Errorf("trustPolicy: %w", err)
	}
	r.TrustPolicy.JSON = doc
	if err := validateInline(r.Policies, dir); err != nil {
		return err
	}
	if r.managed, err = a.resolveAll(r.ManagedPolicies); err != nil {
		return err
	}
	if r.PermissionsBoundary != "" {
		if r.boundary, err = a.resolve(r.PermissionsBoundary); err != nil {
			return fmt.Errorf("permissionsBoundary: %w", err)
		}
	}
	return checkTags(r.Tags)
}

// RoleID derives the stable unique id of a role declared in the file: AROA
// followed by 17 characters.
func RoleID(account, name string) string { return uniqueID("AROA", account, name) }

// applyRoles creates or updates the account's roles, their inline
// policies and their managed policy attachments. A role keeps the id and
// creation time it was created with.
func applyRoles(ctx context.Context, meta store.Meta, a Account, ch *Changes) error {
	for _, r := range a.Roles {
		if err := applyRole(ctx, meta, a.ID, r, ch); err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
	}
	return nil
}

func applyRole(ctx context.Context, meta store.Meta, account string, r Role,
	ch *Changes) error {
	nr := store.Role{Account: account, Name: r.Name, ID: RoleID(account, r.Name), Path: r.Path,
		TrustPolicy: r.TrustPolicy.JSON, Boundary: r.boundary,
		MaxSessionDuration: r.MaxSessionDuration, Tags: r.Tags, Description: r.Description,
		Created: time.Now().UTC().Truncate(time.Second)}
	old, err := meta.GetRole(ctx, account, r.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	found := err == nil
	if found {
		nr.ID, nr.Created = old.ID, old.Created
	}
	if !found || !sameRole(old, nr) {
		if err := meta.PutRole(ctx, nr); err != nil {
			return err
		}
		ch.note(!found, found)
	}
	if err := applyRolePolicies(ctx, meta, account, r, ch); err != nil {
		return err
	}
	attached, err := meta.ListAttachedRolePolicies(ctx, account, r.Name)
	if err != nil {
		return err
	}
	return reconcile(managedNames(attached), r.managed, ch,
		func(p string) error { return meta.AttachRolePolicy(ctx, account, r.Name, p) },
		func(p string) error { return meta.DetachRolePolicy(ctx, account, r.Name, p) })
}

// sameRole reports whether two roles are stored alike.
func sameRole(a, b store.Role) bool {
	return a.ID == b.ID && a.Path == b.Path && bytes.Equal(a.TrustPolicy, b.TrustPolicy) &&
		a.Boundary == b.Boundary && a.MaxSessionDuration == b.MaxSessionDuration &&
		maps.Equal(a.Tags, b.Tags) && a.Description == b.Description &&
		a.Created.Equal(b.Created)
}

// applyRolePolicies puts the role's inline policies whose documents differ
// and removes those the file no longer declares.
func applyRolePolicies(ctx context.Context, meta store.Meta, account string, r Role,
	ch *Changes) error {
	existing, err := meta.ListRolePolicies(ctx, account, r.Name)
	if err != nil {
		return err
	}
	docs := make(map[string][]byte, len(existing))
	for _, p := range existing {
		docs[p.Name] = p.Document
	}
	err = putInline(docs, r.Policies, ch, func(p Policy) error {
		return meta.PutRolePolicy(ctx, store.RolePolicy{Account: account, Role: r.Name,
			Name: p.Name, Document: p.JSON})
	})
	if err != nil {
		return err
	}
	for name := range docs {
		if !declared(r.Policies, name) {
			if err := meta.DeleteRolePolicy(ctx, account, r.Name, name); err != nil {
				return err
			}
			ch.Removed++
		}
	}
	return nil
}

func declared(ps []Policy, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}
