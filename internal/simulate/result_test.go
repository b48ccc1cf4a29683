package simulate

import (
	"fmt"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

// orgInput is a user of 222222222222 reading a bucket of 111111111111, with
// an SCP on the user's OU that denies s3:PutObject, a permissions boundary
// and identity and bucket policies that allow reads and writes.
func orgInput(t *testing.T, action string) policy.Input {
	t.Helper()
	scp := mustParse(t, `{"Version":"2012-10-17","Statement":[{"Sid":"NoWrites",`+
		`"Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]}`, policy.ServiceControl)
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["s3:GetObject","s3:PutObject"],"Resource":"*"}]}`
	boundary := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:GetObject","Resource":"*"}]}`
	bucket := `{"Version":"2012-10-17","Statement":[{"Sid":"Org","Effect":"Allow",` +
		`"Principal":"*","Action":"s3:*","Resource":"*"}]}`
	full := policy.Source{Layer: policy.LayerSCP, Name: policy.FullAWSAccessName,
		Policy: policy.FullAWSAccess()}
	return policy.Input{
		Request: policy.Request{Action: action, Resource: "arn:aws:s3:::b/k",
			ResourceAccount: "111111111111", Principal: policy.Principal{
				Account: "222222222222", Type: policy.TypeUser, Username: "u",
				ARN: "arn:aws:iam::222222222222:user/u", OrgID: "o-aaaaaaaaaa"}},
		Identity: []policy.Source{{Layer: policy.LayerIdentity,
			Name: "inline policy rw of user u", Policy: mustParse(t, allow, policy.Identity)}},
		Boundary: &policy.Source{Layer: policy.LayerBoundary, Name: "managed policy " +
			"arn:aws:iam::222222222222:policy/read", Policy: mustParse(t, boundary,
			policy.Identity)},
		Resource: &policy.Source{Layer: policy.LayerResource, Name: "bucket policy of b",
			Policy: mustParse(t, bucket, policy.Resource)},
		SCPs: []policy.Level{
			{Name: "root r-aaaa", Policies: []policy.Source{full}},
			{Name: "OU ou-aaaa-11111111", Policies: []policy.Source{full,
				{Layer: policy.LayerSCP, Name: "no-writes", Policy: scp}}},
		},
	}
}

func TestOrganizationsHidden(t *testing.T) {
	tests := []struct {
		name, action string
		hide         bool
		wantDecision string
		wantOrgs     bool
		wantBoundary bool
		wantReason   string
		wantMatch    string // PolicyID of the first match
		wantText     []string
		avoidText    []string
	}{
		{name: "scp deny shown", action: "s3:PutObject", wantDecision: ExplicitDeny,
			wantReason: `service control policy "no-writes" attached to OU ` +
				`ou-aaaa-11111111 statement "NoWrites"`, wantMatch: "no-writes",
			wantText: []string{`statement "NoWrites" (Deny): applies`}},
		{name: "scp deny hidden", action: "s3:PutObject", hide: true,
			wantDecision: ExplicitDeny, wantReason: "explicit deny in a service control policy",
			wantMatch: "service control policy", wantText: []string{orgHidden},
			avoidText: []string{"NoWrites", "no-writes", "ou-aaaa-11111111", "r-aaaa",
				"FullAWSAccess"}},
		{name: "read allowed, hidden", action: "s3:GetObject", hide: true,
			wantDecision: Allowed, wantOrgs: true, wantBoundary: true,
			wantReason: `identity-based policy "inline policy rw of user u"`,
			wantMatch:  "rw", wantText: []string{orgHidden},
			avoidText: []string{"no-writes", "ou-aaaa-11111111", "r-aaaa", "FullAWSAccess"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newResult(orgInput(t, tc.action), tc.hide, "")
			if r.Decision != tc.wantDecision || !strings.Contains(r.Reason, tc.wantReason) {
				t.Fatalf("%s: %s, want %s: ...%s...", r.Decision, r.Reason, tc.wantDecision,
					tc.wantReason)
			}
			if r.OrganizationsAllow == nil || *r.OrganizationsAllow != tc.wantOrgs {
				t.Errorf("AllowedByOrganizations %v, want %v", r.OrganizationsAllow,
					tc.wantOrgs)
			}
			b := r.BoundaryAllows
			if b == nil || *b != tc.wantBoundary {
				t.Errorf("AllowedByPermissionsBoundary %v, want %v", b, tc.wantBoundary)
			}
			if len(r.Matched) == 0 || r.Matched[0].PolicyID != tc.wantMatch {
				t.Errorf("matched %+v, want %s first", r.Matched, tc.wantMatch)
			}
			for _, s := range tc.wantText {
				if !strings.Contains(r.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, r.Text)
				}
			}
			report := fmt.Sprintf("%+v", r)
			for _, s := range tc.avoidText {
				if strings.Contains(report, s) {
					t.Errorf("result shows %q:\n%s", s, report)
				}
			}
		})
	}
}

