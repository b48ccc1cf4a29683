// Package identity turns credentials into principals: it resolves an access
// key id to the account, user and organization it belongs to, with the
// identity-based policies that apply, in the shape the policy engine needs.
//
// A Directory reads the metadata store on every call, so changes made by
// loading an organization file or through an API take effect at once. Parsed
// policies are cached by the hash of their text.
package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// ErrUnknownKey reports an access key that does not exist or is inactive.
var ErrUnknownKey = errors.New("identity: unknown or inactive access key")

// Caller is an authenticated (or anonymous) principal and its identity-based
// policies.
type Caller struct {
	Principal policy.Principal
	Policies  []policy.Source
}

// IsRoot reports whether the caller is an account's root user.
func (c *Caller) IsRoot() bool { return c.Principal.Type == policy.TypeAccount }

// Anonymous returns the caller of an unsigned request.
func Anonymous() *Caller {
	return &Caller{Principal: policy.Principal{Anonymous: true, Type: policy.TypeAnonymous}}
}

// Directory resolves access keys against a metadata store.
type Directory struct {
	meta store.Meta

	mu    sync.Mutex // guards cache
	cache map[[32]byte]*policy.Policy
}

// New returns a Directory reading meta.
func New(meta store.Meta) *Directory {
	return &Directory{meta: meta, cache: make(map[[32]byte]*policy.Policy)}
}

// Lookup returns an active access key, or ErrUnknownKey.
func (d *Directory) Lookup(ctx context.Context, accessKeyID string) (store.AccessKey, error) {
	k, err := d.meta.GetAccessKey(ctx, accessKeyID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !k.Active) {
		return store.AccessKey{}, ErrUnknownKey
	}
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("identity: look up access key: %w", err)
	}
	return k, nil
}

// Secret returns the secret of an active access key, or ErrUnknownKey.
func (d *Directory) Secret(ctx context.Context, accessKeyID string) (string, error) {
	k, err := d.Lookup(ctx, accessKeyID)
	return k.Secret, err
}

// Resolve returns the caller that owns accessKeyID.
func (d *Directory) Resolve(ctx context.Context, accessKeyID string) (*Caller, error) {
	k, err := d.Lookup(ctx, accessKeyID)
	if err != nil {
		return nil, err
	}
	return d.Caller(ctx, k)
}

// Caller returns the principal that owns k, an access key Lookup returned.
//
// TODO(trove): Caller reads the store four or five times per request (about
// half the cost of a small request in BenchmarkBaselineNotFound); a cache
// keyed by access key needs invalidation when the IAM and Organizations APIs
// of issue 6 change identities, and should arrive with them.
func (d *Directory) Caller(ctx context.Context, k store.AccessKey) (*Caller, error) {
	p, err := d.principal(ctx, k.Account, k.User)
	if err != nil {
		return nil, err
	}
	c := &Caller{Principal: p}
	if k.User != "" {
		c.Policies, err = d.userPolicies(ctx, k.Account, k.User)
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// principal builds the principal of a user, or of the root user when user is "".
func (d *Directory) principal(ctx context.Context, account, user string) (policy.Principal, error) {
	p := policy.Principal{Account: account}
	if user == "" {
		p.Type = policy.TypeAccount
		p.ARN = RootARN(account)
		p.UserID = account
	} else {
		u, err := d.meta.GetUser(ctx, account, user)
		if err != nil {
			return p, fmt.Errorf("identity: user %s of account %s: %w", user, account, err)
		}
		p.Type = policy.TypeUser
		p.ARN = UserARN(account, u.Path, u.Name)
		p.UserID = u.ID
		p.Username = u.Name
	}
	org, paths, err := d.orgPaths(ctx, account)
	if err != nil {
		return p, err
	}
	p.OrgID, p.OrgPaths = org, paths
	return p, nil
}

// orgPaths returns the organization id and the account's organization path,
// or "" and nil when the account is outside the organization.
func (d *Directory) orgPaths(ctx context.Context, account string) (string, []string, error) {
	org, err := d.meta.GetOrganization(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil, nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("identity: organization: %w", err)
	}
	a, err := d.meta.GetAccount(ctx, account)
	if err != nil {
		return "", nil, fmt.Errorf("identity: account %s: %w", account, err)
	}
	if a.ParentID == "" {
		return "", nil, nil
	}
	ous, err := d.meta.ListOUs(ctx)
	if err != nil {
		return "", nil, fmt.Errorf("identity: organizational units: %w", err)
	}
	return org.ID, []string{OrgPath(org, ous, a.ParentID)}, nil
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

func (d *Directory) userPolicies(ctx context.Context, account, user string) (
	[]policy.Source, error) {
	docs, err := d.meta.ListUserPolicies(ctx, account, user)
	if err != nil {
		return nil, fmt.Errorf("identity: policies of user %s: %w", user, err)
	}
	out := make([]policy.Source, 0, len(docs))
	for _, doc := range docs {
		p, err := d.Parse(doc.Document, policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("identity: policy %s of user %s: %w", doc.Name, user, err)
		}
		name := fmt.Sprintf("inline policy %s of user %s", doc.Name, user)
		out = append(out, policy.Source{Layer: policy.LayerIdentity, Name: name, Policy: p})
	}
	return out, nil
}

// Parse parses a policy document, reusing an earlier parse of the same text.
func (d *Directory) Parse(doc []byte, kind policy.Kind) (*policy.Policy, error) {
	h := sha256.Sum256(append([]byte{byte(kind)}, doc...))
	d.mu.Lock()
	p, ok := d.cache[h]
	d.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	d.mu.Lock()
	if len(d.cache) > 4096 {
		clear(d.cache)
	}
	d.cache[h] = p
	d.mu.Unlock()
	return p, nil
}

// RootARN is the ARN of an account's root user.
func RootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// UserARN is the ARN of an IAM user with the given path ("/" when empty).
func UserARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":user" + path + name
}
