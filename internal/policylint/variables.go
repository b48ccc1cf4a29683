package policylint

import (
	"strings"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
)

// varForm is how a ${...} in a value reads, as the policy engine reads it.
type varForm uint8

const (
	varKey          varForm = iota // ${key} or ${key, 'default'}
	varEscape                      // ${*}, ${?} or ${$}: the character itself
	varUnterminated                // ${ with no closing brace: literal text
	varEmpty                       // ${} or ${ }: never resolves
	varMalformed                   // anything else between the braces: never resolves
)

// variable is one ${...} of a value.
type variable struct {
	form   varForm
	text   string // as written, from ${ to } (to the end for an unterminated one)
	key    string // varKey: the key, trimmed
	hasDef bool   // varKey: a default follows the key
}

// scanVariables finds the ${...} of s the way the engine substitutes them:
// a closing brace inside a quoted default does not count (policy.VariableEnds
// finds each end). The scan ends at the first unterminated ${, which the
// engine reads as text: one finding for it says enough.
func scanVariables(s string) []variable {
	var out []variable
	ends := policy.VariableEnds(s)
	for i := 0; ; {
		j := strings.Index(s[i:], "${")
		if j < 0 {
			return out
		}
		i += j
		end := ends(i)
		if end < 0 {
			return append(out, variable{form: varUnterminated, text: s[i:]})
		}
		out = append(out, readVariable(s[i:i+end+1]))
		i += end + 1
	}
}

// readVariable reads one whole ${...}.
func readVariable(text string) variable {
	v := variable{text: text}
	inner := strings.TrimSpace(text[2 : len(text)-1])
	key, def, hasComma := strings.Cut(inner, ",")
	v.key, v.hasDef = strings.TrimSpace(key), hasComma
	switch {
	case inner == "*" || inner == "?" || inner == "$":
		v.form = varEscape
	case inner == "":
		v.form = varEmpty
	case v.key == "" || strings.ContainsAny(v.key, " \t'{}$") ||
		hasComma && !quotedDefault(strings.TrimSpace(def)):
		v.form = varMalformed
	}
	return v
}

// quotedDefault reports whether s is a default value: text in single
// quotes, a quote inside written twice.
func quotedDefault(s string) bool {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return false
	}
	body := s[1 : len(s)-1]
	for i := 0; i < len(body); i++ {
		if body[i] != '\'' {
			continue
		}
		if i+1 >= len(body) || body[i+1] != '\'' {
			return false
		}
		i++
	}
	return true
}

// variables checks the policy variables of a statement's Resource entries
// and String and Arn condition values, where the engine substitutes them,
// in a document whose Version makes them variables.
func (l *linter) variables(st *stmt) {
	if !l.vars {
		return
	}
	if st.resource != nil {
		for _, e := range st.resource.entries {
			if e.valid {
				l.variablesIn(st, st.resource.m.name, e)
			}
		}
	}
	for _, c := range st.conds {
		if c.fam == famString || c.fam == famArn {
			for _, e := range c.values {
				l.variablesIn(st, "Condition", e)
			}
		}
	}
}

// variablesIn checks the variables of one value. Of several variables of
// the value that are wrong in the same way, only the first is reported.
func (l *linter) variablesIn(st *stmt, elem string, e entry) {
	where := at{stmt: st.index, elem: elem, path: e.path, off: e.n.off}
	reported := map[*rule]bool{}
	report := func(r *rule, msg, fix string) {
		if !reported[r] {
			reported[r] = true
			l.add(r, where, msg, fix)
		}
	}
	for _, v := range scanVariables(e.text) {
		switch v.form {
		case varUnterminated:
			report(ruleUnterminatedVariable, quote(e.text)+" has \"${\" with no closing \"}\": "+
				"the engine reads it as the literal text "+quote(v.text)+".",
				"Close the variable with \"}\", or write ${$}{ for a literal \"${\".")
		case varEmpty:
			report(ruleInvalidVariable, quote(e.text)+" holds the empty variable "+
				quote(v.text)+", which never resolves, so the value matches nothing.",
				"Name a key, such as ${aws:username}, or remove it.")
		case varMalformed:
			report(ruleInvalidVariable, "Variable "+quote(v.text)+" is not ${key} or "+
				"${key, 'default'}, so it never resolves and the value matches nothing.",
				"Write one key without spaces, and a default in single quotes: "+
					"${aws:username, 'nobody'}.")
		case varKey:
			l.variableKey(st, v, report)
		}
	}
}

