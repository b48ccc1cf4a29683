package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	stdlog "log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

const (
	exampleDir  = "../../examples/cross-account"
	delegateARN = "arn:aws:iam::222222222222:user/delegate"
	chartObject = "arn:aws:s3:::devtools-artifacts/charts/hello-0.1.0.tgz"
)

var exampleOrg = filepath.Join(exampleDir, "organization.yaml")

// run executes trove with args and returns the exit code and both streams.
func run(args ...string) (int, string, string) {
	var out, errs bytes.Buffer
	code := Execute(context.Background(), args, Streams{Out: &out, Err: &errs})
	return code, out.String(), errs.String()
}

// offline is `trove policy simulate --org <example>` and args.
func offline(args ...string) []string {
	return append([]string{"policy", "simulate", "--org", exampleOrg}, args...)
}

func TestSimulateOffline(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string // in stdout, in order
		wantErr  string   // in stderr
	}{
		{name: "delegate reads a chart", wantOut: []string{
			"s3:GetObject on " + chartObject + " by " + delegateARN +
				" (resource account 111111111111)",
			`allowed: allowed by identity-based policy "inline policy read-devtools-artifacts ` +
				`of user delegate" statement 0 and resource-based policy "bucket policy of ` +
				`devtools-artifacts" statement "Allow list access from the org" (cross-account)`,
			`statement "Allow list access from the org" (Allow): applies, naming everyone`},
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource", chartObject}},
		{name: "delegate upload is denied with the reason", wantOut: []string{
			`explicitly denied: explicit deny in resource-based policy "bucket policy of ` +
				`devtools-artifacts" statement "DenyUnEncryptedObjectUploads"`},
			args: []string{"--principal", delegateARN, "--action", "s3:PutObject",
				"--resource", chartObject}},
		{name: "intruder is denied", wantOut: []string{
			"implicitly denied: no resource-based policy allows s3:GetObject",
			`"Allow list access from the org" (Allow): does not apply: condition ` +
				`StringEquals on aws:PrincipalOrgID: the request has no aws:PrincipalOrgID`},
			args: []string{"--principal", "arn:aws:iam::333333333333:user/intruder",
				"--action", "s3:GetObject", "--resource", chartObject}},
		{name: "publisher upload without SSE", wantOut: []string{"explicitly denied"},
			args: []string{"--principal", "arn:aws:iam::111111111111:user/ci-publisher",
				"--action", "s3:PutObject", "--resource", chartObject}},
		{name: "context changes the decision", wantOut: []string{"allowed: allowed by " +
			`identity-based policy "inline policy publish-artifacts of user ci-publisher"`},
			args: []string{"--principal", "arn:aws:iam::111111111111:user/ci-publisher",
				"--action", "s3:PutObject", "--resource", chartObject,
				"--context", "s3:x-amz-server-side-encryption=AES256"}},
		{name: "empty context value is present", wantOut: []string{
			`condition Null on s3:x-amz-server-side-encryption: the request's value []`},
			args: []string{"--principal", delegateARN, "--action", "s3:PutObject",
				"--resource", chartObject, "--context", "s3:x-amz-server-side-encryption="}},
		{name: "each action on each resource", wantOut: []string{
			"s3:GetObject on arn:aws:s3:::devtools-artifacts/a by", "allowed",
			"s3:GetObject on arn:aws:s3:::devtools-artifacts/b by", "allowed",
			"s3:PutObject on arn:aws:s3:::devtools-artifacts/a by", "explicitly denied",
			"s3:PutObject on arn:aws:s3:::devtools-artifacts/b by", "explicitly denied"},
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject,s3:PutObject",
				"--resource", "arn:aws:s3:::devtools-artifacts/a",
				"--resource", "arn:aws:s3:::devtools-artifacts/b"}},
		{name: "account id principal", wantOut: []string{"by arn:aws:iam::111111111111:root",
			`explicit deny in resource-based policy "bucket policy of devtools-artifacts" ` +
				`statement "DenyBucketDeletion"`},
			args: []string{"--principal", "111111111111", "--action", "s3:DeleteBucket",
				"--resource", "arn:aws:s3:::devtools-artifacts"}},
		{name: "resource policy file", wantOut: []string{
			`allowed by identity-based policy "inline policy everything-in-s3 of user ` +
				`intruder" statement 0 and resource-based policy "testdata/partner-policy.json"`},
			args: []string{"--principal", "arn:aws:iam::333333333333:user/intruder",
				"--action", "s3:GetObject", "--resource", chartObject,
				"--resource-policy", "testdata/partner-policy.json"}},
		{name: "resource account", wantOut: []string{"(resource account 222222222222)",
			"allowed: allowed by identity-based policy"},
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource", chartObject, "--resource-account", "222222222222"}},
		{name: "expect allowed, met",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource", chartObject, "--expect", "allowed"}},
		{name: "expect allowed, not met", wantCode: 3,
			wantErr: "a decision differs from --expect (expected allowed): s3:PutObject on " +
				chartObject + " is explicitDeny",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject,s3:PutObject",
				"--resource", chartObject, "--expect", "allowed"}},
		{name: "expect denied, met", args: []string{"--principal", delegateARN,
			"--action", "s3:PutObject", "--resource", chartObject, "--expect", "denied"}},
		{name: "expect denied, not met", wantCode: 3, args: []string{"--principal", delegateARN,
			"--action", "s3:GetObject", "--resource", chartObject, "--expect", "denied"}},
		{name: "unknown S3 action warns", wantErr: "warning: s3:GetObjects is not an S3 action",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObjects",
				"--resource", chartObject}},
		{name: "unknown user", wantCode: 1, wantErr: "no such principal",
			args: []string{"--principal", "arn:aws:iam::222222222222:user/ghost",
				"--action", "s3:GetObject"}},
		{name: "missing resource policy file", wantCode: 1, wantErr: "--resource-policy",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource-policy", "testdata/nonexistent.json"}},
		{name: "a comma is part of the resource", wantOut: []string{
			"s3:GetObject on arn:aws:s3:::devtools-artifacts/a,b by", "allowed"},
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource", "arn:aws:s3:::devtools-artifacts/a,b", "--expect", "allowed"}},
		{name: "device as resource policy", wantCode: 1,
			wantErr: "--resource-policy: /dev/zero is not a regular file (a device)",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource-policy", "/dev/zero"}},
		{name: "directory as resource policy", wantCode: 1,
			wantErr: "--resource-policy: testdata is not a regular file (a directory)",
			args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
				"--resource-policy", "testdata"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(offline(tc.args...)...)
			if code != tc.wantCode || !strings.Contains(errs, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d and %q\n%s", code, errs, tc.wantCode,
					tc.wantErr, out)
			}
			rest := out
			for _, w := range tc.wantOut {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q after what came before:\n%s", w, out)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

// usageCase is a command line that must be a usage error.
type usageCase struct {
	name    string
	args    []string
	wantErr string
}

func TestSimulateUsage(t *testing.T) {
	p := []string{"--principal", delegateARN}
	tests := []usageCase{
		{"no source", []string{"policy", "simulate", "--principal", delegateARN,
			"--action", "s3:GetObject"}, "--org FILE"},
		{"both sources", offline(append(p, "--action", "s3:GetObject", "--endpoint",
			"http://127.0.0.1:9")...), "not both"},
		{"no principal", offline("--action", "s3:GetObject"), "--principal is required"},
		{"bad principal", offline("--principal", "delegate", "--action", "s3:GetObject"),
			`--principal: "delegate" is not an IAM user ARN`},
		{"no action", offline(p...), "--action is required"},
		{"bad context", offline(append(p, "--action", "s3:GetObject", "--context",
			"aws:SourceIp")...), `--context "aws:SourceIp"`},
		{"action without service", offline(append(p, "--action", "GetObject")...),
			`--action "GetObject": want an action name`},
		{"derived context key", offline(append(p, "--action", "s3:GetObject", "--context",
			"aws:PrincipalOrgID=o-exampleorg")...), "trove derives aws:PrincipalOrgID"},
		{"bad expect", offline(append(p, "--action", "s3:GetObject", "--expect", "yes")...),
			`--expect "yes"`},
		{"bad resource account", offline(append(p, "--action", "s3:GetObject",
			"--resource-account", "devtools")...), "--resource-account"},
		{"profile offline", offline(append(p, "--action", "s3:GetObject", "--profile",
			"x")...), "--profile"},
		{"unknown flag", offline(append(p, "--action", "s3:GetObject", "--bogus")...),
			"unknown flag: --bogus"},
		{"argument", offline(append(p, "--action", "s3:GetObject", "extra")...),
			`unexpected argument "extra"`},
	}
	a := append(p, "--action", "s3:GetObject")
	online := func(endpoint string, args ...string) []string {
		return append([]string{"policy", "simulate", "--endpoint", endpoint}, args...)
	}
	// Bad resources are usage errors offline and online alike, before any
	// request.
	for _, r := range []struct{ name, arn string }{{"not an ARN", "notanarn"},
		{"ARN without a resource", "arn:aws:s3:::"}, {"empty", ""},
		{"no service", "arn:aws::::b"}} {
		want := fmt.Sprintf("--resource: %q is not", r.arn)
		tests = append(tests,
			usageCase{"offline resource " + r.name,
				offline(append(a, "--resource", chartObject, "--resource", r.arn)...), want},
			usageCase{"online resource " + r.name,
				online("http://127.0.0.1:9", append(a, "--resource", r.arn)...), want})
	}
	for _, e := range []struct{ endpoint, want string }{
		{"127.0.0.1:9000", "want an http:// or https:// URL"},
		{"ftp://127.0.0.1:9000", "want an http:// or https:// URL"},
		{"http://", "names no host"},
		{"http://:9000", "names no host"},
		{"http://127.0.0.1:9000/iam", "without a path"},
		{"http://127.0.0.1:9000/?x=1", "without a path"},
		{"http://127.0.0.1:99999", "port 99999 is not 1-65535"},
		{"http://user:secret@127.0.0.1:9000", "credentials do not go in the URL"},
		{"http://127.0.0.1:9000 x", "--endpoint"},
		{"http://[::1", "--endpoint"},
	} {
		tests = append(tests, usageCase{"endpoint " + e.endpoint, online(e.endpoint, a...),
			e.want})
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errs := run(tc.args...)
			if code != 2 || !strings.Contains(errs, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want 2 and %q", code, errs, tc.wantErr)
			}
		})
	}
}

func TestSimulateEnvironment(t *testing.T) {
	t.Setenv("TROVE_ORG", exampleOrg)
	t.Setenv("TROVE_PRINCIPAL", delegateARN)
	t.Setenv("TROVE_EXPECT", "denied")
	code, out, errs := run("policy", "simulate", "--action", "s3:PutObject",
		"--resource", chartObject)
	if code != 0 || !strings.Contains(out, "explicitly denied") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	code, out, _ = run("policy", "simulate", "--help")
	for _, env := range []string{"TROVE_ORG", "TROVE_ENDPOINT", "TROVE_CONTEXT",
		"TROVE_EXPECT", "aws:CurrentTime"} {
		if code != 0 || !strings.Contains(out, env) {
			t.Errorf("help does not name %s", env)
		}
	}
}

// goldenCases are the --json outputs pinned under testdata/.
var goldenCases = []struct {
	name string
	args []string
}{
	{"simulate-delegate", []string{"--principal", delegateARN,
		"--action", "s3:GetObject,s3:PutObject", "--resource", chartObject,
		"--context", "s3:x-amz-server-side-encryption=AES256"}},
	{"simulate-intruder", []string{"--principal", "arn:aws:iam::333333333333:user/intruder",
		"--action", "s3:GetObject", "--resource", chartObject}},
}

func TestSimulateJSONGolden(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(offline(append(tc.args, "--json")...)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			testutil.Golden(t, filepath.Join("testdata", tc.name+".golden.json"), out, *update)
		})
	}
}

// startServer serves the example on 127.0.0.1 over plain HTTP, or TLS.
func startServer(t *testing.T, tls bool) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(testutil.Handler(testutil.Stores(t, exampleOrg)))
	srv.Config.ErrorLog = stdlog.New(io.Discard, "", 0) // refused handshakes are expected
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// useExampleProfiles points the AWS credential chain at the example's
// profiles and nothing else.
func useExampleProfiles(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(exampleDir, "aws-config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(exampleDir, "aws-credentials"))
	for _, v := range []string{"AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
		"AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(v, "")
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
}

// TestSimulateOnlineMatchesOffline asks a server, as the management
// account's root user, what the golden cases ask offline: the JSON must be
// the same. The intruder's account is outside the organization, out of the
// management account's reach.
func TestSimulateOnlineMatchesOffline(t *testing.T) {
	useExampleProfiles(t)
	srv := startServer(t, false)
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "simulate-intruder" {
				t.Skip("the intruder is outside the management account's reach")
			}
			args := append([]string{"policy", "simulate", "--endpoint", srv.URL,
				"--profile", "management-root", "--json"}, tc.args...)
			code, out, errs := run(args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			want, err := os.ReadFile(filepath.Join("testdata", tc.name+".golden.json"))
			if err != nil {
				t.Fatal(err)
			}
			if out != string(want) {
				t.Fatalf("online output differs from the offline golden file:\n%s", out)
			}
		})
	}
}

func TestSimulateOnline(t *testing.T) {
	useExampleProfiles(t)
	srv := startServer(t, false)
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{name: "own account", args: []string{"--profile", "prd-root",
			"--principal", delegateARN, "--action", "s3:GetObject", "--resource", chartObject,
			"--expect", "denied"},
			wantOut: `resource-based policy "bucket policy of devtools-artifacts": skipped, ` +
				"withheld"},
		{name: "context and expect", args: []string{"--profile", "devtools-root",
			"--principal", "arn:aws:iam::111111111111:user/ci-publisher",
			"--action", "s3:PutObject", "--resource", chartObject,
			"--context", "s3:x-amz-server-side-encryption=AES256", "--expect", "allowed"},
			wantOut: "allowed: allowed by identity-based policy"},
		{name: "expect not met", args: []string{"--profile", "devtools-root",
			"--principal", "arn:aws:iam::111111111111:user/ci-publisher",
			"--action", "s3:PutObject", "--resource", chartObject, "--expect", "allowed"},
			wantCode: 3, wantOut: "explicitly denied", wantErr: "is explicitDeny"},
		{name: "caller lacks permission", args: []string{"--profile", "intruder",
			"--principal", "arn:aws:iam::333333333333:user/intruder", "--action", "s3:GetObject"},
			wantCode: 1, wantErr: "AccessDenied: User: arn:aws:iam::333333333333:user/intruder " +
				"is not authorized to perform: iam:SimulatePrincipalPolicy"},
		{name: "other account", args: []string{"--profile", "devtools-root",
			"--principal", delegateARN, "--action", "s3:GetObject"},
			wantCode: 1, wantErr: "AccessDenied"},
		{name: "management, account outside the organization", args: []string{"--profile",
			"management-root", "--principal", "arn:aws:iam::333333333333:user/intruder",
			"--action", "s3:GetObject"}, wantCode: 1,
			wantErr: "of the organization's member accounts"},
		{name: "a comma is part of the resource", args: []string{"--profile", "prd-root",
			"--principal", delegateARN, "--action", "s3:GetObject",
			"--resource", "arn:aws:s3:::elsewhere/a,b", "--expect", "denied"},
			wantOut: "s3:GetObject on arn:aws:s3:::elsewhere/a,b by"},
		{name: "unknown profile", args: []string{"--profile", "nobody",
			"--principal", delegateARN, "--action", "s3:GetObject"},
			wantCode: 1, wantErr: "nobody"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"policy", "simulate", "--endpoint", srv.URL}, tc.args...)
			code, out, errs := run(args...)
			if code != tc.wantCode || !strings.Contains(out, tc.wantOut) ||
				!strings.Contains(errs, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q, stdout:\n%s\nwant %d, %q, %q", code, errs, out,
					tc.wantCode, tc.wantErr, tc.wantOut)
			}
		})
	}
}

