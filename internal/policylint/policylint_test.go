package policylint

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

// doc builds a 2012-10-17 document from statements written as JSON.
func doc(stmts ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

func codes(fs []Finding) []string {
	out := []string{}
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestValidate(t *testing.T) {
	const (
		getArt  = `"Action":"s3:GetObject","Resource":"arn:aws:s3:::art/*"`
		listArt = `"Action":"s3:ListBucket","Resource":"arn:aws:s3:::art"`
		acct    = `"Principal":{"AWS":"arn:aws:iam::111122223333:root"}`
	)
	tests := []struct {
		name string
		kind policy.Kind
		doc  string
		want []string // the codes, in document order
	}{
		{"clean identity policy", policy.Identity, doc(`{"Effect":"Allow",`+getArt+`}`,
			`{"Effect":"Allow",`+listArt+`,"Condition":{"StringLike":{"s3:prefix":"charts/*"}}}`),
			nil},
		{"clean bucket policy", policy.Resource, doc(`{"Sid":"Read objects","Effect":"Allow",`+
			acct+`,`+getArt+`}`, `{"Effect":"Allow",`+acct+`,`+listArt+`}`), nil},
		{"clean SCP", policy.ServiceControl, doc(`{"Effect":"Deny","Action":"s3:DeleteBucket",` +
			`"Resource":"*","Condition":{"ArnNotLike":{"aws:PrincipalArn":` +
			`"arn:aws:iam::*:role/admin"}}}`), nil},
		{"clean RCP", policy.ResourceControl, doc(`{"Effect":"Deny","Principal":"*",` +
			`"Action":"s3:*","Resource":"*","Condition":{"StringNotEqualsIfExists":` +
			`{"aws:PrincipalOrgID":"o-1234567890"},"BoolIfExists":` +
			`{"aws:PrincipalIsAWSService":"false"}}}`), nil},
		{"several findings in one run", policy.Identity, `{"Statement":[{"Effect":"allow",` +
			`"Action":"s3:GetObjects","Resource":"arn:aws:s3:::art/*"},{"Effect":"Allow",` +
			`"Action":"s3:ListBucket","Resource":"arn:aws:s3:::art/*"}]}`,
			[]string{"MISSING_VERSION", "INVALID_EFFECT", "UNKNOWN_ACTION",
				"RESOURCE_TYPE_MISMATCH"}},
		{"findings on a document the parser rejects", policy.Resource,
			doc(`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject",` +
				`"Resource":"arn:aws:s3:::art","Condition":{"Bool":` +
				`{"aws:SecureTransport":"yes"}}}`),
			[]string{"PUBLIC_ACCESS", "RESOURCE_TYPE_MISMATCH", "INVALID_CONDITION_VALUE"}},
		{"a variable in 2012-10-17 is fine", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::home/${aws:username}/*"}`), nil},
		{"public read narrowed to an organization", policy.Resource, doc(`{"Effect":"Allow",` +
			`"Principal":"*",` + getArt + `,"Condition":{"StringEquals":` +
			`{"aws:PrincipalOrgID":"o-1234567890"}}}`), nil},
		{"IfExists does not narrow", policy.Resource, doc(`{"Effect":"Allow","Principal":"*",` +
			getArt + `,"Condition":{"StringEqualsIfExists":{"aws:PrincipalOrgID":"o-1"}}}`),
			[]string{"PUBLIC_ACCESS"}},
		{"a negated test does not narrow", policy.Resource, doc(`{"Effect":"Allow",` +
			`"Principal":{"AWS":["111122223333","*"]},` + getArt + `,"Condition":{"NotIpAddress":` +
			`{"aws:SourceIp":"10.0.0.0/8"}}}`), []string{"PUBLIC_ACCESS"}},
		{"everywhere is no narrowing", policy.Resource, doc(`{"Effect":"Allow","Principal":"*",` +
			getArt + `,"Condition":{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}}`),
			[]string{"PUBLIC_ACCESS"}},
		{"a public Deny is fine", policy.Resource, doc(`{"Effect":"Deny","Principal":"*",` +
			`"Action":"s3:*","Resource":"arn:aws:s3:::art/*","Condition":{"Bool":` +
			`{"aws:SecureTransport":"false"}}}`), nil},
		{"Deny with NotPrincipal is supported", policy.Resource, doc(`{"Effect":"Deny",` +
			`"NotPrincipal":{"AWS":"111122223333"},"Action":"s3:*",` +
			`"Resource":"arn:aws:s3:::art/*"}`),
			nil},
		{"a wildcard action fits when one of its actions does", policy.Identity,
			doc(`{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::art"}`), nil},
		{"all actions on a bucket", policy.Identity, doc(`{"Effect":"Allow","Action":"s3:*",` +
			`"Resource":"arn:aws:s3:::art"}`), nil},
		{"ListAllMyBuckets on *", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:ListAllMyBuckets","Resource":"*"}`), nil},
		{"actions and resources that pair up", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":["s3:ListBucket","s3:GetObject"],` +
			`"Resource":["arn:aws:s3:::art","arn:aws:s3:::art/*"]}`), nil},
		{"other services' actions are not judged", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":["s3:GetObject","kms:Decrypt"],"Resource":["arn:aws:s3:::art/*",` +
			`"arn:aws:kms:us-east-1:111122223333:key/k1"]}`), nil},
		{"service keys are fine in bucket policies", policy.Resource, doc(`{"Effect":"Allow",` +
			`"Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObject",` +
			`"Resource":"arn:aws:s3:::logs/*","Condition":{"StringEquals":` +
			`{"aws:SourceAccount":"111122223333"}}}`), nil},
		{"a set operator on a set", policy.Identity, doc(`{"Effect":"Deny",` +
			`"Action":"s3:TagResource","Resource":"arn:aws:s3:::art","Condition":` +
			`{"ForAnyValue:StringEquals":{"aws:TagKeys":"owner"}}}`), nil},
		{"keys and operators in any case", policy.Identity, doc(`{"Effect":"Allow",` + getArt +
			`,"Condition":{"ipaddress":{"AWS:SOURCEIP":"203.0.113.0/24"}}}`), nil},
		{"aws:EpochTime takes numbers", policy.Identity, doc(`{"Effect":"Allow",` + getArt +
			`,"Condition":{"NumericLessThan":{"aws:EpochTime":"1893456000"}}}`), nil},
		{"other services' keys are not judged", policy.Identity, doc(`{"Effect":"Allow",` +
			getArt + `,"Condition":{"StringEquals":` +
			`{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}`),
			nil},
		{"twin statements: only the later is redundant", policy.Identity,
			doc(`{"Effect":"Allow",`+getArt+`}`, `{"Effect":"Allow",`+getArt+`}`),
			[]string{"REDUNDANT_STATEMENT"}},
		{"a conditional statement covers nothing", policy.Identity,
			doc(`{"Effect":"Allow",`+getArt+`,"Condition":{"Bool":{"aws:SecureTransport":"true"}}}`,
				`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::art/a"}`), nil},
		{"a Deny for someone else shadows nothing", policy.Resource,
			doc(`{"Effect":"Allow",`+acct+`,`+getArt+`}`, `{"Effect":"Deny",`+
				`"Principal":{"AWS":"444455556666"},"Action":"s3:*","Resource":"*"}`), nil},
		{"a Deny for everyone shadows", policy.Resource,
			doc(`{"Effect":"Allow",`+acct+`,`+getArt+`}`, `{"Effect":"Deny","Principal":"*",`+
				`"Action":"s3:*","Resource":"*"}`), []string{"SHADOWED_ALLOW"}},
		{"not a JSON object", policy.Identity, `["Version"]`, []string{"MALFORMED_JSON"}},
		{"empty document", policy.Identity, ``, []string{"MALFORMED_JSON"}},
		{"data after the object", policy.Identity, doc(`{"Effect":"Allow",`+getArt+`}`) + `{}`,
			[]string{"MALFORMED_JSON"}},
		{"a statement that is no object", policy.Identity, doc(`"Allow"`),
			[]string{"INVALID_ELEMENT_TYPE"}},
		{"an empty Statement list", policy.Identity, doc(), []string{"EMPTY_LIST"}},
		{"a null Sid is no Sid", policy.Identity,
			doc(`{"Sid":null,"Effect":"Allow",` + getArt + `}`),
			nil},
		{"a null Id is allowed", policy.Identity, `{"Version":"2012-10-17","Id":null,` +
			`"Statement":{"Effect":"Allow",` + getArt + `}}`, nil},
		{"Sids with spaces are fine in bucket policies", policy.Resource,
			doc(`{"Sid":"read it all","Effect":"Allow",` + acct + `,` + getArt + `}`), nil},
		{"SCPs name no principal", policy.ServiceControl, doc(`{"Effect":"Deny",` +
			`"Principal":"*","Action":"s3:*","Resource":"*"}`), []string{"PRINCIPAL_NOT_ALLOWED"}},
		{"an RCP of 2008-10-17", policy.ResourceControl, `{"Version":"2008-10-17",` +
			`"Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`,
			[]string{"VERSION_REQUIRED"}},
		{"a principal that is no string", policy.Resource, doc(`{"Effect":"Allow",` +
			`"Principal":{"AWS":[12]},` + getArt + `}`), []string{"INVALID_ELEMENT_TYPE"}},
		{"an empty principal", policy.Resource, doc(`{"Effect":"Allow","Principal":{},` + getArt +
			`}`), []string{"EMPTY_LIST"}},
		{"a condition value that is an object", policy.Identity, doc(`{"Effect":"Allow",` + getArt +
			`,"Condition":{"StringEquals":{"aws:username":{"a":1}}}}`),
			[]string{"INVALID_CONDITION_VALUE"}},
		{"an operator without keys", policy.Identity, doc(`{"Effect":"Allow",` + getArt +
			`,"Condition":{"StringEquals":{}}}`), []string{"EMPTY_LIST"}},
		{"escapes and defaults are fine", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${*}${?}${$}/` +
			`${aws:username, 'it''s nobody'}/${ aws:PrincipalTag/team }/*"}`), nil},
		{"a variable of a List key on List", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:ListBucket","Resource":"arn:aws:s3:::a","Condition":` +
			`{"StringEquals":{"s3:delimiter":"${s3:prefix}"}}}`), nil},
		{"other services' variables are not judged", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${ec2:SourceInstanceARN}/*"}`),
			nil},
		{"variables are text in 2008-10-17", policy.Identity, `{"Version":"2008-10-17",` +
			`"Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
			`"Resource":"arn:aws:s3:::a/${}/${aws:TagKeys}/${"}]}`,
			[]string{"OLD_VERSION", "VARIABLE_IN_OLD_VERSION"}},
		{"every bad variable of a value", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${ }/${aws:TagKeys, 'x'}/` +
			`${aws:nope}/${s3:max-keys}/${aws:username"}`),
			// Findings at one place come in the order of their codes.
			[]string{"INVALID_POLICY_VARIABLE", "MULTIVALUED_POLICY_VARIABLE",
				"POLICY_VARIABLE_NOT_APPLICABLE", "UNKNOWN_POLICY_VARIABLE",
				"UNTERMINATED_POLICY_VARIABLE"}},
		{"one finding per kind of mistake in a value", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${}/${ }/${aws:nope}/${aws:nah}"}`),
			[]string{"INVALID_POLICY_VARIABLE", "UNKNOWN_POLICY_VARIABLE"}},
		{"the scan ends at an unterminated variable", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/${aws:nope}/${'/${}"}`),
			[]string{"UNKNOWN_POLICY_VARIABLE", "UNTERMINATED_POLICY_VARIABLE"}},
		{"variables in Arn condition values", policy.Resource, doc(`{"Effect":"Deny",` +
			`"Principal":"*","Action":"s3:*","Resource":"*","Condition":{"ArnNotLike":` +
			`{"aws:PrincipalArn":"arn:aws:iam::${aws:CalledVia}:role/*"}}}`),
			[]string{"MULTIVALUED_POLICY_VARIABLE"}},
		{"no variables in Numeric values", policy.Identity, doc(`{"Effect":"Allow",` + getArt +
			`,"Condition":{"NumericLessThan":{"aws:EpochTime":"1893456000"}}}`), nil},
		{"invalid UTF-8 in an SCP", policy.ServiceControl, "{\"Version\":\"2012-10-17\"," +
			"\"Statement\":[{\"Sid\":\"a\xc3\",\"Effect\":\"Deny\",\"Action\":\"*\"," +
			"\"Resource\":\"*\"}]}", []string{"INVALID_ENCODING"}},
		{"a lone low surrogate in an RCP", policy.ResourceControl, doc(`{"Effect":"Deny",` +
			`"Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::a\udc00/*"}`),
			[]string{"INVALID_ENCODING"}},
		{"a high surrogate twice", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/\ud83d\ud83d"}`),
			[]string{"INVALID_ENCODING"}},
		{"a whole surrogate pair", policy.Identity, doc(`{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"arn:aws:s3:::a/\ud83d\ude00"}`), nil},
		{"an SCP at the limit", policy.ServiceControl, sized(5120, false), nil},
		{"an SCP over the limit", policy.ServiceControl, sized(5121, false),
			[]string{"POLICY_TOO_LARGE"}},
		{"an RCP over the limit", policy.ResourceControl, sized(5121, true),
			[]string{"POLICY_TOO_LARGE"}},
		{"an identity policy at the limit", policy.Identity, sized(6144, false), nil},
		{"an identity policy over the limit", policy.Identity, sized(6145, false),
			[]string{"POLICY_TOO_LARGE"}},
		{"white space does not count in identity policies", policy.Identity,
			strings.Replace(sized(6144, false), ",", ","+strings.Repeat(" \n\t", 3000), 1), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := Validate([]byte(tc.doc), tc.kind)
			want := tc.want
			if want == nil {
				want = []string{}
			}
			if got := codes(fs); !slices.Equal(got, want) {
				t.Errorf("codes = %q, want %q", got, want)
				for _, f := range fs {
					t.Logf("%s %s: %s", f.Code, f.Path, f.Message)
				}
			}
		})
	}
}

// sized returns a document of exactly n characters (counting white space
// only for SCPs and RCPs, where it has none): a Deny whose Sid fills it up,
// naming the principal "*" when principal is set.
func sized(n int, principal bool) string {
	head := `{"Version":"2012-10-17","Statement":[{"Sid":"`
	tail := `","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	if principal {
		tail = `","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	}
	return head + strings.Repeat("S", n-len(head)-len(tail)) + tail
}

// TestMessages pins the wording of findings whose sentences depend on the
// value they are about.
func TestMessages(t *testing.T) {
	tests := []struct {
		name, code string
		kind       policy.Kind
		doc        string
		msg, fix   string // substrings of the message and the fix
	}{
		{"an object among the actions", "INVALID_ELEMENT_TYPE", policy.Identity,
			doc(`{"Effect":"Allow","Action":["s3:GetObject",{}],"Resource":"*"}`),
			"An Action entry is an object, not a string.", "Write each entry as a string."},
		{"a number among the resources", "INVALID_ELEMENT_TYPE", policy.Identity,
			doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":[7]}`),
			"A Resource entry is the number 7, not a string.", ""},
		{"a list as a condition value", "INVALID_CONDITION_VALUE", policy.Identity,
			doc(`{"Effect":"Allow","Action":"s3:GetObject","Resource":"*",` +
				`"Condition":{"StringEquals":{"aws:username":[["a"]]}}}`),
			"A condition value is a list, not a string, number or boolean.", ""},
		{"an object as the Effect", "INVALID_EFFECT", policy.Identity,
			doc(`{"Effect":{},"Action":"s3:GetObject","Resource":"*"}`),
			"Effect is an object, not the string Allow or Deny.", ""},
		{"a number as the Version", "INVALID_VERSION", policy.Identity,
			`{"Version":2012,"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
			"Version is the number 2012, not a string naming a version", ""},
		{"an RCP takes only the principal *", "MISSING_PRINCIPAL", policy.ResourceControl,
			doc(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`), "must name a Principal",
			`Add "Principal": "*", the only principal an RCP takes`},
		{"an SCP's size counts white space", "POLICY_TOO_LARGE", policy.ServiceControl,
			strings.Replace(sized(5000, false), ",", ","+strings.Repeat(" ", 200), 1),
			"The SCP has 5200 characters; AWS Organizations accepts at most 5,120", "SCPs"},
		{"an identity policy's size does not", "POLICY_TOO_LARGE", policy.Identity,
			strings.Replace(sized(7000, false), ",", ",\n\n", 1),
			"has 7000 characters besides white space; IAM accepts at most 6,144 in a managed",
			"several managed policies"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs := Validate([]byte(tc.doc), tc.kind)
			i := slices.IndexFunc(fs, func(f Finding) bool { return f.Code == tc.code })
			switch {
			case i < 0:
				t.Fatalf("no %s finding in %q", tc.code, codes(fs))
			case !strings.Contains(fs[i].Message, tc.msg) || !strings.Contains(fs[i].Fix, tc.fix):
				t.Errorf("message %q, fix %q; want them to hold %q and %q", fs[i].Message,
					fs[i].Fix, tc.msg, tc.fix)
			}
		})
	}
}

func TestGuessKind(t *testing.T) {
	tests := []struct {
		name, doc string
		want      policy.Kind
	}{
		{"principal", doc(`{"Effect":"Allow","Principal":"*"}`), policy.Resource},
		{"not principal", doc(`{"Effect":"Deny"}`, `{"NotPrincipal":"*"}`), policy.Resource},
		{"single statement", `{"Statement":{"Principal":"*"}}`, policy.Resource},
		{"no principal", doc(`{"Effect":"Allow"}`), policy.Identity},
		{"not JSON", `{`, policy.Identity},
		{"a list", `[]`, policy.Identity},
	}
	for _, tc := range tests {
		if got := GuessKind([]byte(tc.doc)); got != tc.want {
			t.Errorf("%s: GuessKind = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRulesAreWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.Code] {
			t.Errorf("%s is listed twice", r.Code)
		}
		seen[r.Code] = true
		if strings.ToUpper(r.Code) != r.Code || strings.ContainsAny(r.Code, " -") {
			t.Errorf("%s is not upper snake case", r.Code)
		}
		if !slices.Contains(Kinds, r.Kind) {
			t.Errorf("%s has kind %q", r.Code, r.Kind)
		}
		if r.Summary == "" || !strings.HasSuffix(r.Summary, ".") {
			t.Errorf("%s has no one-sentence summary", r.Code)
		}
	}
}

// TestJSONReaderAgrees checks the linter's JSON reader against
// encoding/json: both accept, or both reject.
func TestJSONReaderAgrees(t *testing.T) {
	tests := []struct{ name, doc string }{
		{"object", `{"a": [1, -2.5e+3, true, false, null, "x"]}`},
		{"escapes", `{"a": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}`},
		{"lone surrogate", `{"a": "\ud800x"}`},
		{"invalid UTF-8", "{\"a\": \"\xff\"}"},
		{"trailing comma", `{"a": 1,}`},
		{"leading zero", `{"a": 01}`},
		{"bare point", `{"a": 1.}`},
		{"exponent", `{"a": 1e}`},
		{"control character", "{\"a\": \"\x01\"}"},
		{"bad escape", `{"a": "\x"}`},
		{"short unicode escape", `{"a": "\u12"}`},
		{"single quotes", `{'a': 1}`},
		{"unterminated", `{"a": "b`},
		{"two values", `{} {}`},
		{"white space", " \t\r\n{ } \n"},
		{"nothing", ``},
		{"literal typo", `{"a": nul}`},
		{"deep", strings.Repeat("[", 300) + strings.Repeat("]", 300)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseJSON([]byte(tc.doc))
			mine := err == nil
			theirs := json.Valid([]byte(tc.doc))
			if tc.name == "deep" {
				theirs = false // the reader bounds depth; no policy comes near it
			}
			if mine != theirs {
				t.Errorf("parseJSON accepts: %v, encoding/json: %v (err %v)", mine, theirs, err)
			}
		})
	}
}

func TestPosition(t *testing.T) {
	tests := []struct {
		name           string
		doc            string
		off, line, col int
	}{
		{"start", "{\n  \"é\": 1,\n\t\"b\": 2\n}", 0, 1, 1},
		{"after LF", "{\n  \"é\": 1,\n\t\"b\": 2\n}", 4, 2, 3},
		{"after a two-byte character", "{\n  \"é\": 1,\n\t\"b\": 2\n}", 9, 2, 7},
		{"after a tab", "{\n  \"é\": 1,\n\t\"b\": 2\n}", 14, 3, 2},
		{"the end", "{\n  \"é\": 1,\n\t\"b\": 2\n}", 22, 4, 2},
		{"before the start", "{\n  \"é\": 1,\n\t\"b\": 2\n}", -1, 1, 1},
		{"CR LF is one line end", "{\r\n  \"a\": 1\r\n}", 5, 2, 3},
		{"a lone CR ends a line", "{\r  \"a\": 1\r}", 4, 2, 3},
		{"lone CRs in a row", "{\r\r\r\"a\": 1}", 4, 4, 1},
		{"LF CR is two line ends", "{\n\r\"a\": 1}", 3, 3, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line, col := position([]byte(tc.doc), tc.off)
			if line != tc.line || col != tc.col {
				t.Errorf("position(%d) = %d:%d, want %d:%d", tc.off, line, col, tc.line, tc.col)
			}
		})
	}
}

func TestPaths(t *testing.T) {
	tests := []struct{ base, name, want string }{
		{"", "Statement", "Statement"},
		{"Statement[1].Condition", "StringEquals", "Statement[1].Condition.StringEquals"},
		{"Statement[1].Condition.StringEquals", "aws:SourceIp",
			`Statement[1].Condition.StringEquals["aws:SourceIp"]`},
		{"Statement", "ForAllValues:StringLike", `Statement["ForAllValues:StringLike"]`},
		{"x", "", `x[""]`},
		{"x", "9a", `x["9a"]`},
	}
	for _, tc := range tests {
		if got := pathKey(tc.base, tc.name); got != tc.want {
			t.Errorf("pathKey(%q, %q) = %s, want %s", tc.base, tc.name, got, tc.want)
		}
	}
}

func TestLocation(t *testing.T) {
	d := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*"},` +
		`{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::a/*",` +
		`"Condition":{"StringEquals":{"aws:SourceIp":"1.2.3.4","aws:SourceIp":"x"}}},` +
		`{"Effect":"Allow","Action":"s3:Fly","Resource":"arn:aws:s3:::a/*"}]}`
	tests := []struct {
		code, elem, path string
		stmt             int
	}{
		{"CONDITION_TYPE_MISMATCH", "Condition",
			`Statement[1].Condition.StringEquals["aws:SourceIp"]`, 1},
		{"DUPLICATE_KEY", "Condition", `Statement[1].Condition.StringEquals["aws:SourceIp"]`, 1},
		{"UNKNOWN_ACTION", "Action", "Statement[2].Action", 2},
	}
	fs := Validate([]byte(d), policy.Identity)
	for _, tc := range tests {
		i := slices.IndexFunc(fs, func(f Finding) bool { return f.Code == tc.code })
		if i < 0 {
			t.Errorf("no %s finding in %q", tc.code, codes(fs))
			continue
		}
		f := fs[i]
		if f.Element != tc.elem || f.Path != tc.path || f.Statement != tc.stmt {
			t.Errorf("%s at statement %d, element %q, path %s; want %d, %q, %s", tc.code,
				f.Statement, f.Element, f.Path, tc.stmt, tc.elem, tc.path)
		}
	}
}
