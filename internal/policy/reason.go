package policy

import "strconv"

const crossAccountNote = " (cross-account: both sides must allow)"

// reason builds a Decision's text in one buffer.
type reason struct{ b []byte }

func (r *reason) s(parts ...string) *reason {
	for _, p := range parts {
		r.b = append(r.b, p...)
	}
	return r
}

// ref appends a statement: its layer, source, level and Sid or index.
func (r *reason) ref(x Ref) *reason {
	src := x.Source
	r.s(src.Layer.String(), " ")
	r.b = strconv.AppendQuote(r.b, src.Name)
	if x.Level != "" {
		r.s(" attached to ", x.Level)
	}
	r.s(" statement ")
	if sid := x.Sid(); sid != "" {
		r.b = strconv.AppendQuote(r.b, sid)
	} else {
		r.b = strconv.AppendInt(r.b, int64(x.Statement), 10)
	}
	return r
}

// what appends the action and resource of the request.
func (r *reason) what(d *Decision) *reason { return r.s(d.action, " on ", d.resource) }

// Reason is one line for the log naming the deciding statement (layer,
// source name, level and Sid or index) or the layer that allowed nothing. It
// quotes no policy text beyond names and Sids.
func (d Decision) Reason() string {
	r := &reason{b: make([]byte, 0, 256)}
	switch d.Effect {
	case ExplicitDeny:
		r.s("explicit deny in ").ref(d.Deny)
	case Allow:
		d.allowReason(r)
	default:
		d.denyReason(r)
	}
	return string(r.b)
}

func (d *Decision) allowReason(r *reason) {
	switch d.basis {
	case basisAnonymous:
		r.s("allowed for anonymous access by ").ref(d.ResourceGrant)
	case basisService:
		r.s("allowed for the service principal by ").ref(d.ResourceGrant)
	case basisWebIdentity:
		r.s("allowed for the web identity by ").ref(d.ResourceGrant)
	case basisRoot:
		r.s("allowed as the root user of account ", d.account,
			", which needs no identity-based policy in its own account")
	case basisIdentity:
		r.s("allowed by ").ref(d.Grant)
	case basisResource:
		r.s("allowed by ").ref(d.ResourceGrant)
	case basisTrustAccount:
		r.s("allowed by ").ref(d.Grant).s(" and ").ref(d.ResourceGrant).
			s(", which trusts the account")
	case basisBoth:
		if d.Grant.Valid() {
			r.s("allowed by ").ref(d.Grant).s(" and ").ref(d.ResourceGrant).s(" (cross-account)")
		} else {
			r.s("allowed by ").ref(d.ResourceGrant).s(" for the root user of account ",
				d.account, " (cross-account)")
		}
	}
}

func (d *Decision) denyReason(r *reason) {
	switch d.Missing {
	case LayerRCP, LayerSCP:
		r.s("no ", d.Missing.String(), " attached to ", d.MissingLevel, " allows ").what(d)
		return
	case LayerBoundary:
		r.s("the permissions boundary does not allow ").what(d)
	case LayerSession:
		r.s("no session policy allows ").what(d)
	case LayerResource:
		switch d.basis {
		case basisAnonymous:
			r.s("no resource-based policy allows anonymous ").what(d)
		case basisService:
			r.s("no resource-based policy allows the service principal ").what(d)
		case basisWebIdentity:
			r.s("no resource-based policy allows the web identity ").what(d)
		default:
			if d.trust {
				r.s("the role's trust policy does not allow ").what(d)
				break
			}
			r.s("no resource-based policy allows ").what(d)
		}
	case LayerIdentity:
		switch {
		case d.neither:
			r.s("neither an identity-based nor a resource-based policy allows ").what(d)
		case d.cross:
			r.s("no identity-based policy allows ").what(d)
		default:
			r.s("no identity-based or resource-based policy allows ").what(d)
		}
		if d.AccountOnly {
			r.s(" (the resource-based policy names only the account, which leaves the",
				" grant to identity-based policies)")
		}
	}
	if d.cross {
		r.s(crossAccountNote)
	}
}
