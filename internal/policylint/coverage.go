package policylint

import (
	"strconv"
	"strings"
)

// coverage compares statements pairwise: an Allow that an unconditional
// Deny covers never grants, and a statement that an unconditional one of
// the same effect covers adds nothing.
func (l *linter) coverage() {
	var usable []*stmt
	for _, st := range l.stmts {
		if l.comparable(st) {
			usable = append(usable, st)
		}
	}
	for _, a := range usable {
		if b := coveredBy(a, usable, "Deny"); a.effect == "Allow" && b != nil {
			l.add(ruleShadowed, at{stmt: a.index, path: a.path, off: a.node.off},
				"Everything this Allow grants, "+label(b)+" denies without condition, so it "+
					"never grants anything.", "Remove it, or narrow the Deny in "+label(b)+
					" with a condition or fewer actions or resources.")
			continue
		}
		if b := coveredBy(a, usable, a.effect); b != nil {
			l.add(ruleRedundantStatement, at{stmt: a.index, path: a.path, off: a.node.off},
				"Everything this statement covers, "+label(b)+" covers too, with the same "+
					"effect and no condition.", "Remove it, or merge it into "+label(b)+".")
		}
	}
}

// comparable reports whether a statement is plain enough to compare:
// well-formed, with Action, Resource and, if any, Principal rather than
// their Not forms.
func (l *linter) comparable(st *stmt) bool {
	if l.grammar[st.index] || st.effect == "" || st.action == nil || st.resource == nil ||
		st.action.not || st.resource.not || st.notPrinc {
		return false
	}
	for _, lst := range []*list{st.action, st.resource} {
		for _, e := range lst.entries {
			if !e.valid {
				return false
			}
		}
	}
	return len(st.action.entries) > 0 && len(st.resource.entries) > 0
}

// coveredBy returns the first statement of the given effect, other than
// a, that has no condition and covers a. Of two statements that cover each
// other, only the later is covered.
func coveredBy(a *stmt, all []*stmt, effect string) *stmt {
	for _, b := range all {
		if b == a || b.effect != effect || !covers(b, a) {
			continue
		}
		if a.effect == b.effect && covers(a, b) && a.index < b.index {
			continue
		}
		return b
	}
	return nil
}

// covers reports whether b, which must have no condition, applies to every
// request a applies to.
func covers(b, a *stmt) bool {
	return !b.hasCond && listCovers(b.action, a.action, true) &&
		listCovers(b.resource, a.resource, false) && principalCovers(b, a)
}

func listCovers(b, a *list, actions bool) bool {
	for _, x := range a.entries {
		covered := false
		for _, y := range b.entries {
			covered = covered || valueCovers(y.text, x.text, actions)
		}
		if !covered {
			return false
		}
	}
	return true
}

func principalCovers(b, a *stmt) bool {
	if a.principal == nil || b.principal == nil {
		return a.principal == nil && b.principal == nil
	}
	if b.principal.val.kind == jsonString {
		return b.principal.val.text == "*"
	}
	bs, as := principalSet(b.principal.val), principalSet(a.principal.val)
	if as == nil {
		return false // a names "*"
	}
	for p := range as {
		typ, _, _ := strings.Cut(p, "\x00")
		if !bs[p] && !(typ == "AWS" && bs["AWS\x00*"]) {
			return false
		}
	}
	return true
}

// principalSet returns the type and value pairs of a Principal object,
// nil for "*".
func principalSet(n *node) map[string]bool {
	if n.kind != jsonObject {
		return nil
	}
	set := map[string]bool{}
	for _, t := range n.members {
		vals := []*node{t.val}
		if t.val.kind == jsonArray {
			vals = t.val.elems
		}
		for _, v := range vals {
			set[t.name+"\x00"+v.text] = true
		}
	}
	return set
}

// label names a statement in a message: its index, and its Sid if any.
func label(st *stmt) string {
	s := "statement " + strconv.Itoa(st.index)
	if st.sid != "" {
		s += " (" + quote(st.sid) + ")"
	}
	return s
}
