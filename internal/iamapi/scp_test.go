package iamapi_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/iamapi"
	"github.com/troveproject/trove/internal/testutil"
)

// Keys of testdata/scp-org.yaml.
var (
	scpManagement = key{"AKIASIMTESTMANAGER01", "simtest/management-root/0000000000000000"}
	scpWorkload   = key{"AKIASIMTESTWORKLOAD1", "simtest/workload-root/00000000000000000000"}
	scpApp        = key{"AKIASIMTESTAPPUSER01", "simtest/app/0000000000000000000000000000"}
	scpAuditor    = key{"AKIASIMTESTAUDITOR01", "simtest/auditor/000000000000000000000000"}
)

const appARN = "arn:aws:iam::222222222222:user/app"

// newSCPServer serves testdata/scp-org.yaml until the test ends.
func newSCPServer(t *testing.T) *httptest.Server {
	return testutil.Start(t, "testdata/scp-org.yaml")
}

func TestOrganizationsAndBoundary(t *testing.T) {
	srv := newSCPServer(t)
	tests := []struct {
		name, action string
		caller       key
		decision     string
		orgs, bound  bool
		reason       string
		shows, hides string // in the explanation
	}{
		{name: "member sees an SCP deny, not its statement", caller: scpWorkload,
			action: "s3:DeleteObject", decision: "explicitDeny", bound: true,
			reason: "explicit deny in a service control policy", hides: "NoDeletes",
			shows: "statements are shown to the organization's management account only"},
		{name: "management sees the SCP statement", caller: scpManagement,
			action: "s3:DeleteObject", decision: "explicitDeny", bound: true,
			reason: `service control policy "no-deletes" attached to OU`,
			shows:  `statement "NoDeletes" (Deny): applies`},
		{name: "allowed within SCPs and boundary", caller: scpWorkload, action: "s3:GetObject",
			decision: "allowed", orgs: true, bound: true, reason: "allowed by identity-based"},
		{name: "boundary refuses", caller: scpApp, action: "s3:PutObject",
			decision: "implicitDeny", orgs: true, reason: "the permissions boundary does not"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := client(srv, tc.caller).SimulatePrincipalPolicy(context.Background(),
				iamapi.SimulateInput{PolicySourceArn: appARN, Actions: []string{tc.action},
					Resources: []string{"arn:aws:s3:::somewhere/k"}})
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			if r.Decision != tc.decision || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("%s: %s; want %s: ...%s...\n%s", r.Decision, r.Reason, tc.decision,
					tc.reason, r.Text)
			}
			if r.OrganizationsAllow == nil || *r.OrganizationsAllow != tc.orgs ||
				r.BoundaryAllows == nil || *r.BoundaryAllows != tc.bound {
				t.Errorf("organizations %v, boundary %v; want %v, %v", r.OrganizationsAllow,
					r.BoundaryAllows, tc.orgs, tc.bound)
			}
			if !strings.Contains(r.Text, tc.shows) ||
				(tc.hides != "" && strings.Contains(r.Text, tc.hides)) {
				t.Errorf("explanation shows %q and hides %q? \n%s", tc.shows, tc.hides, r.Text)
			}
		})
	}
}

// TestAuthorizationWithSCPs: a user allowed by its identity policy to simulate
// may, unless an SCP of its account denies it.
func TestAuthorizationWithSCPs(t *testing.T) {
	srv := newSCPServer(t)
	in := iamapi.SimulateInput{PolicySourceArn: appARN, Actions: []string{"s3:GetObject"}}
	if _, err := client(srv, scpApp).SimulatePrincipalPolicy(context.Background(),
		in); err != nil {
		t.Fatalf("app simulating itself: %v", err)
	}
	in.PolicySourceArn = "arn:aws:iam::444444444444:user/auditor"
	_, err := client(srv, scpAuditor).SimulatePrincipalPolicy(context.Background(), in)
	var e *iamapi.Error
	want := "User: arn:aws:iam::444444444444:user/auditor is not authorized to perform: " +
		"iam:SimulatePrincipalPolicy on resource: arn:aws:iam::444444444444:user/auditor " +
		"with an explicit deny in a service control policy"
	if !errors.As(err, &e) || e.Code != iamapi.AccessDenied || e.Message != want {
		t.Fatalf("auditor under a no-iam SCP: %v, want AccessDenied: %s", err, want)
	}
}

// Keys of testdata/scp-org.yaml's account outside the organization.
var scpOutsider = key{"AKIASIMTESTOUTSIDER1", "simtest/outsider-root/000000000000000000"}

// orgSecrets are what scp-org.yaml's organization is made of: OU ids, the
// root id, unit, account and policy names. Only the management account may
// see them in a simulation.
var orgSecrets = []string{"ou-", "r-sim1", "workloads", "(workload)", "(locked)",
	"no-deletes", "members-only", "MembersOnly", "FullAWSAccess", "o-simtest0001/"}

