package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// Scope is the resource side of a request: the account that owns the
// resource, its organization and the RCPs on its path. A Scope from a
// Directory shares its slices with other requests: treat them as read-only.
type Scope struct {
	Account string
	// OrgID and OrgPaths are aws:ResourceOrgID and aws:ResourceOrgPaths,
	// empty when the account is outside the organization.
	OrgID    string
	OrgPaths []string
	// RCPs are the levels of the account in the organization, root first,
	// then each OU from the top, then the account, each starting with
	// RCPFullAWSAccess, which AWS attaches everywhere. They are nil when
	// RCPs do not apply: for the management account, an account outside
	// the organization, or when RCPs are not enabled.
	RCPs []policy.Level
}

// Scope returns the scope of resources that account owns. An account the
// store does not hold is an error wrapping ErrUnknownAccount, with
// Scope{Account: account}, which is the scope of an account outside the
// organization.
func (d *Directory) Scope(ctx context.Context, account string) (Scope, error) {
	v, err := d.current(ctx)
	if err != nil {
		return Scope{Account: account}, err
	}
	if s, ok := v.cachedScope(account); ok {
		return s, nil
	}
	o, err := d.org(ctx, v)
	if err != nil {
		return Scope{Account: account}, err
	}
	a, ok := o.accounts[account]
	if !ok {
		return Scope{Account: account}, fmt.Errorf("%w: %s", ErrUnknownAccount, account)
	}
	s := Scope{Account: account}
	s.OrgID, s.OrgPaths = o.paths(a)
	s.RCPs = o.levels(a, o.rcps, true)
	v.keepScope(s)
	return s, nil
}

// Input returns the evaluation of req by c on a resource in s, with the
// resource's own policy (nil when it has none). It sets req's Principal to
// c's, its ResourceAccount to s.Account unless that is "", and its
// ResourceOrgID and ResourceOrgPaths from s. The S3 server and the simulate
// command build their inputs with it, so that both evaluate the same way.
func (c *Caller) Input(req policy.Request, resource *policy.Source, s Scope) policy.Input {
	req.Principal = c.Principal
	if s.Account != "" {
		req.ResourceAccount = s.Account
	}
	req.ResourceOrgID, req.ResourceOrgPaths = s.OrgID, s.OrgPaths
	return policy.Input{
		Request:  req,
		Identity: c.Policies,
		Boundary: c.Boundary,
		Session:  c.Session,
		Resource: resource,
		SCPs:     c.SCPs,
		RCPs:     s.RCPs,
	}
}

// orgModel is the organization as one identity version of the store holds
// it: its tree and, for each enabled policy type, what is attached where.
type orgModel struct {
	org      store.Organization
	exists   bool // whether the store holds an organization
	ous      []store.OU
	parents  map[string]string // OU id to parent id
	names    map[string]string // OU id to name
	accounts map[string]store.Account
	scps     map[string][]policy.Source // by target; nil when SCPs are not enabled
	rcps     map[string][]policy.Source // by target; nil when RCPs are not enabled
}

// loadOrg reads the organization model from the store.
func (d *Directory) loadOrg(ctx context.Context) (*orgModel, error) {
	o := &orgModel{parents: map[string]string{}, names: map[string]string{},
		accounts: map[string]store.Account{}}
	org, err := d.meta.GetOrganization(ctx)
	switch {
	case err == nil:
		o.org, o.exists = org, true
	case !errors.Is(err, store.ErrNotFound):
		return nil, fmt.Errorf("identity: organization: %w", err)
	}
	if o.ous, err = d.meta.ListOUs(ctx); err != nil {
		return nil, fmt.Errorf("identity: organizational units: %w", err)
	}
	for _, ou := range o.ous {
		o.parents[ou.ID], o.names[ou.ID] = ou.ParentID, ou.Name
	}
	accounts, err := d.meta.ListAccounts(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: accounts: %w", err)
	}
	for _, a := range accounts {
		o.accounts[a.ID] = a
	}
	if o.exists {
		err = d.loadAttachments(ctx, o)
	}
	return o, err
}

