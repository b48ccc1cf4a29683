package policylint

import (
	"strings"

	"github.com/troveproject/trove/internal/s3catalog"
)

// conditionKeys checks each well-formed condition of a statement against
// what the catalog knows of its key.
func (l *linter) conditionKeys(st *stmt) {
	for _, c := range st.conds {
		l.allowForAll(st, c)
		prefix, _, _ := strings.Cut(strings.ToLower(c.key), ":")
		if prefix != "aws" && prefix != "s3" {
			continue // another service's keys: the catalog does not know them
		}
		k, ok := s3catalog.LookupKey(c.key)
		if !ok {
			l.unknownKey(st, c)
			continue
		}
		l.keyAvailable(st, c, k)
		l.setOperator(st, c, k)
		l.operatorType(st, c, k)
		l.keyApplies(st, c)
	}
}

func (l *linter) condAt(st *stmt, c *cond) at {
	return at{stmt: st.index, elem: "Condition", path: c.path, off: c.off}
}

func (l *linter) unknownKey(st *stmt, c *cond) {
	fix := "Use a key AWS defines; see the global condition keys and the condition keys " +
		"of Amazon S3."
	if near := nearest(c.key, keyNames()); near != "" {
		fix = "Did you mean " + near + "?"
	}
	l.add(ruleUnknownKey, l.condAt(st, c), quote(c.key)+" is not a condition key AWS "+
		"defines, so no request carries it.", fix)
}

func (l *linter) keyAvailable(st *stmt, c *cond, k s3catalog.Key) {
	if k.Kinds.Has(l.kind) {
		return
	}
	l.add(ruleKeyNotAvailable, l.condAt(st, c), k.Name+" is set only when an AWS service "+
		"principal makes the request, which never happens for an "+kindName(l.kind)+".",
		"Move the condition to the resource-based policy or RCP that service principals "+
			"meet, or remove it.")
}

func (l *linter) setOperator(st *stmt, c *cond, k s3catalog.Key) {
	switch {
	case c.set != "" && !k.Multivalued:
		l.add(ruleSetOnSingle, l.condAt(st, c), quote(c.op)+" is a set operator, but "+
			k.Name+" holds one value.", "Drop the "+setPrefix(c.op)+" prefix.")
	case c.set == "" && k.Multivalued && c.fam != famNull:
		l.add(ruleMissingSet, l.condAt(st, c), k.Name+" holds a set of values, and "+
			quote(c.op)+" does not say how to compare a set.", "Write ForAllValues:"+c.op+
			" (every value must match) or ForAnyValue:"+c.op+" (one value must).")
	}
}

func setPrefix(op string) string {
	prefix, _, _ := strings.Cut(op, ":")
	return prefix + ":"
}

// compatible says which key types each operator family compares.
var compatible = map[family][]s3catalog.KeyType{
	famString:  {s3catalog.String, s3catalog.ARN},
	famArn:     {s3catalog.ARN},
	famNumeric: {s3catalog.Numeric, s3catalog.DateNumeric},
	famDate:    {s3catalog.Date, s3catalog.DateNumeric},
	famBool:    {s3catalog.Bool},
	famIP:      {s3catalog.IPAddress},
}

func (l *linter) operatorType(st *stmt, c *cond, k s3catalog.Key) {
	if c.fam == famNull {
		return
	}
	for _, t := range compatible[c.fam] {
		if t == k.Type {
			return
		}
	}
	l.add(ruleOperatorType, l.condAt(st, c), quote(c.op)+" compares "+strings.ToLower(
		string(c.fam))+" values, but "+k.Name+" is of type "+string(k.Type)+".",
		"Use an operator of the "+string(k.Type)+" type"+operatorHint(k.Type)+".")
}

func operatorHint(t s3catalog.KeyType) string {
	switch t {
	case s3catalog.IPAddress:
		return ", IpAddress or NotIpAddress"
	case s3catalog.Bool:
		return ", Bool"
	case s3catalog.Numeric, s3catalog.DateNumeric:
		return ", such as NumericLessThan"
	case s3catalog.Date:
		return ", such as DateGreaterThan"
	case s3catalog.ARN:
		return ", such as ArnLike"
	}
	return ", such as StringEquals"
}

// keyApplies checks that S3 keys, and the global tag keys that S3 actions
// list, are supported by one of the statement's actions.
func (l *linter) keyApplies(st *stmt, c *cond) {
	if !l.keyUnsupported(st, c.key) {
		return
	}
	l.add(ruleKeyNotApplicable, l.condAt(st, c), quote(c.key)+" is supported by none of "+
		"the statement's actions, so their requests never carry it.", "Move the condition "+
		"to a statement whose actions support it"+supporters(c.key)+", or remove it.")
}

// keyUnsupported reports whether key is an S3 key, or a global tag key that
// S3 actions list, that none of the statement's actions supports. It is
// false whenever it cannot tell: NotAction, "*", an invalid action, or
// (for a tag key) an action of another service.
func (l *linter) keyUnsupported(st *stmt, key string) bool {
	if st.action == nil || st.action.not {
		return false
	}
	low := strings.ToLower(key)
	tagKey := strings.HasPrefix(low, "aws:requesttag/") ||
		strings.HasPrefix(low, "aws:resourcetag/") || low == "aws:tagkeys"
	if !strings.HasPrefix(low, "s3:") && !tagKey {
		return false
	}
	var acts []s3catalog.Action
	allS3 := true
	for _, e := range st.action.entries {
		if e.text == "*" || !e.valid {
			return false
		}
		allS3 = allS3 && service(e.text) == "s3"
		acts = append(acts, s3Actions(e)...)
	}
	if tagKey && !allS3 || len(acts) == 0 && allS3 {
		return false
	}
	for _, a := range acts {
		if a.Supports(key) {
			return false
		}
	}
	return true
}

// supporters names a few S3 actions that support a key.
func supporters(key string) string {
	var names []string
	for _, a := range s3catalog.Actions() {
		if a.Supports(key) {
			names = append(names, a.String())
		}
	}
	switch {
	case len(names) == 0:
		return ""
	case len(names) > 3:
		names = append(names[:3], "...")
	}
	return " (" + strings.Join(names, ", ") + ")"
}

// allowForAll flags ForAllValues in an Allow: it holds when the request has
// no value for the key, unless a Null condition requires the key.
func (l *linter) allowForAll(st *stmt, c *cond) {
	if st.effect != "Allow" || c.set != "forallvalues" {
		return
	}
	for _, o := range st.conds {
		if o.fam == famNull && strings.EqualFold(o.key, c.key) && len(o.values) == 1 &&
			strings.EqualFold(o.values[0].text, "false") {
			return
		}
	}
	l.add(ruleAllowForAll, l.condAt(st, c), quote(c.op)+" holds when the request carries "+
		"no "+c.key+" at all, so this Allow also grants requests without it.",
		`Add "Null": {"`+c.key+`": "false"} to require the key, or use ForAnyValue.`)
}
