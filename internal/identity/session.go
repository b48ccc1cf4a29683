package identity

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/session"
	"github.com/troveproject/trove/internal/store"
)

// RoleARN is the ARN of an IAM role with the given path ("/" when empty).
func RoleARN(account, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":role" + path + name
}

// SessionARN is the ARN of a role session, as AWS forms it: without the
// role's path.
func SessionARN(account, role, name string) string {
	return "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + name
}

// lookupSession checks the session token a request presented for the
// temporary key id and returns the key it holds. Without a token the key
// is unknown (ErrUnknownKey); a token that does not open, was issued for
// another key, or whose role is gone or was replaced is session.ErrInvalid;
// an ended session session.ErrExpired (both wrapped). The claims are kept
// for Caller.
func (d *Directory) lookupSession(ctx context.Context, id, token string) (store.AccessKey,
	error) {
	if token == "" {
		return store.AccessKey{}, ErrUnknownKey
	}
	c, err := d.keyring.Open(ctx, token)
	if errors.Is(err, session.ErrInvalid) {
		return store.AccessKey{}, fmt.Errorf("identity: %w", err)
	}
	if err != nil {
		return store.AccessKey{}, fmt.Errorf("identity: open session token: %w", err)
	}
	if subtle.ConstantTimeCompare([]byte(c.AccessKeyID), []byte(id)) != 1 {
		return store.AccessKey{}, fmt.Errorf("identity: %w: issued for another key",
			session.ErrInvalid)
	}
	if err := c.Check(d.now()); err != nil {
		return store.AccessKey{}, fmt.Errorf("identity: %w", err)
	}
	if _, err := d.SessionCaller(ctx, c); err != nil {
		return store.AccessKey{}, err
	}
	d.sessions.put(c)
	return store.AccessKey{ID: id, Secret: c.Secret, Account: c.Account, Active: true,
		Created: c.Issued}, nil
}

func (d *Directory) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

// SessionCaller returns the caller of the role session c describes: the
// role's policies, boundary and SCPs, with the session's ARN, aws:userid
// (role id:session name), tags (the role's, overridden by the session's,
// keys compared case-insensitively: a session tag "team" replaces a role
// tag "Team") and session policies. A role that no longer exists, or was
// deleted and created again under a new id, makes the session invalid
// (session.ErrInvalid, wrapped); an ended session is session.ErrExpired.
func (d *Directory) SessionCaller(ctx context.Context, c *session.Claims) (*Caller, error) {
	if err := c.Check(d.now()); err != nil {
		return nil, fmt.Errorf("identity: %w", err)
	}
	rc, err := d.RoleCaller(ctx, c.Account, c.Role)
	if errors.Is(err, ErrUnknownPrincipal) {
		return nil, fmt.Errorf("identity: %w: role %s of account %s is gone",
			session.ErrInvalid, c.Role, c.Account)
	}
	if err != nil {
		return nil, err
	}
	if rc.Principal.UserID != c.RoleID {
		return nil, fmt.Errorf("identity: %w: role %s of account %s was replaced",
			session.ErrInvalid, c.Role, c.Account)
	}
	p := &rc.Principal
	p.ARN = SessionARN(c.Account, c.Role, c.Name)
	p.UserID = c.RoleID + ":" + c.Name
	p.Tags = session.MergeTags(p.Tags, c.UniqueTags())
	if rc.Session, err = d.sessionPolicies(ctx, c); err != nil {
		return nil, err
	}
	return rc, nil
}

// RoleCaller returns what every session of a role shares: the principal
// with the role's ARN as RoleARN, its id as UserID and its tags, the
// role's inline and managed policies, its boundary and its account's SCPs.
// The Principal's ARN is the role's, not a session's: SessionCaller
// completes it. A role the store does not hold is ErrUnknownPrincipal.
func (d *Directory) RoleCaller(ctx context.Context, account, name string) (*Caller, error) {
	v, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	key := principalKey{account, "role/" + name}
	if c := v.cachedCaller(key); c != nil {
		return c, nil
	}
	c, err := d.buildRole(ctx, v, account, name)
	if err != nil {
		return nil, err
	}
	v.keepCaller(key, c)
	cp := *c
	return &cp, nil
}

