package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The IAM management API with the aws CLI: the prd account's root user builds a reader
// (user, group, managed policy, access key) through `aws iam`, and that reader then reads
// the devtools bucket exactly as the delegate declared in the organization file does.

const (
	apiProfile = "api-reader"
	readCharts = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["s3:ListBucket","s3:GetObject"],"Resource":["arn:aws:s3:::` + bucket +
		`","arn:aws:s3:::` + bucket + `/*"]}]}`
	readChartsARN = "arn:aws:iam::222222222222:policy/charts/read-charts"
)

// addProfile writes a profile named name with the key into the CLI's files.
func (c *cli) addProfile(t *testing.T, name, id, secret string) {
	t.Helper()
	files := map[string]string{
		"AWS_SHARED_CREDENTIALS_FILE=": "\n[" + name + "]\naws_access_key_id = " + id +
			"\naws_secret_access_key = " + secret + "\n",
		"AWS_CONFIG_FILE=": "\n[profile " + name + "]\nregion = " + region + "\n",
	}
	for _, kv := range c.env {
		for prefix, text := range files {
			if path, ok := strings.CutPrefix(kv, prefix); ok {
				appendFile(t, path, text)
			}
		}
	}
}

func appendFile(t *testing.T, path, text string) {
	t.Helper()
	f, err := os.OpenFile(filepath.Clean(path), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(text); err != nil {
		t.Fatal(err)
	}
}

// iamSetupSteps build the reader as the prd account's root user.
func iamSetupSteps() []step {
	iam := func(args ...string) []string { return append([]string{"iam"}, args...) }
	return []step{
		{name: "create user", profile: "prd-root",
			args: iam("create-user", "--user-name", "reader", "--path", "/charts/")},
		{name: "create group", profile: "prd-root",
			args: iam("create-group", "--group-name", "chart-readers")},
		{name: "create policy", profile: "prd-root",
			args: iam("create-policy", "--policy-name", "read-charts", "--path", "/charts/",
				"--policy-document", readCharts)},
		{name: "attach to group", profile: "prd-root",
			args: iam("attach-group-policy", "--group-name", "chart-readers", "--policy-arn",
				readChartsARN)},
		{name: "add user to group", profile: "prd-root",
			args: iam("add-user-to-group", "--group-name", "chart-readers", "--user-name",
				"reader")},
		{name: "bad policy JSON", profile: "prd-root",
			args: iam("create-policy", "--policy-name", "broken", "--policy-document",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow"`),
			want: "MalformedPolicyDocument", status: 400},
		{name: "delegate has no iam permission", profile: "delegate",
			args: iam("create-user", "--user-name", "sneaky"), want: "AccessDenied",
			status: 403, check: mentions("iam:CreateUser")},
	}
}

// mentions checks that the CLI's error output names what.
func mentions(what string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		if !strings.Contains(r.stderr, what) {
			t.Fatalf("the error does not name %s:\n%v", what, r)
		}
	}
}

// TestIAMManagement runs the scenario against a trove process.
func TestIAMManagement(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	chart := filepath.Join(t.TempDir(), "hello.tgz")
	if err := os.WriteFile(chart, []byte("chart bytes"), 0o600); err != nil {
		t.Fatal(err)
	}
	sequence(t, c, "setup", append(iamSetupSteps(), step{name: "publish a chart",
		profile: "ci-publisher", args: []string{"s3", "cp", chart, chartsURL + "hello.tgz",
			"--sse", "AES256"}}))
	r := c.run(t, "prd-root", false, "iam", "create-access-key", "--user-name", "reader")
	if r.err != nil {
		t.Fatalf("create-access-key:\n%v", r)
	}
	var out struct {
		AccessKey struct{ AccessKeyId, SecretAccessKey string }
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("parse create-access-key's JSON: %v\n%v", err, r)
	}
	c.addProfile(t, apiProfile, out.AccessKey.AccessKeyId, out.AccessKey.SecretAccessKey)
	t.Run("reads like the declared delegate", func(t *testing.T) {
		declared := c.run(t, "delegate", false, "s3", "ls", chartsURL)
		viaAPI := c.run(t, apiProfile, false, "s3", "ls", chartsURL)
		if declared.err != nil || viaAPI.err != nil || declared.stdout != viaAPI.stdout ||
			!strings.Contains(viaAPI.stdout, "hello.tgz") {
			t.Fatalf("the API-made reader and the declared delegate differ:\n%v\n%v",
				declared, viaAPI)
		}
	})
	sequence(t, c, "changes take effect at once", []step{
		{name: "get the chart", profile: apiProfile,
			args: []string{"s3", "cp", chartsURL + "hello.tgz", "-"}},
		{name: "detach the policy", profile: "prd-root",
			args: []string{"iam", "detach-group-policy", "--group-name", "chart-readers",
				"--policy-arn", readChartsARN}},
		{name: "denied without it", profile: apiProfile, want: "AccessDenied", status: 403,
			args: []string{"s3api", "list-objects-v2", "--bucket", bucket}},
		{name: "deactivate the key", profile: "prd-root",
			args: []string{"iam", "update-access-key", "--user-name", "reader",
				"--access-key-id", out.AccessKey.AccessKeyId, "--status", "Inactive"}},
		{name: "inactive key fails authentication", profile: apiProfile,
			want: "InvalidAccessKeyId", status: 403,
			args: []string{"s3api", "list-objects-v2", "--bucket", bucket}},
	})
}

// sequence runs steps one after another as subtests of a subtest called name, stopping
// at the first failure, since each builds on the ones before.
func sequence(t *testing.T, c *cli, name string, steps []step) {
	t.Helper()
	ok := t.Run(name, func(t *testing.T) {
		for _, s := range steps {
			if !t.Run(s.name, func(t *testing.T) { s.run(t, c) }) {
				return
			}
		}
	})
	if !ok {
		t.FailNow()
	}
}
