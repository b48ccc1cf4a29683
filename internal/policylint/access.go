package policylint

import (
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// limitingKeys are the condition keys that, compared positively, narrow an
// Allow to everyone down to known accounts, organizations or networks.
var limitingKeys = map[string]bool{
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:principalaccount": true,
	"aws:principalarn": true, "aws:principalservicename": true, "aws:userid": true,
	"aws:username": true, "aws:sourceip": true, "aws:vpcsourceip": true,
	"aws:sourcevpc": true, "aws:sourcevpce": true, "aws:sourcevpcarn": true,
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceorgid": true,
	"aws:sourceorgpaths": true, "aws:vpceaccount": true, "aws:vpceorgid": true,
	"aws:vpceorgpaths": true, "s3:dataaccesspointaccount": true,
	"s3:dataaccesspointarn": true,
}

// publicAccess flags an Allow to everyone in a bucket policy that no
// condition narrows.
func (l *linter) publicAccess(st *stmt) {
	if l.kind != policy.Resource || st.effect != "Allow" || st.principal == nil ||
		st.notPrinc || !grantsEveryone(st.principal.val) {
		return
	}
	for _, c := range st.conds {
		if limits(c) {
			return
		}
	}
	l.add(rulePublicAccess, l.elemAt(st.index, *st.principal, st.path), "The statement "+
		"allows everyone (\"*\"), anonymous callers included, and no condition limits who "+
		"or from where.", "Name the accounts or roles in Principal, or add a condition on "+
		"aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceVpce or aws:SourceIp.")
}

// grantsEveryone reports whether a principal value names "*", alone or
// among others.
func grantsEveryone(n *node) bool {
	if n.kind == jsonString {
		return n.text == "*"
	}
	m, ok := n.get("AWS")
	if !ok {
		return false
	}
	if m.val.kind == jsonString {
		return m.val.text == "*"
	}
	for _, e := range m.val.elems {
		if e.kind == jsonString && e.text == "*" {
			return true
		}
	}
	return false
}

// limits reports whether a condition narrows who or where: a positive test,
// that a missing key fails, of a limiting key against a value that is not
// all wildcards.
func limits(c *cond) bool {
	if c.negated || c.ifExists || c.set == "forallvalues" || c.fam == famNull ||
		!limitingKeys[strings.ToLower(c.key)] {
		return false
	}
	for _, v := range c.values {
		if narrow(v.text, c.fam) {
			return true
		}
	}
	return false
}

func narrow(v string, f family) bool {
	if f == famIP {
		return v != "0.0.0.0/0" && v != "::/0"
	}
	return strings.Trim(v, "*?") != ""
}
