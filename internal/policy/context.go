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

// DerivedKey reports whether key (any case) is one the engine derives from
// Request.Principal and the resource fields of Request, which Context cannot
// set.
func DerivedKey(key string) bool {
	k := strings.ToLower(key)
	if _, ok := derivedSlots[k]; ok {
		return true
	}
	return k == keyOrgPaths || k == keyResourceOrgPaths || strings.HasPrefix(k, keyTagPrefix)
}

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
	bounded  bool // the caller has a permissions boundary (Input.Boundary)
	action   string
	res      [6]string
	resOK    bool                // the resource is an ARN of six segments
	one      [numSlots][1]string // the derived single-valued keys; "" when missing
	roleAcct string              // for assumed-role sessions: the role's account and name
	roleName string
	rolePart string
	tagOne   [1]string // the value of the principal tag last looked up
	scr      scratch
}

// scratchTokens is how many tokens a pattern with policy variables may have
// for its substitution to need no allocation; longer ones allocate.
const scratchTokens = 16

// scratch is the room an evaluation substitutes policy variables in. Each
// use overwrites the last: a substituted pattern is matched at once.
type scratch struct {
	toks  [scratchTokens]token     // a pattern with its variables replaced
	split [scratchTokens + 5]token // the same, split at an ARN's five colons
}

// init builds e, zero, as the view of in's request.
func (e *env) init(in *Input) {
	req := &in.Request
	e.req, e.anon, e.action, e.bounded = *req, req.Principal.isAnonymous(), req.Action,
		in.Boundary != nil
	e.res, e.resOK = splitARN(req.Resource, 6)
	e.one[slotResourceAccount][0] = req.ResourceAccount
	e.one[slotResourceOrgID][0] = req.ResourceOrgID
	if e.anon {
		return
	}
	p := &req.Principal
	if p.isWebIdentity() {
		return // not yet an AWS principal: none of the principal keys
	}
	if p.Type == TypeAssumedRole {
		e.rolePart, e.roleAcct, e.roleName = sessionRole(p.ARN)
	}
	e.one[slotIsService][0] = "false"
	if p.isService() {
		e.one[slotIsService][0] = "true"
		e.one[slotServiceName][0] = p.Service
		return
	}
	e.one[slotOrgID][0] = p.OrgID
	e.one[slotAccount][0] = p.Account
	e.one[slotArn][0] = p.principalARN(e)
	e.one[slotType][0] = p.Type
	e.one[slotUserID][0] = p.userID()
	if p.Type == TypeUser {
		e.one[slotUsername][0] = p.Username
	}
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

// tag returns a principal tag's value as a list of one, held in e until the
// next tag is looked up.
func (e *env) tag(name string) ([]string, bool) {
	if v, ok := e.tagValue(name); ok {
		e.tagOne[0] = v
		return e.tagOne[:], true
	}
	return nil, false
}

// tagValue finds a principal tag, its name matched case-insensitively, as
// AWS matches tag keys. The parser lower-cases condition keys and policy
// variables, so name is lower-case whatever a policy's spelling. The
// principal's tags should hold no two keys equal but for case; when they do,
// the answer still never depends on map order: the key spelled as name
// answers if there is one, else the least in byte order of those equal to
// name but for case. It does not allocate.
func (e *env) tagValue(name string) (string, bool) {
	if e.anon || e.req.Principal.external() {
		return "", false
	}
	tags := e.req.Principal.Tags
	if v, ok := tags[name]; ok {
		return v, true
	}
	var key, val string
	found := false
	for k, v := range tags {
		if strings.EqualFold(k, name) && (!found || k < key) {
			key, val, found = k, v, true
		}
	}
	return val, found
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
