package policylint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// stmt is what the checks know of one statement.
type stmt struct {
	index     int
	path      string
	node      *node
	sid       string
	effect    string  // "Allow" or "Deny"; "" when missing or invalid
	principal *member // Principal or NotPrincipal
	notPrinc  bool
	action    *list // Action or NotAction
	resource  *list // Resource or NotResource
	conds     []*cond
	hasCond   bool // the statement has a non-empty Condition element
}

// list is an Action or Resource element (or its Not form) and its entries.
type list struct {
	m       member
	not     bool
	entries []entry
}

// entry is one string of a list, with where it is.
type entry struct {
	text  string
	n     *node
	path  string
	valid bool // the policy parser accepts it
}

// statementElements are the elements a statement may have.
var statementElements = []string{
	"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
	"NotResource", "Condition",
}

func (l *linter) statement(i int, n *node, path string) {
	if n.kind != jsonObject {
		l.add(ruleElementType, at{stmt: i, path: path, off: n.off}, "This statement is "+
			n.kind.String()+", not an object.", "Write each statement as a JSON object.")
		return
	}
	st := &stmt{index: i, path: path, node: n}
	l.stmts = append(l.stmts, st)
	l.duplicates(n, i, "", path)
	for _, m := range n.members {
		if !slices.Contains(statementElements, m.name) {
			l.unknownElement(m, at{stmt: i, path: pathKey(path, m.name), off: m.off},
				statementElements)
		}
	}
	l.sid(st)
	l.effect(st)
	l.principal(st)
	st.action = l.actionElement(st)
	st.resource = l.resourceElement(st)
	l.condition(st)
}

