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

// The condition keys the engine derives from Request.Principal and the
// resource fields of Request; values for them in Request.Context are ignored.
const (
	keyOrgID            = "aws:principalorgid"
	keyOrgPaths         = "aws:principalorgpaths"
	keyPrincipalAcct    = "aws:principalaccount"
	keyPrincipalArn     = "aws:principalarn"
	keyPrincipalType    = "aws:principaltype"
	keyUserID           = "aws:userid"
	keyUsername         = "aws:username"
	keyIsService        = "aws:principalisawsservice"
	keyServiceName      = "aws:principalservicename"
	keyResourceAccount  = "aws:resourceaccount"
	keyResourceOrgID    = "aws:resourceorgid"
	keyResourceOrgPaths = "aws:resourceorgpaths"
	keyTagPrefix        = "aws:principaltag/"
)

// Slots of env.one, the single-valued derived keys.
const (
	slotOrgID = iota
	slotAccount
	slotArn
	slotType
	slotUserID
	slotUsername
	slotIsService
	slotServiceName
	slotResourceAccount
	slotResourceOrgID
	numSlots
)

// derivedSlots maps each single-valued derived key to its slot.
var derivedSlots = map[string]int{
	keyOrgID: slotOrgID, keyPrincipalAcct: slotAccount, keyPrincipalArn: slotArn,
	keyPrincipalType: slotType, keyUserID: slotUserID, keyUsername: slotUsername,
	keyIsService: slotIsService, keyServiceName: slotServiceName,
	keyResourceAccount: slotResourceAccount, keyResourceOrgID: slotResourceOrgID,
}

// env is one evaluation's view of the request: the lower-cased action, the
// split resource ARN and the condition keys, derived keys included. It is
// built once per Evaluate and read by every statement.
type env struct {
	req      Request // a copy, so that no pointer into the caller's Input is kept
	anon     bool
	action   string
	res      [6]string
	resOK    bool                // the resource is an ARN of six segments
	one      [numSlots][1]string // the derived single-valued keys; "" when missing
	roleAcct string              // for assumed-role sessions: the role's account and name
	roleName string
	rolePart string
}

// newEnv builds the view of req.
func newEnv(req *Request) (e env) {
	e = env{req: *req, anon: req.Principal.isAnonymous(), action: req.Action}
	e.res, e.resOK = splitARN(req.Resource, 6)
	e.one[slotResourceAccount][0] = req.ResourceAccount
	e.one[slotResourceOrgID][0] = req.ResourceOrgID
	if e.anon {
		return e
	}
	p := &req.Principal
	if p.Type == TypeAssumedRole {
		e.rolePart, e.roleAcct, e.roleName = sessionRole(p.ARN)
	}
	e.one[slotIsService][0] = "false"
	if p.isService() {
		e.one[slotIsService][0] = "true"
		e.one[slotServiceName][0] = p.Service
		return e
	}
	e.one[slotOrgID][0] = p.OrgID
	e.one[slotAccount][0] = p.Account
	e.one[slotArn][0] = p.principalARN(&e)
	e.one[slotType][0] = p.Type
	e.one[slotUserID][0] = p.userID()
	if p.Type == TypeUser {
		e.one[slotUsername][0] = p.Username
	}
	return e
}

// lookup returns the values of a lower-cased condition key.
func (e *env) lookup(key string) ([]string, bool) {
	if len(key) < 4 || key[:4] != "aws:" {
		return e.req.Context.get(key)
	}
	if v, ok, derived := e.derivedKey(key); derived {
		return v, ok
	}
	return e.req.Context.get(key)
}

// derivedKey answers the keys derived from the principal and the resource.
// derived is false for every other key.
func (e *env) derivedKey(key string) (v []string, ok, derived bool) {
	if i, found := derivedSlots[key]; found {
		if e.one[i][0] == "" {
			return nil, false, true
		}
		return e.one[i][:], true, true
	}
	switch key {
	case keyOrgPaths:
		paths := e.req.Principal.OrgPaths
		return paths, !e.anon && e.one[slotOrgID][0] != "" && len(paths) > 0, true
	case keyResourceOrgPaths:
		paths := e.req.ResourceOrgPaths
		return paths, len(paths) > 0, true
	}
	if strings.HasPrefix(key, keyTagPrefix) {
		v, ok := e.tag(key[len(keyTagPrefix):])
		return v, ok, true
	}
	return nil, false, false
}

func (e *env) tag(name string) ([]string, bool) {
	if v, ok := e.tagValue(name); ok {
		return []string{v}, true
	}
	return nil, false
}

// tagValue finds a principal tag, its name matched case-insensitively.
func (e *env) tagValue(name string) (string, bool) {
	if e.anon || e.req.Principal.isService() {
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