// TestOrganizationStructureHidden: a member account or an account outside
// the organization learns from a simulation only whether the organization's
// policies allowed, and which kind denied; not their names, the levels they
// are attached to, nor the paths of OUs, even for a ResourceOwner of its
// choosing.
func TestOrganizationStructureHidden(t *testing.T) {
	srv := newSCPServer(t)
	pathTest := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*",` +
		`"Resource":"*","Condition":{"StringLike":{"aws:ResourceOrgPaths":"x/*"}}}]}`
	tests := []struct {
		name     string
		caller   key
		in       iamapi.SimulateInput
		decision string
		reason   string
		shows    bool // the organization's structure
	}{
		{name: "member, SCP deny", caller: scpWorkload, decision: "explicitDeny",
			reason: "explicit deny in a service control policy",
			in: iamapi.SimulateInput{PolicySourceArn: appARN, Actions: []string{
				"s3:DeleteObject"}, Resources: []string{"arn:aws:s3:::somewhere/k"}}},
		{name: "member, another member's RCP path", caller: scpWorkload,
			decision: "implicitDeny", reason: "no resource-based policy allows",
			in: iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::222222222222:root",
				Actions: []string{"s3:PutObject"}, ResourceOwner: "444444444444",
				Resources: []string{"arn:aws:s3:::somewhere/k"}}},
		// Another account's RCPs are not applied for a caller outside the
		// management account: a decision that used them would reveal them.
		{name: "outsider, another account's RCPs left out", caller: scpOutsider,
			decision: "implicitDeny", reason: "no resource-based policy allows",
			in: iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::555555555555:root",
				Actions: []string{"s3:GetObject"}, ResourceOwner: "444444444444",
				Resources: []string{"arn:aws:s3:::somewhere/k"}}},
		{name: "outsider, member's RCP path", caller: scpOutsider, decision: "implicitDeny",
			reason: "no resource-based policy allows",
			in: iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::555555555555:root",
				Actions: []string{"s3:GetObject"}, ResourceOwner: "222222222222",
				Resources: []string{"arn:aws:s3:::somewhere/k"}}},
		{name: "management sees it all", caller: scpManagement, decision: "implicitDeny",
			reason: "no resource-based policy allows", shows: true,
			in: iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::999999999999:root",
				Actions: []string{"s3:GetObject"}, ResourceOwner: "444444444444",
				Resources: []string{"arn:aws:s3:::somewhere/k"},
				ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
					`"Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":` +
					`{"StringLike":{"aws:ResourceOrgPaths":"x/*"}}}]}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := client(srv, tc.caller).SimulatePrincipalPolicy(context.Background(),
				tc.in)
			if err != nil {
				t.Fatal(err)
			}
			r := rs[0]
			if r.Decision != tc.decision || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("%s: %s; want %s: ...%s...\n%s", r.Decision, r.Reason, tc.decision,
					tc.reason, r.Text)
			}
			all := fmt.Sprintf("%+v", r)
			secrets := orgSecrets
			if tc.shows { // those of the path of account 444444444444
				secrets = []string{"ou-", "r-sim1", "(locked)", "members-only", "MembersOnly",
					"o-simtest0001/"}
			}
			for _, secret := range secrets {
				if strings.Contains(all, secret) != tc.shows {
					t.Errorf("shows %q: %v, want %v:\n%s", secret, !tc.shows, tc.shows, all)
				}
			}
		})
	}
	// Another account's aws:ResourceOrgPaths is not in a member's simulation.
	f := form("Action", "SimulateCustomPolicy", "PolicyInputList.member.1", pathTest,
		"ActionNames.member.1", "s3:GetObject", "ResourceArns.member.1",
		"arn:aws:s3:::somewhere/k", "ResourceOwner", "444444444444")
	status, body := post(t, srv, &scpWorkload, f)
	if status != 200 || bytes.Contains(body, []byte("ou-")) ||
		!bytes.Contains(body, []byte("the request has no aws:ResourceOrgPaths")) {
		t.Fatalf("status %d, want the path left out:\n%s", status, body)
	}
}

// TestManagementReach: the management account simulates the principals of
// its organization's accounts, and is refused the others' as any caller
// is, before trove says whether they exist; their bucket policies are
// withheld from it.
func TestManagementReach(t *testing.T) {
	srv := newSCPServer(t)
	refused := []struct{ name, action, arn string }{
		{"outside account's root", "SimulatePrincipalPolicy", "arn:aws:iam::555555555555:root"},
		{"no such user outside", "SimulatePrincipalPolicy",
			"arn:aws:iam::555555555555:user/ghost"},
		{"no such account", "SimulatePrincipalPolicy", "arn:aws:iam::666666666666:user/x"},
		{"custom policy for an outside caller", "SimulateCustomPolicy",
			"arn:aws:iam::555555555555:user/ghost"},
	}
	for _, tc := range refused {
		t.Run(tc.name, func(t *testing.T) {
			f := form("Action", tc.action, "PolicySourceArn", tc.arn, "ActionNames.member.1",
				"s3:GetObject")
			if tc.action == "SimulateCustomPolicy" {
				f = form("Action", tc.action, "CallerArn", tc.arn, "ActionNames.member.1",
					"s3:GetObject", "PolicyInputList.member.1", allowGet)
			}
			status, body := post(t, srv, &scpManagement, f)
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil || status != 403 ||
				doc.Error.Code != "AccessDenied" ||
				!strings.Contains(doc.Error.Message, "of the organization's member accounts") {
				t.Fatalf("status %d %+v, want AccessDenied", status, doc.Error)
			}
		})
	}
	rs, err := client(srv, scpManagement).SimulatePrincipalPolicy(context.Background(),
		iamapi.SimulateInput{PolicySourceArn: appARN, Actions: []string{"s3:GetObject"}})
	if err != nil || rs[0].Decision != "allowed" {
		t.Fatalf("a member's user: %v, %v", rs, err)
	}
	rs, err = client(srv, scpManagement).SimulatePrincipalPolicy(context.Background(),
		iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::999999999999:root",
			Actions: []string{"s3:GetObject"}, Resources: []string{
				"arn:aws:s3:::outsider-bucket/k"}})
	if err != nil || !skipped(rs[0], "withheld") ||
		strings.Contains(rs[0].Text, "OutsiderSecret") {
		t.Fatalf("the outsider's bucket policy is not withheld: %v\n%v", err, rs)
	}
}
