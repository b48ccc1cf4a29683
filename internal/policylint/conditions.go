package policylint

import "strings"

// family is the type of value a condition operator compares.
type family string

const (
	famString  family = "String"
	famNumeric family = "Numeric"
	famDate    family = "Date"
	famBool    family = "Bool"
	famBinary  family = "Binary"
	famIP      family = "IpAddress"
	famArn     family = "Arn"
	famNull    family = "Null"
)

// operatorInfo is what an operator name means.
type operatorInfo struct {
	fam     family
	negated bool
}

// operators are the condition operators of the policy language, lower-cased
// and without the set prefix and the IfExists suffix.
var operators = map[string]operatorInfo{
	"stringequals": {famString, false}, "stringnotequals": {famString, true},
	"stringequalsignorecase": {famString, false}, "stringnotequalsignorecase": {famString, true},
	"stringlike": {famString, false}, "stringnotlike": {famString, true},
	"numericequals": {famNumeric, false}, "numericnotequals": {famNumeric, true},
	"numericlessthan": {famNumeric, false}, "numericlessthanequals": {famNumeric, false},
	"numericgreaterthan": {famNumeric, false}, "numericgreaterthanequals": {famNumeric, false},
	"dateequals": {famDate, false}, "datenotequals": {famDate, true},
	"datelessthan": {famDate, false}, "datelessthanequals": {famDate, false},
	"dategreaterthan": {famDate, false}, "dategreaterthanequals": {famDate, false},
	"bool": {famBool, false}, "binaryequals": {famBinary, false},
	"ipaddress": {famIP, false}, "notipaddress": {famIP, true},
	"arnequals": {famArn, false}, "arnlike": {famArn, false},
	"arnnotequals": {famArn, true}, "arnnotlike": {famArn, true},
	"null": {famNull, false},
}

// cond is one key under one operator of a Condition element.
type cond struct {
	op       string // the operator as written
	set      string // "forallvalues", "foranyvalue" or ""
	ifExists bool
	operatorInfo
	key    string
	path   string
	off    int
	values []entry
}

// splitOperator reads an operator name. ok is false for a name the policy
// language does not define.
func splitOperator(name string) (c cond, ok bool) {
	base := name
	if prefix, rest, found := strings.Cut(name, ":"); found {
		c.set = strings.ToLower(prefix)
		if c.set != "forallvalues" && c.set != "foranyvalue" {
			return c, false
		}
		base = rest
	}
	lower := strings.ToLower(base)
	if trimmed, found := strings.CutSuffix(lower, "ifexists"); found {
		lower, c.ifExists = trimmed, true
	}
	c.operatorInfo, ok = operators[lower]
	return c, ok
}

func (l *linter) condition(st *stmt) {
	m, ok := st.node.get("Condition")
	if !ok {
		return
	}
	where := l.elemAt(st.index, m, st.path)
	if m.val.kind != jsonObject {
		l.add(ruleElementType, where, "Condition is "+m.val.kind.String()+", not an object.",
			`Write Condition as {"Operator": {"key": "value"}}.`)
		return
	}
	st.hasCond = len(m.val.members) > 0
	l.duplicates(m.val, st.index, "Condition", where.path)
	for _, op := range m.val.members {
		l.operatorBlock(st, op, where.path)
	}
}

func (l *linter) operatorBlock(st *stmt, op member, base string) {
	where := at{stmt: st.index, elem: "Condition", path: pathKey(base, op.name), off: op.off}
	proto, valid := splitOperator(op.name)
	switch {
	case valid && proto.fam == famNull && (proto.ifExists || proto.set != ""):
		valid = false
		l.add(ruleNullIfExists, where, "Operator "+quote(op.name)+" combines Null with "+
			"IfExists or a set operator; Null already tests whether the key exists.",
			"Write plain Null with \"true\" (key missing) or \"false\" (key present).")
	case !valid:
		l.add(ruleInvalidOperator, where, quote(op.name)+" is not a condition operator.",
			"Use an operator of the policy language, such as StringEquals, ArnLike, "+
				"IpAddress, Bool or Null, optionally with ForAllValues:, ForAnyValue: or "+
				"IfExists.")
	}
	switch {
	case op.val.kind != jsonObject:
		l.add(ruleElementType, at{stmt: st.index, elem: "Condition", path: where.path,
			off: op.val.off}, "Operator "+quote(op.name)+" maps to "+describe(op.val)+
			", not to keys and values.", `Write {"key": "value"} under the operator.`)
		return
	case len(op.val.members) == 0:
		l.add(ruleEmptyList, at{stmt: st.index, elem: "Condition", path: where.path,
			off: op.val.off}, "Operator "+quote(op.name)+" has no keys.",
			"Add a key and its values, or remove the operator.")
		return
	}
	l.duplicates(op.val, st.index, "Condition", where.path)
	for _, k := range op.val.members {
		c := proto
		c.op, c.key, c.path, c.off = op.name, k.name, pathKey(where.path, k.name), k.off
		if l.conditionKey(st, &c, k) && valid && l.conditionValues(st, &c, k) {
			st.conds = append(st.conds, &c)
		}
	}
}

