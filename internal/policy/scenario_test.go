package policy

import (
	"slices"
	"strings"
	"testing"
)

// scenario is the devtools-artifacts bucket of account 111111111111 with its
// bucket policy and the identity policies of the callers in the story.
type scenario struct {
	bucketPolicy Source
	publisher    []Source // ci-publisher in 111111111111
	delegate     []Source // PRD delegate in 222222222222
	intruder     []Source // partner intruder in 333333333333
}

const (
	publisherPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Publish","Effect":"Allow",
		"Action":"s3:*","Resource":["arn:aws:s3:::devtools-artifacts",
		"arn:aws:s3:::devtools-artifacts/*"]}]}`
	delegatePolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"ReadArtifacts","Effect":"Allow",
		"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::devtools-artifacts",
		"arn:aws:s3:::devtools-artifacts/*"]}]}`
	intruderPolicy = `{"Version":"2012-10-17","Statement":[{"Sid":"Everything","Effect":"Allow",
		"Action":"s3:*","Resource":"*"}]}`
)

func newScenario(tb testing.TB) *scenario {
	tb.Helper()
	bp, err := Parse(readTestdata(tb, "scenario-bucket-policy.json"), Resource)
	if err != nil {
		tb.Fatal(err)
	}
	id := func(name, doc string) []Source {
		return []Source{{Layer: LayerIdentity, Name: name, Policy: mustParse(tb, doc, Identity)}}
	}
	return &scenario{
		bucketPolicy: Source{Layer: LayerResource, Name: "bucket policy of devtools-artifacts",
			Policy: bp},
		publisher: id("user ci-publisher policy publish", publisherPolicy),
		delegate:  id("user prd-delegate policy read-artifacts", delegatePolicy),
		intruder:  id("user intruder policy everything", intruderPolicy),
	}
}

// caller is one principal of the scenario with its identity policies.
type caller struct {
	name      string
	principal Principal
	identity  []Source
}

func (s *scenario) callers() []caller {
	return []caller{
		{"publisher", user(devtools, "ci-publisher", org), s.publisher},
		{"delegate", user(prd, "prd-delegate", org), s.delegate},
		{"intruder", user(partner, "intruder", ""), s.intruder},
		{"anonymous", anonymous(), nil},
		{"devtools root", root(devtools), nil},
	}
}

func (s *scenario) caller(name string) caller {
	for _, c := range s.callers() {
		if c.name == name {
			return c
		}
	}
	panic("no caller " + name)
}

func (s *scenario) input(c caller, action, resource string, context Context) Input {
	return Input{
		Request: Request{Action: action, Resource: resource, ResourceAccount: devtools,
			Principal: c.principal, Context: context},
		Identity: c.identity,
		Resource: &s.bucketPolicy,
	}
}

func sse() Context { return ctx("s3:x-amz-server-side-encryption", "AES256") }

