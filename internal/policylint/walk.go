package policylint

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
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
	l.sizeLimit()
	l.invalidUTF8()
	root, lone, err := readJSON(l.doc)
	if lone >= 0 {
		l.add(ruleEncoding, at{stmt: -1, off: lone}, "The escape "+string(l.doc[lone:lone+6])+
			" is half of a UTF-16 surrogate pair without its other half: it stands for no "+
			"character, and JSON readers turn it into U+FFFD.", "Write the character "+
			`itself, or escape both halves of its pair, such as \ud83d\ude00 for U+1F600.`)
	}
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

// invalidUTF8 reports the first byte of the document that is not part of
// UTF-8 text: JSON readers turn it into U+FFFD, and AWS rejects the policy.
func (l *linter) invalidUTF8() {
	for off := 0; off < len(l.doc); {
		r, size := utf8.DecodeRune(l.doc[off:])
		if r == utf8.RuneError && size == 1 {
			l.add(ruleEncoding, at{stmt: -1, off: off}, fmt.Sprintf("The policy is not "+
				"valid UTF-8 text: the byte 0x%02x here is part of no character.", l.doc[off]),
				"Save the policy as UTF-8.")
			return
		}
		off += size
	}
}

// Size limits of the policy kinds, as AWS documents them.
const (
	// maxOrgPolicy is AWS Organizations' limit on an SCP or RCP, in
	// characters; the API and CLI count white space too.
	maxOrgPolicy = 5120
	// maxManagedPolicy is IAM's limit on a managed policy, in characters
	// other than white space. Inline policies have their own, per principal
	// and for all its inline policies together: 2,048 for a user, 5,120 for a
	// group, 10,240 for a role. The linter cannot tell a managed policy from
	// an inline one, and checks the managed limit.
	maxManagedPolicy = 6144
)

// sizeLimit checks the document's size against its kind's limit: a bucket
// policy's bytes (as S3's PutBucketPolicy and trove's count them), an SCP's
// or RCP's characters, an identity-based policy's characters other than
// white space.
func (l *linter) sizeLimit() {
	doc := at{stmt: -1}
	switch l.kind {
	case policy.Resource:
		if n := len(l.doc); n > bucketpolicy.MaxSize {
			l.add(ruleTooLarge, doc, "The bucket policy has "+strconv.Itoa(n)+" bytes; S3 "+
				"accepts at most "+strconv.Itoa(bucketpolicy.MaxSize)+" (20 KB).",
				"Shorten the policy: merge statements, drop white space, use wildcards.")
		}
	case policy.ServiceControl, policy.ResourceControl:
		if n := utf8.RuneCount(l.doc); n > maxOrgPolicy {
			name := map[policy.Kind]string{policy.ServiceControl: "SCP",
				policy.ResourceControl: "RCP"}[l.kind]
			l.add(ruleTooLarge, doc, "The "+name+" has "+strconv.Itoa(n)+" characters; AWS "+
				"Organizations accepts at most 5,120 (the console drops white space outside "+
				"strings before counting, the API and CLI count it).", "Shorten the policy: "+
				"drop white space, merge statements, use wildcards, or split it into several "+
				name+"s attached to the same target.")
		}
	case policy.Identity:
		if n := nonSpace(l.doc); n > maxManagedPolicy {
			l.add(ruleTooLarge, doc, "The identity-based policy has "+strconv.Itoa(n)+
				" characters besides white space; IAM accepts at most 6,144 in a managed "+
				"policy (inline policies share 2,048 per user, 5,120 per group and 10,240 "+
				"per role).", "Shorten the policy: merge statements, use wildcards, or split "+
				"it into several managed policies.")
		}
	}
}

// nonSpace counts the characters of doc that are not white space, as IAM
// counts a policy's size.
func nonSpace(doc []byte) int {
	n := 0
	for _, r := range string(doc) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
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
	case m.val.kind != jsonString:
		l.add(ruleInvalidVersion, where, "Version is "+describeType(m.val)+", not a string "+
			"naming a version of the policy language.", `Write "Version": "2012-10-17".`)
	case v != policy.Version2012 && v != policy.Version2008:
		l.add(ruleInvalidVersion, where, "Version "+quote(v)+" is not a version of the "+
			"policy language.", `Write "Version": "2012-10-17".`)
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

// describeType names a value's type for a message, with the value when it
// is a number or boolean: "an object", "the number 5", "null".
func describeType(n *node) string {
	switch n.kind {
	case jsonNumber:
		return "the number " + n.text
	case jsonBool:
		return "the boolean " + n.text
	case jsonString:
		return "the string " + quote(n.text)
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
