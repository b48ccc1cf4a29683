package simulate

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

const exampleOrg = "../../examples/cross-account/organization.yaml"

// Principals and resources of the cross-account example.
const (
	delegate    = "arn:aws:iam::222222222222:user/delegate"
	publisher   = "arn:aws:iam::111111111111:user/ci-publisher"
	intruder    = "arn:aws:iam::333333333333:user/intruder"
	chartObject = "arn:aws:s3:::devtools-artifacts/charts/hello-0.1.0.tgz"
	chartBucket = "arn:aws:s3:::devtools-artifacts"
)

func loadExample(t *testing.T) *Scratch {
	t.Helper()
	s, err := LoadFile(context.Background(), exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func mustParse(t *testing.T, doc string, kind policy.Kind) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(doc), kind)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunExample(t *testing.T) {
	s := loadExample(t)
	sse := policy.Context{}
	sse.Set("s3:x-amz-server-side-encryption", "AES256")
	tests := []struct {
		name, principal, action, resource string
		ctx                               policy.Context
		account                           string // Request.ResourceAccount
		resourcePolicy                    string
		wantDecision, wantReason          string
		wantAccount                       string
		wantMatched                       []string // Sid or PolicyID of each match
		wantMissing                       []string
		wantDetails                       bool
	}{
		{name: "delegate reads a chart", principal: delegate, action: "s3:GetObject",
			resource: chartObject, wantDecision: Allowed, wantAccount: "111111111111",
			wantReason:  "(cross-account)",
			wantMatched: []string{"read-devtools-artifacts", "Allow list access from the org"},
			wantDetails: true},
		{name: "delegate upload without SSE", principal: delegate, action: "s3:PutObject",
			resource: chartObject, wantDecision: ExplicitDeny,
			wantReason:  `statement "DenyUnEncryptedObjectUploads"`,
			wantMatched: []string{"DenyUnEncryptedObjectUploads"}, wantDetails: true},
		{name: "delegate upload with SSE", principal: delegate, action: "s3:PutObject",
			resource: chartObject, ctx: sse, wantDecision: ImplicitDeny,
			wantReason:  "neither an identity-based nor a resource-based policy allows",
			wantMatched: []string{}, wantDetails: true},
		{name: "intruder outside the organization", principal: intruder,
			action: "s3:GetObject", resource: chartObject, wantDecision: ImplicitDeny,
			wantReason:  "no resource-based policy allows s3:GetObject",
			wantMatched: []string{}, wantMissing: []string{}, // derived, never missing
			wantDetails: true},
		{name: "publisher upload without SSE lacks the key the deny tests",
			principal: publisher, action: "s3:PutObject", resource: chartObject,
			wantDecision: ExplicitDeny, wantReason: "DenyUnEncryptedObjectUploads",
			wantMissing: []string{"s3:x-amz-server-side-encryption"}},
		{name: "publisher upload with SSE", principal: publisher, action: "s3:PutObject",
			resource: chartObject, ctx: sse, wantDecision: Allowed,
			wantReason: "allowed by identity-based policy", wantAccount: "111111111111",
			wantMatched: []string{"publish-artifacts"}},
		{name: "devtools root deletes the bucket", principal: "111111111111",
			action: "s3:DeleteBucket", resource: chartBucket, wantDecision: ExplicitDeny,
			wantMatched: []string{"DenyBucketDeletion"}, wantReason: "DenyBucketDeletion"},
		{name: "management root reads a chart", principal: "arn:aws:iam::999999999999:root",
			action: "s3:GetObject", resource: chartObject, wantDecision: Allowed,
			wantReason:  "for the root user of account 999999999999 (cross-account)",
			wantMatched: []string{"Allow list access from the org"}, wantDetails: true},
		{name: "unknown bucket is the principal's", principal: delegate,
			action: "s3:GetObject", resource: "arn:aws:s3:::elsewhere/x",
			wantDecision: ImplicitDeny, wantAccount: "222222222222", wantMatched: []string{},
			wantReason: "no identity-based or resource-based policy allows"},
		{name: "resource account given", principal: delegate, action: "s3:GetObject",
			resource: "arn:aws:s3:::devtools-artifacts/x", account: "222222222222",
			wantDecision: Allowed, wantAccount: "222222222222",
			wantMatched: []string{"read-devtools-artifacts"}},
		{name: "resource policy given", principal: intruder, action: "s3:GetObject",
			resource: chartObject, wantDecision: Allowed, wantDetails: true,
			resourcePolicy: `{"Version":"2012-10-17","Statement":[{"Sid":"Partner",` +
				`"Effect":"Allow","Principal":{"AWS":"333333333333"},"Action":"s3:GetObject",` +
				`"Resource":"*"}]}`,
			wantMatched: []string{"everything-in-s3", "Partner"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			c, err := s.Principal(ctx, tc.principal)
			if err != nil {
				t.Fatal(err)
			}
			req := Request{Actions: []string{tc.action}, Resources: []string{tc.resource},
				Context: tc.ctx, ResourceAccount: tc.account}
			if tc.resourcePolicy != "" {
				req.ResourcePolicy = &policy.Source{Layer: policy.LayerResource,
					Name:   "ResourcePolicy",
					Policy: mustParse(t, tc.resourcePolicy, policy.Resource)}
			}
			rs, err := s.Run(ctx, c, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 {
				t.Fatalf("%d results, want 1", len(rs))
			}
			checkResult(t, rs[0], tc.wantDecision, tc.wantReason, tc.wantAccount)
			if got := matchNames(rs[0].Matched); tc.wantMatched != nil &&
				!slices.Equal(got, tc.wantMatched) {
				t.Errorf("matched %q, want %q", got, tc.wantMatched)
			}
			if tc.wantMissing != nil && !slices.Equal(rs[0].MissingContext, tc.wantMissing) {
				t.Errorf("missing context %q, want %q", rs[0].MissingContext, tc.wantMissing)
			}
			if got := rs[0].Details != nil; got != tc.wantDetails {
				t.Errorf("cross-account details %v, want them: %v", rs[0].Details,
					tc.wantDetails)
			}
		})
	}
}

func checkResult(t *testing.T, r Result, decision, reason, account string) {
	t.Helper()
	if r.Decision != decision {
		t.Errorf("decision %s, want %s\n%s", r.Decision, decision, r.Text)
	}
	if !strings.Contains(r.Reason, reason) {
		t.Errorf("reason %q, want it to contain %q", r.Reason, reason)
	}
	if account != "" && r.ResourceAccount != account {
		t.Errorf("resource account %s, want %s", r.ResourceAccount, account)
	}
	if !strings.HasPrefix(r.Text, r.Reason) && !strings.Contains(r.Text, ": "+r.Reason+"\n") {
		t.Errorf("text does not carry the reason:\n%s", r.Text)
	}
}

// matchNames names each match by its Sid, or its policy when it has none.
func matchNames(ms []Match) []string {
	out := []string{}
	for _, m := range ms {
		if m.Sid != "" {
			out = append(out, m.Sid)
		} else {
			out = append(out, m.PolicyID)
		}
	}
	return out
}

func TestRunPairs(t *testing.T) {
	s := loadExample(t)
	ctx := context.Background()
	c, err := s.Principal(ctx, delegate)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := s.Run(ctx, c, Request{Actions: []string{"s3:GetObject", "s3:PutObject"},
		Resources: []string{chartObject, "arn:aws:s3:::devtools-artifacts/other"}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rs {
		got = append(got, r.Action+" "+r.Resource[len("arn:aws:s3:::"):]+" "+r.Decision)
	}
	want := []string{
		"s3:GetObject devtools-artifacts/charts/hello-0.1.0.tgz allowed",
		"s3:GetObject devtools-artifacts/other allowed",
		"s3:PutObject devtools-artifacts/charts/hello-0.1.0.tgz explicitDeny",
		"s3:PutObject devtools-artifacts/other explicitDeny",
	}
	if !slices.Equal(got, want) {
		t.Fatalf("results\n%q\nwant\n%q", got, want)
	}
	bad := []struct {
		name string
		req  Request
	}{
		{"no action", Request{}},
		{"action without a service", Request{Actions: []string{"GetObject"}}},
		{"action pattern", Request{Actions: []string{"s3:Get*"}}},
		{"derived key in context", Request{Actions: []string{"s3:GetObject"},
			Context: policy.Context{"aws:principalorgid": {"o-exampleorg"}}}},
		{"derived tag key in context", Request{Actions: []string{"s3:GetObject"},
			Context: policy.Context{"aws:PrincipalTag/team": {"a"}}}},
		{"resource not an ARN", Request{Actions: []string{"s3:GetObject"},
			Resources: []string{"notanarn"}}},
		{"ARN without a resource", Request{Actions: []string{"s3:GetObject"},
			Resources: []string{"arn:aws:s3:::"}}},
		{"empty resource", Request{Actions: []string{"s3:GetObject"},
			Resources: []string{""}}},
	}
	for _, b := range bad {
		if _, err := s.Run(ctx, c, b.req); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%s: %v, want ErrInvalidRequest", b.name, err)
		}
	}
}

func TestPrincipal(t *testing.T) {
	s := loadExample(t)
	tests := []struct {
		who     string
		wantARN string
		wantErr error
	}{
		{who: delegate, wantARN: delegate},
		{who: "222222222222", wantARN: "arn:aws:iam::222222222222:root"},
		{who: "arn:aws:iam::333333333333:root", wantARN: "arn:aws:iam::333333333333:root"},
		{who: "delegate", wantErr: ErrInvalidRequest},
		{who: "arn:aws:iam::222222222222:role/delegate", wantErr: ErrInvalidRequest},
		{who: "arn:aws:iam::22222222222:root", wantErr: ErrInvalidRequest},
		{who: "arn:aws:iam::222222222222:user/ghost", wantErr: ErrNoSuchPrincipal},
		{who: "arn:aws:iam::222222222222:user/ops/delegate", wantErr: ErrNoSuchPrincipal},
		{who: "444444444444", wantErr: ErrNoSuchPrincipal},
	}
	for _, tc := range tests {
		t.Run(tc.who, func(t *testing.T) {
			c, err := s.Principal(context.Background(), tc.who)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c.Principal.ARN != tc.wantARN {
				t.Fatalf("ARN %s, want %s", c.Principal.ARN, tc.wantARN)
			}
		})
	}
}

func TestStoredPolicyWithheld(t *testing.T) {
	s := loadExample(t)
	ctx := context.Background()
	c, err := s.Principal(ctx, delegate)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Actions: []string{"s3:GetObject"}, Resources: []string{chartObject},
		Stored: func(account string) bool { return account == "222222222222" }}
	rs, err := s.Run(ctx, c, req)
	if err != nil {
		t.Fatal(err)
	}
	r := rs[0]
	if r.Decision != ImplicitDeny || r.ResourceAccount != "111111111111" {
		t.Fatalf("%s in %s, want implicitDeny in 111111111111", r.Decision, r.ResourceAccount)
	}
	p := r.Policies[0]
	if p.Name != "bucket policy of devtools-artifacts" || p.Skipped != withheldWhy ||
		len(p.Statements) != 0 {
		t.Fatalf("first report %+v, want the withheld bucket policy", p)
	}
	if !strings.Contains(r.Text, "skipped, withheld") {
		t.Fatalf("text does not say the bucket policy was withheld:\n%s", r.Text)
	}
}

// TestEach pages through the pairs as the IAM API does: from an index, for
// as long as the caller wants.
func TestEach(t *testing.T) {
	s := loadExample(t)
	ctx := context.Background()
	c, err := s.Principal(ctx, delegate)
	if err != nil {
		t.Fatal(err)
	}
	req := Request{Actions: []string{"s3:GetObject", "s3:PutObject", "s3:DeleteObject"},
		Resources: []string{"arn:aws:s3:::devtools-artifacts/a",
			"arn:aws:s3:::devtools-artifacts/b"}}
	if req.Count() != 6 {
		t.Fatalf("count %d, want 6", req.Count())
	}
	tests := []struct {
		name      string
		start, n  int
		want      []string
		wantError bool
	}{
		{name: "first two", start: 0, n: 2, want: []string{"s3:GetObject a", "s3:GetObject b"}},
		{name: "from the middle", start: 3, n: 2,
			want: []string{"s3:PutObject b", "s3:DeleteObject a"}},
		{name: "past the end stops", start: 5, n: 4, want: []string{"s3:DeleteObject b"}},
		{name: "at the end", start: 6, n: 1},
		{name: "beyond the end", start: 7, n: 1, wantError: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			err := s.Each(ctx, c, req, tc.start, func(r Result) bool {
				got = append(got, r.Action+" "+r.Resource[len(r.Resource)-1:])
				return len(got) < tc.n
			})
			if tc.wantError != errors.Is(err, ErrInvalidRequest) ||
				(!tc.wantError && err != nil) {
				t.Fatalf("err = %v, want an ErrInvalidRequest: %v", err, tc.wantError)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("results %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheckResource(t *testing.T) {
	long := "arn:aws:s3:::b/" + strings.Repeat("k", MaxResourceLength)
	for _, r := range []string{"", "notanarn", "arn:aws:s3:::", "arn::s3:::b", "arn:aws::::b",
		"bucket/key", "arn:aws:s3::b", long} {
		if err := CheckResource(r); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("%.40q: %v, want ErrInvalidRequest", r, err)
		}
	}
	for _, r := range []string{"*", "arn:aws:s3:::b", "arn:aws:s3:::b/k,with,commas",
		"arn:aws:iam::111111111111:user/u"} {
		if err := CheckResource(r); err != nil {
			t.Errorf("%q: %v", r, err)
		}
	}
}
