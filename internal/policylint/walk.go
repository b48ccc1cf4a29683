package policylint

import (
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/policy"
)

// linter carries one Validate call.
type linter struct {
	doc      []byte
	kind     policy.Kind
	root     *node
	version  string // the Version when it is one of the two valid ones, else ""
	vars     bool   // the document substitutes policy variables
	literal  bool   // the document has 2008-10-17 semantics: variables are text
	stmts    []*stmt
	sids     map[string]int // non-empty Sid to the index of its first statement
	findings []Finding
	// grammar records, by statement index (-1 for the document), that a
	// grammar finding was reported there.
	grammar map[int]bool
}

// at is where a finding goes.
type at struct {
	stmt int    // statement index, -1 for the document
	elem string // element name
	path string
	off  int
}

func (l *linter) add(r *rule, where at, msg, fix string) {
	line, col := position(l.doc, where.off)
	l.findings = append(l.findings, Finding{
		Kind: r.Kind, Code: r.Code, Message: msg, Fix: fix,
		Location: Location{Statement: where.stmt, Element: where.elem, Path: where.path,
			Line: line, Column: col, offset: where.off},
	})
	if r.grammar {
		if l.grammar == nil {
			l.grammar = map[int]bool{}
		}
		l.grammar[where.stmt] = true
	}
}

func (l *linter) run() {
	if l.kind < policy.Identity || l.kind > policy.ResourceControl {
		l.parseFallback() // the parser names the unknown kind
		return
	}
	if l.kind == policy.Resource {
		l.bucketPolicyLimits()
	}
	root, err := parseJSON(l.doc)
	if err != nil {
		l.add(ruleMalformedJSON, at{stmt: -1, off: err.off}, "The document is not valid JSON: "+
			err.msg+".", "Correct the JSON syntax at this position.")
		return
	}
	if root.kind != jsonObject {
		l.add(ruleMalformedJSON, at{stmt: -1, off: root.off}, "The document is "+
			root.kind.String()+", not a JSON object.", "Write the policy as one JSON object "+
			"with Version and Statement.")
		return
	}
	l.root = root
	l.document()
	for _, st := range l.stmts {
		l.semantics(st)
	}
	l.coverage()
	l.parseFallback()
}

// bucketPolicyLimits checks what S3's PutBucketPolicy checks before the
// policy language: size and encoding.
func (l *linter) bucketPolicyLimits() {
	doc := at{stmt: -1}
	if len(l.doc) > bucketpolicy.MaxSize {
		l.add(ruleTooLarge, doc, "The bucket policy has "+strconv.Itoa(len(l.doc))+
			" bytes; S3 accepts at most "+strconv.Itoa(bucketpolicy.MaxSize)+".",
			"Shorten the policy: merge statements, drop white space, use wildcards.")
	}
	if !utf8.Valid(l.doc) {
		l.add(ruleEncoding, doc, "The bucket policy is not valid UTF-8 text.",
			"Save the policy as UTF-8.")
	}
}

// documentElements are the elements a policy document may have.
var documentElements = []string{"Version", "Id", "Statement"}

func (l *linter) document() {
	l.duplicates(l.root, -1, "", "")
	for _, m := range l.root.members {
		if !slices.Contains(documentElements, m.name) {
			l.unknownElement(m, at{stmt: -1, path: pathKey("", m.name), off: m.off},
				documentElements)
		}
	}
	l.versionElement()
	if m, ok := l.root.get("Id"); ok && m.val.kind != jsonString && m.val.kind != jsonNull {
		l.add(ruleElementType, l.elemAt(-1, m, ""), "Id is "+m.val.kind.String()+
			", not a string.", "Write Id as a string, or leave it out.")
	}
	l.statementElement()
	l.duplicateSids()
}

func (l *linter) elemAt(stmt int, m member, base string) at {
	return at{stmt: stmt, elem: m.name, path: pathKey(base, m.name), off: m.val.off}
}

func (l *linter) versionElement() {
	m, ok := l.root.get("Version")
	if !ok {
		l.missingVersion()
		return
	}
	where := l.elemAt(-1, m, "")
	v := m.val.text
	switch {
	case m.val.kind != jsonString || v != policy.Version2012 && v != policy.Version2008:
		l.add(ruleInvalidVersion, where, "Version "+describe(m.val)+" is not a version of "+
			"the policy language.", `Write "Version": "2012-10-17".`)
	case l.kind == policy.ResourceControl && v != policy.Version2012:
		l.add(ruleVersionRequired, where, "A resource control policy must have Version "+
			"2012-10-17, not "+v+".", `Write "Version": "2012-10-17".`)
	case v == policy.Version2008:
		l.version, l.literal = v, true
		l.add(ruleOldVersion, where, "Version 2008-10-17 is the old policy language: "+
			"policy variables are literal text in it.", `Write "Version": "2012-10-17".`)
	default:
		l.version, l.vars = v, true
	}
}

