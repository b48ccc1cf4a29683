package policy

import "strconv"

const crossAccountNote = " (cross-account: both sides must allow)"

// reason builds a Decision.Reason in one buffer, so that a decision costs one
// allocation for its text.
type reason struct {
	t *tally
	b []byte
}

func (r *reason) s(parts ...string) *reason {
	for _, p := range parts {
		r.b = append(r.b, p...)
	}
	return r
}

// stmt appends a matched statement: its kind, source and Sid or index.
func (r *reason) stmt(i int) *reason {
	m := &r.t.matched[i]
	r.s(m.Kind.String(), " ")
	r.b = strconv.AppendQuote(r.b, m.Source)
	r.s(" statement ")
	if m.Sid != "" {
		r.b = strconv.AppendQuote(r.b, m.Sid)
	} else {
		r.b = strconv.AppendInt(r.b, int64(m.Index), 10)
	}
	return r
}

// what appends the action and resource of the request.
func (r *reason) what(req *Request) *reason { return r.s(req.Action, " on ", req.Resource) }

func (r *reason) decision(e Effect) Decision { return Decision{Effect: e, Reason: string(r.b)} }

// decide turns the tally into a decision, following the steps in Evaluate's
// doc comment.
func (t *tally) decide(e *env, in *Input) Decision {
	r := &reason{t: t, b: make([]byte, 0, 256)}
	if t.deny >= 0 {
		return r.s("explicit deny in ").stmt(t.deny).decision(ExplicitDeny)
	}
	req := &in.Request
	switch {
	case e.anon:
		return t.decideAnonymous(r, req)
	case req.Principal.Account == req.ResourceAccount:
		return t.decideSameAccount(r, req)
	}
	return t.decideCrossAccount(r, req)
}

func (t *tally) decideAnonymous(r *reason, req *Request) Decision {
	if t.resAllow >= 0 {
		return r.s("allowed for anonymous access by ").stmt(t.resAllow).decision(Allow)
	}
	return r.s("no resource-based policy allows anonymous ").what(req).decision(ImplicitDeny)
}

func (t *tally) decideSameAccount(r *reason, req *Request) Decision {
	switch {
	case t.idAllow >= 0:
		return r.s("allowed by ").stmt(t.idAllow).decision(Allow)
	case t.resAllow >= 0:
		return r.s("allowed by ").stmt(t.resAllow).decision(Allow)
	case req.Principal.isRoot():
		return r.s("allowed as the root user of account ", req.Principal.Account,
			", which needs no identity-based policy in its own account").decision(Allow)
	}
	r.s("no identity-based or resource-based policy allows ").what(req)
	if t.resAccount >= 0 {
		r.s(" (the resource-based policy names only the account, which leaves the",
			" grant to identity-based policies)")
	}
	return r.decision(ImplicitDeny)
}

func (t *tally) decideCrossAccount(r *reason, req *Request) Decision {
	root := req.Principal.isRoot()
	idOK := t.idAllow >= 0 || root
	res := t.resAllow
	if res < 0 {
		res = t.resAccount
	}
	switch {
	case idOK && res >= 0 && root:
		return r.s("allowed by ").stmt(res).s(" for the root user of account ",
			req.Principal.Account, " (cross-account)").decision(Allow)
	case idOK && res >= 0:
		return r.s("allowed by ").stmt(t.idAllow).s(" and ").stmt(res).s(" (cross-account)").
			decision(Allow)
	case !idOK && res < 0:
		r.s("neither an identity-based nor a resource-based policy allows ")
	case !idOK:
		r.s("no identity-based policy allows ")
	default:
		r.s("no resource-based policy allows ")
	}
	return r.what(req).s(crossAccountNote).decision(ImplicitDeny)
}
