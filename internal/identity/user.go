package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// user fills in c, whose account is set, as IAM user name of account.
func (d *Directory) user(ctx context.Context, c *Caller, account, name string) error {
	u, err := d.meta.GetUser(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("%w: user %s of account %s", ErrUnknownPrincipal, name, account)
	}
	if err != nil {
		return fmt.Errorf("identity: user %s of account %s: %w", name, account, err)
	}
	p := &c.Principal
	p.Type = policy.TypeUser
	p.ARN = UserARN(account, u.Path, u.Name)
	p.UserID = u.ID
	p.Username = u.Name
	if p.Tags, err = d.meta.ListUserTags(ctx, account, name); err != nil {
		return fmt.Errorf("identity: tags of user %s: %w", name, err)
	}
	if c.Policies, err = d.userPolicies(ctx, u); err != nil {
		return err
	}
	c.Boundary, err = d.boundary(ctx, u)
	return err
}

// userPolicies returns u's inline and managed policies, then its groups'.
func (d *Directory) userPolicies(ctx context.Context, u store.User) ([]policy.Source, error) {
	inline, err := d.meta.ListUserPolicies(ctx, u.Account, u.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: policies of user %s: %w", u.Name, err)
	}
	var out []policy.Source
	for _, p := range inline {
		name := fmt.Sprintf("inline policy %s of user %s", p.Name, u.Name)
		if out, err = d.appendSource(out, p.Document, name); err != nil {
			return nil, err
		}
	}
	managed, err := d.meta.ListAttachedUserPolicies(ctx, u.Account, u.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: managed policies of user %s: %w", u.Name, err)
	}
	if out, err = d.appendManaged(out, managed, ""); err != nil {
		return nil, err
	}
	groups, err := d.meta.ListGroupsForUser(ctx, u.Account, u.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: groups of user %s: %w", u.Name, err)
	}
	for _, g := range groups {
		if out, err = d.groupPolicies(ctx, out, g); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// groupPolicies appends g's inline and managed policies to out.
func (d *Directory) groupPolicies(ctx context.Context, out []policy.Source, g store.Group) (
	[]policy.Source, error) {
	inline, err := d.meta.ListGroupPolicies(ctx, g.Account, g.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: policies of group %s: %w", g.Name, err)
	}
	for _, p := range inline {
		name := fmt.Sprintf("inline policy %s of group %s", p.Name, g.Name)
		if out, err = d.appendSource(out, p.Document, name); err != nil {
			return nil, err
		}
	}
	managed, err := d.meta.ListAttachedGroupPolicies(ctx, g.Account, g.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: managed policies of group %s: %w", g.Name, err)
	}
	return d.appendManaged(out, managed, g.Name)
}

// appendManaged appends managed policies, attached to group when it is not
// "" and to the user otherwise.
func (d *Directory) appendManaged(out []policy.Source, ps []store.ManagedPolicy, group string) (
	[]policy.Source, error) {
	var err error
	for _, p := range ps {
		name := "managed policy " + p.ARN()
		if group != "" {
			name += " via group " + group
		}
		if out, err = d.appendSource(out, p.Document, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// appendSource parses an identity policy and appends it to out as name.
func (d *Directory) appendSource(out []policy.Source, doc []byte, name string) (
	[]policy.Source, error) {
	p, err := d.Parse(doc, policy.Identity)
	if err != nil {
		return nil, fmt.Errorf("identity: %s: %w", name, err)
	}
	return append(out, policy.Source{Layer: policy.LayerIdentity, Name: name, Policy: p}), nil
}

// boundary returns u's permissions boundary, nil when it has none.
func (d *Directory) boundary(ctx context.Context, u store.User) (*policy.Source, error) {
	if u.Boundary == "" {
		return nil, nil
	}
	mp, err := d.meta.GetManagedPolicy(ctx, u.Account, u.Boundary)
	if err != nil {
		return nil, fmt.Errorf("identity: permissions boundary of user %s: %w", u.Name, err)
	}
	name := "managed policy " + mp.ARN()
	p, err := d.Parse(mp.Document, policy.Identity)
	if err != nil {
		return nil, fmt.Errorf("identity: %s: %w", name, err)
	}
	return &policy.Source{Layer: policy.LayerBoundary, Name: name, Policy: p}, nil
}
