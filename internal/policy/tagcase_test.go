package policy

import (
	"fmt"
	"strconv"
	"testing"
)

// TestPrincipalTagCase pins how aws:PrincipalTag/KEY finds a tag: the key
// matched case-insensitively, and, should the principal hold two keys equal
// but for case, the same one at every evaluation and for every spelling in
// the policy (the key spelled in lower case, else the least in byte order),
// in a condition and in a policy variable alike.
func TestPrincipalTagCase(t *testing.T) {
	both := map[string]string{"Project": "alpha", "project": "beta"}
	upper := map[string]string{"Project": "alpha", "PROJECT": "gamma"}
	tests := []struct {
		name  string
		tags  map[string]string
		key   string // as the policy spells it
		value string // the value the policy allows
		want  Effect
	}{
		{"exact spelling", map[string]string{"team": "build"}, "team", "build", Allow},
		{"policy spells it otherwise", map[string]string{"team": "build"}, "TEAM", "build",
			Allow},
		{"tag spelled otherwise", map[string]string{"Team": "build"}, "team", "build", Allow},
		{"other value", map[string]string{"team": "build"}, "team", "ops", ImplicitDeny},
		{"missing tag", map[string]string{"owner": "build"}, "team", "build", ImplicitDeny},
		{"two spellings, lower-case key's value", both, "project", "beta", Allow},
		{"two spellings, other value", both, "project", "alpha", ImplicitDeny},
		{"two spellings asked in upper case", both, "PROJECT", "beta", Allow},
		{"two spellings asked as the other key", both, "Project", "beta", Allow},
		{"no lower-case key, least key's value", upper, "project", "gamma", Allow},
		{"no lower-case key, other value", upper, "Project", "alpha", ImplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, form := range []string{"condition", "variable"} {
				in := tagInput(t, tt.tags, tt.key, tt.value, form)
				for i := range 200 {
					if d := Evaluate(in); d.Effect != tt.want {
						t.Fatalf("%s, evaluation %d: Effect = %v, want %v (%s)", form, i,
							d.Effect, tt.want, d.Reason())
					}
				}
			}
		})
	}
}

// tagInput is alice, tagged tags, getting an object under an identity
// policy that allows it when her tag key is value: by a StringEquals
// condition, or by ${aws:PrincipalTag/key} in the Resource.
func tagInput(tb testing.TB, tags map[string]string, key, value, form string) Input {
	tb.Helper()
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
		`"Action":"s3:GetObject","Resource":%q,"Condition":{"StringEquals":{%q:%q}}}]}`,
		"arn:aws:s3:::devtools-artifacts/*", "aws:PrincipalTag/"+key, value)
	resource := object
	if form == "variable" {
		doc = fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",`+
			`"Action":"s3:GetObject","Resource":%q}]}`,
			"arn:aws:s3:::devtools-artifacts/${aws:PrincipalTag/"+key+"}/*")
		resource = "arn:aws:s3:::devtools-artifacts/" + value + "/app.tgz"
	}
	alice := user(devtools, "alice", org)
	alice.Tags = tags
	return Input{
		Request: Request{Action: "s3:GetObject", Resource: resource,
			ResourceAccount: devtools, Principal: alice},
		Identity: []Source{{Layer: LayerIdentity, Name: "tagged",
			Policy: mustParse(tb, doc, Identity)}},
	}
}

// BenchmarkEvaluatePrincipalTag evaluates a condition on a principal tag
// for principals with one and with fifty tags, the tag spelled as the
// parser spells the key (lower case: one map lookup) or otherwise (a scan
// of the tags).
func BenchmarkEvaluatePrincipalTag(b *testing.B) {
	for _, bc := range []struct {
		name string
		n    int
		key  string
	}{{"1 tag", 1, "team"}, {"50 tags", 50, "team"}, {"50 tags, key in another case", 50,
		"Team"}} {
		b.Run(bc.name, func(b *testing.B) {
			tags := map[string]string{bc.key: "build"}
			for i := 1; i < bc.n; i++ {
				tags["key-"+strconv.Itoa(i)] = "value"
			}
			in := tagInput(b, tags, "team", "build", "condition")
			if d := Evaluate(in); d.Effect != Allow {
				b.Fatalf("Effect = %v: %s", d.Effect, d.Reason())
			}
			b.ReportAllocs()
			for b.Loop() {
				Evaluate(in)
			}
		})
	}
}