func TestSourceID(t *testing.T) {
	tests := []struct {
		layer         policy.Layer
		name, id, typ string
	}{
		{policy.LayerIdentity, "inline policy p1 of user alice", "p1", "user"},
		{policy.LayerIdentity, "inline policy p2 of group devs", "p2", "group"},
		{policy.LayerIdentity, "managed policy arn:aws:iam::111111111111:policy/team/Read",
			"Read", "user-managed"},
		{policy.LayerIdentity, "managed policy arn:aws:iam::aws:policy/ReadOnlyAccess " +
			"via group devs", "ReadOnlyAccess", "aws-managed"},
		{policy.LayerIdentity, "PolicyInputList.1", "PolicyInputList.1", "none"},
		{policy.LayerResource, "bucket policy of b", "bucket policy of b", "resource"},
		{policy.LayerSCP, "FullAWSAccess", "FullAWSAccess", "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id, typ := sourceID(&policy.Source{Layer: tc.layer, Name: tc.name})
			if id != tc.id || typ != tc.typ {
				t.Fatalf("%s, %s; want %s, %s", id, typ, tc.id, tc.typ)
			}
		})
	}
}

// TestOrganizationValuesWithheld: a near miss on a key that carries the
// organization's id or paths shows the request's value to the management
// account only.
func TestOrganizationValuesWithheld(t *testing.T) {
	in := orgInput(t, "s3:GetObject")
	in.Request.Principal.OrgPaths = []string{"o-aaaaaaaaaa/r-aaaa/ou-aaaa-11111111/"}
	in.Request.ResourceOrgPaths = []string{"o-aaaaaaaaaa/r-aaaa/ou-aaaa-22222222/"}
	in.Request.ResourceOrgID = "o-aaaaaaaaaa"
	in.Identity = append(in.Identity, policy.Source{Layer: policy.LayerIdentity,
		Name: "inline policy paths of user u", Policy: mustParse(t, `{"Version":`+
			`"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",`+
			`"Resource":"*","Condition":{"StringEquals":{"aws:principalorgpaths":"x",`+
			`"aws:ResourceOrgPaths":"y","aws:ResourceOrgID":"z","aws:ResourceAccount":`+
			`"000000000000"}}}]}`, policy.Identity)})
	shown := newResult(in, false, "")
	hidden := newResult(in, true, "")
	for _, v := range []string{"ou-aaaa-11111111", "ou-aaaa-22222222", "o-aaaaaaaaaa"} {
		if !strings.Contains(shown.Text, v) {
			t.Errorf("the management account's text lacks %s:\n%s", v, shown.Text)
		}
		if report := fmt.Sprintf("%+v", hidden); strings.Contains(report, v) {
			t.Errorf("hidden result shows %s:\n%s", v, report)
		}
	}
	for _, v := range []string{`["(withheld)"]`, `"111111111111"`} {
		if !strings.Contains(hidden.Text, v) {
			t.Errorf("hidden text lacks %s:\n%s", v, hidden.Text)
		}
	}
}