// conditionKey checks a key's syntax: prefix:name, the prefix letters,
// digits, - and _, the name free of spaces and control characters.
func (l *linter) conditionKey(st *stmt, c *cond, k member) bool {
	prefix, name, ok := strings.Cut(k.name, ":")
	valid := ok && prefix != "" && name != ""
	for i := 0; valid && i < len(prefix); i++ {
		c := prefix[i]
		valid = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_'
	}
	for _, r := range name {
		valid = valid && r > ' ' && r != 0x7f
	}
	if !valid {
		l.add(ruleInvalidKey, at{stmt: st.index, elem: "Condition", path: c.path, off: k.off},
			"Condition key "+quote(k.name)+" is not prefix:name.",
			"Write a key such as aws:SourceIp or s3:prefix, without spaces.")
	}
	return valid
}

// conditionValues reads a key's values, a scalar or a non-empty list of
// scalars, and has the parser check them against the operator.
func (l *linter) conditionValues(st *stmt, c *cond, k member) bool {
	where := at{stmt: st.index, elem: "Condition", path: c.path, off: k.val.off}
	nodes := []*node{k.val}
	if k.val.kind == jsonArray {
		nodes = k.val.elems
		if len(nodes) == 0 {
			l.add(ruleEmptyList, where, "Condition key "+quote(c.key)+" has an empty list "+
				"of values.", "List at least one value.")
			return false
		}
	}
	for i, n := range nodes {
		path := c.path
		if k.val.kind == jsonArray {
			path = pathIndex(c.path, i)
		}
		if n.kind == jsonObject || n.kind == jsonArray || n.kind == jsonNull {
			l.add(ruleInvalidValue, at{stmt: st.index, elem: "Condition", path: path,
				off: n.off}, "A condition value is "+describeType(n)+", not a string, "+
				"number or boolean.", "Write each value as a string.")
			return false
		}
		c.values = append(c.values, entry{text: n.text, n: n, path: path, valid: true})
	}
	return l.probeValues(st, c, k)
}

// probeValues asks the parser about the values, one at a time when it
// rejects them together, to point at the first it rejects.
func (l *linter) probeValues(st *stmt, c *cond, k member) bool {
	err := l.probeCondition(c.op, c.key, l.raw(k.val))
	if err == nil {
		return true
	}
	for _, v := range c.values {
		if l.probeCondition(c.op, c.key, l.raw(v.n)) != nil {
			l.add(ruleInvalidValue, at{stmt: st.index, elem: "Condition", path: v.path,
				off: v.n.off}, "Value "+describe(v.n)+" does not fit operator "+quote(c.op)+
				": it must be "+valueWant(c.fam)+".", "Write "+valueWant(c.fam)+
				", or use an operator of the value's type.")
			return false
		}
	}
	l.add(ruleInvalidValue, at{stmt: st.index, elem: "Condition", path: c.path, off: k.val.off},
		"The values of "+quote(c.key)+" do not fit "+quote(c.op)+": "+parserMessage(err)+".",
		"Correct what the parser's message names.")
	return false
}

// valueWant says what an operator family's values must be.
func valueWant(f family) string {
	switch f {
	case famNumeric:
		return "a number"
	case famDate:
		return "an ISO 8601 date and time, or seconds since 1970"
	case famBool, famNull:
		return `"true" or "false"`
	case famBinary:
		return "base64 text"
	case famIP:
		return "an IP address or a CIDR block"
	}
	return "a string"
}