// buildRole reads the store for the caller of role name in account.
func (d *Directory) buildRole(ctx context.Context, v *view, account, name string) (*Caller,
	error) {
	o, err := d.org(ctx, v)
	if err != nil {
		return nil, err
	}
	a, ok := o.accounts[account]
	if !ok {
		return nil, fmt.Errorf("%w: account %s", ErrUnknownPrincipal, account)
	}
	r, err := d.meta.GetRole(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("%w: role %s of account %s", ErrUnknownPrincipal, name, account)
	}
	if err != nil {
		return nil, fmt.Errorf("identity: role %s of account %s: %w", name, account, err)
	}
	c := &Caller{Principal: policy.Principal{Type: policy.TypeAssumedRole, Account: account,
		ARN: r.ARN(), RoleARN: r.ARN(), UserID: r.ID, Tags: r.Tags}}
	if c.Policies, err = d.rolePolicies(ctx, r); err != nil {
		return nil, err
	}
	if c.Boundary, err = d.boundaryOf(ctx, account, r.Boundary, "role "+r.Name); err != nil {
		return nil, err
	}
	c.Principal.OrgID, c.Principal.OrgPaths = o.paths(a)
	c.SCPs = o.levels(a, o.scps, false)
	return c, nil
}

// rolePolicies returns r's inline and managed policies.
func (d *Directory) rolePolicies(ctx context.Context, r store.Role) ([]policy.Source, error) {
	inline, err := d.meta.ListRolePolicies(ctx, r.Account, r.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: policies of role %s: %w", r.Name, err)
	}
	var out []policy.Source
	for _, p := range inline {
		name := fmt.Sprintf("inline policy %s of role %s", p.Name, r.Name)
		if out, err = d.appendSource(out, p.Document, name); err != nil {
			return nil, err
		}
	}
	managed, err := d.meta.ListAttachedRolePolicies(ctx, r.Account, r.Name)
	if err != nil {
		return nil, fmt.Errorf("identity: managed policies of role %s: %w", r.Name, err)
	}
	return d.appendManaged(out, managed, "")
}

// boundaryOf returns the managed policy name of account as the permissions
// boundary of owner, nil when name is "".
func (d *Directory) boundaryOf(ctx context.Context, account, name, owner string) (
	*policy.Source, error) {
	if name == "" {
		return nil, nil
	}
	mp, err := d.meta.GetManagedPolicy(ctx, account, name)
	if err != nil {
		return nil, fmt.Errorf("identity: permissions boundary of %s: %w", owner, err)
	}
	src := "managed policy " + mp.ARN()
	p, err := d.Parse(mp.Document, policy.Identity)
	if err != nil {
		return nil, fmt.Errorf("identity: %s: %w", src, err)
	}
	return &policy.Source{Layer: policy.LayerBoundary, Name: src, Policy: p}, nil
}

// sessionPolicies returns the session policies of c: its inline policy,
// then its managed policy ARNs, read from the store at every call so that
// a change to one applies at once. A managed policy deleted since the
// session began, or deleted and created again (its id differs from the one
// the token recorded), is a session policy that allows nothing: the
// session keeps its limit and loses what that policy allowed.
func (d *Directory) sessionPolicies(ctx context.Context, c *session.Claims) (
	[]policy.Source, error) {
	var out []policy.Source
	if c.Policy != "" {
		p, err := d.Parse([]byte(c.Policy), policy.Identity)
		if err != nil {
			return nil, fmt.Errorf("identity: %w: session policy: %w", session.ErrInvalid, err)
		}
		out = append(out, policy.Source{Layer: policy.LayerSession,
			Name: "inline session policy", Policy: p})
	}
	for i, arn := range c.PolicyARNs {
		id := ""
		if i < len(c.PolicyIDs) {
			id = c.PolicyIDs[i]
		}
		src, err := d.managedSessionPolicy(ctx, arn, id)
		if err != nil {
			return nil, err
		}
		out = append(out, src)
	}
	return out, nil
}

