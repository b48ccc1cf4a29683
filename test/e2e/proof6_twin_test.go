package e2e

import (
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

// Two twin accounts in the workloads unit: twin-file, which the organization file
// declares (testdata/proof6/twin-file.yaml), and twin-api, which `aws organizations`
// and `aws iam` calls build from the same policy documents. The same table of requests
// must get the same decisions, with the same messages, from both: first on the live
// server, then on a fresh data directory loaded with `trove org export`'s output.

// twinFileAccount is the declared twin's account id.
const twinFileAccount = "444444444444"

// twin is one of the two accounts: its id, its bucket and the CLI profile of each of
// its principals with a key ("root", "reader" and "writer"); its role's sessions take
// their credentials from a service account token.
type twin struct {
	account  string
	drop     string
	profiles map[string]string
}

var twinFile = twin{account: twinFileAccount, drop: "twin-file-drop",
	profiles: map[string]string{"root": "twin-file-root", "reader": "reader", "writer": "writer"}}

// twinCall is one request of the table: who makes it ("root", "reader", "writer", or
// "role" for a session of the twin's deployer role, opened from the environment as a pod
// does), with which arguments (DROP stands for the twin's bucket, BODY for a small
// file), and what it must give: an error code or success, and for a success, when
// wantOut is set, that output once normalized.
type twinCall struct {
	name    string
	who     string
	args    []string
	want    string
	wantOut string
}

var twinCalls = []twinCall{
	{name: "reader's identity", who: "reader", wantOut: "arn:aws:iam::ACCOUNT:user/team/reader",
		args: []string{"sts", "get-caller-identity", "--query", "Arn", "--output", "text"}},
	{name: "reader lists the charts", who: "reader", wantOut: chartKey("0.1.0"),
		args: []string{"s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "charts/",
			"--query", "Contents[].Key", "--output", "text"}},
	{name: "reader reads a chart", who: "reader", args: []string{"s3api", "head-object",
		"--bucket", bucket, "--key", chartKey("0.1.0"), "--query", "ContentLength"}},
	{name: "reader may not publish", who: "reader", want: "AccessDenied",
		args: []string{"s3api", "put-object", "--bucket", bucket, "--key", "charts/x.tgz",
			"--body", "BODY", "--server-side-encryption", "AES256"}},
	{name: "writer writes its bucket", who: "writer", args: putArgs("ok.txt")},
	{name: "writer's tag lets it read", who: "writer", wantOut: "11",
		args: []string{"s3api", "head-object", "--bucket", "DROP", "--key", "ok.txt",
			"--query", "ContentLength"}},
	{name: "the SCP denies writer protected/", who: "writer", want: "AccessDenied",
		args: putArgs("protected/w.txt")},
	{name: "the boundary denies writer deletes", who: "writer", want: "AccessDenied",
		args: []string{"s3api", "delete-object", "--bucket", "DROP", "--key", "ok.txt"}},
	{name: "writer may not read the charts", who: "writer", want: "403",
		args: []string{"s3api", "head-object", "--bucket", bucket, "--key", chartKey("0.1.0")}},
	{name: "the SCP denies root protected/", who: "root", want: "AccessDenied",
		args: putArgs("protected/r.txt")},
	{name: "the role session's identity", who: "role",
		wantOut: "arn:aws:sts::ACCOUNT:assumed-role/deployer/" + twinSession,
		args:    []string{"sts", "get-caller-identity", "--query", "Arn", "--output", "text"}},
	{name: "the role session lists the charts", who: "role", wantOut: chartKey("0.1.0"),
		args: []string{"s3api", "list-objects-v2", "--bucket", bucket, "--prefix", "charts/",
			"--query", "Contents[].Key", "--output", "text"}},
	{name: "the role session writes its bucket", who: "role", args: putArgs("role.txt")},
	{name: "the role's tag lets its session read", who: "role", wantOut: "11",
		args: []string{"s3api", "head-object", "--bucket", "DROP", "--key", "role.txt",
			"--query", "ContentLength"}},
	{name: "the role's boundary denies deletes", who: "role", want: "AccessDenied",
		args: []string{"s3api", "delete-object", "--bucket", "DROP", "--key", "role.txt"}},
	{name: "root lists its bucket", who: "root", wantOut: "ok.txt\trole.txt",
		args: []string{"s3api", "list-objects-v2", "--bucket", "DROP", "--query",
			"Contents[].Key", "--output", "text"}},
}

// twinSession is the session name of the deployer role's sessions, which a service
// account token of deployer in namespace twin opens.
const twinSession = "twin-pod"

func putArgs(key string) []string {
	return []string{"s3api", "put-object", "--bucket", "DROP", "--key", key, "--body", "BODY"}
}

// outcome is what a call of the table gave, with the twin's account id and bucket
// replaced by ACCOUNT and DROP.
type outcome struct {
	code, stdout, message string
}

var errorLineRE = regexp.MustCompile(`An error occurred \([^)]*\) when calling .*`)

// runTable makes the table's calls as tw's principals, one after another, and returns
// their outcomes; a call that does not give what the table says fails t.
func runTable(t *testing.T, c *cli, tw twin, body, token string) []outcome {
	t.Helper()
	norm := strings.NewReplacer(tw.account, "ACCOUNT", tw.drop, "DROP")
	pod := c.asWebIdentity(t, "arn:aws:iam::"+tw.account+":role/ci/deployer", token,
		twinSession)
	var got []outcome
	for _, call := range twinCalls {
		args := make([]string, len(call.args))
		for i, a := range call.args {
			args[i] = strings.NewReplacer("DROP", tw.drop, "BODY", body).Replace(a)
		}
		var r result
		if call.who == "role" {
			r = pod.run(t, anonymousProfile, false, args...)
		} else {
			r = c.run(t, tw.profiles[call.who], false, args...)
		}
		o := outcome{code: r.code, stdout: norm.Replace(strings.TrimSpace(r.stdout)),
			message: norm.Replace(errorLineRE.FindString(r.stderr))}
		switch {
		case (r.err == nil) != (call.want == ""), r.code != call.want:
			t.Errorf("%s: want %q, got:\n%v", call.name, call.want, r)
		case call.wantOut != "" && o.stdout != call.wantOut:
			t.Errorf("%s: printed %q, want %q", call.name, o.stdout, call.wantOut)
		}
		got = append(got, o)
	}
	return got
}

// compareTwins runs the table for both twins at once, checks that every call gave the
// same outcome, and returns the outcomes; is signs the role sessions' service account
// token.
func compareTwins(t *testing.T, c *cli, is *oidcissuer.Issuer, name string,
	a, b twin) []outcome {
	t.Helper()
	body := filepath.Join(t.TempDir(), "body.txt")
	writeFile(t, body, "twin bytes\n")
	token := is.Token(oidcissuer.Claims{Namespace: "twin", ServiceAccount: "deployer"})
	var outA, outB []outcome
	t.Run(name, func(t *testing.T) {
		t.Run(a.drop, func(t *testing.T) {
			t.Parallel()
			outA = runTable(t, c, a, body, token)
		})
		t.Run(b.drop, func(t *testing.T) {
			t.Parallel()
			outB = runTable(t, c, b, body, token)
		})
	})
	if len(outA) != len(twinCalls) || len(outB) != len(twinCalls) {
		t.Fatalf("%s: the tables did not run", name)
	}
	for i, call := range twinCalls {
		if outA[i] != outB[i] {
			t.Errorf("%s: %s: %s got %+v, %s got %+v", name, call.name, a.drop, outA[i],
				b.drop, outB[i])
		}
	}
	return outA
}

// TestProof6APIEqualsFile: an account made with `aws organizations create-account` and
// moved into the workloads unit, given an SCP, and users, a group, a role trusting an
// OIDC provider, managed, inline and boundary policies and tags with `aws iam`, gets the
// same decisions and messages as its twin declared in the organization file; and so do
// both, with the same outcomes as before, once `trove org export`'s output is loaded
// into a fresh data directory.
func TestProof6APIEqualsFile(t *testing.T) {
	t.Parallel()
	is := oidcissuer.New(t)
	org := proof6Org(t, is)
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	srv := startTrove(t, data, org)
	c := newCLI(t, org, srv.Endpoint)
	publish(t, c, "0.1.0")
	var created struct {
		CreateAccountStatus struct {
			AccountID string `json:"AccountId"`
		}
	}
	orgCall(t, c, &created, "create-account", "--email", "twin-api@example.com",
		"--account-name", "twin-api")
	api := twin{account: created.CreateAccountStatus.AccountID, drop: "twin-api-drop",
		profiles: map[string]string{"root": "twin-api-root", "reader": "api-reader",
			"writer": "api-writer"}}
	srv.Stop(t)
	keyed := filepath.Join(dir, "with-key.yaml")
	writeFile(t, keyed, addTwinRootKey(t, exportOrg(t, data), api.account))
	srv = startTrove(t, data, keyed)
	wantApplied(t, srv, "created=1 updated=0 removed=0")
	c = c.withEndpoint(srv.Endpoint)
	c.addProfile(t, "twin-api-root", twinAPIRootKey.ID, twinAPIRootKey.Secret)
	buildAPITwin(t, c, is, api)
	live := compareTwins(t, c, is, "live", twinFile, api)

	exported := filepath.Join(dir, "exported.yaml")
	writeFile(t, exported, exportOrg(t, data))
	fresh := startTrove(t, filepath.Join(dir, "fresh"), exported)
	c = c.withEndpoint(fresh.Endpoint)
	publish(t, c, "0.1.0")
	reloaded := compareTwins(t, c, is, "exported and reloaded", twinFile, api)
	for i, call := range twinCalls {
		if live[i] != reloaded[i] {
			t.Errorf("%s: live %+v, after the export %+v", call.name, live[i], reloaded[i])
		}
	}
}

// twinAPIRootKey is the root key the test adds for twin-api to the export, since an
// account created through the API has no credentials.
var twinAPIRootKey = accessKey{ID: "AKIAPROOF6TWINAPIRT1",
	Secret: "proof6/twin-api-root/notARealSecret000000"}

// addTwinRootKey inserts twinAPIRootKey into the export's entry of account.
func addTwinRootKey(t *testing.T, exported, account string) string {
	t.Helper()
	entry := "  - id: \"" + account + "\"\n    name: twin-api\n"
	if !strings.Contains(exported, entry) {
		t.Fatalf("the export has no entry %q:\n%s", entry, exported)
	}
	keys := "    rootAccessKeys:\n      - id: " + twinAPIRootKey.ID + "\n        secret: \"" +
		twinAPIRootKey.Secret + "\"\n"
	return strings.Replace(exported, entry, entry+keys, 1)
}

// withEndpoint returns a copy of c that talks to endpoint with the same profiles.
func (c *cli) withEndpoint(endpoint string) *cli {
	return &cli{bin: c.bin, endpoint: endpoint, env: c.env}
}

// buildAPITwin makes twin-api what testdata/proof6/twin-file.yaml declares for
// twin-file, with the aws CLI: the management root moves the account into the workloads
// unit and attaches it an SCP; its root user makes the IAM users, group, role, OIDC
// provider (of is) and policies, and the bucket.
func buildAPITwin(t *testing.T, c *cli, is *oidcissuer.Issuer, api twin) {
	t.Helper()
	var scp, readerKey, writerKey string
	first, second := apiTwinSteps(t, is, api, &scp, &readerKey, &writerKey)
	runPhases(t, c, []phase{{name: "create", steps: first}})
	runPhases(t, c, []phase{{name: "attach", steps: second(scp)}})
	for name, out := range map[string]string{"api-reader": readerKey, "api-writer": writerKey} {
		id, secret, _ := strings.Cut(out, "\t")
		c.addProfile(t, name, id, secret)
	}
	r := mustRun(t, c, "management-root", "organizations", "list-accounts-for-parent",
		"--parent-id", workloadsOU, "--query", "Accounts[].Id", "--output", "text")
	if got := strings.Fields(r.stdout); len(got) != 3 || !strings.Contains(r.stdout,
		api.account) || !strings.Contains(r.stdout, twinFileAccount) {
		t.Fatalf("the workloads unit holds %q, want prd and both twins", got)
	}
}

// apiTwinSteps are the calls that build twin-api: a first phase of creations, and a
// second of attachments, given the SCP's id that the first phase stores in *scp; the
// second stores the users' new keys, "ID<TAB>SECRET", in *readerKey and *writerKey.
func apiTwinSteps(t *testing.T, is *oidcissuer.Issuer, api twin, scp, readerKey,
	writerKey *string) ([]step, func(string) []step) {
	doc := func(name string) string { return "file://" + policyFile(t, name) }
	iam := func(name string, args ...string) step {
		return step{name: name, profile: "twin-api-root", args: append([]string{"iam"}, args...)}
	}
	mgmt := func(name string, args ...string) step {
		return step{name: name, profile: "management-root",
			args: append([]string{"organizations"}, args...)}
	}
	capture := func(into *string) func(*testing.T, result) {
		return func(_ *testing.T, r result) { *into = strings.TrimSpace(r.stdout) }
	}
	policyARN := "arn:aws:iam::" + api.account + ":policy/"
	first := []step{
		mgmt("move the account", "move-account", "--account-id", api.account,
			"--source-parent-id", exampleRoot, "--destination-parent-id", workloadsOU),
		mgmt("create the SCP", "create-policy", "--name", "twin-api-protect", "--description",
			"protected/ is write-once", "--type", "SERVICE_CONTROL_POLICY", "--content",
			doc("protect-prefix.json"), "--query", "Policy.PolicySummary.Id", "--output", "text"),
		iam("create read-charts", "create-policy", "--policy-name", "read-charts", "--path",
			"/charts/", "--policy-document", doc("read-charts.json")),
		iam("create writer-boundary", "create-policy", "--policy-name", "writer-boundary",
			"--policy-document", doc("writer-boundary.json")),
		iam("create the group", "create-group", "--group-name", "chart-readers"),
		iam("create reader", "create-user", "--user-name", "reader", "--path", "/team/"),
		iam("create writer", "create-user", "--user-name", "writer", "--tags",
			"Key=team,Value=delivery"),
		{name: "create the bucket", profile: "twin-api-root",
			args: []string{"s3", "mb", "s3://" + api.drop}},
		iam("create the OIDC provider", "create-open-id-connect-provider", "--url", is.URL,
			"--client-id-list", oidcissuer.Audience),
		iam("create the role", "create-role", "--role-name", "deployer", "--path", "/ci/",
			"--assume-role-policy-document", "file://"+deployerTrust(t, is, api.account),
			"--max-session-duration", "7200", "--tags", "Key=team,Value=delivery"),
	}
	first[1].check = capture(scp)
	keyOf := func(user string, into *string) step {
		s := iam("key for "+user, "create-access-key", "--user-name", user, "--query",
			"AccessKey.[AccessKeyId,SecretAccessKey]", "--output", "text")
		s.check = capture(into)
		return s
	}
	second := func(policyID string) []step {
		return []step{
			mgmt("attach the SCP", "attach-policy", "--policy-id", policyID, "--target-id",
				api.account),
			iam("attach read-charts", "attach-group-policy", "--group-name", "chart-readers",
				"--policy-arn", policyARN+"charts/read-charts"),
			iam("reader joins the group", "add-user-to-group", "--group-name", "chart-readers",
				"--user-name", "reader"),
			iam("writer's inline policy", "put-user-policy", "--user-name", "writer",
				"--policy-name", "drop-writer", "--policy-document", doc("drop-writer.json")),
			iam("writer's boundary", "put-user-permissions-boundary", "--user-name", "writer",
				"--permissions-boundary", policyARN+"writer-boundary"),
			keyOf("reader", readerKey),
			keyOf("writer", writerKey),
			iam("the role's inline policy", "put-role-policy", "--role-name", "deployer",
				"--policy-name", "drop-writer", "--policy-document", doc("drop-writer.json")),
			iam("attach read-charts to the role", "attach-role-policy", "--role-name",
				"deployer", "--policy-arn", policyARN+"charts/read-charts"),
			iam("the role's boundary", "put-role-permissions-boundary", "--role-name",
				"deployer", "--permissions-boundary", policyARN+"writer-boundary"),
		}
	}
	return first, second
}