// loadAttachments fills in o's attachments of the enabled policy types.
func (d *Directory) loadAttachments(ctx context.Context, o *orgModel) error {
	types, err := d.meta.ListEnabledPolicyTypes(ctx)
	if err != nil {
		return fmt.Errorf("identity: enabled policy types: %w", err)
	}
	for _, t := range types {
		switch t {
		case store.ServiceControlPolicy:
			o.scps, err = d.attachments(ctx, t, policy.LayerSCP, policy.FullAWSAccess())
		case store.ResourceControlPolicy:
			o.rcps, err = d.attachments(ctx, t, policy.LayerRCP, policy.RCPFullAWSAccess())
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// attachments returns the policies of type t by target, as sources of
// layer; builtin is the AWS managed policy of the type.
func (d *Directory) attachments(ctx context.Context, t store.PolicyType, layer policy.Layer,
	builtin *policy.Policy) (map[string][]policy.Source, error) {
	stored, err := d.meta.ListOrgPolicies(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("identity: %s policies: %w", t, err)
	}
	docs := make(map[string][]byte, len(stored))
	for _, p := range stored {
		docs[p.Name] = p.Document
	}
	as, err := d.meta.ListOrgAttachments(ctx, t)
	if err != nil {
		return nil, fmt.Errorf("identity: %s attachments: %w", t, err)
	}
	out := make(map[string][]policy.Source)
	for _, a := range as {
		src := policy.Source{Layer: layer, Name: a.Policy, Policy: builtin}
		if !store.Builtin(t, a.Policy) {
			doc, ok := docs[a.Policy]
			if !ok {
				return nil, fmt.Errorf("identity: %s %s attached to %s is not stored",
					t, a.Policy, a.Target)
			}
			if src.Policy, err = d.Parse(doc, layer.Kind()); err != nil {
				return nil, fmt.Errorf("identity: %s %s: %w", t, a.Policy, err)
			}
		}
		out[a.Target] = append(out[a.Target], src)
	}
	return out, nil
}

// paths returns the organization id and path of account a, or "" and nil
// when it is outside the organization.
func (o *orgModel) paths(a store.Account) (string, []string) {
	if !o.exists || a.ParentID == "" {
		return "", nil
	}
	return o.org.ID, []string{OrgPath(o.org, o.ous, a.ParentID)}
}

// rcpFullAWSAccess is the RCP that AWS attaches to every root, OU and
// account when RCPs are enabled, and that cannot be detached.
var rcpFullAWSAccess = policy.Source{Layer: policy.LayerRCP, Name: policy.RCPFullAWSAccessName,
	Policy: policy.RCPFullAWSAccess()}

// levels returns a's levels with the policies attached to each, nil when
// attached is nil (the type is disabled), for the management account and
// for an account outside the organization. rcp puts RCPFullAWSAccess first
// on every level.
func (o *orgModel) levels(a store.Account, attached map[string][]policy.Source,
	rcp bool) []policy.Level {
	if attached == nil || !o.exists || a.ParentID == "" || a.ID == o.org.ManagementAccount {
		return nil
	}
	chain := o.chain(a)
	out := make([]policy.Level, len(chain))
	for i, id := range chain {
		var ps []policy.Source
		if rcp {
			ps = append(ps, rcpFullAWSAccess)
		}
		for _, src := range attached[id] {
			if !rcp || src.Name != policy.RCPFullAWSAccessName {
				ps = append(ps, src)
			}
		}
		out[i] = policy.Level{Name: o.levelName(id, a), Policies: ps}
	}
	return out
}

// chain returns the ids from the root down to account a.
func (o *orgModel) chain(a store.Account) []string {
	var ous []string
	for id := a.ParentID; id != "" && id != o.org.RootID && len(ous) <= len(o.ous); {
		ous = append(ous, id)
		id = o.parents[id]
	}
	chain := []string{o.org.RootID}
	for i := len(ous) - 1; i >= 0; i-- {
		chain = append(chain, ous[i])
	}
	return append(chain, a.ID)
}

// levelName names a level for decisions and explanations: "root r-ab12",
// "OU ou-ab12-11111111 (platform)", "account 111111111111 (devtools)".
func (o *orgModel) levelName(id string, a store.Account) string {
	switch {
	case id == o.org.RootID:
		return "root " + id
	case id == a.ID:
		return withName("account "+id, a.Name)
	}
	return withName("OU "+id, o.names[id])
}

func withName(s, name string) string {
	if name == "" {
		return s
	}
	return s + " (" + name + ")"
}

// OrgPath renders aws:PrincipalOrgPaths for an entity whose parent is
// parentID: "o-id/r-id/ou-a/ou-b/".
func OrgPath(org store.Organization, ous []store.OU, parentID string) string {
	parents := make(map[string]string, len(ous))
	for _, ou := range ous {
		parents[ou.ID] = ou.ParentID
	}
	var chain []string
	for id := parentID; id != "" && id != org.RootID && len(chain) <= len(ous); id = parents[id] {
		chain = append([]string{id}, chain...)
	}
	path := org.ID + "/" + org.RootID + "/"
	for _, id := range chain {
		path += id + "/"
	}
	return path
}
