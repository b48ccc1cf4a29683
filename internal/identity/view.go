package identity

import (
	"context"
	"fmt"
	"sync"
)

// maxCached bounds the callers and scopes one view keeps; past it the view
// starts afresh.
const maxCached = 4096

// principalKey names a user of an account, or its root user when user is "".
type principalKey struct{ account, user string }

// view holds what a Directory derived from the store at one identity
// version. Everything in it was read after that version was observed, so it
// is at least as new as the version says.
type view struct {
	version uint64

	mu      sync.Mutex // guards org, callers and scopes
	org     *orgModel  // nil until first needed
	callers map[principalKey]*Caller
	scopes  map[string]Scope
}

// current returns the view for the store's identity version, replacing the
// Directory's view when the version changed.
func (d *Directory) current(ctx context.Context) (*view, error) {
	ver, err := d.meta.IdentityVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("identity: read the identity version: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.view == nil || d.view.version != ver {
		d.view = &view{version: ver, callers: make(map[principalKey]*Caller),
			scopes: make(map[string]Scope)}
	}
	return d.view, nil
}

// cachedCaller returns a copy of the cached caller for k, or nil.
func (v *view) cachedCaller(k principalKey) *Caller {
	v.mu.Lock()
	defer v.mu.Unlock()
	c, ok := v.callers[k]
	if !ok {
		return nil
	}
	cp := *c
	return &cp
}

// keepCaller caches c for k.
func (v *view) keepCaller(k principalKey, c *Caller) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.callers) >= maxCached {
		clear(v.callers)
	}
	v.callers[k] = c
}

// cachedScope returns the cached scope of account.
func (v *view) cachedScope(account string) (Scope, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	s, ok := v.scopes[account]
	return s, ok
}

// keepScope caches s.
func (v *view) keepScope(s Scope) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if len(v.scopes) >= maxCached {
		clear(v.scopes)
	}
	v.scopes[s.Account] = s
}

// org returns v's organization model, loading it on first use.
func (d *Directory) org(ctx context.Context, v *view) (*orgModel, error) {
	v.mu.Lock()
	o := v.org
	v.mu.Unlock()
	if o != nil {
		return o, nil
	}
	o, err := d.loadOrg(ctx)
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.org == nil {
		v.org = o
	}
	return v.org, nil
}
