package policy

import "strings"

// Context holds the request's condition keys. Keys are case-insensitive and
// stored lower-cased by Set; values keep their case. A key absent from the map
// is missing; a key present with an empty slice (or "") is present but empty,
// which is not the same thing (see the package doc). Build it with Set: a key
// written into the map directly in mixed case is still found, at the cost of a
// scan.
type Context map[string][]string

// Set stores values under the lower-cased key, replacing what was there. Set
// with no values records the key as present but empty.
func (c Context) Set(key string, values ...string) {
	if values == nil {
		values = []string{}
	}
	c[strings.ToLower(key)] = values
}

// Get returns the values of key, matched case-insensitively, and whether the
// key is present at all.
func (c Context) Get(key string) ([]string, bool) {
	if v, ok := c[strings.ToLower(key)]; ok {
		return v, true
	}
	return c.scan(key)
}

// get is Get for a key the caller has already lower-cased.
func (c Context) get(lower string) ([]string, bool) {
	if v, ok := c[lower]; ok {
		return v, true
	}
	return c.scan(lower)
}

func (c Context) scan(key string) ([]string, bool) {
	for k, v := range c {
		if strings.EqualFold(k, key) {
			return v, true
		}
	}
	return nil, false
}

// The condition keys the engine derives from Request.Principal and
// Request.ResourceAccount; values for them in Request.Context are ignored.
const (
	keyOrgID           = "aws:principalorgid"
	keyOrgPaths        = "aws:principalorgpaths"
	keyPrincipalAcct   = "aws:principalaccount"
	keyPrincipalArn    = "aws:principalarn"
	keyPrincipalType   = "aws:principaltype"
	keyUserID          = "aws:userid"
	keyUsername        = "aws:username"
	keyResourceAccount = "aws:resourceaccount"
	keyTagPrefix       = "aws:principaltag/"
)

// env is one evaluation's view of the request: the lower-cased action, the
// split resource ARN and the condition keys, principal keys included. It is
// built once per Evaluate and read by every statement.
type env struct {
	req      *Request
	anon     bool
	action   string // lower-cased
	res      [6]string
	resOK    bool         // the resource is an ARN of six segments
	one      [7][1]string // backing arrays for single-valued principal keys
	roleAcct string       // for assumed-role sessions: the role's account and name
	roleName string
	rolePart string
}

// init fills e in for req.
func (e *env) init(req *Request) {
	*e = env{req: req, anon: req.Principal.isAnonymous(), action: req.Action}
	e.res, e.resOK = splitARN(req.Resource, 6)
	p := &req.Principal
	e.one[0][0] = p.OrgID
	e.one[1][0] = p.Account
	e.one[2][0] = p.ARN
	e.one[3][0] = p.Type
	e.one[4][0] = p.userID()
	e.one[5][0] = p.Username
	e.one[6][0] = req.ResourceAccount
	if p.Type == TypeAssumedRole {
		e.rolePart, e.roleAcct, e.roleName = sessionRole(p.ARN)
	}
}

// lookup returns the values of a lower-cased condition key.
func (e *env) lookup(key string) ([]string, bool) {
	if !strings.HasPrefix(key, "aws:") {
		return e.req.Context.get(key)
	}
	if v, ok, derived := e.principalKey(key); derived {
		return v, ok
	}
	return e.req.Context.get(key)
}

// principalKey answers the keys derived from the principal. derived is false
// for every other key.
func (e *env) principalKey(key string) (v []string, ok, derived bool) {
	i := -1
	switch key {
	case keyOrgID:
		i = 0
	case keyPrincipalAcct:
		i = 1
	case keyPrincipalArn:
		i = 2
	case keyPrincipalType:
		i = 3
	case keyUserID:
		i = 4
	case keyUsername:
		if e.req.Principal.Type != TypeUser {
			return nil, false, true
		}
		i = 5
	case keyResourceAccount:
		i = 6
	case keyOrgPaths:
		paths := e.req.Principal.OrgPaths
		return paths, !e.anon && len(paths) > 0, true
	default:
		if strings.HasPrefix(key, keyTagPrefix) {
			v, ok := e.tag(key[len(keyTagPrefix):])
			return v, ok, true
		}
		return nil, false, false
	}
	if e.anon || e.one[i][0] == "" {
		return nil, false, true
	}
	return e.one[i][:], true, true
}

func (e *env) tag(name string) ([]string, bool) {
	if v, ok := e.tagValue(name); ok {
		return []string{v}, true
	}
	return nil, false
}

// tagValue finds a principal tag, its name matched case-insensitively.
func (e *env) tagValue(name string) (string, bool) {
	if e.anon {
		return "", false
	}
	if v, ok := e.req.Principal.Tags[name]; ok {
		return v, true
	}
	for k, v := range e.req.Principal.Tags {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return "", false
}

// single returns the one value of key, for policy variables. Keys with no
// value or several values do not resolve.
func (e *env) single(key string) (string, bool) {
	if strings.HasPrefix(key, keyTagPrefix) {
		return e.tagValue(key[len(keyTagPrefix):])
	}
	v, ok := e.lookup(key)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}
