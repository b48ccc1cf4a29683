package policy

import (
	"errors"
	"testing"
)

// stmt wraps statement members in a 2012-10-17 document.
func stmt(members string) string {
	return `{"Version":"2012-10-17","Statement":{` + members + `}}`
}

const (
	allowAll    = `"Effect":"Allow","Action":"s3:*","Resource":"*"`
	anyoneAllow = `"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"`
)

func TestParseValid(t *testing.T) {
	tests := []struct {
		name      string
		kind      Kind
		doc       string
		version   string
		id        string
		sids      []string
		wantConds int
	}{
		{"identity statement object", Identity, stmt(allowAll), Version2012, "", []string{""}, 0},
		{"no version", Identity, `{"Statement":[{` + allowAll + `}]}`, "", "", []string{""}, 0},
		{"2008 version with id", Resource,
			`{"Version":"2008-10-17","Id":"P1","Statement":[{"Sid":"a b",` +
				anyoneAllow + `}]}`, Version2008, "P1", []string{"a b"}, 0},
		{"statement list", Identity, `{"Version":"2012-10-17","Statement":[{"Sid":"A",` + allowAll +
			`},{"Sid":"B",` + allowAll + `}]}`, Version2012, "", []string{"A", "B"}, 0},
		{"action and resource lists", Identity,
			stmt(`"Effect":"Deny","Action":["s3:Get*","S3:list?ucket"],` +
				`"Resource":["arn:aws:s3:::b",` +
				`"arn:aws:s3:::b/*"]`), Version2012, "", []string{""}, 0},
		{"not action not resource", Identity, stmt(`"Effect":"Allow","NotAction":"s3:Delete*",` +
			`"NotResource":"arn:aws:s3:::secret/*"`), Version2012, "", []string{""}, 0},
		{"principal forms", Resource, stmt(`"Effect":"Allow","Action":"s3:*","Resource":"*",` +
			`"Principal":{"AWS":["*","111111111111","arn:aws:iam::222222222222:root",` +
			`"arn:aws:iam::111111111111:user/path/ci-publisher",` +
			`"arn:aws:iam::111111111111:role/deploy",` +
			`"arn:aws:sts::111111111111:assumed-role/deploy/s1",` +
			`"arn:aws:sts::111111111111:federated-user/bob"],"Service":"s3.amazonaws.com",` +
			`"Federated":"cognito-identity.amazonaws.com",` +
			`"CanonicalUser":"79a59df900b949e55d96a1e698fbaced"}`),
			Version2012, "", []string{""}, 0},
		{"not principal with deny", Resource,
			stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"111111111111"},` +
				`"Action":"s3:*","Resource":"*"`), Version2012, "", []string{""}, 0},
		{"conditions of every family", Identity, stmt(allowAll + `,"Condition":{` +
			`"StringLike":{"s3:prefix":["home/*",""]},"NumericLessThanEquals":{"s3:max-keys":10},` +
			`"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},` +
			`"Bool":{"aws:SecureTransport":true},` +
			`"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32","192.0.2.1"]},` +
			`"BinaryEquals":{"s3:x":"QmluYXJ5"},` +
			`"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"},` +
			`"Null":{"s3:y":"false"},"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":["a",` +
			`"b"]},` +
			`"forallvalues:stringlike":{"aws:TagKeys":"x*"},` +
			`"DateLessThan":{"aws:EpochTime":"1700000000"}}`),
			Version2012, "", []string{""}, 11},
		{"variables in resource", Identity, stmt(`"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"arn:aws:s3:::b/home/${aws:username}/*"`), Version2012, "", []string{""},
			0},
		{"variable in account segment", Identity, stmt(`"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/x"`), Version2012, "",
			[]string{""}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), tt.kind)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if p.Version != tt.version || p.ID != tt.id || p.Kind != tt.kind {
				t.Errorf("Version, ID, Kind = %q, %q, %v; want %q, %q, %v",
					p.Version, p.ID, p.Kind, tt.version, tt.id, tt.kind)
			}
			if len(p.Statements) != len(tt.sids) {
				t.Fatalf("%d statements, want %d", len(p.Statements), len(tt.sids))
			}
			for i, st := range p.Statements {
				if st.Sid != tt.sids[i] || st.Index != i {
					t.Errorf("statement %d: Sid %q Index %d, want %q %d", i, st.Sid, st.Index,
						tt.sids[i], i)
				}
			}
			if n := len(p.Statements[0].conditions); n != tt.wantConds {
				t.Errorf("statement 0 has %d conditions, want %d", n, tt.wantConds)
			}
		})
	}
}

