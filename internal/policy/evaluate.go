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
	Principal       Principal
	// Context holds the request keys (aws:SourceIp, aws:SecureTransport,
	// aws:CurrentTime, aws:EpochTime, s3:prefix, s3:x-amz-server-side-encryption,
	// ...). The principal keys aws:PrincipalOrgID, aws:PrincipalOrgPaths,
	// aws:PrincipalAccount, aws:PrincipalArn, aws:PrincipalType, aws:userid,
	// aws:username, aws:PrincipalTag/k and aws:ResourceAccount are derived from
	// Principal and ResourceAccount instead, and are missing for anonymous
	// requests; values for them here are ignored.
	Context Context
}

// Source is a policy with the kind and name decisions report it under.
type Source struct {
	Kind   Kind
	Name   string // e.g. "user ci-publisher policy publish", "bucket policy of devtools-artifacts"
	Policy *Policy
}

// Input is everything Evaluate looks at.
type Input struct {
	Request  Request
	Identity []Source // the principal's identity-based policies; ignored for anonymous requests
	Resource *Source  // the resource-based policy, nil when there is none
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

// Match names one statement that applied to the request.
type Match struct {
	Kind   Kind
	Source string // Source.Name
	Sid    string
	Index  int    // position in the document's Statement list, from 0
	Effect string // "Allow" or "Deny"
}

// Decision is the outcome of Evaluate with its diagnostics.
type Decision struct {
	Effect  Effect
	Matched []Match // every statement that applied, identity-based ones first, in document order
	// Reason is one line for the log naming the deciding statement (kind,
	// source name and Sid or index) or the missing grant. It quotes no policy
	// text beyond Sids.
	Reason string
}

// tally collects what the statements of one evaluation said. The role
// fields index matched, -1 when no statement played the role.
type tally struct {
	matched    []Match
	deny       int // the first Deny that applied
	idAllow    int // the first identity-based Allow that applied
	resAllow   int // the first resource-based Allow that named the principal itself
	resAccount int // the first resource-based Allow that named only its account
}

// Evaluate decides a request with AWS's documented logic: any applicable Deny
// wins; otherwise a same-account request is allowed by an identity-based Allow
// or a resource-based Allow naming the principal itself; a cross-account one
// needs both an identity-based Allow and a resource-based Allow naming the
// principal or its account; an anonymous one needs a resource-based Allow for
// Principal "*". The account root user needs no identity-based Allow.
// Evaluate never fails: whatever it cannot grant is implicitly denied.
func Evaluate(in Input) Decision {
	var e env
	e.init(&in.Request)
	t := tally{deny: -1, idAllow: -1, resAllow: -1, resAccount: -1}
	if !e.anon {
		for i := range in.Identity {
			t.scan(&e, &in.Identity[i], Identity)
		}
	}
	if in.Resource != nil && in.Resource.Policy != nil {
		t.scan(&e, in.Resource, Resource)
	}
	d := t.decide(&e, &in)
	d.Matched = t.matched
	return d
}

// scan evaluates every statement of one source and records those that apply.
// A source whose policy was parsed as the other kind is skipped: its
// statements were not validated for this side.
func (t *tally) scan(e *env, src *Source, kind Kind) {
	if src.Policy == nil || src.Policy.Kind != kind {
		return
	}
	for i := range src.Policy.Statements {
		st := &src.Policy.Statements[i]
		pm, ok := st.applies(e)
		if !ok {
			continue
		}
		if t.matched == nil {
			t.matched = make([]Match, 0, 4)
		}
		t.matched = append(t.matched, Match{Kind: kind, Source: src.Name, Sid: st.Sid,
			Index: st.Index, Effect: st.Effect})
		t.record(len(t.matched)-1, st.deny, kind, pm)
	}
}

// record notes the first match of each role.
func (t *tally) record(i int, deny bool, kind Kind, pm principalMatch) {
	switch {
	case deny:
		setOnce(&t.deny, i)
	case kind == Identity:
		setOnce(&t.idAllow, i)
	case pm == pmStandalone:
		setOnce(&t.resAllow, i)
	case pm == pmDelegating:
		setOnce(&t.resAccount, i)
	}
}

func setOnce(dst *int, i int) {
	if *dst < 0 {
		*dst = i
	}
}

// applies reports whether the statement covers the request, and for a
// resource-based statement how its Principal named the caller.
func (st *Statement) applies(e *env) (principalMatch, bool) {
	pm := pmStandalone
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
