package policylint

import (
	"encoding/json"
	"errors"
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// The probes ask the policy parser about one piece of the document: the
// piece goes into an otherwise minimal, valid statement, and the statement
// parses or not. The linter's own checks say what is wrong and where; the
// probes make sure they never call valid what the parser rejects, or the
// reverse, for the pieces whose rules live in the parser (ARN and action
// syntax, principal forms, condition values of each type).

// exprVersion is the Version to parse values with: the document's, so that
// policy variables are read as the document reads them; 2012-10-17 when
// the document's is invalid.
func (l *linter) exprVersion() string {
	if l.version != "" || l.literal {
		return l.version
	}
	return policy.Version2012
}

// stmtVersion is the Version to parse a whole statement with: RCPs need
// 2012-10-17, and the document's own problems are reported apart.
func (l *linter) stmtVersion() string {
	if l.kind == policy.ResourceControl {
		return policy.Version2012
	}
	return l.exprVersion()
}

// parseOne parses a document holding the single statement st.
func parseOne(kind policy.Kind, version string, st map[string]any) error {
	doc := map[string]any{"Statement": []any{st}}
	if version != "" {
		doc["Version"] = version
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = policy.Parse(raw, kind)
	return err
}

// raw returns a node's JSON text.
func (l *linter) raw(n *node) json.RawMessage { return json.RawMessage(l.doc[n.off:n.end]) }

func denyAll() map[string]any {
	return map[string]any{"Effect": "Deny", "Action": "*", "Resource": "*"}
}

func (l *linter) probeAction(v string) bool {
	st := denyAll()
	st["Action"] = v
	return parseOne(policy.Identity, policy.Version2012, st) == nil
}

func (l *linter) probeResource(v string) bool {
	st := denyAll()
	st["Resource"] = v
	return parseOne(policy.Identity, l.exprVersion(), st) == nil
}

// probePrincipal parses a whole Principal or NotPrincipal value with the
// document's kind.
func (l *linter) probePrincipal(n *node, negated bool) bool {
	st := denyAll()
	name := "Principal"
	if negated {
		name = "NotPrincipal"
	}
	st[name] = l.raw(n)
	return parseOne(l.kind, l.stmtVersion(), st) == nil
}

// probePrincipalValue parses one principal of one type.
func (l *linter) probePrincipalValue(typ, v string) bool {
	st := denyAll()
	st["Principal"] = map[string]string{typ: v}
	return parseOne(policy.Resource, policy.Version2012, st) == nil
}

// probeCondition parses one condition key under one operator.
func (l *linter) probeCondition(op, key string, values any) error {
	st := denyAll()
	st["Condition"] = map[string]any{op: map[string]any{key: values}}
	return parseOne(policy.Identity, l.exprVersion(), st)
}

// probeStatement parses one statement alone with the document's kind.
func (l *linter) probeStatement(st *stmt) error {
	doc := map[string]any{"Statement": []any{l.raw(st.node)}}
	if v := l.stmtVersion(); v != "" {
		doc["Version"] = v
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	_, err = policy.Parse(raw, l.kind)
	return err
}

// parseFallback makes the policy parser the final word: when it rejects the
// document, every statement it rejects on its own that has no grammar
// finding gets a PARSE_ERROR, and so does the document when no grammar
// finding exists at all.
func (l *linter) parseFallback() {
	_, err := policy.Parse(l.doc, l.kind)
	if err == nil {
		return
	}
	for _, st := range l.stmts {
		if l.grammar[st.index] {
			continue
		}
		if e := l.probeStatement(st); e != nil {
			l.add(ruleParseError, at{stmt: st.index, path: st.path, off: st.node.off},
				"The policy parser rejects this statement: "+parserMessage(e)+".",
				"Correct what the parser's message names.")
		}
	}
	if len(l.grammar) == 0 {
		l.add(ruleParseError, at{stmt: -1}, "The policy parser rejects the document: "+
			parserMessage(err)+".", "Correct what the parser's message names.")
	}
}

// parserMessage returns the text of a parser error without its package
// prefix, and without the statement number of a probe's one statement.
func parserMessage(err error) string {
	var m *policy.MalformedError
	if !errors.As(err, &m) {
		return err.Error()
	}
	return strings.Replace(m.Msg, "(statement 0: ", "(", 1)
}