func TestParseMalformed(t *testing.T) {
	tests := []struct {
		name string
		kind Kind
		doc  string
		msg  string
	}{
		{"not json", Identity, `{"Version":`,
			`Invalid policy syntax. (the document must be one JSON object)`},
		{"array document", Identity, `[]`,
			`Invalid policy syntax. (the document must be one JSON object)`},
		{"trailing data", Identity, stmt(allowAll) + `{}`,
			`Invalid policy syntax. (the document must be one JSON object)`},
		{"duplicate top-level field", Identity,
			`{"Version":"2012-10-17","Version":"2012-10-17","Statement":{` +
				allowAll + `}}`, `Invalid policy syntax. (duplicate field "Version")`},
		{"unknown top-level field", Identity, `{"Version":"2012-10-17","Foo":1,"Statement":{` +
			allowAll + `}}`,
			`Invalid policy syntax. (unknown field "Foo")`},
		{"lower-case element name", Identity, `{"version":"2012-10-17","Statement":{` + allowAll +
			`}}`,
			`Invalid policy syntax. (unknown field "version")`},
		{"bad version", Identity, `{"Version":"2010-01-01","Statement":{` + allowAll + `}}`,
			`Invalid Version ("2010-01-01")`},
		{"numeric version", Identity, `{"Version":2012,"Statement":{` + allowAll + `}}`,
			`Invalid Version (not a string: "2012")`},
		{"missing statement", Identity, `{"Version":"2012-10-17"}`,
			`Missing required field Statement`},
		{"empty statement list", Identity, `{"Version":"2012-10-17","Statement":[]}`,
			`Missing required field Statement (the list is empty)`},
		{"statement is a string", Identity, `{"Statement":"x"}`,
			`Invalid policy syntax. (Statement must be an object or a list of objects)`},
		{"unknown statement field", Identity, stmt(`"Sid":"S1",` + allowAll + `,"Foo":1`),
			`Invalid policy syntax. (statement "S1": unknown field "Foo")`},
		{"duplicate statement field", Identity, stmt(allowAll + `,"Effect":"Deny"`),
			`Invalid policy syntax. (statement 0: duplicate field "Effect")`},
		{"duplicate sid", Resource, `{"Statement":[{"Sid":"x y",` + anyoneAllow +
			`},{"Sid":"x y",` +
			anyoneAllow + `}]}`,
			`Statement IDs (SID) in a single policy must be unique (duplicate Sid "x y")`},
		{"identity sid with space", Identity, stmt(`"Sid":"a b",` + allowAll),
			`Statement IDs (SID) must be alpha-numeric (Sid "a b")`},
		{"missing effect", Identity, stmt(`"Action":"s3:*","Resource":"*"`),
			`Missing required field Effect (statement 0)`},
		{"bad effect", Identity, stmt(`"Sid":"S","Effect":"allow","Action":"s3:*","Resource":"*"`),
			`Invalid effect (statement "S": "allow")`},
		{"identity with principal", Identity, stmt(anyoneAllow),
			`Policy document should not specify a principal. (statement 0)`},
		{"resource without principal", Resource, stmt(allowAll),
			`Missing required field Principal (statement 0)`},
		{"both principal forms", Resource, stmt(anyoneAllow + `,"NotPrincipal":"*"`),
			`Invalid principal in policy (statement 0: both Principal and NotPrincipal)`},
		{"not principal with allow", Resource,
			stmt(`"Effect":"Allow","NotPrincipal":"*","Action":"s3:*",` +
				`"Resource":"*"`),
			`Invalid principal in policy (statement 0: NotPrincipal is supported only with ` +
				`Effect Deny)`},
		{"principal bad string", Resource,
			stmt(`"Effect":"Allow","Principal":"bob","Action":"s3:*","Resource":"*"`),
			`Invalid principal in policy (statement 0: must be "*" or an object)`},
		{"principal short account", Resource, stmt(`"Effect":"Allow","Principal":{"AWS":"1111"},` +
			`"Action":"s3:*","Resource":"*"`), `Invalid principal in policy (statement 0: "1111")`},
		{"principal wildcard user", Resource, stmt(`"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::111111111111:user/*"},"Action":"s3:*",` +
			`"Resource":"*"`),
			`Invalid principal in policy (statement 0: "arn:aws:iam::111111111111:user/*")`},
		{"principal group", Resource, stmt(`"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::111111111111:group/devs"},"Action":"s3:*",` +
			`"Resource":"*"`),
			`Invalid principal in policy (statement 0: "arn:aws:iam::111111111111:group/devs")`},
		{"principal unknown type", Resource, stmt(`"Effect":"Allow","Principal":{"User":"x"},` +
			`"Action":"s3:*","Resource":"*"`),
			`Invalid principal in policy (statement 0: unknown principal type "User")`},
		{"principal empty object", Resource,
			stmt(`"Effect":"Allow","Principal":{},"Action":"s3:*","Resource":"*"`),
			`Invalid principal in policy (statement 0: must be "*" or a non-empty object)`},
		{"missing action", Identity, stmt(`"Effect":"Allow","Resource":"*"`),
			`Missing required field Action (statement 0)`},
		{"empty action list", Identity, stmt(`"Effect":"Allow","Action":[],"Resource":"*"`),
			`Policy has invalid action (statement 0: must be a string or a non-empty list of ` +
				`strings)`},
		{"action without service", Identity,
			stmt(`"Effect":"Allow","Action":"GetObject","Resource":"*"`),
			`Policy has invalid action (statement 0: "GetObject")`},
		{"action with space", Identity,
			stmt(`"Effect":"Allow","Action":"s3:Get Object","Resource":"*"`),
			`Policy has invalid action (statement 0: "s3:Get Object")`},
		{"empty action", Identity, stmt(`"Effect":"Allow","Action":"","Resource":"*"`),
			`Policy has invalid action (statement 0: "")`},
		{"both action forms", Identity, stmt(allowAll + `,"NotAction":"s3:x"`),
			`Invalid policy syntax. (statement 0: both Action and NotAction)`},
		{"missing resource", Identity, stmt(`"Effect":"Allow","Action":"s3:*"`),
			`Missing required field Resource (statement 0)`},
		{"resource not arn", Identity,
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"bucket/*"`),
			`Policy has invalid resource (statement 0: "bucket/*")`},
		{"resource short arn", Identity,
			stmt(`"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:b"`),
			`Policy has invalid resource (statement 0: "arn:aws:s3:b")`},
		{"resource number", Identity, stmt(`"Effect":"Allow","Action":"s3:*","Resource":5`),
			`Policy has invalid resource (statement 0: must be a string or a non-empty list of ` +
				`strings)`},
		{"unknown operator", Identity, stmt(allowAll +
			`,"Condition":{"StringEqualz":{"s3:prefix":"a"}}`),
			`Invalid Condition type (statement 0: "StringEqualz")`},
		{"unknown set operator", Identity, stmt(allowAll +
			`,"Condition":{"ForSome:StringEquals":{"s3:prefix":"a"}}`),
			`Invalid Condition type (statement 0: "ForSome:StringEquals")`},
		{"null if exists", Identity, stmt(allowAll +
			`,"Condition":{"NullIfExists":{"s3:prefix":"true"}}`),
			`Invalid Condition type (statement 0: "NullIfExists")`},
		{"bad condition key", Identity, stmt(allowAll +
			`,"Condition":{"StringEquals":{"prefix":"a"}}`),
			`Policy has an invalid condition key (statement 0: "prefix")`},
		{"empty condition values", Identity, stmt(allowAll +
			`,"Condition":{"StringEquals":{"s3:prefix":[]}}`),
			`Policy has an invalid condition value (statement 0: "s3:prefix" under ` +
				`"StringEquals")`},
		{"object condition value", Identity, stmt(allowAll +
			`,"Condition":{"StringEquals":{"s3:prefix":{}}}`),
			`Policy has an invalid condition value (statement 0: "s3:prefix" under ` +
				`"StringEquals")`},
		{"bad number", Identity, stmt(allowAll +
			`,"Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}`),
			`Policy has an invalid condition value (statement 0: "ten" for "NumericLessThan")`},
		{"bad date", Identity, stmt(allowAll +
			`,"Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}`),
			`Policy has an invalid condition value (statement 0: "tomorrow" for "DateLessThan")`},
		{"bad cidr", Identity, stmt(allowAll +
			`,"Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}`),
			`Policy has an invalid condition value (statement 0: "10.0.0.0/33" for "IpAddress")`},
		{"bad bool", Identity, stmt(allowAll +
			`,"Condition":{"Bool":{"aws:SecureTransport":"yes"}}`),
			`Policy has an invalid condition value (statement 0: "yes" for "Bool")`},
		{"bad null", Identity, stmt(allowAll + `,"Condition":{"Null":{"s3:prefix":"1"}}`),
			`Policy has an invalid condition value (statement 0: "1" for "Null")`},
		{"bad base64", Identity, stmt(allowAll + `,"Condition":{"BinaryEquals":{"s3:x":"!!"}}`),
			`Policy has an invalid condition value (statement 0: "!!" for "BinaryEquals")`},
		{"duplicate condition key", Identity, stmt(allowAll +
			`,"Condition":{"StringEquals":{"s3:prefix":"a","s3:prefix":"b"}}`),
			`Invalid policy syntax. (statement 0: duplicate field "s3:prefix")`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse([]byte(tt.doc), tt.kind)
			if err == nil {
				t.Fatalf("Parse succeeded with %d statements, want %q", len(p.Statements), tt.msg)
			}
			var me *MalformedError
			if !errors.As(err, &me) || !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v (%T) is not a MalformedError", err, err)
			}
			if me.Msg != tt.msg {
				t.Errorf("Msg = %q\n want %q", me.Msg, tt.msg)
			}
			if err.Error() != "policy: malformed: "+tt.msg {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestKindAndEffectStrings(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"identity", Identity.String(), "identity-based policy"},
		{"resource", Resource.String(), "resource-based policy"},
		{"unknown kind", Kind(7).String(), "Kind(7)"},
		{"implicit", ImplicitDeny.String(), "implicitly denied"},
		{"allow", Allow.String(), "allowed"},
		{"explicit", ExplicitDeny.String(), "explicitly denied"},
		{"unknown effect", Effect(9).String(), "Effect(9)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %q, want %q", tt.got, tt.want)
			}
		})
	}
}
