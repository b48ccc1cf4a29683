package policy

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkEvaluateScenario is the delegate's cross-account GetObject against
// the scenario bucket policy and its identity policy, both parsed once.
func BenchmarkEvaluateScenario(b *testing.B) {
	s := newScenario(b)
	in := s.input(s.caller("delegate"), "s3:GetObject", object,
		ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true"))
	if d := Evaluate(in); d.Effect != Allow {
		b.Fatalf("Effect = %v: %s", d.Effect, d.Reason())
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(in)
	}
}

// BenchmarkParseScenario parses and compiles the scenario bucket policy.
func BenchmarkParseScenario(b *testing.B) {
	doc := readTestdata(b, "scenario-bucket-policy.json")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(doc, Resource); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkBaselineUnmarshalScenario decodes the scenario bucket policy with
// encoding/json into generic values: the baseline that Evaluate and Parse are
// quoted against, measured in the same run.
func BenchmarkBaselineUnmarshalScenario(b *testing.B) {
	doc := readTestdata(b, "scenario-bucket-policy.json")
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := json.Unmarshal(doc, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkExplainScenario explains the delegate's cross-account GetObject:
// the decision plus a report on every statement, which allocates.
func BenchmarkExplainScenario(b *testing.B) {
	s := newScenario(b)
	in := s.input(s.caller("delegate"), "s3:GetObject", object,
		ctx("aws:SourceIp", "203.0.113.9", "aws:SecureTransport", "true"))
	if x := Explain(in); x.Decision.Effect != Allow {
		b.Fatalf("Effect = %v: %s", x.Decision.Effect, x.Reason)
	}
	b.ReportAllocs()
	for b.Loop() {
		Explain(in)
	}
}

// BenchmarkEvaluate100Statements evaluates a GetObject against an identity
// policy of 100 statements mixing services, actions, resources, NotAction and
// conditions of several families; the statement that allows is the 98th,
// with policy variables in its Resource and Condition, and the two Deny
// statements after it do not apply, so every statement is examined.
func BenchmarkEvaluate100Statements(b *testing.B) {
	pol := mustParse(b, hundredStatements(), Identity)
	alice := user(devtools, "alice", org)
	alice.Tags = map[string]string{"team": "build"}
	in := Input{
		Request: Request{Action: "s3:GetObject", Resource: object, ResourceAccount: devtools,
			Principal: alice, Context: ctx("aws:SourceIp", "10.20.30.40",
				"aws:SecureTransport", "true", "aws:CurrentTime", "2025-06-01T12:00:00Z")},
		Identity: []Source{{Layer: LayerIdentity, Name: "large", Policy: pol}},
	}
	d := Evaluate(in)
	if d.Effect != Allow || d.Grant.Statement != 97 {
		b.Fatalf("Effect = %v by statement %d, want Allow by 97: %s", d.Effect,
			d.Grant.Statement, d.Reason())
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(in)
	}
}

// hundredStatements builds the policy of BenchmarkEvaluate100Statements.
func hundredStatements() string {
	services := []string{"ec2:Describe*", "dynamodb:GetItem", "sqs:SendMessage",
		"logs:PutLogEvents", "kms:Decrypt", "iam:Get*", "s3:PutObject", "s3:ListBucket"}
	conds := []string{
		`{"StringEquals":{"aws:PrincipalTag/team":"ops"}}`,
		`{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}`,
		`{"Bool":{"aws:SecureTransport":"false"}}`,
		`{"StringLike":{"s3:prefix":["home/${aws:username}/*","shared/*"]}}`,
		`{"DateGreaterThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"}}`,
		`{"ForAnyValue:StringEquals":{"aws:TagKeys":["secret","private"]}}`,
	}
	var sts []string
	for i := 0; i < 97; i++ {
		st := fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","Action":[%q,"s3:Get*"],`+
			`"Resource":["arn:aws:s3:::bucket-%d/*","arn:aws:s3:::bucket-%d"]`,
			i, services[i%len(services)], i, i)
		if i%3 == 0 {
			st = fmt.Sprintf(`{"Sid":"S%d","Effect":"Allow","NotAction":"s3:*",`+
				`"Resource":"arn:aws:dynamodb:*:%s:table/t-%d"`, i, devtools, i)
		}
		if i%2 == 0 {
			st += `,"Condition":` + conds[i%len(conds)]
		}
		sts = append(sts, st+"}")
	}
	sts = append(sts,
		`{"Sid":"Artifacts","Effect":"Allow","Action":["s3:GetObject","s3:GetObjectVersion"],`+
			`"Resource":"arn:aws:s3:::devtools-artifacts/${aws:PrincipalTag/team}s/*",`+
			`"Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg",`+
			`"aws:PrincipalTag/team":"build"},"StringLike":{"aws:userid":"${aws:userid}"},`+
			`"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":"true"}}}`,
		`{"Sid":"NoDeletes","Effect":"Deny","Action":"s3:Delete*","Resource":"*"}`,
		`{"Sid":"NoPlainHTTP","Effect":"Deny","Action":"*","Resource":"*",`+
			`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}`)
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(sts, ",") + `]}`
}