func (l *linter) sid(st *stmt) {
	m, ok := st.node.get("Sid")
	if !ok || m.val.kind == jsonNull {
		return
	}
	where := l.elemAt(st.index, m, st.path)
	switch {
	case m.val.kind != jsonString:
		l.add(ruleInvalidSid, where, "Sid is "+m.val.kind.String()+", not a string.",
			"Write Sid as a string of letters and digits.")
	case m.val.text == "":
		l.add(ruleEmptySid, where, "The Sid is empty.",
			"Name the statement, or remove the Sid.")
	case l.kind == policy.Identity && !isAlnum(m.val.text):
		l.add(ruleInvalidSid, where, "Sid "+quote(m.val.text)+" holds characters other "+
			"than letters and digits, which identity-based policies do not allow.",
			"Keep only the letters A-Z, a-z and the digits 0-9.")
	}
	if m.val.kind == jsonString {
		st.sid = m.val.text
	}
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func (l *linter) effect(st *stmt) {
	m, ok := st.node.get("Effect")
	if !ok {
		l.add(ruleMissingEffect, at{stmt: st.index, path: st.path, off: st.node.off},
			"The statement has no Effect.", `Add "Effect": "Allow" or "Effect": "Deny".`)
		return
	}
	where := l.elemAt(st.index, m, st.path)
	v := m.val.text
	switch {
	case m.val.kind == jsonString && (v == "Allow" || v == "Deny"):
		st.effect = v
		if v == "Allow" && l.kind == policy.ResourceControl {
			l.add(ruleRCPAllow, where, "A resource control policy may only deny; Allow "+
				"belongs to the AWS-managed RCPFullAWSAccess alone.",
				"Write the statement as a Deny of what must not happen.")
		}
	case m.val.kind == jsonString && (strings.EqualFold(v, "Allow") ||
		strings.EqualFold(v, "Deny")):
		l.add(ruleInvalidEffect, where, "Effect "+quote(v)+" is not Allow or Deny: the "+
			"words are case-sensitive.", "Write "+titleCase(v)+".")
	case m.val.kind == jsonString:
		l.add(ruleInvalidEffect, where, "Effect "+quote(v)+" is not Allow or Deny.",
			`Write "Allow" or "Deny".`)
	default:
		l.add(ruleInvalidEffect, where, "Effect is "+describeType(m.val)+", not the string "+
			"Allow or Deny.", `Write "Allow" or "Deny".`)
	}
}

func titleCase(s string) string { return strings.ToUpper(s[:1]) + strings.ToLower(s[1:]) }

// either returns the element of a positive/negative pair the statement has,
// reporting a statement that has both.
func (l *linter) either(st *stmt, pos, neg string) (m member, negated, ok bool) {
	p, hasPos := st.node.get(pos)
	n, hasNeg := st.node.get(neg)
	switch {
	case hasPos && hasNeg:
		l.add(ruleConflicting, l.elemAt(st.index, n, st.path), "The statement has both "+
			pos+" and "+neg+".", "Keep one of them.")
		return p, false, true
	case hasNeg:
		return n, true, true
	}
	return p, false, hasPos
}

func (l *linter) actionElement(st *stmt) *list {
	m, neg, ok := l.either(st, "Action", "NotAction")
	if !ok {
		l.add(ruleMissingAction, at{stmt: st.index, path: st.path, off: st.node.off},
			"The statement has neither Action nor NotAction.",
			`Add "Action" with the actions the statement is about.`)
		return nil
	}
	if neg && l.kind == policy.ResourceControl {
		l.add(ruleRCPNotAction, l.elemAt(st.index, m, st.path), "Resource control policies "+
			"do not support NotAction.", "List the denied actions in Action instead.")
	}
	return l.probedList(st, m, neg, l.probeAction, ruleInvalidAction,
		`Action %s is not "*" or service:action.`,
		"Write the service prefix, a colon and the action, such as \"s3:GetObject\"; "+
			"letters, digits, - and the wildcards * and ? only.")
}

func (l *linter) resourceElement(st *stmt) *list {
	m, neg, ok := l.either(st, "Resource", "NotResource")
	if !ok {
		l.add(ruleMissingResource, at{stmt: st.index, path: st.path, off: st.node.off},
			"The statement has neither Resource nor NotResource.",
			`Add "Resource" with the ARNs the statement is about, or "*".`)
		return nil
	}
	return l.probedList(st, m, neg, l.probeResource, ruleInvalidResource,
		`Resource %s is not "*" or an ARN.`,
		"Write arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, such as "+
			"arn:aws:s3:::my-bucket/*; variables may not supply the colons.")
}

// probedList reads the strings of element m of statement st, negated or
// not, and marks each entry valid when probe accepts its text. For each it
// refuses it reports r, with complaint formatted with the quoted text, and
// fix.
func (l *linter) probedList(st *stmt, m member, neg bool, probe func(string) bool, r *rule,
	complaint, fix string) *list {
	lst := &list{m: m, not: neg}
	lst.entries = l.stringList(st.index, m.name, m.name, pathKey(st.path, m.name), m.val)
	for i := range lst.entries {
		e := &lst.entries[i]
		if e.valid = probe(e.text); !e.valid {
			l.add(r, at{stmt: st.index, elem: m.name, path: e.path, off: e.n.off},
				fmt.Sprintf(complaint, quote(e.text)), fix)
		}
	}
	return lst
}

// stringList reads a value that is a string or a non-empty list of
// strings, reporting anything else, and returns its strings. label names
// the value in messages; path is where it is.
func (l *linter) stringList(stIdx int, elem, label, path string, n *node) []entry {
	where := at{stmt: stIdx, elem: elem, path: path, off: n.off}
	switch n.kind {
	case jsonString:
		return []entry{{text: n.text, n: n, path: path}}
	case jsonArray:
		if len(n.elems) == 0 {
			l.add(ruleEmptyList, where, label+" is an empty list.", "List at least one "+
				"value, or remove it.")
		}
		var out []entry
		for i, e := range n.elems {
			where.path, where.off = pathIndex(path, i), e.off
			if e.kind != jsonString {
				l.add(ruleElementType, where, article(label+" entry")+" is "+
					describeType(e)+", not a string.", "Write each entry as a string.")
				continue
			}
			out = append(out, entry{text: e.text, n: e, path: where.path})
		}
		return out
	}
	l.add(ruleElementType, where, label+" is "+n.kind.String()+", not a string or a "+
		"list of strings.", "Write "+label+" as a string or a list of strings.")
	return nil
}

// principalTypes are the members a Principal object may have.
var principalTypes = []string{"AWS", "Service", "Federated", "CanonicalUser"}

func (l *linter) principal(st *stmt) {
	m, neg, ok := l.either(st, "Principal", "NotPrincipal")
	where := at{stmt: st.index, path: st.path, off: st.node.off}
	switch {
	case (l.kind == policy.Identity || l.kind == policy.ServiceControl) && ok:
		l.add(rulePrincipalNotAllowed, l.elemAt(st.index, m, st.path), article(kindName(l.kind))+
			" names no principal: it applies to the principals it is attached to.",
			"Remove "+m.name+", or validate the document as the resource-based policy "+
				"(--type resource) or RCP (--type rcp) it may be.")
		return
	case l.kind == policy.Identity || l.kind == policy.ServiceControl:
		return
	case !ok && l.kind == policy.ResourceControl:
		l.add(ruleMissingPrincipal, where, "A statement of a "+kindName(l.kind)+
			" must name a Principal.", `Add "Principal": "*", the only principal an RCP `+
			`takes, and narrow the statement with conditions such as aws:PrincipalOrgID.`)
		return
	case !ok:
		l.add(ruleMissingPrincipal, where, "A statement of a "+kindName(l.kind)+
			" must name a Principal.", `Add "Principal" with who the statement is about, `+
			`such as {"AWS": "arn:aws:iam::111122223333:root"}.`)
		return
	}
	st.principal, st.notPrinc = &m, neg
	mark := len(l.findings)
	l.notPrincipal(st, m)
	l.principalValue(st, m, mark)
}

func (l *linter) notPrincipal(st *stmt, m member) {
	where := l.elemAt(st.index, m, st.path)
	switch {
	case !st.notPrinc:
	case st.effect == "Allow":
		l.add(ruleNotPrincipalAllow, where, "NotPrincipal with Effect Allow would grant to "+
			"everyone not listed; AWS does not support it.",
			"Name the principals to allow in Principal instead.")
	case l.kind == policy.ResourceControl:
		l.add(ruleRCPPrincipal, where, "Resource control policies do not support "+
			"NotPrincipal.", `Write "Principal": "*" and exclude principals with conditions `+
			`such as aws:PrincipalArn.`)
	}
}

// kindName names a policy kind in a sentence.
// article puts "A" or "An" before a name, as its first letter sounds.
func article(name string) string {
	if name != "" && strings.ContainsRune("aeiouAEIOU", rune(name[0])) {
		return "An " + name
	}
	return "A " + name
}

func kindName(k policy.Kind) string {
	switch k {
	case policy.ServiceControl:
		return "service control policy (SCP)"
	case policy.ResourceControl:
		return "resource control policy (RCP)"
	}
	return k.String()
}

// principalValue checks a Principal or NotPrincipal value; mark is where
// the findings about it begin.
func (l *linter) principalValue(st *stmt, m member, mark int) {
	where := l.elemAt(st.index, m, st.path)
	switch m.val.kind {
	case jsonString:
		if m.val.text != "*" {
			l.add(ruleInvalidPrincipal, where, m.name+" "+quote(m.val.text)+" is neither "+
				"\"*\" nor an object.", `Write {"AWS": `+strconv.Quote(m.val.text)+`}, or `+
				`"*" for everyone.`)
		}
	case jsonObject:
		l.principalObject(st, m)
	default:
		l.add(ruleElementType, where, m.name+" is "+m.val.kind.String()+", not \"*\" or an "+
			"object.", `Write "*" or an object such as {"AWS": [...]}.`)
	}
	if l.kind == policy.ResourceControl && !st.notPrinc && !everyone(m.val) {
		l.add(ruleRCPPrincipal, where, "A resource control policy applies to every "+
			"principal: its Principal is \"*\".", `Write "Principal": "*" and narrow the `+
			`statement with conditions such as aws:PrincipalOrgID.`)
	}
	if !l.grammarSince(mark) && !l.probePrincipal(m.val, st.notPrinc) {
		l.add(ruleInvalidPrincipal, where, m.name+" is not a valid principal.",
			"Name \"*\", account IDs, or ARNs of accounts, users, roles or sessions.")
	}
}

func (l *linter) principalObject(st *stmt, m member) {
	where := l.elemAt(st.index, m, st.path)
	if len(m.val.members) == 0 {
		l.add(ruleEmptyList, where, m.name+" is an empty object.",
			`Name at least one principal, such as {"AWS": "111122223333"}.`)
		return
	}
	l.duplicates(m.val, st.index, m.name, where.path)
	for _, t := range m.val.members {
		tw := at{stmt: st.index, elem: m.name, path: pathKey(where.path, t.name), off: t.off}
		if !slices.Contains(principalTypes, t.name) {
			fix := "Use AWS, Service, Federated or CanonicalUser."
			for _, k := range principalTypes {
				if strings.EqualFold(k, t.name) {
					fix = "Write it " + k + ": principal types are case-sensitive."
				}
			}
			l.add(ruleInvalidPrincipal, tw, quote(t.name)+" is not a type of principal.", fix)
			continue
		}
		for _, e := range l.stringList(st.index, m.name, t.name, tw.path, t.val) {
			l.principalEntry(st, m.name, t.name, e)
		}
	}
}

func (l *linter) principalEntry(st *stmt, elem, typ string, e entry) {
	if l.probePrincipalValue(typ, e.text) {
		return
	}
	msg, fix := quote(e.text)+" is not a valid "+typ+" principal.", principalFix(typ)
	if e.text == "" {
		msg = "A principal is empty."
	} else if typ != "AWS" && strings.ContainsAny(e.text, "*?") {
		msg, fix = typ+" principal "+quote(e.text)+" holds a wildcard.",
			"Name the principal in full; only the AWS type takes \"*\", alone."
	}
	l.add(ruleInvalidPrincipal, at{stmt: st.index, elem: elem, path: e.path, off: e.n.off},
		msg, fix)
}

func principalFix(typ string) string {
	if typ == "AWS" {
		return "Name \"*\", a 12-digit account ID, or arn:aws:iam::ACCOUNT:root, " +
			":user/NAME, :role/NAME, or arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION; " +
			"no wildcards."
	}
	return "Name the principal in full."
}

// everyone reports whether a principal value is "*" or {"AWS": "*"} with
// nothing else.
func everyone(n *node) bool {
	if n.kind == jsonString {
		return n.text == "*"
	}
	if n.kind != jsonObject || len(n.members) != 1 || n.members[0].name != "AWS" {
		return false
	}
	v := n.members[0].val
	if v.kind == jsonString {
		return v.text == "*"
	}
	for _, e := range v.elems {
		if e.kind != jsonString || e.text != "*" {
			return false
		}
	}
	return v.kind == jsonArray && len(v.elems) > 0
}

// grammarSince reports whether a grammar finding was added after the first
// mark findings.
func (l *linter) grammarSince(mark int) bool {
	for _, f := range l.findings[mark:] {
		if f.Kind == Error && ruleByCode(f.Code).grammar {
			return true
		}
	}
	return false
}

func ruleByCode(code string) *rule {
	for _, r := range allRules {
		if r.Code == code {
			return r
		}
	}
	return &rule{}
}
