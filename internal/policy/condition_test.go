package policy

import (
	"testing"
)

// condAllows parses an identity policy allowing s3:GetObject under the given
// Condition block and reports whether a same-account request with context c is
// allowed.
func condAllows(t *testing.T, version, condition string, p Principal, c Context) bool {
	t.Helper()
	doc := `{"Version":"` + version + `","Statement":{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":"*","Condition":` + condition + `}}`
	pol := mustParse(t, doc, Identity)
	d := Evaluate(Input{
		Request: Request{Action: "s3:GetObject", Resource: object, ResourceAccount: p.Account,
			Principal: p, Context: c},
		Identity: []Source{{Layer: LayerIdentity, Name: "test", Policy: pol}},
	})
	return d.Effect == Allow
}

func TestConditionOperators(t *testing.T) {
	alice := user(devtools, "alice", org)
	alice.Tags = map[string]string{"Team": "Build", "cost": "42"}
	tests := []struct {
		name string
		cond string
		ctx  Context
		want bool
	}{
		// String
		{"StringEquals match", `{"StringEquals":{"s3:prefix":"home/"}}`, ctx("s3:prefix", "home/"),
			true},
		{"StringEquals is case-sensitive", `{"StringEquals":{"s3:prefix":"home/"}}`,
			ctx("s3:prefix", "Home/"), false},
		{"StringEquals key is case-insensitive", `{"StringEquals":{"S3:Prefix":"a"}}`,
			ctx("s3:PREFIX", "a"), true},
		{"StringEquals values OR-ed", `{"StringEquals":{"s3:prefix":["a","b"]}}`, ctx("s3:prefix",
			"b"), true},
		{"StringEquals star is literal", `{"StringEquals":{"s3:prefix":"a*"}}`, ctx("s3:prefix",
			"abc"), false},
		{"StringEquals missing key", `{"StringEquals":{"s3:prefix":"a"}}`, nil, false},
		{"StringEquals present empty", `{"StringEquals":{"s3:prefix":""}}`, ctx("s3:prefix", ""),
			true},
		{"StringEquals empty list", `{"StringEquals":{"s3:prefix":"a"}}`, Context{"s3:prefix": {}},
			false},
		{"StringNotEquals differs", `{"StringNotEquals":{"s3:prefix":"a"}}`, ctx("s3:prefix", "b"),
			true},
		{"StringNotEquals NOR", `{"StringNotEquals":{"s3:prefix":["a","b"]}}`, ctx("s3:prefix",
			"b"), false},
		{"StringNotEquals missing key", `{"StringNotEquals":{"s3:prefix":"a"}}`, nil, true},
		{"StringNotEquals empty list", `{"StringNotEquals":{"s3:prefix":"a"}}`,
			Context{"s3:prefix": {}}, true},
		{"StringEqualsIgnoreCase", `{"StringEqualsIgnoreCase":{"s3:prefix":"HOME/"}}`,
			ctx("s3:prefix", "home/"), true},
		{"StringNotEqualsIgnoreCase", `{"StringNotEqualsIgnoreCase":{"s3:prefix":"HOME/"}}`,
			ctx("s3:prefix", "home/"), false},
		{"StringLike star", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx("s3:prefix", "home/a/b"),
			true},
		{"StringLike question", `{"StringLike":{"s3:prefix":"h?me"}}`, ctx("s3:prefix", "hôme"),
			true},
		{"StringLike no match", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx("s3:prefix", "hom"),
			false},
		{"StringLike case-sensitive", `{"StringLike":{"s3:prefix":"home/*"}}`, ctx("s3:prefix",
			"HOME/x"), false},
		{"StringNotLike", `{"StringNotLike":{"s3:prefix":["a*","b*"]}}`, ctx("s3:prefix", "cat"),
			true},
		{"StringNotLike NOR", `{"StringNotLike":{"s3:prefix":["a*","b*"]}}`, ctx("s3:prefix",
			"bat"), false},
		{"StringNotLike missing", `{"StringNotLike":{"s3:prefix":"a*"}}`, nil, true},
		// IfExists
		{"IfExists missing", `{"StringEqualsIfExists":{"s3:prefix":"a"}}`, nil, true},
		{"IfExists present match", `{"StringEqualsIfExists":{"s3:prefix":"a"}}`, ctx("s3:prefix",
			"a"), true},
		{"IfExists present differs", `{"StringEqualsIfExists":{"s3:prefix":"a"}}`, ctx("s3:prefix",
			"b"), false},
		{"NotEqualsIfExists present", `{"StringNotEqualsIfExists":{"s3:prefix":"a"}}`,
			ctx("s3:prefix", "a"), false},
		{"NumericIfExists missing", `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, nil, true},
		// Numeric
		{"NumericEquals", `{"NumericEquals":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "10.0"),
			true},
		{"NumericEquals json number", `{"NumericEquals":{"s3:max-keys":10}}`, ctx("s3:max-keys",
			"10"), true},
		{"NumericNotEquals", `{"NumericNotEquals":{"s3:max-keys":["10","20"]}}`, ctx("s3:max-keys",
			"20"), false},
		{"NumericNotEquals other", `{"NumericNotEquals":{"s3:max-keys":["10","20"]}}`,
			ctx("s3:max-keys", "30"), true},
		{"NumericLessThan", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys", "9"),
			true},
		{"NumericLessThan equal", `{"NumericLessThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys",
			"10"), false},
		{"NumericLessThanEquals", `{"NumericLessThanEquals":{"s3:max-keys":"10"}}`,
			ctx("s3:max-keys", "10"), true},
		{"NumericGreaterThan", `{"NumericGreaterThan":{"s3:max-keys":"10"}}`, ctx("s3:max-keys",
			"10.5"), true},
		{"NumericGreaterThanEquals", `{"NumericGreaterThanEquals":{"s3:max-keys":"10"}}`,
			ctx("s3:max-keys", "9.99"), false},
		{"Numeric request not a number", `{"NumericLessThan":{"s3:max-keys":"10"}}`,
			ctx("s3:max-keys", "x"), false},
		{"Numeric missing", `{"NumericLessThan":{"s3:max-keys":"10"}}`, nil, false},
		{"NumericNotEquals missing", `{"NumericNotEquals":{"s3:max-keys":"10"}}`, nil, true},
		// Date
		{"DateLessThan ISO", `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`,
			ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), true},
		{"DateLessThan after", `{"DateLessThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"}}`,
			ctx("aws:CurrentTime", "2025-06-01T12:00:00Z"), false},
		{"DateGreaterThan epoch policy", `{"DateGreaterThan":{"aws:CurrentTime":"1577836800"}}`,
			ctx("aws:CurrentTime", "2020-01-01T00:00:01Z"), true},
		{"DateEquals epoch vs ISO", `{"DateEquals":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`,
			ctx("aws:EpochTime", "1577836800"), true},
		{"DateNotEquals", `{"DateNotEquals":{"aws:EpochTime":"2020-01-01T00:00:00Z"}}`,
			ctx("aws:EpochTime", "1577836800"), false},
		{"DateLessThanEquals offset",
			`{"DateLessThanEquals":{"aws:CurrentTime":"2020-01-01T01:00:00+01:00"}}`,
			ctx("aws:CurrentTime", "2020-01-01T00:00:00Z"), true},
		{"DateGreaterThanEquals date only",
			`{"DateGreaterThanEquals":{"aws:CurrentTime":"2020-01-01"}}`,
			ctx("aws:CurrentTime", "2020-01-01T00:00:00Z"), true},
		{"Date request unparsable", `{"DateGreaterThan":{"aws:CurrentTime":"2020-01-01"}}`,
			ctx("aws:CurrentTime", "soon"), false},
		// Bool
		{"Bool true", `{"Bool":{"aws:SecureTransport":"true"}}`, ctx("aws:SecureTransport", "true"),
			true},
		{"Bool json false", `{"Bool":{"aws:SecureTransport":false}}`, ctx("aws:SecureTransport",
			"true"), false},
		{"Bool case-insensitive", `{"Bool":{"aws:SecureTransport":"TRUE"}}`,
			ctx("aws:SecureTransport", "True"), true},
		{"Bool missing", `{"Bool":{"aws:SecureTransport":"false"}}`, nil, false},
		{"BoolIfExists missing", `{"BoolIfExists":{"aws:SecureTransport":"false"}}`, nil, true},
		// Binary
		{"BinaryEquals", `{"BinaryEquals":{"s3:x":"QmluYXJ5"}}`, ctx("s3:x", "QmluYXJ5"), true},
		{"BinaryEquals differs", `{"BinaryEquals":{"s3:x":"QmluYXJ5"}}`, ctx("s3:x", "QmluYXJ6"),
			false},
		// IP
		{"IpAddress v4", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`, ctx("aws:SourceIp",
			"203.0.113.9"), true},
		{"IpAddress v4 outside", `{"IpAddress":{"aws:SourceIp":"203.0.113.0/24"}}`,
			ctx("aws:SourceIp", "203.0.114.9"), false},
		{"IpAddress bare address", `{"IpAddress":{"aws:SourceIp":"203.0.113.9"}}`,
			ctx("aws:SourceIp", "203.0.113.9"), true},
		{"IpAddress v6", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`, ctx("aws:SourceIp",
			"2001:db8:1::5"), true},
		{"IpAddress mapped v4", `{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, ctx("aws:SourceIp",
			"::ffff:10.1.2.3"), true},
		{"IpAddress v4 request v6 block", `{"IpAddress":{"aws:SourceIp":"2001:db8::/32"}}`,
			ctx("aws:SourceIp", "10.1.2.3"), false},
		{"IpAddress unmasked block", `{"IpAddress":{"aws:SourceIp":"10.1.2.3/8"}}`,
			ctx("aws:SourceIp", "10.9.9.9"), true},
		{"NotIpAddress", `{"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.0.0/16"]}}`,
			ctx("aws:SourceIp", "192.168.1.1"), false},
		{"NotIpAddress outside", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`,
			ctx("aws:SourceIp", "8.8.8.8"), true},
		{"NotIpAddress missing", `{"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}}`, nil, true},
		{"IpAddress request garbage", `{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}`,
			ctx("aws:SourceIp", "x"), false},
		// Arn (against the derived aws:PrincipalArn)
		{"ArnEquals", `{"ArnEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/alice"}}`,
			nil, true},
		{"ArnLike segment wildcard", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/*"}}`,
			nil, true},
		{"ArnLike star does not cross segments",
			`{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam:*:user/alice"}}`,
			nil, false},
		{"ArnLike whole star", `{"ArnLike":{"aws:PrincipalArn":"*"}}`, nil, true},
		{"ArnLike case-sensitive", `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/Alice"}}`,
			nil, false},
		{"ArnNotEquals",
			`{"ArnNotEquals":{"aws:PrincipalArn":"arn:aws:iam::111111111111:user/bob"}}`, nil,
			true},
		{"ArnNotLike", `{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::111111111111:*"}}`, nil,
			false},
		{"ArnLike missing", `{"ArnLike":{"aws:SourceArn":"arn:*"}}`, nil, false},
		{"ArnNotLike missing", `{"ArnNotLike":{"aws:SourceArn":"arn:*"}}`, nil, true},
		// Null
		{"Null true missing", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`, nil, true},
		{"Null true present", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`,
			ctx("s3:x-amz-server-side-encryption", "AES256"), false},
		{"Null true present empty", `{"Null":{"s3:x-amz-server-side-encryption":"true"}}`,
			Context{"s3:x-amz-server-side-encryption": {}}, false},
		{"Null false present", `{"Null":{"s3:x-amz-server-side-encryption":false}}`,
			ctx("s3:x-amz-server-side-encryption", "aws:kms"), true},
		{"Null false missing", `{"Null":{"s3:x-amz-server-side-encryption":"false"}}`, nil, false},
		{"Null on derived key", `{"Null":{"aws:PrincipalOrgID":"false"}}`, nil, true},
		// Set operators
		{"ForAnyValue one matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			Context{"aws:tagkeys": {"x", "b"}}, true},
		{"ForAnyValue none matches", `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			Context{"aws:tagkeys": {"x", "y"}}, false},
		{"ForAnyValue missing", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`, nil, false},
		{"ForAnyValue empty", `{"ForAnyValue:StringEquals":{"aws:TagKeys":"a"}}`,
			Context{"aws:tagkeys": {}}, false},
		{"ForAnyValue empty string", `{"ForAnyValue:StringEquals":{"aws:TagKeys":""}}`,
			ctx("aws:TagKeys", ""), false},
		{"ForAnyValue IfExists missing", `{"ForAnyValue:StringEqualsIfExists":{"aws:TagKeys":"a"}}`,
			nil, true},
		{"ForAnyValue negated", `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`,
			Context{"aws:tagkeys": {"a", "c"}}, true},
		{"ForAnyValue negated all listed",
			`{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`,
			Context{"aws:tagkeys": {"a", "b"}}, false},
		{"ForAllValues subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b","c"]}}`,
			Context{"aws:tagkeys": {"a", "c"}}, true},
		{"ForAllValues not subset", `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`,
			Context{"aws:tagkeys": {"a", "z"}}, false},
		{"ForAllValues missing", `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`, nil, true},
		{"ForAllValues empty", `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`,
			Context{"aws:tagkeys": {}}, true},
		{"ForAllValues empty string", `{"ForAllValues:StringEquals":{"aws:TagKeys":"a"}}`,
			ctx("aws:TagKeys", ""), true},
		{"ForAllValues negated", `{"ForAllValues:StringNotLike":{"aws:TagKeys":["sys*"]}}`,
			Context{"aws:tagkeys": {"team", "sysadmin"}}, false},
		{"ForAllValues negated clean", `{"ForAllValues:StringNotLike":{"aws:TagKeys":["sys*"]}}`,
			Context{"aws:tagkeys": {"team", "cost"}}, true},
		{"ForAllValues org paths",
			`{"ForAllValues:StringLike":{"aws:PrincipalOrgPaths":"o-exampleorg/*"}}`,
			nil, true},
		{"ForAnyValue org paths",
			`{"ForAnyValue:StringLike":{"aws:PrincipalOrgPaths":"o-other/*"}}`,
			nil, false},
		{"plain operator on multivalued key", `{"StringEquals":{"aws:TagKeys":"b"}}`,
			Context{"aws:tagkeys": {"a", "b"}}, true},
		// Blocks
		{"keys AND-ed", `{"StringEquals":{"s3:prefix":"a","s3:delimiter":"/"}}`,
			ctx("s3:prefix", "a", "s3:delimiter", "-"), false},
		{"operators AND-ed",
			`{"StringEquals":{"s3:prefix":"a"},"Bool":{"aws:SecureTransport":"true"}}`,
			ctx("s3:prefix", "a", "aws:SecureTransport", "true"), true},
		{"operator names case-insensitive", `{"stringequals":{"s3:prefix":"a"}}`, ctx("s3:prefix",
			"a"), true},
		// Derived principal keys
		{"PrincipalOrgID", `{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}`, nil, true},
		{"PrincipalOrgID not spoofable", `{"StringEquals":{"aws:PrincipalOrgID":"o-other"}}`,
			ctx("aws:PrincipalOrgID", "o-other"), false},
		{"PrincipalAccount", `{"StringEquals":{"aws:PrincipalAccount":"111111111111"}}`, nil, true},
		{"PrincipalType", `{"StringEquals":{"aws:PrincipalType":"User"}}`, nil, true},
		{"username", `{"StringEquals":{"aws:username":"alice"}}`, nil, true},
		{"userid", `{"StringEquals":{"aws:userid":"AIDA111111111111alice"}}`, nil, true},
		{"ResourceAccount", `{"StringEquals":{"aws:ResourceAccount":"111111111111"}}`, nil, true},
		{"PrincipalTag", `{"StringEquals":{"aws:PrincipalTag/team":"Build"}}`, nil, true},
		{"PrincipalTag numeric", `{"NumericGreaterThan":{"aws:PrincipalTag/Cost":"40"}}`, nil,
			true},
		{"PrincipalTag missing", `{"StringEquals":{"aws:PrincipalTag/owner":"x"}}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condAllows(t, Version2012, tt.cond, alice, tt.ctx); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionPrincipalKeys(t *testing.T) {
	tests := []struct {
		name string
		p    Principal
		cond string
		want bool
	}{
		{"root userid is the account", root(devtools),
			`{"StringEquals":{"aws:userid":"111111111111"}}`, true},
		{"root type", root(devtools), `{"StringEquals":{"aws:PrincipalType":"Account"}}`, true},
		{"root has no username", root(devtools), `{"Null":{"aws:username":"true"}}`, true},
		{"session has no username", session(devtools, "deploy", "s1"),
			`{"Null":{"aws:username":"true"}}`, true},
		{"session type", session(devtools, "deploy", "s1"),
			`{"StringEquals":{"aws:PrincipalType":"AssumedRole"}}`, true},
		{"no org means missing", user(devtools, "solo", ""),
			`{"Null":{"aws:PrincipalOrgID":"true"}}`, true},
		{"no org StringNotEquals", user(devtools, "solo", ""),
			`{"StringNotEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condAllows(t, Version2012, tt.cond, tt.p, nil); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestConditionVariables(t *testing.T) {
	alice := user(devtools, "alice", org)
	alice.Tags = map[string]string{"team": "build"}
	tests := []struct {
		name    string
		version string
		p       Principal
		cond    string
		ctx     Context
		want    bool
	}{
		{"username in StringLike", Version2012, alice,
			`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
			ctx("s3:prefix", "home/alice/docs"), true},
		{"username other user", Version2012, alice,
			`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
			ctx("s3:prefix", "home/bob/docs"), false},
		{"2008 keeps the text", Version2008, alice,
			`{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`,
			ctx("s3:prefix", "home/alice/docs"), false},
		{"2008 literal match", Version2008, alice,
			`{"StringEquals":{"s3:prefix":"${aws:username}"}}`,
			ctx("s3:prefix", "${aws:username}"), true},
		{"tag variable", Version2012, alice,
			`{"StringEquals":{"s3:prefix":"${aws:PrincipalTag/team}"}}`,
			ctx("s3:prefix", "build"), true},
		{"request key variable", Version2012, alice,
			`{"StringEquals":{"s3:delimiter":"${s3:prefix}"}}`,
			ctx("s3:prefix", "/", "s3:delimiter", "/"), true},
		{"star escape is literal", Version2012, alice, `{"StringLike":{"s3:prefix":"a${*}"}}`,
			ctx("s3:prefix", "abc"), false},
		{"star escape matches star", Version2012, alice, `{"StringLike":{"s3:prefix":"a${*}"}}`,
			ctx("s3:prefix", "a*"), true},
		{"question escape", Version2012, alice, `{"StringLike":{"s3:prefix":"${?}"}}`,
			ctx("s3:prefix", "?"), true},
		{"dollar escape", Version2012, alice, `{"StringEquals":{"s3:prefix":"${$}{x}"}}`,
			ctx("s3:prefix", "${x}"), true},
		{"default used", Version2012, session(devtools, "r", "s"),
			`{"StringEquals":{"s3:prefix":"${aws:username, 'nobody'}"}}`, ctx("s3:prefix",
				"nobody"), true},
		{"default with quote", Version2012, session(devtools, "r", "s"),
			`{"StringEquals":{"s3:prefix":"${aws:username,'it''s'}"}}`, ctx("s3:prefix", "it's"),
			true},
		{"default not used when resolved", Version2012, alice,
			`{"StringEquals":{"s3:prefix":"${aws:username, 'nobody'}"}}`, ctx("s3:prefix", "alice"),
			true},
		{"unresolved fails positive", Version2012, session(devtools, "r", "s"),
			`{"StringEquals":{"s3:prefix":"${aws:username}"}}`, ctx("s3:prefix", ""), false},
		{"unresolved fails negated", Version2012, session(devtools, "r", "s"),
			`{"StringNotEquals":{"s3:prefix":"${aws:username}"}}`, ctx("s3:prefix", "x"), false},
		{"unresolved value dropped", Version2012, session(devtools, "r", "s"),
			`{"StringEquals":{"s3:prefix":["${aws:username}","x"]}}`, ctx("s3:prefix", "x"), true},
		{"multivalued key does not resolve", Version2012, alice,
			`{"StringEquals":{"s3:prefix":"${aws:TagKeys}"}}`,
			Context{"s3:prefix": {"a"}, "aws:tagkeys": {"a", "b"}}, false},
		{"malformed variable never resolves", Version2012, alice,
			`{"StringEquals":{"s3:prefix":"${aws:username, nobody}"}}`, ctx("s3:prefix", "alice"),
			false},
		{"unterminated variable is text", Version2012, alice,
			`{"StringEquals":{"s3:prefix":"${aws:username"}}`,
			ctx("s3:prefix", "${aws:username"), true},
		{"arn variable", Version2012, alice,
			`{"ArnEquals":{"aws:PrincipalArn":` +
				`"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}}`, nil, true},
		{"ignore case variable", Version2012, alice,
			`{"StringEqualsIgnoreCase":{"s3:prefix":"${aws:username}"}}`, ctx("s3:prefix", "ALICE"),
			true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := condAllows(t, tt.version, tt.cond, tt.p, tt.ctx); got != tt.want {
				t.Errorf("allowed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestContext(t *testing.T) {
	c := Context{}
	c.Set("S3:Prefix", "Home/")
	c.Set("aws:TagKeys")
	c["Mixed:Case"] = []string{"v"}
	tests := []struct {
		name    string
		key     string
		want    []string
		present bool
	}{
		{"lower-cased on set", "s3:prefix", []string{"Home/"}, true},
		{"any case on get", "S3:PREFIX", []string{"Home/"}, true},
		{"present but empty", "aws:tagkeys", []string{}, true},
		{"written directly", "mixed:case", []string{"v"}, true},
		{"missing", "s3:delimiter", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := c.Get(tt.key)
			same := len(got) == len(tt.want) && (len(got) == 0 || got[0] == tt.want[0])
			if ok != tt.present || !same {
				t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.present)
			}
		})
	}
}