func TestScenario(t *testing.T) {
	s := newScenario(t)
	tests := []struct {
		name     string
		caller   string
		action   string
		resource string
		context  Context
		want     Effect
		sids     []string // Sids of Decision.Matched, in order
		reason   string   // a substring of Decision.Reason
	}{
		{"publisher puts with SSE", "publisher", "s3:PutObject", object, sse(), Allow,
			[]string{"Publish"}, `identity-based policy "user ci-publisher policy publish"`},
		{"publisher puts without SSE", "publisher", "s3:PutObject", object, nil, ExplicitDeny,
			[]string{"Publish", "DenyUnEncryptedObjectUploads"}, `"DenyUnEncryptedObjectUploads"`},
		{"publisher puts with empty SSE header", "publisher", "s3:PutObject", object,
			ctx("s3:x-amz-server-side-encryption", ""), Allow, []string{"Publish"}, "allowed by"},
		{"publisher gets", "publisher", "s3:GetObject", object, nil, Allow,
			[]string{"Publish", "Allow list access from the org"}, `statement "Publish"`},
		{"publisher deletes bucket", "publisher", "s3:DeleteBucket", bucket, nil, ExplicitDeny,
			[]string{"Publish", "DenyBucketDeletion"}, `statement "DenyBucketDeletion"`},
		{"delegate deletes bucket", "delegate", "s3:DeleteBucket", bucket, nil, ExplicitDeny,
			[]string{"DenyBucketDeletion"}, `statement "DenyBucketDeletion"`},
		{"intruder deletes bucket", "intruder", "s3:DeleteBucket", bucket, nil, ExplicitDeny,
			[]string{"Everything", "DenyBucketDeletion"}, `statement "DenyBucketDeletion"`},
		{"anonymous deletes bucket", "anonymous", "s3:DeleteBucket", bucket, nil, ExplicitDeny,
			[]string{"DenyBucketDeletion"}, `statement "DenyBucketDeletion"`},
		{"root deletes bucket", "devtools root", "s3:DeleteBucket", bucket, nil, ExplicitDeny,
			[]string{"DenyBucketDeletion"}, `statement "DenyBucketDeletion"`},
		{"delegate gets", "delegate", "s3:GetObject", object, nil, Allow,
			[]string{"ReadArtifacts", "Allow list access from the org"}, "(cross-account)"},
		{"delegate lists", "delegate", "s3:ListBucket", bucket, ctx("s3:prefix", "builds/"), Allow,
			[]string{"ReadArtifacts", "Allow list access from the org"}, "(cross-account)"},
		{"delegate gets a version", "delegate", "s3:GetObjectVersion", object, nil, ImplicitDeny,
			[]string{"Allow list access from the org"}, "no identity-based policy allows"},
		{"delegate puts with SSE", "delegate", "s3:PutObject", object, sse(), ImplicitDeny,
			nil, "neither an identity-based nor a resource-based policy"},
		{"delegate puts without SSE", "delegate", "s3:PutObject", object, nil, ExplicitDeny,
			[]string{"DenyUnEncryptedObjectUploads"}, "explicit deny in resource-based policy"},
		{"intruder gets", "intruder", "s3:GetObject", object, nil, ImplicitDeny,
			[]string{"Everything"}, "no resource-based policy allows s3:GetObject"},
		{"intruder lists", "intruder", "s3:ListBucket", bucket, nil, ImplicitDeny,
			[]string{"Everything"}, "both sides must allow"},
		{"intruder puts with SSE", "intruder", "s3:PutObject", object, sse(), ImplicitDeny,
			[]string{"Everything"}, "no resource-based policy allows"},
		{"intruder puts without SSE", "intruder", "s3:PutObject", object, nil, ExplicitDeny,
			[]string{"Everything", "DenyUnEncryptedObjectUploads"}, "explicit deny"},
		{"anonymous gets", "anonymous", "s3:GetObject", object, nil, ImplicitDeny,
			nil, "no resource-based policy allows anonymous s3:GetObject"},
		{"anonymous lists", "anonymous", "s3:ListBucket", bucket, nil, ImplicitDeny,
			nil, "anonymous"},
		{"anonymous puts with SSE", "anonymous", "s3:PutObject", object, sse(), ImplicitDeny,
			nil, "anonymous"},
		{"root puts with SSE", "devtools root", "s3:PutObject", object, sse(), Allow,
			nil, "root user of account 111111111111"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Evaluate(s.input(s.caller(tt.caller), tt.action, tt.resource, tt.context))
			if d.Effect != tt.want {
				t.Errorf("Effect = %v, want %v (reason: %s)", d.Effect, tt.want, d.Reason())
			}
			var sids []string
			in := s.input(s.caller(tt.caller), tt.action, tt.resource, tt.context)
			for _, m := range Explain(in).Applied() {
				sids = append(sids, m.Sid)
			}
			slices.Sort(sids)
			slices.Sort(tt.sids)
			if !slices.Equal(sids, tt.sids) {
				t.Errorf("Matched Sids = %q, want %q", sids, tt.sids)
			}
			if !strings.Contains(d.Reason(), tt.reason) {
				t.Errorf("Reason = %q, want it to contain %q", d.Reason(), tt.reason)
			}
		})
	}
}

func TestScenarioMatchDetails(t *testing.T) {
	s := newScenario(t)
	in := s.input(s.caller("publisher"), "s3:PutObject", object, nil)
	d := Evaluate(in)
	want := []Match{
		{Layer: LayerResource, Source: "bucket policy of devtools-artifacts",
			Sid: "DenyUnEncryptedObjectUploads", Index: 0, Effect: "Deny"},
		{Layer: LayerIdentity, Source: "user ci-publisher policy publish", Sid: "Publish", Index: 0,
			Effect: "Allow"},
	}
	if got := Explain(in).Applied(); !slices.Equal(got, want) {
		t.Errorf("Applied = %+v, want %+v", got, want)
	}
	wantReason := `explicit deny in resource-based policy "bucket policy of devtools-artifacts"` +
		` statement "DenyUnEncryptedObjectUploads"`
	if d.Reason() != wantReason {
		t.Errorf("Reason = %q, want %q", d.Reason(), wantReason)
	}
}
