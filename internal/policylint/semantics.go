package policylint

import (
	"strings"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
)

// semantics runs the checks that look past the grammar at one statement.
func (l *linter) semantics(st *stmt) {
	l.actionNames(st)
	flagged := l.resourceNames(st)
	l.resourceTypes(st, flagged)
	l.conditionKeys(st)
	l.allowWithNot(st)
	l.publicAccess(st)
	l.literalVariables(st)
	l.variables(st)
}

// service returns an action's service prefix, lower-cased.
func service(action string) string {
	svc, _, _ := strings.Cut(action, ":")
	return strings.ToLower(svc)
}

func (l *linter) actionNames(st *stmt) {
	if st.action == nil {
		return
	}
	for _, e := range st.action.entries {
		if !e.valid || e.text == "*" {
			continue
		}
		where := at{stmt: st.index, elem: st.action.m.name, path: e.path, off: e.n.off}
		svc := service(e.text)
		if l.kind == policy.Resource && svc != "s3" {
			l.add(ruleBucketAction, where, "A bucket policy names S3 actions only; "+
				quote(e.text)+" is an action of "+quote(svc)+".",
				"Remove it, and grant it in the caller's identity-based policy instead.")
		}
		if svc == "s3" && len(s3catalog.Match(e.text)) == 0 {
			l.unknownAction(where, e.text)
		}
	}
	l.redundantValues(st, st.action, true)
}

func (l *linter) unknownAction(where at, action string) {
	_, name, _ := strings.Cut(action, ":")
	if strings.ContainsAny(name, "*?") {
		l.add(ruleUnknownAction, where, quote(action)+" matches no action of Amazon S3.",
			"Correct the pattern; s3:Get* and s3:*Object are patterns that match.")
		return
	}
	fix := "Use an action of Amazon S3, such as s3:GetObject; see the Service " +
		"Authorization Reference for Amazon S3."
	if near := nearest(name, actionNames()); near != "" {
		fix = "Did you mean s3:" + near + "?"
	}
	l.add(ruleUnknownAction, where, quote(action)+" is not an action of Amazon S3.", fix)
}

func actionNames() []string {
	var out []string
	for _, a := range s3catalog.Actions() {
		out = append(out, a.Name)
	}
	return out
}

// resourceNames checks each Resource value on its own, and returns the
// values it reported.
func (l *linter) resourceNames(st *stmt) map[string]bool {
	if st.resource == nil {
		return nil
	}
	bad := map[string]bool{}
	for _, e := range st.resource.entries {
		if !e.valid || e.text == "*" {
			continue
		}
		where := at{stmt: st.index, elem: st.resource.m.name, path: e.path, off: e.n.off}
		if l.kind == policy.Resource && !strings.HasPrefix(e.text, "arn:aws:s3:::") {
			bad[e.text] = true
			l.add(ruleBucketResource, where, "A bucket policy names its bucket and objects in "+
				"it; "+quote(e.text)+" is neither.", "Write arn:aws:s3:::BUCKET or "+
				"arn:aws:s3:::BUCKET/KEY, with wildcards where needed.")
		}
		if !st.resource.not && s3ARN(e.text) && s3catalog.TypesOf(e.text, l.vars) == nil {
			bad[e.text] = true
			l.add(ruleInvalidS3Resource, where, quote(e.text)+" has the form of no S3 "+
				"resource, so it matches no request.", "Buckets are arn:aws:s3:::BUCKET and "+
				"objects arn:aws:s3:::BUCKET/KEY, with no region and no account.")
		}
	}
	l.redundantValues(st, st.resource, false)
	return bad
}

// s3ARN reports whether a Resource value is an ARN of S3 written out,
// service and all.
func s3ARN(r string) bool {
	parts := strings.SplitN(r, ":", 4)
	return len(parts) == 4 && parts[0] == "arn" && (parts[2] == "s3" ||
		parts[2] == "s3-object-lambda")
}

