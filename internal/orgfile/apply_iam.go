package orgfile

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// preflightNames refuses a user, group, role or managed policy that the
// file declares in account a under a name the account has in another case
// only (the API created "Carol", the file declares "carol"): IAM's names
// are unique regardless of case, so applying would store both, and the
// account could not be exported and loaded again. A name the account has
// in the file's spelling is the same entity, whatever else it has.
func preflightNames(ctx context.Context, meta store.Meta, a Account) error {
	stored, err := storedNames(ctx, meta, a.ID)
	if err != nil {
		return err
	}
	declared := make(map[string][]string, 4)
	for _, p := range a.ManagedPolicies {
		declared["managed policy"] = append(declared["managed policy"], p.Name)
	}
	for _, g := range a.Groups {
		declared["group"] = append(declared["group"], g.Name)
	}
	for _, u := range a.Users {
		declared["user"] = append(declared["user"], u.Name)
	}
	for _, r := range a.Roles {
		declared["role"] = append(declared["role"], r.Name)
	}
	for _, what := range []string{"managed policy", "group", "user", "role"} {
		if err := sameSpelling(what, declared[what], stored[what]); err != nil {
			return err
		}
	}
	return nil
}

// sameSpelling refuses a name of names that stored holds in another case
// only.
func sameSpelling(what string, names, stored []string) error {
	for _, n := range names {
		if slices.Contains(stored, n) {
			continue
		}
		for _, s := range stored {
			if strings.EqualFold(s, n) {
				return fmt.Errorf("%s %s: the account has a %s %s; IAM names are unique "+
					"regardless of case: use that spelling or delete it", what, n, what, s)
			}
		}
	}
	return nil
}