// managedSessionPolicy returns the managed session policy arn as a source,
// or one that allows nothing when the policy is gone or its id is not id
// ("" for tokens that recorded none: any policy of that ARN).
func (d *Directory) managedSessionPolicy(ctx context.Context, arn, id string) (policy.Source,
	error) {
	name := "managed session policy " + arn
	mp, err := d.ManagedPolicyByARN(ctx, arn)
	if errors.Is(err, ErrUnknownPrincipal) || err == nil && id != "" && mp.ID != id {
		name += " (deleted or replaced since the session began: allows nothing)"
		return policy.Source{Layer: policy.LayerSession, Name: name, Policy: allowNothing}, nil
	}
	if err != nil {
		return policy.Source{}, err
	}
	p, err := d.Parse(mp.Document, policy.Identity)
	if err != nil {
		return policy.Source{}, fmt.Errorf("identity: session policy %s: %w", arn, err)
	}
	return policy.Source{Layer: policy.LayerSession, Name: name, Policy: p}, nil
}

// allowNothing is an identity-based policy without statements: as a
// session policy it limits the session to nothing.
var allowNothing = &policy.Policy{Version: policy.Version2012, Kind: policy.Identity}

// ManagedPolicyByARN returns the customer managed policy an ARN names
// (arn:aws:iam::ACCOUNT:policy/PATH/NAME, the path as the policy has it),
// or an error wrapping ErrUnknownPrincipal.
func (d *Directory) ManagedPolicyByARN(ctx context.Context, arn string) (store.ManagedPolicy,
	error) {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	if !ok || len(rest) < 13 || !isAccountID(rest[:12]) || rest[12] != ':' ||
		!strings.HasPrefix(rest[13:], "policy/") {
		return store.ManagedPolicy{}, fmt.Errorf("%w: policy %s", ErrUnknownPrincipal, arn)
	}
	name := rest[strings.LastIndexByte(rest, '/')+1:]
	mp, err := d.meta.GetManagedPolicy(ctx, rest[:12], name)
	if errors.Is(err, store.ErrNotFound) || err == nil && mp.ARN() != arn {
		return store.ManagedPolicy{}, fmt.Errorf("%w: policy %s", ErrUnknownPrincipal, arn)
	}
	if err != nil {
		return store.ManagedPolicy{}, fmt.Errorf("identity: policy %s: %w", arn, err)
	}
	return mp, nil
}

// maxSessions bounds each generation of a sessionCache.
const maxSessions = 4096

// sessionCache keeps the claims of the tokens Lookup checked, by access key
// id, for the Caller or Resolve of the same request, which no longer sees
// the token. Two generations: when the newer fills it becomes the older,
// so an entry survives at least maxSessions later insertions. Any valid
// token for a key id carries the same claims (ids are random and each is
// issued once), so the cache cannot mix sessions up.
type sessionCache struct {
	mu       sync.Mutex // guards cur and old
	cur, old map[string]*session.Claims
}

func (s *sessionCache) put(c *session.Claims) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil || len(s.cur) >= maxSessions {
		s.old, s.cur = s.cur, make(map[string]*session.Claims)
	}
	s.cur[c.AccessKeyID] = c
}

func (s *sessionCache) get(id string) (*session.Claims, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.cur[id]; ok {
		return c, true
	}
	c, ok := s.old[id]
	return c, ok
}

// Role returns a role from the store; one it does not hold is an error
// wrapping ErrUnknownPrincipal.
func (d *Directory) Role(ctx context.Context, account, name string) (store.Role, error) {
	r, err := d.meta.GetRole(ctx, account, name)
	if errors.Is(err, store.ErrNotFound) {
		return r, fmt.Errorf("%w: role %s of account %s", ErrUnknownPrincipal, name, account)
	}
	if err != nil {
		return r, fmt.Errorf("identity: role %s of account %s: %w", name, account, err)
	}
	return r, nil
}