// variableKey checks the key a well-formed variable names.
func (l *linter) variableKey(st *stmt, v variable, report func(r *rule, msg, fix string)) {
	prefix, _, ok := strings.Cut(strings.ToLower(v.key), ":")
	if !ok {
		report(ruleUnknownVariable, "Variable "+quote(v.text)+" names no condition key "+
			"(keys are prefix:name), so "+unresolved(v), unknownVariableFix(v))
		return
	}
	if prefix != "aws" && prefix != "s3" {
		return // another service's keys: the catalog does not know them
	}
	k, found := s3catalog.LookupKey(v.key)
	switch {
	case !found:
		report(ruleUnknownVariable, "Variable "+quote(v.text)+" names a key AWS does not "+
			"define, so "+unresolved(v), unknownVariableFix(v))
	case k.Multivalued:
		report(ruleMultivaluedVariable, "Variable "+quote(v.text)+" names "+k.Name+
			", which holds a set of values; a variable resolves only a key with one value, "+
			"so "+unresolved(v), "Test "+k.Name+" in a condition with ForAnyValue: or "+
			"ForAllValues: instead, or use a single-valued key.")
	case l.keyUnsupported(st, v.key):
		report(ruleVariableNotApplicable, "Variable "+quote(v.text)+" names "+
			keyLabel(k, v.key)+", which none of the statement's actions carries, so "+
			unresolved(v), "Use the variable in a statement whose actions carry the key"+
			supporters(v.key)+", or remove it.")
	}
}

func unknownVariableFix(v variable) string {
	if near := nearestKey(v.key); near != "" {
		return "Did you mean ${" + near + "}?"
	}
	return "Name a key AWS defines, such as ${aws:username} or ${aws:PrincipalTag/KEY}."
}

// unresolved ends a sentence about a variable that never resolves.
func unresolved(v variable) string {
	if v.hasDef {
		return "it always takes its default."
	}
	return "it never resolves and the value holding it matches nothing."
}

// nearestKey returns the aws: or s3: key a misspelt or unprefixed key most
// likely means, or "".
func nearestKey(key string) string {
	if !strings.Contains(key, ":") {
		for _, prefix := range []string{"aws:", "s3:"} {
			if k, ok := s3catalog.LookupKey(prefix + key); ok {
				return keyLabel(k, prefix+key)
			}
		}
	}
	near := nearest(key, keyNames())
	if i := strings.IndexByte(near, '/'); i >= 0 {
		// The catalog has a placeholder for the tag key: put the writer's in.
		tag := "KEY"
		if _, t, ok := strings.Cut(key, "/"); ok && t != "" {
			tag = t
		}
		near = near[:i+1] + tag
	}
	return near
}

// keyLabel names key k as a message should: in the catalog's case, but a tag
// key as written, since the catalog has a placeholder for the tag.
func keyLabel(k s3catalog.Key, written string) string {
	if strings.Contains(k.Name, "/") {
		return written
	}
	return k.Name
}

// keyNames lists the global and S3 condition keys.
func keyNames() []string {
	var names []string
	for _, list := range [][]s3catalog.Key{s3catalog.GlobalKeys(), s3catalog.S3Keys()} {
		for _, k := range list {
			names = append(names, k.Name)
		}
	}
	return names
}
