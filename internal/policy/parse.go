package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
)

// The MalformedPolicy phrases, worded as AWS words them.
const (
	msgSyntax        = "Invalid policy syntax."
	msgVersion       = "Invalid Version"
	msgAction        = "Policy has invalid action"
	msgResource      = "Policy has invalid resource"
	msgPrincipal     = "Invalid principal in policy"
	msgNoPrincipal   = "Missing required field Principal"
	msgHasPrincipal  = "Policy document should not specify a principal."
	msgConditionKey  = "Policy has an invalid condition key"
	msgConditionOp   = "Invalid Condition type"
	msgConditionVal  = "Policy has an invalid condition value"
	msgEffect        = "Invalid effect"
	msgDuplicateSid  = "Statement IDs (SID) in a single policy must be unique"
	msgSidAlnum      = "Statement IDs (SID) must be alpha-numeric"
	msgMissingPrefix = "Missing required field "
)

func malformed(phrase, detail string) error {
	if detail == "" {
		return &MalformedError{Msg: phrase}
	}
	return &MalformedError{Msg: phrase + " (" + detail + ")"}
}

// Parse parses and validates a policy document of the given kind and compiles
// it for Evaluate. Every error is a *MalformedError.
func Parse(doc []byte, kind Kind) (*Policy, error) {
	if kind < Identity || kind > ResourceControl {
		return nil, malformed(msgSyntax, "unknown policy kind "+kind.String())
	}
	return parse(doc, kind, false)
}

// parse is Parse; builtin lets the built-in RCPFullAWSAccess allow.
func parse(doc []byte, kind Kind, builtin bool) (*Policy, error) {
	fields, err := decodeObject(doc)
	if err != nil {
		return nil, malformed(msgSyntax, syntaxDetail(err, "the document must be one JSON object"))
	}
	p := &Policy{Kind: kind, builtin: builtin}
	var stmts json.RawMessage
	for _, f := range fields {
		switch f.name {
		case "Version":
			if decodeJSON(f.raw, &p.Version) != nil {
				return nil, malformed(msgVersion, "not a string: "+quote(string(f.raw)))
			}
			if !validVersion(p.Version) {
				return nil, malformed(msgVersion, quote(p.Version))
			}
		case "Id":
			if decodeJSON(f.raw, &p.ID) != nil {
				return nil, malformed(msgSyntax, "Id must be a string")
			}
		case "Statement":
			stmts = f.raw
		default:
			return nil, malformed(msgSyntax, "unknown field "+quote(f.name))
		}
	}
	if stmts == nil {
		return nil, malformed(msgMissingPrefix+"Statement", "")
	}
	if kind == ResourceControl && p.Version != Version2012 {
		return nil, malformed(msgVersion, "a resource control policy needs Version "+
			quote(Version2012))
	}
	if err := p.parseStatements(stmts); err != nil {
		return nil, err
	}
	return p, nil
}

func validVersion(v string) bool { return v == Version2012 || v == Version2008 }

func (p *Policy) parseStatements(raw json.RawMessage) error {
	var list []json.RawMessage
	if isJSONObject(raw) {
		list = []json.RawMessage{raw}
	} else if decodeJSON(raw, &list) != nil {
		return malformed(msgSyntax, "Statement must be an object or a list of objects")
	}
	if len(list) == 0 {
		return malformed(msgMissingPrefix+"Statement", "the list is empty")
	}
	sids := make(map[string]bool, len(list))
	for i, r := range list {
		st, err := p.parseStatement(r, i)
		if err != nil {
			return err
		}
		if st.Sid != "" && sids[st.Sid] {
			return malformed(msgDuplicateSid, "duplicate Sid "+quote(st.Sid))
		}
		sids[st.Sid] = true
		p.Statements = append(p.Statements, st)
	}
	return nil
}

// stmtParser carries one statement through parsing.
type stmtParser struct {
	p      *Policy
	st     Statement
	fields map[string]json.RawMessage
}

func (sp *stmtParser) where() string { return sp.st.name() }

func (sp *stmtParser) fail(phrase, detail string) error {
	if detail == "" {
		return malformed(phrase, sp.where())
	}
	return malformed(phrase, sp.where()+": "+detail)
}

func (p *Policy) parseStatement(raw json.RawMessage, index int) (Statement, error) {
	sp := &stmtParser{p: p, st: Statement{Index: index}}
	fields, err := decodeObject(raw)
	if err != nil {
		detail := syntaxDetail(err, "must be a JSON object")
		return Statement{}, malformed(msgSyntax, stmtName("", index)+": "+detail)
	}
	sp.fields = make(map[string]json.RawMessage, len(fields))
	for _, f := range fields {
		sp.fields[f.name] = f.raw
	}
	if err := sp.parseSid(); err != nil {
		return Statement{}, err
	}
	for _, f := range fields {
		if !statementFields[f.name] {
			return Statement{}, sp.fail(msgSyntax, "unknown field "+quote(f.name))
		}
	}
	for _, step := range []func() error{
		sp.parseEffect, sp.parsePrincipal, sp.parseAction, sp.parseResource, sp.parseCondition,
	} {
		if err := step(); err != nil {
			return Statement{}, err
		}
	}
	return sp.st, nil
}

