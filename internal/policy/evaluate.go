package policy

import (
	"strconv"
)

// Request is what is being decided: who does what to which resource, and the
// request's condition keys.
type Request struct {
	Action          string // "s3:GetObject"
	Resource        string // "arn:aws:s3:::bucket/key" or "arn:aws:s3:::bucket"
	ResourceAccount string // the account owning the resource (the bucket owner)
	// ResourceOrgID and ResourceOrgPaths are aws:ResourceOrgID and
	// aws:ResourceOrgPaths: the organization of the resource's account and
	// its path, empty when the account is outside any organization.
	ResourceOrgID    string
	ResourceOrgPaths []string
	Principal        Principal
	// Context holds the request keys (aws:SourceIp, aws:SecureTransport,
	// aws:CurrentTime, aws:EpochTime, s3:prefix, s3:x-amz-server-side-encryption,
	// ...). The principal keys aws:PrincipalOrgID, aws:PrincipalOrgPaths,
	// aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType, aws:userid,
	// aws:username, aws:PrincipalTag/k, aws:PrincipalIsAWSService and
	// aws:PrincipalServiceName, and the resource keys aws:ResourceAccount,
	// aws:ResourceOrgID and aws:ResourceOrgPaths are derived from Principal and
	// the fields above instead; values for them here are ignored.
	Context Context
}

// Source is a policy with the layer and name decisions report it under.
type Source struct {
	Layer  Layer
	Name   string // e.g. "inline policy publish of user ci-publisher", "FullAWSAccess"
	Policy *Policy
}

// Level is one node of an organization path, the root, an OU or an account,
// with the SCPs or RCPs attached to it. Every level must allow a request.
type Level struct {
	Name     string // "root r-ab12", "OU ou-ab12-11111111", "account 222222222222"
	Policies []Source
}

// Input is everything Evaluate looks at. The caller decides which layers
// apply: SCPs are nil for a principal outside any organization or in its
// management account, RCPs likewise for the resource's account.
type Input struct {
	Request Request
	// Identity holds the principal's identity-based policies: a user's inline
	// and managed policies and those of its groups, or a role's.
	Identity []Source
	Boundary *Source  // the permissions boundary of the user or role, nil when none
	Session  []Source // the session's policies, empty when none were passed
	Resource *Source  // the resource-based policy, nil when there is none
	SCPs     []Level  // the principal's account path, root first; nil when SCPs do not apply
	RCPs     []Level  // the resource's account path, root first; nil when RCPs do not apply
	// Trust marks Resource as a role's trust policy, which unlike other
	// resource-based policies must itself allow the caller, in its own
	// account too: naming the caller (or its role) lets it in within its
	// permissions boundary and session policies; naming only the caller's
	// account needs an identity-based Allow as well. An identity-based
	// Allow alone never assumes a role.
	Trust bool
}

// Effect is the outcome of an evaluation.
type Effect int

// The three outcomes. The zero value is ImplicitDeny.
const (
	ImplicitDeny Effect = iota
	Allow
	ExplicitDeny
)

// String returns "implicitly denied", "allowed" or "explicitly denied".
func (e Effect) String() string {
	switch e {
	case ImplicitDeny:
		return "implicitly denied"
	case Allow:
		return "allowed"
	case ExplicitDeny:
		return "explicitly denied"
	}
	return "Effect(" + strconv.Itoa(int(e)) + ")"
}

// Ref names one statement of one source. The zero Ref names nothing.
type Ref struct {
	Source    *Source // points into the Input; nil when no statement
	Level     string  // the organization level, for SCPs and RCPs
	Statement int     // index into Source.Policy.Statements
}

// Valid reports whether r names a statement.
func (r Ref) Valid() bool { return r.Source != nil }

// Sid returns the statement's Sid, "" when it has none or r names nothing.
func (r Ref) Sid() string {
	if r.Source == nil {
		return ""
	}
	return r.Source.Policy.Statements[r.Statement].Sid
}

// Decision is the outcome of Evaluate. It holds no text of its own: Reason
// renders it, so that a decision costs no allocation.
type Decision struct {
	Effect Effect
	// Deny is the explicit deny that decided, for ExplicitDeny.
	Deny Ref
	// Grant and ResourceGrant are the statements that allowed, for Allow: the
	// identity-based one and the resource-based one; either may be empty.
	Grant, ResourceGrant Ref
	// Missing is the layer that allowed nothing, for ImplicitDeny; for SCPs
	// and RCPs MissingLevel names the level.
	Missing      Layer
	MissingLevel string
	// AccountOnly reports, for a same-account ImplicitDeny, that the
	// resource-based policy allowed the caller's account only, which leaves
	// the grant to identity-based policies.
	AccountOnly bool

	basis    basis
	neither  bool // cross-account: neither side allowed
	trust    bool // decided against a role's trust policy, in its account
	action   string
	resource string
	account  string
	cross    bool
}