func (l *linter) missingVersion() {
	doc := at{stmt: -1, off: l.root.off}
	if l.kind == policy.ResourceControl {
		l.add(ruleVersionRequired, doc, "The resource control policy has no Version; RCPs "+
			"must have Version 2012-10-17.", `Add "Version": "2012-10-17".`)
		return
	}
	l.literal = true
	l.add(ruleMissingVersion, doc, "The policy has no Version, so it is read as Version "+
		"2008-10-17, in which policy variables are literal text.",
		`Add "Version": "2012-10-17".`)
}

func (l *linter) statementElement() {
	m, ok := l.root.get("Statement")
	if !ok {
		l.add(ruleMissingStatement, at{stmt: -1, off: l.root.off}, "The policy has no "+
			"Statement.", "Add a Statement list with at least one statement.")
		return
	}
	switch m.val.kind {
	case jsonObject:
		l.statement(0, m.val, "Statement")
	case jsonArray:
		if len(m.val.elems) == 0 {
			l.add(ruleEmptyList, l.elemAt(-1, m, ""), "The Statement list is empty.",
				"Add at least one statement.")
		}
		for i, n := range m.val.elems {
			l.statement(i, n, pathIndex("Statement", i))
		}
	default:
		l.add(ruleElementType, l.elemAt(-1, m, ""), "Statement is "+m.val.kind.String()+
			", not an object or a list of objects.", "Write Statement as a list of "+
			"statement objects.")
	}
}

// duplicates reports every member name an object repeats. elem is the
// element the object is in, "" when its members are elements themselves.
func (l *linter) duplicates(n *node, stmt int, elem, base string) {
	seen := map[string]bool{}
	for _, m := range n.members {
		if seen[m.name] {
			e := elem
			if e == "" {
				e = m.name
			}
			l.add(ruleDuplicateKey, at{stmt: stmt, elem: e, path: pathKey(base, m.name),
				off: m.off}, strconv.Quote(m.name)+" appears more than once in this object.",
				"Keep one "+strconv.Quote(m.name)+" and merge the values into it.")
		}
		seen[m.name] = true
	}
}

// unknownElement reports a member no grammar rule knows, suggesting the
// known name it differs from only in case.
func (l *linter) unknownElement(m member, where at, known []string) {
	fix := "Remove it; the elements here are " + strings.Join(known, ", ") + "."
	for _, k := range known {
		if strings.EqualFold(k, m.name) {
			fix = "Write it " + k + ": element names are case-sensitive."
		}
	}
	where.elem = m.name
	l.add(ruleUnknownElement, where, strconv.Quote(m.name)+" is not an element of the "+
		"policy language.", fix)
}

func (l *linter) duplicateSids() {
	for _, st := range l.stmts {
		if st.sid == "" {
			continue
		}
		if first, ok := l.sids[st.sid]; ok && first != st.index {
			m, _ := st.node.get("Sid")
			l.add(ruleDuplicateSid, l.elemAt(st.index, m, st.path), "Sid "+
				strconv.Quote(st.sid)+" is also the Sid of statement "+strconv.Itoa(first)+".",
				"Give each statement its own Sid.")
			continue
		}
		l.sids[st.sid] = st.index
	}
}

// describe quotes a scalar for a message, or names the type of anything
// else.
func describe(n *node) string {
	switch n.kind {
	case jsonString:
		return quote(n.text)
	case jsonNumber, jsonBool, jsonNull:
		return n.text
	}
	return n.kind.String()
}

// quote quotes s for a message, shortened when it is long.
func quote(s string) string {
	const max = 120
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return strconv.Quote(s)
}

// pathKey extends a JSON path by a member: .Name for plain names,
// ["name"] for the rest.
func pathKey(base, name string) string {
	if isIdentifier(name) {
		if base == "" {
			return name
		}
		return base + "." + name
	}
	return base + "[" + strconv.Quote(name) + "]"
}

func pathIndex(base string, i int) string { return base + "[" + strconv.Itoa(i) + "]" }

func isIdentifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		letter := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '_'
		if !letter && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