var statementFields = map[string]bool{
	"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true, "Action": true,
	"NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
}

func (sp *stmtParser) parseSid() error {
	raw, ok := sp.fields["Sid"]
	if !ok {
		return nil
	}
	if decodeJSON(raw, &sp.st.Sid) != nil {
		return malformed(msgSyntax, stmtName("", sp.st.Index)+": Sid must be a string")
	}
	if sp.p.Kind == Identity && !isAlnum(sp.st.Sid) {
		return malformed(msgSidAlnum, "Sid "+quote(sp.st.Sid))
	}
	return nil
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

func (sp *stmtParser) parseEffect() error {
	raw, ok := sp.fields["Effect"]
	if !ok {
		return sp.fail(msgMissingPrefix+"Effect", "")
	}
	if decodeJSON(raw, &sp.st.Effect) != nil {
		return sp.fail(msgEffect, string(raw))
	}
	switch sp.st.Effect {
	case "Allow":
		if sp.p.Kind == ResourceControl && !sp.p.builtin {
			return sp.fail(msgEffect, "a resource control policy may only Deny; "+
				"Allow belongs to RCPFullAWSAccess alone")
		}
	case "Deny":
		sp.st.deny = true
	default:
		return sp.fail(msgEffect, quote(sp.st.Effect))
	}
	return nil
}

// either returns the element present of a positive/negative pair, failing
// when both are.
func (sp *stmtParser) either(pos, neg string) (raw json.RawMessage, negated bool, err error) {
	r1, ok1 := sp.fields[pos]
	r2, ok2 := sp.fields[neg]
	switch {
	case ok1 && ok2:
		return nil, false, sp.fail(msgSyntax, "both "+pos+" and "+neg)
	case ok2:
		return r2, true, nil
	}
	return r1, false, nil
}

func (sp *stmtParser) parsePrincipal() error {
	raw, neg, err := sp.either("Principal", "NotPrincipal")
	if err != nil {
		return malformed(msgPrincipal, sp.where()+": both Principal and NotPrincipal")
	}
	switch sp.p.Kind {
	case Identity, ServiceControl:
		if raw != nil {
			return sp.fail(msgHasPrincipal, "")
		}
		return nil
	}
	if raw == nil {
		return sp.fail(msgNoPrincipal, "")
	}
	if neg && !sp.st.deny {
		return sp.fail(msgPrincipal, "NotPrincipal is supported only with Effect Deny")
	}
	set, detail := parsePrincipal(raw)
	if set == nil {
		return sp.fail(msgPrincipal, detail)
	}
	if sp.p.Kind == ResourceControl && (neg || !set.all || set.others > 0) {
		return sp.fail(msgPrincipal, "a resource control policy names Principal \"*\" only")
	}
	sp.st.principals, sp.st.notPrincipal = set, neg
	return nil
}

func (sp *stmtParser) parseAction() error {
	raw, neg, err := sp.either("Action", "NotAction")
	if err != nil {
		return err
	}
	if raw == nil {
		return sp.fail(msgMissingPrefix+"Action", "")
	}
	if neg && sp.p.Kind == ResourceControl {
		return sp.fail(msgAction, "a resource control policy does not support NotAction")
	}
	vals, ok := decodeStrings(raw)
	if !ok || len(vals) == 0 {
		return sp.fail(msgAction, "must be a string or a non-empty list of strings")
	}
	for _, v := range vals {
		if !validAction(v) {
			return sp.fail(msgAction, quote(v))
		}
		sp.st.actions = append(sp.st.actions, compileTemplate(v, true, false, true))
	}
	sp.st.actionText = vals
	sp.st.notAction = neg
	return nil
}

// validAction accepts "*" and service:action, the service a plain name and
// the action letters, digits and wildcards.
func validAction(v string) bool {
	if v == "*" {
		return true
	}
	svc, act, ok := strings.Cut(v, ":")
	if !ok || svc == "" || act == "" {
		return false
	}
	for i := 0; i < len(svc); i++ {
		if c := svc[i]; !isNameByte(c) || c == '_' {
			return false
		}
	}
	for i := 0; i < len(act); i++ {
		if c := act[i]; !isNameByte(c) && c != '*' && c != '?' {
			return false
		}
	}
	return true
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_'
}

func (sp *stmtParser) parseResource() error {
	raw, neg, err := sp.either("Resource", "NotResource")
	if err != nil {
		return err
	}
	if raw == nil {
		return sp.fail(msgMissingPrefix+"Resource", "")
	}
	vals, ok := decodeStrings(raw)
	if !ok || len(vals) == 0 {
		return sp.fail(msgResource, "must be a string or a non-empty list of strings")
	}
	vars := variables(sp.p.Version)
	for _, v := range vals {
		pat := compileARN(v, vars)
		if !pat.any && !validResource(pat.tmpl) {
			return sp.fail(msgResource, quote(v))
		}
		sp.st.resources = append(sp.st.resources, pat)
	}
	sp.st.resourceText = vals
	sp.st.notResource = neg
	return nil
}

// validResource accepts arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE, with
// variables standing for text (they may not supply the colons).
func validResource(t template) bool {
	segs := splitTokens(t.toks)
	if len(segs) != 6 || len(segs[0]) != 1 || segs[0][0] != (token{kind: tokLit, text: "arn"}) {
		return false
	}
	return len(segs[1]) > 0 && len(segs[2]) > 0 && len(segs[5]) > 0
}

func (sp *stmtParser) parseCondition() error {
	raw, ok := sp.fields["Condition"]
	if !ok {
		return nil
	}
	ops, err := decodeObject(raw)
	if err != nil {
		return sp.fail(msgSyntax, syntaxDetail(err, "Condition must be an object"))
	}
	for _, op := range ops {
		if err := sp.parseOperatorBlock(op); err != nil {
			return err
		}
	}
	return nil
}

func (sp *stmtParser) parseOperatorBlock(op field) error {
	proto, ok := parseOperator(op.name)
	if !ok {
		return sp.fail(msgConditionOp, quote(op.name))
	}
	keys, err := decodeObject(op.raw)
	if err != nil || len(keys) == 0 {
		detail := syntaxDetail(err, "operator "+quote(op.name)+" must map keys to values")
		return sp.fail(msgSyntax, detail)
	}
	vars := variables(sp.p.Version)
	for _, k := range keys {
		if !validConditionKey(k.name) {
			return sp.fail(msgConditionKey, quote(k.name))
		}
		vals, ok := decodeConditionValues(k.raw)
		if !ok || len(vals) == 0 {
			return sp.fail(msgConditionVal, quote(k.name)+" under "+quote(op.name))
		}
		c := proto
		c.name, c.rawKey, c.key = op.name, k.name, strings.ToLower(k.name)
		if bad, ok := c.compileValues(vals, vars); !ok {
			return sp.fail(msgConditionVal, quote(bad)+" for "+quote(op.name))
		}
		sp.st.conditions = append(sp.st.conditions, c)
	}
	return nil
}

// validConditionKey accepts prefix:name, the prefix a plain name and the name
// free of spaces and control characters. The prefix may also hold '.' and
// '/': the keys of a web identity provider are prefixed with its name, such
// as "accounts.google.com:aud" or "oidc.eks.REGION.amazonaws.com/id/ID:sub".
func validConditionKey(k string) bool {
	prefix, name, ok := strings.Cut(k, ":")
	if !ok || prefix == "" || name == "" {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		if !isNameByte(prefix[i]) && prefix[i] != '.' && prefix[i] != '/' {
			return false
		}
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

// field is one member of a JSON object, in document order.
type field struct {
	name string
	raw  json.RawMessage
}

// duplicateError reports a member name that occurs twice in one object.
type duplicateError struct{ name string }

func (e *duplicateError) Error() string { return "policy: duplicate field " + quote(e.name) }

// syntaxDetail says what decodeObject found wrong, for a MalformedError.
func syntaxDetail(err error, what string) string {
	var dup *duplicateError
	if errors.As(err, &dup) {
		return "duplicate field " + quote(dup.name)
	}
	return what
}

// decodeObject reads a JSON object into its members, rejecting duplicate
// names and anything after the object.
func decodeObject(raw []byte) ([]field, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, errors.New("policy: not an object")
	}
	var fields []field
	seen := make(map[string]bool)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		name, _ := tok.(string)
		if seen[name] {
			return nil, &duplicateError{name: name}
		}
		seen[name] = true
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		fields = append(fields, field{name: name, raw: v})
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("policy: data after the object")
	}
	return fields, nil
}

func decodeJSON(raw []byte, v any) error { return json.Unmarshal(raw, v) }

func firstByte(raw []byte) byte {
	raw = bytes.TrimLeft(raw, " \t\r\n")
	if len(raw) == 0 {
		return 0
	}
	return raw[0]
}

func isJSONString(raw []byte) bool { return firstByte(raw) == '"' }
func isJSONObject(raw []byte) bool { return firstByte(raw) == '{' }

// decodeStrings reads a string or a list of strings.
func decodeStrings(raw []byte) ([]string, bool) {
	if isJSONString(raw) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil, false
		}
		return []string{s}, true
	}
	var list []string
	if firstByte(raw) != '[' || json.Unmarshal(raw, &list) != nil {
		return nil, false
	}
	return list, true
}

// decodeConditionValues reads a condition's values: strings, numbers and
// booleans, alone or in a list, all as their text.
func decodeConditionValues(raw []byte) ([]string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil, false
	}
	list, isList := v.([]any)
	if !isList {
		list = []any{v}
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		s, ok := scalarText(x)
		if !ok {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

func scalarText(x any) (string, bool) {
	switch x := x.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

func quote(s string) string {
	const max = 128
	if len(s) > max {
		s = s[:max] + "..."
	}
	return strconv.Quote(s)
}
