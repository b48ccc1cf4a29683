// Package identity turns credentials into principals: it resolves an access
// key id to the account, user and organization it belongs to, with every
// policy that AWS evaluates for it (the user's inline and managed policies
// and its groups', its permissions boundary, the SCPs on its account's path
// in the organization), in the shape the policy engine needs. Scope gives
// the resource side: the organization of the account that owns a resource
// and the RCPs on its path. Caller.Input puts both sides together.
//
// A Directory caches what it derives from the metadata store, and checks
// the store's identity version (one read) on every call: a change made by
// loading an organization file, by an API or by another process takes
// effect at the next request. Parsed policies are cached by the hash of
// their text.
package identity

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/session"
	"github.com/troveproject/trove/internal/store"
)

// Conditions callers test with errors.Is.
var (
	// ErrUnknownKey reports an access key that does not exist or is inactive.
	ErrUnknownKey = errors.New("identity: unknown or inactive access key")
	// ErrUnknownPrincipal reports a user or account that does not exist.
	ErrUnknownPrincipal = errors.New("identity: unknown principal")
	// ErrUnknownAccount reports an account that does not exist.
	ErrUnknownAccount = errors.New("identity: unknown account")
)

// Caller is an authenticated (or anonymous) principal with the policies that
// apply to what it does. A Caller from a Directory shares its slices, maps
// and policies with other requests: treat them as read-only.
type Caller struct {
	Principal policy.Principal
	// Policies are the identity-based policies: a user's inline policies,
	// its managed policies, then for each of its groups by name the group's
	// inline and managed policies. Each Source's Name says where it lives.
	// The root user has none.
	Policies []policy.Source
	// Boundary is the user's permissions boundary, nil when it has none.
	Boundary *policy.Source
	// Session holds the session policies of a role session; nil until STS
	// sessions exist.
	Session []policy.Source
	// SCPs are the levels of the principal's account in the organization,
	// root first, then each OU from the top, then the account, each with
	// the SCPs attached to it. They are nil when SCPs do not apply: for the
	// management account, an account outside the organization, an
	// anonymous caller, or when SCPs are not enabled.
	SCPs []policy.Level
}

// IsRoot reports whether the caller is an account's root user.
func (c *Caller) IsRoot() bool { return c.Principal.Type == policy.TypeAccount }

// Anonymous returns the caller of an unsigned request.
func Anonymous() *Caller {
	return &Caller{Principal: policy.Principal{Anonymous: true, Type: policy.TypeAnonymous}}
}

// Directory resolves access keys and principals against a metadata store. It
// is safe for concurrent use.
type Directory struct {
	meta store.Meta

	// Now returns the current time, against which session tokens expire;
	// nil means time.Now. Set it before the Directory is first used.
	Now func() time.Time

	keyring  *session.Keyring
	sessions sessionCache

	mu          sync.Mutex // guards parsed and view
	parsed      map[[32]byte]*policy.Policy
	parsedBytes int   // the Footprint of the policies in parsed
	view        *view // what was derived at the last identity version seen
}

// New returns a Directory reading meta.
func New(meta store.Meta) *Directory {
	return &Directory{meta: meta, parsed: make(map[[32]byte]*policy.Policy),
		keyring: session.NewKeyring(meta)}
}

// Keyring returns the keyring that seals and opens the session tokens of
// the Directory's store.
func (d *Directory) Keyring() *session.Keyring { return d.keyring }

// Lookup returns an active access key, or ErrUnknownKey. Keys are read from
// the store on every call. A temporary key (ASIA...), and any key when ctx
// carries a session token (session.TokenFrom), is checked against the
// token instead: see lookupSession.
func (d *Directory) Lookup(ctx context.Context, accessKeyID string) (store.AccessKey, error) {
	if token := session.TokenFrom(ctx); token != "" || session.IsTemporary(accessKeyID) {
		return d.lookupSession(ctx, accessKeyID, token)
	}
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

// Resolve returns the caller that owns accessKeyID. For a temporary key it
// is the role session of the token in ctx or, without one, of the token
// that a Lookup just checked for that key: call Resolve only for a request
// whose signature was verified.
func (d *Directory) Resolve(ctx context.Context, accessKeyID string) (*Caller, error) {
	if session.IsTemporary(accessKeyID) && session.TokenFrom(ctx) == "" {
		return d.Caller(ctx, store.AccessKey{ID: accessKeyID})
	}
	k, err := d.Lookup(ctx, accessKeyID)
	if err != nil {
		return nil, err
	}
	return d.Caller(ctx, k)
}

// Caller returns the principal that owns k, an access key Lookup returned:
// for a temporary key, the role session its token holds.
func (d *Directory) Caller(ctx context.Context, k store.AccessKey) (*Caller, error) {
	if session.IsTemporary(k.ID) {
		c, ok := d.sessions.get(k.ID)
		if !ok {
			return nil, ErrUnknownKey
		}
		return d.SessionCaller(ctx, c)
	}
	return d.caller(ctx, k.Account, k.User)
}

// caller returns the caller of user in account, the root user when user is
// "", from the current view when it holds it.
func (d *Directory) caller(ctx context.Context, account, user string) (*Caller, error) {
	v, err := d.current(ctx)
	if err != nil {
		return nil, err
	}
	key := principalKey{account, user}
	if c := v.cachedCaller(key); c != nil {
		return c, nil
	}
	c, err := d.build(ctx, v, account, user)
	if err != nil {
		return nil, err
	}
	v.keepCaller(key, c)
	cp := *c
	return &cp, nil
}

// build reads the store for the caller of user in account.
func (d *Directory) build(ctx context.Context, v *view, account, user string) (*Caller, error) {
	o, err := d.org(ctx, v)
	if err != nil {
		return nil, err
	}
	a, ok := o.accounts[account]
	if !ok {
		return nil, fmt.Errorf("%w: account %s", ErrUnknownPrincipal, account)
	}
	c := &Caller{Principal: policy.Principal{Account: account}}
	if user == "" {
		c.Principal.Type = policy.TypeAccount
		c.Principal.ARN = RootARN(account)
		c.Principal.UserID = account
	} else if err := d.user(ctx, c, account, user); err != nil {
		return nil, err
	}
	c.Principal.OrgID, c.Principal.OrgPaths = o.paths(a)
	c.SCPs = o.levels(a, o.scps, false)
	return c, nil
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

// Parse parses a policy document, reusing an earlier parse of the same text
// and kind.
func (d *Directory) Parse(doc []byte, kind policy.Kind) (*policy.Policy, error) {
	h := sha256.Sum256(append([]byte{byte(kind)}, doc...))
	d.mu.Lock()
	p, ok := d.parsed[h]
	d.mu.Unlock()
	if ok {
		return p, nil
	}
	p, err := policy.Parse(doc, kind)
	if err != nil {
		return nil, err
	}
	size := p.Footprint()
	d.mu.Lock()
	if len(d.parsed) >= maxParsed || d.parsedBytes+size > maxParsedBytes {
		clear(d.parsed)
		d.parsedBytes = 0
	}
	d.parsed[h] = p
	d.parsedBytes += size
	d.mu.Unlock()
	return p, nil
}

// Bounds on the cache of parsed policies: by count, and by the memory the
// compiled policies hold, so that storing many large, distinct policies
// cannot grow the server without limit.
const (
	maxParsed      = 4096
	maxParsedBytes = 64 << 20
)