// storedNames returns the names of the account's managed policies, groups,
// users and roles in meta, by kind.
func storedNames(ctx context.Context, meta store.Meta, account string) (map[string][]string,
	error) {
	out := make(map[string][]string, 4)
	ps, err := meta.ListManagedPolicies(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("managed policies: %w", err)
	}
	out["managed policy"] = managedNames(ps)
	gs, err := meta.ListGroups(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("groups: %w", err)
	}
	for _, g := range gs {
		out["group"] = append(out["group"], g.Name)
	}
	us, err := meta.ListUsers(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	for _, u := range us {
		out["user"] = append(out["user"], u.Name)
	}
	rs, err := meta.ListRoles(ctx, account)
	if err != nil {
		return nil, fmt.Errorf("roles: %w", err)
	}
	for _, r := range rs {
		out["role"] = append(out["role"], r.Name)
	}
	return out, nil
}

// applyManaged creates or updates the account's managed policies. A policy
// keeps the unique id it was created with.
func applyManaged(ctx context.Context, meta store.Meta, a Account, ch *Changes) error {
	existing, err := meta.ListManagedPolicies(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("managed policies: %w", err)
	}
	have := make(map[string]store.ManagedPolicy, len(existing))
	for _, p := range existing {
		have[p.Name] = p
	}
	for _, p := range a.ManagedPolicies {
		np := store.ManagedPolicy{Account: a.ID, Name: p.Name, ID: uniqueID("ANPA", a.ID, p.Name),
			Path: p.Path, Document: p.JSON}
		old, ok := have[p.Name]
		if ok {
			np.ID = old.ID
			if old.Path == np.Path && bytes.Equal(old.Document, np.Document) {
				continue
			}
		}
		if err := meta.PutManagedPolicy(ctx, np); err != nil {
			return fmt.Errorf("managed policy %s: %w", p.Name, err)
		}
		ch.note(!ok, ok)
	}
	return nil
}

// applyGroups creates or updates the account's groups and their inline
// policies, and reconciles their managed policies.
func applyGroups(ctx context.Context, meta store.Meta, a Account, ch *Changes) error {
	existing, err := meta.ListGroups(ctx, a.ID)
	if err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	have := make(map[string]store.Group, len(existing))
	for _, g := range existing {
		have[g.Name] = g
	}
	for _, g := range a.Groups {
		if err := applyGroup(ctx, meta, a.ID, g, have, ch); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	return nil
}

func applyGroup(ctx context.Context, meta store.Meta, account string, g Group,
	have map[string]store.Group, ch *Changes) error {
	ng := store.Group{Account: account, Name: g.Name, ID: uniqueID("AGPA", account, g.Name),
		Path: g.Path}
	old, ok := have[g.Name]
	if ok {
		ng.ID = old.ID
	}
	if !ok || old != ng {
		if err := meta.PutGroup(ctx, ng); err != nil {
			return err
		}
		ch.note(!ok, ok)
	}
	existing, err := meta.ListGroupPolicies(ctx, account, g.Name)
	if err != nil {
		return err
	}
	docs := make(map[string][]byte, len(existing))
	for _, p := range existing {
		docs[p.Name] = p.Document
	}
	err = putInline(docs, g.Policies, ch, func(p Policy) error {
		return meta.PutGroupPolicy(ctx, store.GroupPolicy{Account: account, Group: g.Name,
			Name: p.Name, Document: p.JSON})
	})
	if err != nil {
		return err
	}
	attached, err := meta.ListAttachedGroupPolicies(ctx, account, g.Name)
	if err != nil {
		return err
	}
	return reconcile(managedNames(attached), g.managed, ch,
		func(p string) error { return meta.AttachGroupPolicy(ctx, account, g.Name, p) },
		func(p string) error { return meta.DetachGroupPolicy(ctx, account, g.Name, p) })
}

// putInline puts each policy of ps whose document differs from docs, the
// stored documents by name.
func putInline(docs map[string][]byte, ps []Policy, ch *Changes, put func(Policy) error) error {
	for _, p := range ps {
		old, ok := docs[p.Name]
		if ok && bytes.Equal(old, p.JSON) {
			continue
		}
		if err := put(p); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
		ch.note(!ok, ok)
	}
	return nil
}

// applyUserLinks reconciles a user's managed policies, groups and tags.
func applyUserLinks(ctx context.Context, meta store.Meta, account string, u User,
	ch *Changes) error {
	attached, err := meta.ListAttachedUserPolicies(ctx, account, u.Name)
	if err != nil {
		return err
	}
	err = reconcile(managedNames(attached), u.managed, ch,
		func(p string) error { return meta.AttachUserPolicy(ctx, account, u.Name, p) },
		func(p string) error { return meta.DetachUserPolicy(ctx, account, u.Name, p) })
	if err != nil {
		return err
	}
	groups, err := meta.ListGroupsForUser(ctx, account, u.Name)
	if err != nil {
		return err
	}
	var in []string
	for _, g := range groups {
		in = append(in, g.Name)
	}
	err = reconcile(in, u.Groups, ch,
		func(g string) error { return meta.AddUserToGroup(ctx, account, u.Name, g) },
		func(g string) error { return meta.RemoveUserFromGroup(ctx, account, u.Name, g) })
	if err != nil {
		return err
	}
	return applyTags(ctx, meta, account, u, ch)
}

// applyTags makes the user's tags exactly the file's.
func applyTags(ctx context.Context, meta store.Meta, account string, u User, ch *Changes) error {
	have, err := meta.ListUserTags(ctx, account, u.Name)
	if err != nil {
		return err
	}
	put := make(map[string]string)
	for k, v := range u.Tags {
		old, ok := have[k]
		if !ok || old != v {
			put[k] = v
			ch.note(!ok, ok)
		}
	}
	var drop []string
	for k := range have {
		if _, ok := u.Tags[k]; !ok {
			drop = append(drop, k)
		}
	}
	if len(put) > 0 {
		if err := meta.TagUser(ctx, account, u.Name, put); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
	}
	if len(drop) > 0 {
		slices.Sort(drop)
		if err := meta.UntagUser(ctx, account, u.Name, drop); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		ch.Removed += len(drop)
	}
	return nil
}

// reconcile turns the set have into want: it adds what want has and have
// lacks, then removes what have has and want lacks, counting both.
func reconcile(have, want []string, ch *Changes, add, remove func(string) error) error {
	for _, w := range want {
		if !slices.Contains(have, w) {
			if err := add(w); err != nil {
				return err
			}
			ch.Created++
		}
	}
	for _, h := range have {
		if !slices.Contains(want, h) {
			if err := remove(h); err != nil {
				return err
			}
			ch.Removed++
		}
	}
	return nil
}

// managedNames returns the names of ps.
func managedNames(ps []store.ManagedPolicy) []string {
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
}