// basis tells the rule that decided, for Reason.
type basis uint8

const (
	basisNone basis = iota
	basisIdentity
	basisResource
	basisBoth
	basisTrustAccount // a trust policy naming the caller's account, and an identity Allow
	basisRoot
	basisAnonymous
	basisService
	basisWebIdentity
)

// tally is what the statements of one evaluation said. Every Ref is the
// first statement that played its role.
type tally struct {
	deny        Ref
	idAllow     Ref
	boundAllow  Ref
	sessAllow   Ref
	res         [pmDirect + 1]Ref // resource-based Allows by how they named the caller
	missing     Layer
	missLevel   string
	levelFailed bool
}

// Evaluate decides a request with AWS's documented logic: an explicit deny in
// any policy wins; every level of the resource's RCPs and of the principal's
// SCPs must allow; then a same-account request is allowed by a resource-based
// Allow naming the caller itself, or naming its role within the role's
// permissions boundary and session policies, or by an identity-based Allow
// within them; a cross-account request needs both sides. Anonymous callers,
// service principals and web identities need a resource-based Allow naming
// them. The account root user needs no identity-based Allow, and no boundary
// or session policy applies to it; a federated user session without session
// policies has no identity-based permissions. Evaluate never fails and does
// not allocate.
func Evaluate(in Input) Decision {
	var e env
	e.init(&in)
	var t tally
	t.scan(&e, &in)
	return t.decide(&e, &in)
}

// scan evaluates the layers in the documented order, stopping at the first
// explicit deny.
func (t *tally) scan(e *env, in *Input) {
	if t.levels(e, in.RCPs, LayerRCP) {
		return
	}
	caller := !e.anon && !e.req.Principal.external()
	if caller && t.levels(e, in.SCPs, LayerSCP) {
		return
	}
	if in.Resource != nil && t.source(e, in.Resource, "", LayerResource) {
		return
	}
	if !caller || e.req.Principal.isRoot() {
		return
	}
	for i := range in.Identity {
		if t.source(e, &in.Identity[i], "", LayerIdentity) {
			return
		}
	}
	if in.Boundary != nil && t.source(e, in.Boundary, "", LayerBoundary) {
		return
	}
	for i := range in.Session {
		if t.source(e, &in.Session[i], "", LayerSession) {
			return
		}
	}
}

// levels scans an organization path; it notes the first level that allows
// nothing and reports whether an explicit deny was found.
func (t *tally) levels(e *env, lv []Level, layer Layer) bool {
	for i := range lv {
		before := t.idAllow
		t.idAllow = Ref{}
		for j := range lv[i].Policies {
			if t.source(e, &lv[i].Policies[j], lv[i].Name, layer) {
				return true
			}
		}
		allowed := t.idAllow.Valid()
		t.idAllow = before
		if !allowed && !t.levelFailed {
			t.levelFailed, t.missing, t.missLevel = true, layer, lv[i].Name
		}
	}
	return false
}

// source evaluates every statement of one policy and reports whether one
// of them denies. A policy parsed with another grammar than its layer's is
// skipped: its statements were not validated for this use.
func (t *tally) source(e *env, src *Source, level string, layer Layer) bool {
	p := src.Policy
	if p == nil || p.Kind != layer.Kind() {
		return false
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		pm, ok := st.applies(e)
		if !ok {
			continue
		}
		r := Ref{Source: src, Level: level, Statement: i}
		if st.deny {
			t.deny = r
			return true
		}
		t.allow(layer, pm, r)
	}
	return false
}

// allow records an applicable Allow. SCP and RCP levels borrow idAllow.
func (t *tally) allow(layer Layer, pm principalMatch, r Ref) {
	var dst *Ref
	switch layer {
	case LayerResource:
		dst = &t.res[pm]
	case LayerBoundary:
		dst = &t.boundAllow
	case LayerSession:
		dst = &t.sessAllow
	default:
		dst = &t.idAllow
	}
	if !dst.Valid() {
		*dst = r
	}
}

// applies reports whether the statement covers the request, and for a
// resource-based statement how its Principal named the caller.
func (st *Statement) applies(e *env) (principalMatch, bool) {
	pm := pmDirect
	if st.principals != nil {
		if st.notPrincipal {
			if st.principals.excludes(e) {
				return pmNone, false
			}
		} else if pm = st.principals.match(e); pm == pmNone {
			return pmNone, false
		}
	}
	if !st.matchAction(e) || !st.matchResource(e) {
		return pmNone, false
	}
	for i := range st.conditions {
		if !st.conditions[i].eval(e) {
			return pmNone, false
		}
	}
	return pm, true
}

func (st *Statement) matchAction(e *env) bool {
	m := false
	for i := range st.actions {
		if globFold(st.actions[i].toks, e.action, true) {
			m = true
			break
		}
	}
	return m != st.notAction
}

