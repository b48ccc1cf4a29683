package policy

import (
	"encoding/json"
	"strings"
	"testing"
)

// FuzzParse feeds arbitrary documents to Parse. A document that parses must
// evaluate without panicking for a spread of principals and requests, and a
// rejected one must come back as a MalformedError.
func FuzzParse(f *testing.F) {
	f.Add(readTestdata(f, "scenario-bucket-policy.json"), true)
	f.Add([]byte(publisherPolicy), false)
	f.Add([]byte(stmt(allowAll+
		`,"Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":"${aws:username, 'x''y'}*"},`+
		`"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},`+
		`"DateLessThan":{"aws:CurrentTime":"2030-01-01"}}`)), false)
	f.Add([]byte(stmt(`"Effect":"Deny","NotPrincipal":{"AWS":["111111111111",`+
		`"arn:aws:iam::111111111111:role/r"]},"NotAction":"s3:Get?",`+
		`"NotResource":"arn:aws:s3:::${aws:userid}/*"`)), true)
	f.Add([]byte(`{"Statement":[{"Effect":"Allow",`+
		`"Principal":{"AWS":"arn:aws:sts::111111111111:assumed-role/r/s"},`+
		`"Action":"*","Resource":"arn:aws:s3:::b/${s3:prefix}",`+
		`"Condition":{"ArnLike":{"aws:PrincipalArn":"arn:*"}}}]}`), true)
	f.Fuzz(func(t *testing.T, doc []byte, resource bool) {
		kind := Identity
		if resource {
			kind = Resource
		}
		p, err := Parse(doc, kind)
		if err != nil {
			if _, ok := err.(*MalformedError); !ok {
				t.Fatalf("error %v is %T, not *MalformedError", err, err)
			}
			return
		}
		evaluateAll(p)
	})
}

func evaluateAll(p *Policy) {
	src := Source{Layer: LayerIdentity, Name: "fuzz", Policy: p}
	if p.Kind == Resource {
		src.Layer = LayerResource
	}
	tagged := user(devtools, "alice", org)
	tagged.Tags = map[string]string{"team": "a"}
	principals := []Principal{tagged, user(prd, "bob", ""), root(devtools), session(devtools, "r",
		"s"),
		anonymous()}
	contexts := []Context{nil, ctx("s3:prefix", "a/", "aws:SourceIp", "10.1.1.1",
		"aws:CurrentTime", "2025-01-01T00:00:00Z", "aws:TagKeys", "team"), {"aws:tagkeys": {}}}
	for _, pr := range principals {
		for _, c := range contexts {
			in := Input{Request: Request{Action: "s3:GetObject", Resource: object,
				ResourceAccount: devtools, Principal: pr, Context: c}}
			if p.Kind == Identity {
				in.Identity = []Source{src}
			} else {
				in.Resource = &src
			}
			d := Evaluate(in)
			if x := Explain(in); x.Decision.Effect != d.Effect {
				panic("Explain and Evaluate disagree")
			}
		}
	}
}

// negations pairs each positive operator with its negated form. For a key
// present with one value the two are complementary: AWS defines the negated
// operators as the negated matching of the positive ones.
var negations = map[string]string{
	"stringequals": "StringNotEquals", "stringequalsignorecase": "StringNotEqualsIgnoreCase",
	"stringlike": "StringNotLike", "numericequals": "NumericNotEquals",
	"dateequals": "DateNotEquals", "ipaddress": "NotIpAddress", "arnequals": "ArnNotEquals",
	"arnlike": "ArnNotLike",
}

// FuzzCondition feeds the condition evaluator an arbitrary operator, key,
// policy values and request values (each list separated by newlines; present
// says whether the request carries the key at all). Evaluation must not
// panic, Explain must report the statement as applied exactly when Evaluate
// allows, and for a key present with one value a positive operator and its
// negation must disagree.
func FuzzCondition(f *testing.F) {
	f.Add("StringEquals", "s3:prefix", "home/\nshared/", "home/", true)
	f.Add("StringNotLike", "s3:prefix", "secret/*", "secret/x", true)
	f.Add("ForAnyValue:StringLike", "aws:TagKeys", "team*", "owner\nteam-a", true)
	f.Add("ForAllValues:StringEquals", "aws:TagKeys", "a", "", true)
	f.Add("NumericLessThanIfExists", "s3:max-keys", "10", "9.5", true)
	f.Add("DateGreaterThan", "aws:CurrentTime", "2020-01-01T00:00:00Z", "1700000000", true)
	f.Add("IpAddress", "aws:SourceIp", "10.0.0.0/8\n2001:db8::/32", "::ffff:10.1.2.3", true)
	f.Add("NotIpAddress", "aws:SourceIp", "10.0.0.0/8", "", false)
	f.Add("ArnLike", "aws:SourceArn", "arn:aws:s3:::b*", "arn:aws:s3:::bucket", true)
	f.Add("Bool", "aws:SecureTransport", "true", "TRUE", true)
	f.Add("BinaryEquals", "s3:x", "QmluYXJ5", "QmluYXJ5", true)
	f.Add("Null", "s3:x", "true", "v", false)
	f.Add("StringLike", "s3:prefix", "${aws:username}/*", "alice/x", true)
	f.Add("StringEqualsIgnoreCase", "aws:PrincipalTag/team", "${s3:prefix, 'x'}", "", true)
	f.Fuzz(func(t *testing.T, op, key, policyVals, requestVals string, present bool) {
		in, ok := conditionInput(t, op, key, strings.Split(policyVals, "\n"))
		if !ok {
			return
		}
		reqVals := strings.Split(requestVals, "\n")
		if present {
			in.Request.Context = Context{}
			in.Request.Context.Set(key, reqVals...)
		}
		allowed := Evaluate(in).Effect == Allow
		x := Explain(in)
		if applied := x.Policies[0].Statements[0].Applied; applied != allowed {
			t.Fatalf("Explain says applied=%v, Evaluate allowed=%v", applied, allowed)
		}
		neg, hasNeg := negations[strings.ToLower(op)]
		if !hasNeg || !present || len(reqVals) != 1 || strings.Contains(policyVals, "${") ||
			strings.HasPrefix(strings.ToLower(key), "aws:") {
			return
		}
		nin, ok := conditionInput(t, neg, key, strings.Split(policyVals, "\n"))
		if !ok {
			t.Fatalf("%s parsed but %s did not", op, neg)
		}
		nin.Request.Context = in.Request.Context
		if (Evaluate(nin).Effect == Allow) == allowed {
			t.Fatalf("%s and %s agree (%v) on %q against %q", op, neg, allowed, requestVals,
				policyVals)
		}
	})
}

// conditionInput builds a request of alice under an identity policy allowing
// s3:GetObject on the condition; ok is false when the document is rejected.
func conditionInput(t *testing.T, op, key string, vals []string) (Input, bool) {
	doc, err := json.Marshal(map[string]any{"Version": Version2012, "Statement": []any{
		map[string]any{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
			"Condition": map[string]any{op: map[string]any{key: vals}}}}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := Parse(doc, Identity)
	if err != nil {
		if _, ok := err.(*MalformedError); !ok {
			t.Fatalf("error %v is %T, not *MalformedError", err, err)
		}
		return Input{}, false
	}
	alice := user(devtools, "alice", org)
	alice.Tags = map[string]string{"team": "build"}
	return Input{
		Request: Request{Action: "s3:GetObject", Resource: object, ResourceAccount: devtools,
			Principal: alice},
		Identity: []Source{{Layer: LayerIdentity, Name: "fuzz", Policy: p}},
	}, true
}