// TestSimulateOnlineTLS trusts the test server's certificate through
// AWS_CA_BUNDLE, as the AWS tools do.
func TestSimulateOnlineTLS(t *testing.T) {
	useExampleProfiles(t)
	srv := startServer(t, true)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if err := os.WriteFile(bundle, cert, 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"policy", "simulate", "--endpoint", srv.URL, "--profile", "prd-root",
		"--principal", "222222222222", "--action", "s3:ListAllMyBuckets", "--expect", "allowed"}
	t.Setenv("AWS_CA_BUNDLE", bundle)
	if code, out, errs := run(args...); code != 0 || !strings.Contains(out, "allowed as the "+
		"root user of account 222222222222") {
		t.Fatalf("exit %d, stderr %q, stdout:\n%s", code, errs, out)
	}
	t.Setenv("AWS_CA_BUNDLE", "")
	if code, _, errs := run(args...); code != 1 || !strings.Contains(errs, "certificate") {
		t.Fatalf("without the bundle: exit %d, stderr %q; want a certificate error", code, errs)
	}
}

// TestSimulateOnlinePages: the client follows the server's pages, which a
// large resource policy makes many, to the last result.
func TestSimulateOnlinePages(t *testing.T) {
	useExampleProfiles(t)
	srv := startServer(t, false)
	const st = `{"Effect":"Deny","Principal":"*","Action":"x:Y","Resource":"*"},`
	doc := `{"Version":"2012-10-17","Statement":[` + strings.Repeat(st, 2000) +
		`{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"}]}`
	file := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(file, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"policy", "simulate", "--endpoint", srv.URL, "--profile", "prd-root",
		"--principal", delegateARN, "--action", "s3:GetObject", "--resource-policy", file,
		"--json"}
	for i := range 40 {
		args = append(args, "--resource", fmt.Sprintf("arn:aws:s3:::elsewhere/k%d", i))
	}
	code, out, errs := run(args...)
	var got struct {
		Results []struct{ Resource, Decision string }
	}
	if err := json.Unmarshal([]byte(out), &got); code != 0 || err != nil {
		t.Fatalf("exit %d, %v, stderr %q", code, err, errs)
	}
	if n := len(got.Results); n != 40 || got.Results[39].Resource !=
		"arn:aws:s3:::elsewhere/k39" || got.Results[39].Decision != "allowed" {
		t.Fatalf("%d results, the last %+v", n, got.Results[n-1])
	}
}
