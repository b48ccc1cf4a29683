package policy

import (
	"strings"
	"testing"
)

// idAllows reports whether a same-account user alice is allowed action on
// resource by an identity policy with the given statement members.
func idAllows(t *testing.T, version, members, action, resource string) bool {
	t.Helper()
	doc := `{"Version":"` + version + `","Statement":{` + members + `}}`
	pol := mustParse(t, doc, Identity)
	alice := user(devtools, "alice", org)
	d := Evaluate(Input{
		Request: Request{Action: action, Resource: resource, ResourceAccount: devtools,
			Principal: alice},
		Identity: []Source{{Layer: LayerIdentity, Name: "alice", Policy: pol}},
	})
	return d.Effect == Allow
}

func TestActionAndResourceMatching(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		members  string
		action   string
		resource string
		want     bool
	}{
		{"exact action", Version2012, `"Effect":"Allow","Action":"s3:GetObject","Resource":"*"`,
			"s3:GetObject", object, true},
		{"action case-insensitive", Version2012,
			`"Effect":"Allow","Action":"S3:getobject","Resource":"*"`,
			"s3:GetObject", object, true},
		{"action star", Version2012, `"Effect":"Allow","Action":"s3:Get*","Resource":"*"`,
			"s3:GetObjectVersion", object, true},
		{"action star other", Version2012, `"Effect":"Allow","Action":"s3:Get*","Resource":"*"`,
			"s3:PutObject", object, false},
		{"action question", Version2012, `"Effect":"Allow","Action":"s3:?etObject","Resource":"*"`,
			"s3:GetObject", object, true},
		{"action all", Version2012, `"Effect":"Allow","Action":"*","Resource":"*"`, "s3:PutObject",
			object, true},
		{"other service", Version2012, `"Effect":"Allow","Action":"iam:*","Resource":"*"`,
			"s3:PutObject", object, false},
		{"not action", Version2012, `"Effect":"Allow","NotAction":"s3:Delete*","Resource":"*"`,
			"s3:GetObject", object, true},
		{"not action excluded", Version2012,
			`"Effect":"Allow","NotAction":["s3:Delete*","s3:Put*"],"Resource":"*"`,
			"s3:PutObject", object, false},
		{"resource exact bucket", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::devtools-artifacts"`,
			"s3:ListBucket", bucket, true},
		{"bucket arn does not cover objects", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::devtools-artifacts"`,
			"s3:GetObject", object, false},
		{"objects arn does not cover bucket", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::devtools-artifacts/*"`,
			"s3:ListBucket", bucket, false},
		{"resource star crosses slashes", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::devtools-*/builds/*"`,
			"s3:GetObject", object, true},
		{"resource case-sensitive", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::Devtools-artifacts/*"`,
			"s3:GetObject", object, false},
		{"resource question", Version2012,
			`"Effect":"Allow","Action":"s3:*",` +
				`"Resource":"arn:aws:s3:::devtools-artifacts/builds/app.tar.g?"`,
			"s3:GetObject", object, true},
		{"resource segment wildcard", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:*:s3:*:*:devtools-artifacts/*"`,
			"s3:GetObject", object, true},
		{"resource region star does not match bucket", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:*::devtools-other/*"`,
			"s3:GetObject", object, false},
		{"resource key with colons", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/a:b:*"`, "s3:GetObject",
			"arn:aws:s3:::b/a:b:c", true},
		{"not resource", Version2012,
			`"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::secret/*"`,
			"s3:GetObject", object, true},
		{"not resource excluded", Version2012,
			`"Effect":"Allow","Action":"s3:*","NotResource":["arn:aws:s3:::secret/*",` +
				`"arn:aws:s3:::devtools-artifacts/*"]`,
			"s3:GetObject", object, false},
		{"request resource not an arn", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::*"`,
			"s3:ListAllMyBuckets", "*", false},
		{"resource variable", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"`,
			"s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", true},
		{"resource variable other user", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"`,
			"s3:GetObject", "arn:aws:s3:::home/bob/notes.txt", false},
		{"resource variable 2008 literal", Version2008,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"`,
			"s3:GetObject", "arn:aws:s3:::home/alice/notes.txt", false},
		{"resource variable 2008 literal text", Version2008,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"`,
			"s3:GetObject", "arn:aws:s3:::home/${aws:username}/x", true},
		{"resource variable in account", Version2012,
			`"Effect":"Allow","Action":"iam:*",` +
				`"Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/*"`,
			"iam:GetUser", "arn:aws:iam::111111111111:user/alice", true},
		{"resource star escape", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${*}"`, "s3:GetObject",
			"arn:aws:s3:::b/x", false},
		{"resource unresolved entry skipped", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":["arn:aws:s3:::b/${aws:TokenIssueTime}",` +
				`"arn:aws:s3:::b/x"]`,
			"s3:GetObject", "arn:aws:s3:::b/x", true},
		{"variable in a pattern longer than the scratch area", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":` +
				`"arn:aws:s3:::home/${aws:username}/a*b*c*d*e*f*g*h*i*j*k*${aws:username}"`,
			"s3:GetObject", "arn:aws:s3:::home/alice/a1b2c3d4e5f6g7h8i9j0k-alice", true},
		{"variable in a long pattern, other user", Version2012,
			`"Effect":"Allow","Action":"s3:*","Resource":` +
				`"arn:aws:s3:::home/${aws:username}/a*b*c*d*e*f*g*h*i*j*k*${aws:username}"`,
			"s3:GetObject", "arn:aws:s3:::home/alice/a1b2c3d4e5f6g7h8i9j0k-bob", false},
		{"not resource all unresolved", Version2012,
			`"Effect":"Allow","Action":"s3:*","NotResource":"arn:aws:s3:::b/${aws:TokenIssueTime}"`,
			"s3:GetObject", "arn:aws:s3:::b/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := idAllows(t, tt.version, tt.members, tt.action, tt.resource); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

// bucketDecision evaluates a request on the devtools-artifacts bucket of
// 111111111111 whose bucket policy has one statement with the given members,
// the caller holding identityAllow (s3:* on *) or no identity policy.
func bucketDecision(t *testing.T, members string, p Principal, identityAllow bool) Decision {
	t.Helper()
	bp := mustParse(t, `{"Version":"2012-10-17","Statement":{"Sid":"S",`+members+`}}`, Resource)
	in := Input{
		Request: Request{Action: "s3:GetObject", Resource: object, ResourceAccount: devtools,
			Principal: p},
		Resource: &Source{Layer: LayerResource, Name: "bucket policy of devtools-artifacts",
			Policy: bp},
	}
	if identityAllow {
		in.Identity = []Source{{Layer: LayerIdentity, Name: "id",
			Policy: mustParse(t, stmt(allowAll), Identity)}}
	}
	return Evaluate(in)
}

func TestPrincipalsAndAccounts(t *testing.T) {
	const get = `"Action":"s3:GetObject","Resource":"arn:aws:s3:::devtools-artifacts/*"`
	allow := func(principal string) string {
		return `"Effect":"Allow","Principal":` + principal +
			`,` + get
	}
	deny := func(principal string) string {
		return `"Effect":"Deny","NotPrincipal":` + principal +
			`,` + get
	}
	same := user(devtools, "alice", "")
	other := user(prd, "bob", "")
	tests := []struct {
		name     string
		members  string
		p        Principal
		identity bool
		want     Effect
		reason   string
	}{
		{"same account, identity only", allow(`{"AWS":"arn:aws:iam::999999999999:root"}`), same,
			true, Allow,
			`allowed by identity-based policy "id" statement 0`},
		{"same account, user named", allow(`{"AWS":"arn:aws:iam::111111111111:user/alice"}`), same,
			false, Allow,
			`allowed by resource-based policy "bucket policy of devtools-artifacts" statement "S"`},
		{"same account, star", allow(`"*"`), same, false, Allow, `statement "S"`},
		{"same account, AWS star", allow(`{"AWS":"*"}`), same, false, Allow, `statement "S"`},
		{"same account, account id delegates", allow(`{"AWS":"111111111111"}`), same, false,
			ImplicitDeny,
			"names only the account"},
		{"same account, root arn delegates", allow(`{"AWS":"arn:aws:iam::111111111111:root"}`),
			same, false,
			ImplicitDeny, "no identity-based or resource-based policy allows s3:GetObject"},
		{"same account, other user named", allow(`{"AWS":"arn:aws:iam::111111111111:user/carol"}`),
			same, false,
			ImplicitDeny, "no identity-based or resource-based policy"},
		{"same account, nothing", allow(`{"AWS":"222222222222"}`), same, false, ImplicitDeny,
			"no identity-based or resource-based policy"},
		{"cross account, both", allow(`{"AWS":"222222222222"}`), other, true, Allow,
			"(cross-account)"},
		{"cross account, user named", allow(`{"AWS":"arn:aws:iam::222222222222:user/bob"}`), other,
			true, Allow,
			`allowed by identity-based policy "id" statement 0 and resource-based policy`},
		{"cross account, resource only", allow(`{"AWS":"arn:aws:iam::222222222222:user/bob"}`),
			other, false,
			ImplicitDeny, "no identity-based policy allows s3:GetObject on " + object +
				" (cross-account: both sides must allow)"},
		{"cross account, identity only", allow(`{"AWS":"333333333333"}`), other, true, ImplicitDeny,
			"no resource-based policy allows s3:GetObject on " + object +
				" (cross-account: both sides must allow)"},
		{"cross account, star", allow(`"*"`), other, true, Allow, "(cross-account)"},
		{"cross account root, account named", allow(`{"AWS":"222222222222"}`), root(prd), false,
			Allow,
			"for the root user of account 222222222222 (cross-account)"},
		{"cross account root, not named", allow(`{"AWS":"333333333333"}`), root(prd), false,
			ImplicitDeny,
			"no resource-based policy allows"},
		{"same account root", allow(`{"AWS":"333333333333"}`), root(devtools), false, Allow,
			"allowed as the root user of account 111111111111"},
		{"role covers its session", allow(`{"AWS":"arn:aws:iam::111111111111:role/ops/deploy"}`),
			session(devtools, "deploy", "s1"), false, Allow, `statement "S"`},
		{"role of another account", allow(`{"AWS":"arn:aws:iam::222222222222:role/deploy"}`),
			session(devtools, "deploy", "s1"), false, ImplicitDeny, "no identity-based"},
		{"session named exactly",
			allow(`{"AWS":"arn:aws:sts::111111111111:assumed-role/deploy/s1"}`),
			session(devtools, "deploy", "s1"), false, Allow, `statement "S"`},
		{"other session", allow(`{"AWS":"arn:aws:sts::111111111111:assumed-role/deploy/s2"}`),
			session(devtools, "deploy", "s1"), false, ImplicitDeny, "no identity-based"},
		{"service principal matches nobody", allow(`{"Service":"logging.s3.amazonaws.com"}`), same,
			false,
			ImplicitDeny, "no identity-based"},
		{"anonymous, star", allow(`"*"`), anonymous(), false, Allow,
			"allowed for anonymous access by"},
		{"anonymous, AWS star", allow(`{"AWS":"*"}`), anonymous(), false, Allow, "anonymous"},
		{"anonymous, account", allow(`{"AWS":"111111111111"}`), anonymous(), false, ImplicitDeny,
			"no resource-based policy allows anonymous s3:GetObject on " + object},
		{"anonymous ignores identity policies", allow(`{"AWS":"111111111111"}`), anonymous(), true,
			ImplicitDeny,
			"anonymous"},
		{"not principal denies others",
			deny(`{"AWS":["111111111111","arn:aws:iam::111111111111:user/carol"]}`),
			same, true, ExplicitDeny, `explicit deny in resource-based policy`},
		{"not principal exempts user and account", deny(`{"AWS":["111111111111",` +
			`"arn:aws:iam::111111111111:user/alice"]}`), same, true, Allow,
			"allowed by identity-based"},
		{"not principal user without account",
			deny(`{"AWS":"arn:aws:iam::111111111111:user/alice"}`),
			same, true, ExplicitDeny, "explicit deny"},
		{"not principal account exempts root", deny(`{"AWS":"111111111111"}`), root(devtools),
			false, Allow,
			"root user"},
		{"not principal role and account", deny(`{"AWS":["111111111111",` +
			`"arn:aws:iam::111111111111:role/deploy"]}`), session(devtools, "deploy", "s1"), true,
			Allow, "allowed"},
		{"not principal denies anonymous", deny(`{"AWS":"111111111111"}`), anonymous(), false,
			ExplicitDeny,
			"explicit deny"},
		{"not principal star exempts all", deny(`"*"`), same, true, Allow, "allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := bucketDecision(t, tt.members, tt.p, tt.identity)
			if d.Effect != tt.want {
				t.Errorf("Effect = %v, want %v (reason %q)", d.Effect, tt.want, d.Reason())
			}
			if !strings.Contains(d.Reason(), tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason(), tt.reason)
			}
		})
	}
}

func TestEvaluateEdges(t *testing.T) {
	idPol := mustParse(t, stmt(allowAll), Identity)
	resPol := mustParse(t, stmt(anyoneAllow), Resource)
	alice := user(devtools, "alice", "")
	req := Request{Action: "s3:GetObject", Resource: object, ResourceAccount: devtools,
		Principal: alice}
	tests := []struct {
		name string
		in   Input
		want Effect
	}{
		{"zero input", Input{}, ImplicitDeny},
		{"nil identity policy", Input{Request: req, Identity: []Source{{Layer: LayerIdentity}}},
			ImplicitDeny},
		{"nil resource policy", Input{Request: req, Resource: &Source{Layer: LayerResource}},
			ImplicitDeny},
		{"resource policy given as identity is skipped",
			Input{Request: req, Identity: []Source{{Layer: LayerIdentity, Policy: resPol}}},
			ImplicitDeny},
		{"identity policy given as resource is skipped",
			Input{Request: req, Resource: &Source{Layer: LayerResource, Policy: idPol}},
			ImplicitDeny},
		{"deny in one identity policy beats allow in another", Input{Request: req,
			Identity: []Source{
				{Layer: LayerIdentity, Name: "a", Policy: idPol},
				{Layer: LayerIdentity, Name: "b", Policy: mustParse(t,
					stmt(`"Effect":"Deny","Action":"s3:Get*","Resource":"*"`), Identity)},
			}}, ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := Evaluate(tt.in); d.Effect != tt.want {
				t.Errorf("Effect = %v, want %v (reason %q)", d.Effect, tt.want, d.Reason())
			}
		})
	}
}

func TestMatchedListsEveryStatement(t *testing.T) {
	pol := mustParse(t, `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Sid":"B","Effect":"Allow","Action":"s3:Get*","Resource":"*"},
		{"Effect":"Deny","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"D","Effect":"Deny","Action":"s3:GetObject","Resource":"*"},
		{"Sid":"E","Effect":"Allow","Action":"s3:Put*","Resource":"*"}]}`, Identity)
	in := Input{
		Request: Request{Action: "s3:GetObject", Resource: object, ResourceAccount: devtools,
			Principal: user(devtools, "a", "")},
		Identity: []Source{{Layer: LayerIdentity, Name: "p", Policy: pol}},
	}
	d := Evaluate(in)
	var got []string
	for _, m := range Explain(in).Applied() {
		got = append(got, m.Effect+":"+stmtName(m.Sid, m.Index))
	}
	want := `Allow:statement "A",Allow:statement "B",Deny:statement 2,Deny:statement "D"`
	if strings.Join(got, ",") != want {
		t.Errorf("Matched = %s, want %s", strings.Join(got, ","), want)
	}
	if d.Reason() != `explicit deny in identity-based policy "p" statement 2` {
		t.Errorf("Reason = %q", d.Reason())
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"", "", true},
		{"*", "", true},
		{"a*b*c", "aXbYbZc", true},
		{"a*b*c", "aXbYbZ", false},
		{"*a", "bbba", true},
		{"?", "é", true},
		{"??", "é", false},
		{"a**", "a", true},
		{"*x*y", "xxyxy", true},
	}
	for _, tt := range tests {
		t.Run(tt.pattern+"~"+tt.s, func(t *testing.T) {
			tmpl := compileTemplate(tt.pattern, true, false, false)
			if got := glob(tmpl.toks, tt.s); got != tt.want {
				t.Errorf("glob(%q, %q) = %v, want %v", tt.pattern, tt.s, got, tt.want)
			}
		})
	}
}

// TestExplainBoundsQuotedValues checks that near misses quote request values
// cut short, so a request with huge values cannot make an explanation huge.
func TestExplainBoundsQuotedValues(t *testing.T) {
	var stmts []string
	for i := 0; i < 50; i++ {
		stmts = append(stmts, `{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",`+
			`"Resource":"*","Condition":{"StringEquals":{"aws:UserAgent":"q"}}}`)
	}
	pol := mustParse(t, `{"Version":"2012-10-17","Statement":[`+
		strings.Join(stmts, ",")+`]}`, Resource)
	c := Context{}
	many := make([]string, 100)
	for i := range many {
		many[i] = strings.Repeat("u", 1<<16)
	}
	c.Set("aws:UserAgent", many...)
	x := Explain(Input{Request: Request{Action: "s3:GetObject", Resource: object,
		ResourceAccount: devtools, Principal: anonymous(), Context: c},
		Resource: &Source{Layer: LayerResource, Name: "bp", Policy: pol}})
	if n := len(x.String()); n > 50*(maxMissValues+1)*(maxMissValueLen+64) {
		t.Fatalf("explanation of %d bytes for 50 near misses", n)
	}
	m := x.Policies[0].Statements[0].Misses[0]
	if len(m.Values) != maxMissValues+1 || !strings.HasSuffix(m.Values[0], "(65536 bytes)") ||
		m.Values[maxMissValues] != "... (84 more values)" {
		t.Errorf("quoted values %d, first %q, last %q", len(m.Values),
			m.Values[0][maxMissValueLen:], m.Values[len(m.Values)-1])
	}
}
