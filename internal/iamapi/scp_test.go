package iamapi_test

import (
	"context"
	"errors"
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
	if !errors.As(err, &e) || e.Code != iamapi.AccessDenied {
		t.Fatalf("auditor under a no-iam SCP: %v, want AccessDenied", err)
	}
}