// matchResource applies Resource or NotResource. Entries whose variables do
// not resolve match nothing; when no entry resolves the statement does not
// apply.
func (st *Statement) matchResource(e *env) bool {
	m, resolved := false, false
	for i := range st.resources {
		hit, ok := st.resources[i].match(e, e.req.Resource, e.res, e.resOK)
		resolved = resolved || ok
		if hit {
			m = true
			break
		}
	}
	if !resolved {
		return false
	}
	return m != st.notResource
}

// decide turns the tally into a decision, following the steps in Evaluate's
// doc comment.
func (t *tally) decide(e *env, in *Input) Decision {
	req := &in.Request
	d := Decision{action: req.Action, resource: req.Resource, account: req.Principal.Account}
	switch {
	case t.deny.Valid():
		d.Effect, d.Deny = ExplicitDeny, t.deny
		return d
	case t.levelFailed:
		d.Missing, d.MissingLevel = t.missing, t.missLevel
		return d
	case e.anon:
		return t.decideDirect(d, basisAnonymous)
	case req.Principal.isService():
		return t.decideDirect(d, basisService)
	case req.Principal.isWebIdentity():
		return t.decideDirect(d, basisWebIdentity)
	}
	d.cross = req.Principal.Account != req.ResourceAccount
	switch {
	case d.cross:
		return t.decideCrossAccount(d, in)
	case in.Trust:
		return t.decideTrust(d, in)
	}
	return t.decideSameAccount(d, in)
}

// decideTrust decides a same-account request against a role's trust
// policy (Input.Trust).
func (t *tally) decideTrust(d Decision, in *Input) Decision {
	d.trust = true
	limit, limitOK := t.limits(in)
	named := t.res[pmDirect]
	if !named.Valid() {
		named = t.res[pmRole]
	}
	switch {
	case !named.Valid() && !t.res[pmAccount].Valid():
		d.Missing = LayerResource
	case !limitOK:
		d.Missing = limit
	case named.Valid():
		d.Effect, d.ResourceGrant, d.basis = Allow, named, basisResource
	case t.idAllow.Valid():
		d.Effect, d.Grant, d.ResourceGrant = Allow, t.idAllow, t.res[pmAccount]
		d.basis = basisTrustAccount
	default:
		d.Missing, d.AccountOnly = LayerIdentity, true
	}
	return d
}

// decideDirect needs a resource-based Allow naming the caller itself.
func (t *tally) decideDirect(d Decision, b basis) Decision {
	d.basis = b
	if r := t.res[pmDirect]; r.Valid() {
		d.Effect, d.ResourceGrant = Allow, r
		return d
	}
	d.Missing = LayerResource
	return d
}

// limits reports whether the permissions boundary and session policies, when
// there are any, allow the request, and if not which one fails.
func (t *tally) limits(in *Input) (Layer, bool) {
	switch {
	case in.Request.Principal.isRoot():
		return 0, true
	case in.Request.Principal.Type == TypeFederatedUser && len(in.Session) == 0:
		// GetFederationToken without a session policy yields a session with
		// no identity-based permissions.
		return LayerSession, false
	case in.Boundary != nil && !t.boundAllow.Valid():
		return LayerBoundary, false
	case len(in.Session) > 0 && !t.sessAllow.Valid():
		return LayerSession, false
	}
	return 0, true
}

func (t *tally) decideSameAccount(d Decision, in *Input) Decision {
	limit, limitOK := t.limits(in)
	root := in.Request.Principal.isRoot()
	switch {
	case t.idAllow.Valid() && limitOK:
		d.Effect, d.Grant, d.basis = Allow, t.idAllow, basisIdentity
	case t.res[pmDirect].Valid():
		d.Effect, d.ResourceGrant, d.basis = Allow, t.res[pmDirect], basisResource
	case t.res[pmRole].Valid() && limitOK:
		d.Effect, d.ResourceGrant, d.basis = Allow, t.res[pmRole], basisResource
	case root:
		d.Effect, d.basis = Allow, basisRoot
	case (t.idAllow.Valid() || t.res[pmRole].Valid()) && !limitOK:
		d.Missing = limit
	default:
		d.Missing = LayerIdentity
		d.AccountOnly = t.res[pmAccount].Valid()
	}
	return d
}

func (t *tally) decideCrossAccount(d Decision, in *Input) Decision {
	limit, limitOK := t.limits(in)
	root := in.Request.Principal.isRoot()
	res := t.res[pmDirect]
	if !res.Valid() {
		res = t.res[pmRole]
	}
	if !res.Valid() {
		res = t.res[pmAccount]
	}
	idOK := (root || t.idAllow.Valid()) && limitOK
	switch {
	case idOK && res.Valid():
		d.Effect, d.Grant, d.ResourceGrant, d.basis = Allow, t.idAllow, res, basisBoth
	case !t.idAllow.Valid() && !root:
		d.Missing, d.neither = LayerIdentity, !res.Valid()
	case !limitOK:
		d.Missing = limit
	default:
		d.Missing = LayerResource
	}
	return d
}
