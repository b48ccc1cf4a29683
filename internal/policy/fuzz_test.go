package policy

import (
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
