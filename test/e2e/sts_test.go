package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// stsOrg is the organization the STS tests run: PRD's role delivery, which
// DevTools' bucket policy grants, and a partner outside the organization.
var stsOrg = filepath.Join(repoRoot, "internal", "sts", "testdata", "org.yaml")

const deliveryRole = "arn:aws:iam::222222222222:role/agents/delivery"

// sessionCreds is the Credentials object `aws sts assume-role` prints.
type sessionCreds struct {
	AccessKeyID     string `json:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string
}

// assumeRole runs `aws sts assume-role` as profile and returns the
// credentials, failing the test unless it succeeds.
func assumeRole(t *testing.T, c *cli, profile string, args ...string) sessionCreds {
	t.Helper()
	r := c.run(t, profile, false, append([]string{"sts", "assume-role",
		"--role-arn", deliveryRole, "--role-session-name", "cli-agent"}, args...)...)
	if r.err != nil {
		t.Fatalf("assume-role: %v", r)
	}
	var out struct{ Credentials sessionCreds }
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("assume-role printed %q: %v", r.stdout, err)
	}
	return out.Credentials
}

// as returns a CLI that signs with the session's credentials, given in the
// environment as AWS_SESSION_TOKEN and the rest.
func (c *cli) as(s sessionCreds) *cli {
	env := append(slices.Clone(c.env), "AWS_ACCESS_KEY_ID="+s.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY="+s.SecretAccessKey, "AWS_SESSION_TOKEN="+s.SessionToken)
	return &cli{bin: c.bin, endpoint: c.endpoint, env: env}
}

// TestSTSWithAWSCLI assumes PRD's delivery role with the aws CLI, then
// reads DevTools' chart through the bucket policy alone with the session.
func TestSTSWithAWSCLI(t *testing.T) {
	dir := t.TempDir()
	srv := startTrove(t, filepath.Join(dir, "data"), stsOrg)
	c := newCLI(t, stsOrg, srv.Endpoint)
	chart := filepath.Join(dir, "app.tgz")
	if err := os.WriteFile(chart, []byte("chart"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := c.run(t, "devtools-root", false, "s3api", "put-object", "--bucket", "devtools-charts",
		"--key", "charts/app-1.0.0.tgz", "--body", chart)
	if r.err != nil {
		t.Fatalf("upload: %v", r)
	}
	r = c.run(t, "deployer", false, "sts", "get-caller-identity")
	if !strings.Contains(r.stdout, `"arn:aws:iam::222222222222:user/deployer"`) {
		t.Errorf("deployer's identity: %v", r)
	}
	s := c.as(assumeRole(t, c, "deployer"))
	r = s.run(t, anonymousProfile, false, "sts", "get-caller-identity")
	if !strings.Contains(r.stdout,
		`"arn:aws:sts::222222222222:assumed-role/delivery/cli-agent"`) {
		t.Errorf("session's identity: %v", r)
	}
	r = s.run(t, anonymousProfile, false, "s3api", "get-object", "--bucket", "devtools-charts",
		"--key", "charts/app-1.0.0.tgz", filepath.Join(dir, "got.tgz"))
	if r.err != nil {
		t.Errorf("session pulls the chart: %v", r)
	}
	r = s.run(t, anonymousProfile, false, "s3api", "put-object", "--bucket", "prd-artifacts",
		"--key", "x", "--body", chart)
	if r.code != "AccessDenied" {
		t.Errorf("put under the workloads SCP: code %q, want AccessDenied: %v", r.code, r)
	}
}

// TestSTSExternalIDWithAWSCLI checks the partner's ExternalId, and a
// tampered session token, with the aws CLI.
func TestSTSExternalIDWithAWSCLI(t *testing.T) {
	dir := t.TempDir()
	srv := startTrove(t, filepath.Join(dir, "data"), stsOrg)
	c := newCLI(t, stsOrg, srv.Endpoint)
	for name, args := range map[string][]string{
		"wrong external id":   {"--external-id", "partner-ext-2"},
		"missing external id": nil,
	} {
		r := c.run(t, "partner-agent", false, append([]string{"sts", "assume-role",
			"--role-arn", deliveryRole, "--role-session-name", "partner"}, args...)...)
		if r.code != "AccessDenied" {
			t.Errorf("%s: code %q, want AccessDenied: %v", name, r.code, r)
		}
	}
	creds := assumeRole(t, c, "partner-agent", "--external-id", "partner-ext-1")
	tok := []byte(creds.SessionToken)
	tok[30] ^= 1
	creds.SessionToken = string(tok)
	r := c.as(creds).run(t, anonymousProfile, false, "s3api", "list-objects-v2",
		"--bucket", "devtools-charts")
	if r.code != "InvalidToken" {
		t.Errorf("tampered token: code %q, want InvalidToken: %v", r.code, r)
	}
}
