package policy

import (
	"strings"
	"testing"
)

// TestTrust pins the rule for role trust policies (Input.Trust): in the
// role's own account too, the trust policy must allow the caller; naming
// the caller suffices within its boundary and session policies, naming its
// account needs an identity-based Allow as well, and an identity-based
// Allow alone never assumes a role.
func TestTrust(t *testing.T) {
	const role = "arn:aws:iam::222222222222:role/cd-agent"
	trustOf := func(principal string) string {
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` +
			principal + `"},"Action":"sts:AssumeRole","Resource":"*"}]}`
	}
	const assumeAny = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":"sts:AssumeRole","Resource":"*"}]}`
	const readOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
		"Action":"s3:GetObject","Resource":"*"}]}`
	deployer, other := user(prd, "deployer", org), user(prd, "other", org)
	tests := []struct {
		name     string
		caller   Principal
		trust    string
		identity string // "" for none
		boundary string // "" for none
		want     Effect
		reason   string
	}{
		{name: "trust names another user; identity allows anything", caller: deployer,
			trust: trustOf(other.ARN), identity: assumeAny, want: ImplicitDeny,
			reason: "the role's trust policy does not allow"},
		{name: "trust names another account", caller: deployer,
			trust: trustOf("arn:aws:iam::111111111111:root"), identity: assumeAny,
			want: ImplicitDeny, reason: "the role's trust policy does not allow"},
		{name: "trust names the caller; no identity policy", caller: deployer,
			trust: trustOf(deployer.ARN), want: Allow},
		{name: "trust names the caller; boundary does not allow", caller: deployer,
			trust: trustOf(deployer.ARN), boundary: readOnly, want: ImplicitDeny,
			reason: "permissions boundary"},
		{name: "trust names the account; identity allows", caller: deployer,
			trust: trustOf("arn:aws:iam::" + prd + ":root"), identity: assumeAny, want: Allow,
			reason: "which trusts the account"},
		{name: "trust names the account; no identity policy", caller: deployer,
			trust: trustOf("arn:aws:iam::" + prd + ":root"), want: ImplicitDeny,
			reason: "names only the account"},
		{name: "trust names the account; identity allows; boundary does not",
			caller: deployer, trust: trustOf("arn:aws:iam::" + prd + ":root"),
			identity: assumeAny, boundary: readOnly, want: ImplicitDeny,
			reason: "permissions boundary"},
		{name: "trust names the session's role", caller: session(prd, "builder", "s1"),
			trust: trustOf("arn:aws:iam::" + prd + ":role/builder"), want: Allow},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Trust: true, Request: Request{Principal: tc.caller,
				Action: "sts:AssumeRole", Resource: role, ResourceAccount: prd},
				Resource: &Source{Layer: LayerResource, Name: "trust policy",
					Policy: mustParse(t, tc.trust, Resource)}}
			if tc.identity != "" {
				in.Identity = []Source{{Layer: LayerIdentity, Name: "inline",
					Policy: mustParse(t, tc.identity, Identity)}}
			}
			if tc.boundary != "" {
				in.Boundary = &Source{Layer: LayerBoundary, Name: "boundary",
					Policy: mustParse(t, tc.boundary, Identity)}
			}
			d := Evaluate(in)
			if d.Effect != tc.want || !strings.Contains(d.Reason(), tc.reason) {
				t.Fatalf("%v: %s; want %v with %q", d.Effect, d.Reason(), tc.want, tc.reason)
			}
			in.Trust = false // the same input as any resource-based policy
			if tc.name == "trust names another user; identity allows anything" &&
				Evaluate(in).Effect != Allow {
				t.Fatal("without Trust an identity-based Allow suffices in the account")
			}
		})
	}
}
