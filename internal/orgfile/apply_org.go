package orgfile

import (
	"bytes"
	"context"
	"fmt"
	"slices"

	"github.com/troveproject/trove/internal/store"
)

// applyOrgPolicies enables the policy types the file lists and creates or
// updates its SCPs and RCPs. Types the file no longer lists are disabled
// last, by disableTypes, once attachments are reconciled.
func applyOrgPolicies(ctx context.Context, meta store.Meta, o *Organization,
	ch *Changes) error {
	enabled, err := meta.ListEnabledPolicyTypes(ctx)
	if err != nil {
		return fmt.Errorf("orgfile: policy types: %w", err)
	}
	for _, t := range o.EnabledPolicyTypes {
		if slices.Contains(enabled, store.PolicyType(t)) {
			continue
		}
		if err := meta.EnablePolicyType(ctx, store.PolicyType(t)); err != nil {
			return fmt.Errorf("orgfile: enable %s: %w", t, err)
		}
		ch.Created++
	}
	if err := putOrgPolicies(ctx, meta, store.ServiceControlPolicy,
		o.ServiceControlPolicies, ch); err != nil {
		return fmt.Errorf("orgfile: organization: serviceControlPolicies: %w", err)
	}
	if err := putOrgPolicies(ctx, meta, store.ResourceControlPolicy,
		o.ResourceControlPolicies, ch); err != nil {
		return fmt.Errorf("orgfile: organization: resourceControlPolicies: %w", err)
	}
	return nil
}

// putOrgPolicies creates or updates the policies of type t.
func putOrgPolicies(ctx context.Context, meta store.Meta, t store.PolicyType, ps []Policy,
	ch *Changes) error {
	existing, err := meta.ListOrgPolicies(ctx, t)
	if err != nil {
		return err
	}
	have := make(map[string]store.OrgPolicy, len(existing))
	for _, p := range existing {
		have[p.Name] = p
	}
	for _, p := range ps {
		np := store.OrgPolicy{Type: t, Name: p.Name, ID: "p-" + derive(string(t)+"/"+p.Name, 8),
			Document: p.JSON}
		old, ok := have[p.Name]
		if ok {
			np.ID = old.ID
			if bytes.Equal(old.Document, np.Document) {
				continue
			}
		}
		if err := meta.PutOrgPolicy(ctx, np); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
		ch.note(!ok, ok)
	}
	return nil
}

// node is a root, unit or account of the file with what is to be attached
// to it.
type node struct {
	what   string // for errors: "root", "unit platform", "account 111111111111"
	target string
	at     Attachments
	inOrg  bool
}

// nodes lists the root, the units and the accounts the file declares.
func nodes(f *File) []node {
	o := f.Organization
	var out []node
	if o != nil {
		out = append(out, node{"root", o.RootID, o.Attachments, true})
		out = appendUnits(out, o.Units)
	}
	for _, a := range f.Accounts {
		in := o != nil && o.placed[a.ID]
		out = append(out, node{"account " + a.ID, a.ID, a.Attachments, in})
	}
	return out
}

func appendUnits(out []node, units []Unit) []node {
	for _, u := range units {
		out = append(out, node{"unit " + u.Name + " (" + u.ID + ")", u.ID, u.Attachments,
			true})
		out = appendUnits(out, u.Units)
	}
	return out
}

// want returns the policies of type t to attach to n, as AWS would have
// them attached: for SCPs FullAWSAccess unless the node gives a list, for
// RCPs the node's list (RCPFullAWSAccess is implied, not stored); nothing
// when the type is disabled or n is outside the organization.
func (n node) want(f *File, t store.PolicyType) []string {
	o := f.Organization
	if !n.inOrg || o == nil || !slices.Contains(o.EnabledPolicyTypes, string(t)) {
		return nil
	}
	if t == store.ResourceControlPolicy {
		return n.at.RCPs
	}
	if n.at.SCPs == nil {
		return []string{store.FullAWSAccess}
	}
	return *n.at.SCPs
}

// applyOrgAttachments makes the SCPs and RCPs attached to every node the
// file declares exactly the ones it lists.
func applyOrgAttachments(ctx context.Context, meta store.Meta, f *File, ch *Changes) error {
	for _, t := range []store.PolicyType{store.ServiceControlPolicy,
		store.ResourceControlPolicy} {
		existing, err := meta.ListOrgAttachments(ctx, t)
		if err != nil {
			return fmt.Errorf("orgfile: %s attachments: %w", t, err)
		}
		have := make(map[string][]string)
		for _, a := range existing {
			have[a.Target] = append(have[a.Target], a.Policy)
		}
		for _, n := range nodes(f) {
			if err := attachTo(ctx, meta, t, n.target, have[n.target], n.want(f, t),
				ch); err != nil {
				return fmt.Errorf("orgfile: %s: %w", n.what, err)
			}
		}
	}
	return nil
}

func attachTo(ctx context.Context, meta store.Meta, t store.PolicyType, target string,
	have, want []string, ch *Changes) error {
	at := func(p string) store.OrgAttachment {
		return store.OrgAttachment{Type: t, Policy: p, Target: target}
	}
	return reconcile(have, want, ch,
		func(p string) error { return meta.AttachOrgPolicy(ctx, at(p)) },
		func(p string) error { return meta.DetachOrgPolicy(ctx, at(p)) })
}

// disableTypes disables the policy types the file's organization does not
// list, which detaches their policies from every node, declared or not.
func disableTypes(ctx context.Context, meta store.Meta, f *File, ch *Changes) error {
	if f.Organization == nil {
		return nil
	}
	enabled, err := meta.ListEnabledPolicyTypes(ctx)
	if err != nil {
		return fmt.Errorf("orgfile: policy types: %w", err)
	}
	for _, t := range enabled {
		if slices.Contains(f.Organization.EnabledPolicyTypes, string(t)) {
			continue
		}
		if err := meta.DisablePolicyType(ctx, t); err != nil {
			return fmt.Errorf("orgfile: disable %s: %w", t, err)
		}
		ch.Removed++
	}
	return nil
}
