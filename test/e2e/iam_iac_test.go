package e2e

import (
	"encoding/json"
	"slices"
	"testing"
)

// Managed policy versions and the reads of infrastructure-as-code tools, with the aws CLI:
// a new default version narrows a user's access at its next request, the old default
// restores it, and the reads of what trove does not model answer as docs/iam-api.md says.

const (
	listerARN = "arn:aws:iam::222222222222:policy/ci/lister"
	// listerBoth allows ListUsers and ListRoles, listerRoles ListRoles alone.
	listerBoth = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["iam:ListUsers","iam:ListRoles"],"Resource":"*"}]}`
	listerRoles = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"iam:ListRoles","Resource":"*"}]}`
	agentTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` +
		`{"AWS":"arn:aws:iam::222222222222:user/delegate"},"Action":"sts:AssumeRole"}]}`
)

// iamArgs are the arguments of an `aws iam` call.
func iamArgs(args ...string) []string { return append([]string{"iam"}, args...) }

// versionsAre checks list-policy-versions' output: the ids in order, the default
// marked with a star.
func versionsAre(want ...string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var out struct {
			Versions []struct {
				VersionId        string
				IsDefaultVersion bool
			}
		}
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("parse list-policy-versions: %v\n%v", err, r)
		}
		var got []string
		for _, v := range out.Versions {
			if v.IsDefaultVersion {
				v.VersionId += "*"
			}
			got = append(got, v.VersionId)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("versions %v, want %v\n%v", got, want, r)
		}
	}
}

// emptyList checks that the call printed the list field empty.
func emptyList(field string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var out map[string]json.RawMessage
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("parse the output: %v\n%v", err, r)
		}
		if string(out[field]) != "[]" {
			t.Fatalf("%s is %s, want []\n%v", field, out[field], r)
		}
	}
}

// policyVersionSteps change the default version of a policy attached to the delegate.
func policyVersionSteps() []step {
	return []step{
		{name: "create policy", profile: "prd-root",
			args: iamArgs("create-policy", "--policy-name", "lister", "--path", "/ci/",
				"--policy-document", listerBoth)},
		{name: "attach to the delegate", profile: "prd-root",
			args: iamArgs("attach-user-policy", "--user-name", "delegate", "--policy-arn",
				listerARN)},
		{name: "allowed by v1", profile: "delegate", args: iamArgs("list-users")},
		{name: "narrowing default version", profile: "prd-root",
			args: iamArgs("create-policy-version", "--policy-arn", listerARN,
				"--policy-document", listerRoles, "--set-as-default")},
		{name: "denied by v2", profile: "delegate", args: iamArgs("list-users"),
			want: "AccessDenied", status: 403, check: mentions("iam:ListUsers")},
		{name: "v2 still allows ListRoles", profile: "delegate", args: iamArgs("list-roles")},
		{name: "back to v1", profile: "prd-root",
			args: iamArgs("set-default-policy-version", "--policy-arn", listerARN,
				"--version-id", "v1")},
		{name: "allowed by v1 again", profile: "delegate", args: iamArgs("list-users")},
		{name: "list versions", profile: "prd-root",
			args:  iamArgs("list-policy-versions", "--policy-arn", listerARN),
			check: versionsAre("v2", "v1*")},
		{name: "delete the default version", profile: "prd-root",
			args: iamArgs("delete-policy-version", "--policy-arn", listerARN,
				"--version-id", "v1"),
			want: "DeleteConflict", status: 409},
		{name: "delete the other version", profile: "prd-root",
			args: iamArgs("delete-policy-version", "--policy-arn", listerARN,
				"--version-id", "v2")},
	}
}

// absentSteps are the reads of what trove does not model.
func absentSteps() []step {
	return []step{
		{name: "create role", profile: "prd-root",
			args: iamArgs("create-role", "--role-name", "agent",
				"--assume-role-policy-document", agentTrust)},
		{name: "list instance profiles for role", profile: "prd-root",
			args:  iamArgs("list-instance-profiles-for-role", "--role-name", "agent"),
			check: emptyList("InstanceProfiles")},
		{name: "list instance profiles for a missing role", profile: "prd-root",
			args: iamArgs("list-instance-profiles-for-role", "--role-name", "nobody"),
			want: "NoSuchEntity", status: 404, check: mentions("nobody")},
		{name: "get login profile", profile: "prd-root",
			args: iamArgs("get-login-profile", "--user-name", "delegate"),
			want: "NoSuchEntity", status: 404,
			check: mentions("Login Profile for User delegate cannot be found.")},
		{name: "list MFA devices", profile: "prd-root",
			args:  iamArgs("list-mfa-devices", "--user-name", "delegate"),
			check: emptyList("MFADevices")},
	}
}

// TestIAMPolicyVersionsCLI runs both sequences against a trove process.
func TestIAMPolicyVersionsCLI(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	sequence(t, c, "policy versions", policyVersionSteps())
	sequence(t, c, "what trove does not model", absentSteps())
}