// redundantValues reports each entry that repeats or is covered by another
// entry of the same list; of two equal entries, the later.
func (l *linter) redundantValues(st *stmt, lst *list, actions bool) {
	for j, b := range lst.entries {
		for i, a := range lst.entries {
			if i == j || !a.valid || !b.valid || !valueCovers(a.text, b.text, actions) {
				continue
			}
			if valueCovers(b.text, a.text, actions) && j < i {
				continue
			}
			msg := quote(b.text) + " is already covered by " + quote(a.text) + " in the same list."
			if valueCovers(b.text, a.text, actions) {
				msg = quote(b.text) + " appears twice in the list."
			}
			l.add(ruleRedundantValue, at{stmt: st.index, elem: lst.m.name, path: b.path,
				off: b.n.off}, msg, "Remove "+quote(b.text)+".")
			break
		}
	}
}

// valueCovers reports whether every value b stands for, a stands for too.
func valueCovers(a, b string, actions bool) bool {
	if actions {
		return actionCovers(a, b)
	}
	return patternCovers(a, b, false)
}

// actionCovers reports whether action pattern a covers b: as text, or,
// when b is an S3 pattern, by the S3 actions each stands for.
func actionCovers(a, b string) bool {
	if patternCovers(a, b, true) {
		return true
	}
	if !strings.ContainsAny(b, "*?") || service(a) != "s3" || service(b) != "s3" {
		return false // a plain b is covered only as text
	}
	inner := s3catalog.Match(b)
	if len(inner) == 0 {
		return false
	}
	outer := map[string]bool{}
	for _, x := range s3catalog.Match(a) {
		outer[x.Name] = true
	}
	for _, x := range inner {
		if !outer[x.Name] {
			return false
		}
	}
	return true
}

// patternCovers reports whether pattern a matches everything pattern b
// does. It reads b as text: when a holds no ?, a * of b can only meet a *
// of a, so a matching b's text matches every string b matches. Policy
// variables make no pattern cover another unless the two are equal.
func patternCovers(a, b string, fold bool) bool {
	switch {
	case a == b || a == "*" || fold && strings.EqualFold(a, b):
		return true
	case !strings.ContainsAny(a, "*?"):
		return false // plain text covers only itself
	}
	if strings.Contains(a, "?") || strings.Contains(a, "${") || strings.Contains(b, "${") {
		return false
	}
	return policy.WildcardMatch(a, b, fold)
}

func (l *linter) allowWithNot(st *stmt) {
	if st.effect != "Allow" {
		return
	}
	if st.action != nil && st.action.not {
		l.add(ruleAllowNotAction, l.elemAt(st.index, st.action.m, st.path), "Allow with "+
			"NotAction grants every action not listed, of every service, and actions AWS "+
			"adds later.", "List the actions to allow in Action instead.")
	}
	if st.resource != nil && st.resource.not {
		l.add(ruleAllowNotResource, l.elemAt(st.index, st.resource.m, st.path), "Allow "+
			"with NotResource grants on every resource not listed, in every service.",
			"List the resources to allow in Resource instead.")
	}
}

// literalVariables reports policy variables in a document that reads them
// as text.
func (l *linter) literalVariables(st *stmt) {
	if !l.literal {
		return
	}
	if st.resource != nil {
		for _, e := range st.resource.entries {
			l.literalVariable(st, st.resource.m.name, e)
		}
	}
	for _, c := range st.conds {
		if c.fam == famString || c.fam == famArn {
			for _, e := range c.values {
				l.literalVariable(st, "Condition", e)
			}
		}
	}
}

func (l *linter) literalVariable(st *stmt, elem string, e entry) {
	if !strings.Contains(e.text, "${") {
		return
	}
	l.add(ruleOldVariable, at{stmt: st.index, elem: elem, path: e.path, off: e.n.off},
		quote(e.text)+" holds a policy variable, which a policy without Version "+
			"2012-10-17 reads as literal text.",
		`Set "Version": "2012-10-17" at the top of the document.`)
}

// nearest returns the name closest to s by edit distance, ignoring case,
// when it is close enough to be a typo.
func nearest(s string, names []string) string {
	best, bestD := "", 4
	low := strings.ToLower(s)
	for _, n := range names {
		if d := distance(low, strings.ToLower(n), bestD); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

// distance is the Levenshtein distance of a and b, or limit when it is at
// least limit.
func distance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return min(prev[len(b)], limit)
}
