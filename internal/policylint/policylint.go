// Package policylint checks policy documents the way IAM Access Analyzer's
// policy validation does: beyond what the policy parser accepts, it finds
// what is wrong, risky or redundant, and says where and how to fix it.
//
// Validate reads the document with its own JSON reader, which keeps member
// order and byte positions, so that one run reports every problem it can
// see, on documents the parser (policy.Parse) rejects too. The parser stays
// the final word on validity: when it rejects a document and no finding of
// the grammar checks explains why, the rejection becomes a PARSE_ERROR
// finding, so a document Parse rejects always has an ERROR finding.
//
// Findings have one of Access Analyzer's four kinds. ERROR findings are
// documents AWS or trove rejects and statements that can never match what
// they name; SECURITY_WARNING findings grant more than intended; WARNING
// findings are likely mistakes; SUGGESTION findings are clean-ups. Rules
// lists every code. The S3 checks use package s3catalog: actions, resource
// types and condition keys as AWS's Service Authorization Reference lists
// them.
package policylint

import (
	"cmp"
	"slices"

	"github.com/troveproject/trove/internal/policy"
)

// Kind is how serious a finding is; the names are Access Analyzer's.
type Kind string

// The kinds of finding, most serious first.
const (
	Error           Kind = "ERROR"
	SecurityWarning Kind = "SECURITY_WARNING"
	Warning         Kind = "WARNING"
	Suggestion      Kind = "SUGGESTION"
)

// Kinds lists the kinds of finding, most serious first.
var Kinds = []Kind{Error, SecurityWarning, Warning, Suggestion}

// Finding is one problem in a policy document.
type Finding struct {
	Kind Kind   `json:"kind"`
	Code string `json:"code"` // one of the Rules
	Location
	Message string `json:"message"` // what is wrong, quoting the offending value
	Fix     string `json:"fix"`     // how to fix it
}

// Location is where a finding is.
type Location struct {
	// Statement is the index of the statement in the Statement list, from
	// 0, or -1 for the document as a whole.
	Statement int `json:"-"`
	// Element is the statement's element ("Action", "Condition"...) or the
	// document's ("Version"), "" for the document as a whole.
	Element string `json:"-"`
	// Path is a JSON path to the value, such as
	// Statement[1].Condition.StringEquals["aws:SourceIp"]; "" is the
	// document.
	Path string `json:"path"`
	// Line and Column locate the value's first character, from 1; columns
	// count characters.
	Line   int `json:"line"`
	Column int `json:"column"`
	offset int // byte offset, for ordering
}

// Validate checks doc as a policy of the given kind and returns its
// findings in document order. It never fails: a document it cannot read is
// a finding too.
func Validate(doc []byte, kind policy.Kind) []Finding {
	l := &linter{doc: doc, kind: kind, sids: map[string]int{}}
	l.run()
	slices.SortStableFunc(l.findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.offset, b.offset), cmp.Compare(a.Code, b.Code))
	})
	return l.findings
}

// GuessKind returns the kind a document most likely is: resource-based when
// a statement names Principal or NotPrincipal, identity-based otherwise
// (also when the document cannot be read).
func GuessKind(doc []byte) policy.Kind {
	root, err := parseJSON(doc)
	if err != nil || root.kind != jsonObject {
		return policy.Identity
	}
	for _, st := range statementNodes(root) {
		if st.kind != jsonObject {
			continue
		}
		for _, m := range st.members {
			if m.name == "Principal" || m.name == "NotPrincipal" {
				return policy.Resource
			}
		}
	}
	return policy.Identity
}

// statementNodes returns the nodes of the Statement element: the one
// object, or the list's entries.
func statementNodes(root *node) []*node {
	m, ok := root.get("Statement")
	switch {
	case !ok:
		return nil
	case m.val.kind == jsonArray:
		return m.val.elems
	}
	return []*node{m.val}
}

// Count returns how many findings there are of each kind.
func Count(findings []Finding) map[Kind]int {
	n := map[Kind]int{}
	for _, f := range findings {
		n[f.Kind]++
	}
	return n
}
