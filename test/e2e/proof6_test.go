package e2e

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/testutil/oidcissuer"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// The proof of issue 6, on the cross-account example: the PRD delivery agent is a role
// session, reached through web identity from a Kubernetes service account token or
// through AssumeRole with an ExternalId, and reads DevTools' charts through the bucket
// policy alone; an SCP on the workloads unit binds it but not the management account;
// session tokens are checked; and what the IAM and Organizations APIs make behaves as
// what the organization file declares (proof6_twin_test.go).

// proof6Server is a trove serving the proof's organization, with the CLI's profiles and
// the issuer whose provider prd declares.
type proof6Server struct {
	srv *troveproc.Server
	aws *cli
	is  *oidcissuer.Issuer
}

// startProof6 starts trove on a fresh data directory with the proof's organization.
func startProof6(t *testing.T) *proof6Server {
	t.Helper()
	is := oidcissuer.New(t)
	org := proof6Org(t, is)
	srv := startTrove(t, t.TempDir(), org)
	return &proof6Server{srv: srv, aws: newCLI(t, org, srv.Endpoint), is: is}
}

// stsAnswer is what `aws sts assume-role` and `assume-role-with-web-identity` print.
type stsAnswer struct {
	Credentials     sessionCreds
	AssumedRoleUser struct {
		AssumedRoleID string `json:"AssumedRoleId"`
		Arn           string
	}
	SubjectFromWebIdentityToken string
	Audience                    string
	Provider                    string
}

// callerIdentity is what `aws sts get-caller-identity` prints.
type callerIdentity struct {
	Account, Arn string
	UserID       string `json:"UserId"`
}

// decodeJSON parses the JSON r printed into v, failing the test unless r succeeded.
func decodeJSON(t *testing.T, r result, v any) {
	t.Helper()
	if r.err != nil {
		t.Fatalf("want success:\n%v", r)
	}
	if err := json.Unmarshal([]byte(r.stdout), v); err != nil {
		t.Fatalf("parse the CLI's JSON: %v\n%v", err, r)
	}
}

// webIdentity exchanges token for a session of the delivery agent role with the aws CLI.
func webIdentity(t *testing.T, c *cli, token, session string) stsAnswer {
	t.Helper()
	var a stsAnswer
	decodeJSON(t, c.run(t, anonymousProfile, false, "sts", "assume-role-with-web-identity",
		"--role-arn", deliveryAgent, "--role-session-name", session,
		"--web-identity-token", token), &a)
	return a
}

// assumeAgent assumes the delivery agent role as profile with args (an ExternalId).
func assumeAgent(t *testing.T, c *cli, profile, session string, args ...string) stsAnswer {
	t.Helper()
	var a stsAnswer
	decodeJSON(t, c.run(t, profile, false, append([]string{"sts", "assume-role", "--role-arn",
		deliveryAgent, "--role-session-name", session}, args...)...), &a)
	return a
}

// isSession checks that a calls as session of the delivery agent role.
func isSession(session string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var id callerIdentity
		decodeJSON(t, r, &id)
		if id.Account != prdAccount || id.Arn != assumedRoleARN(session) ||
			!strings.HasPrefix(id.UserID, "AROA") || !strings.HasSuffix(id.UserID, ":"+session) {
			t.Fatalf("caller %+v, want %s, account %s, user id AROA...:%s", id,
				assumedRoleARN(session), prdAccount, session)
		}
	}
}

// pullSteps are what every session of the delivery agent must be able to do as who:
// show its identity, list the two published charts and pull one of them intact, which
// only the bucket policy grants across accounts; and what it must not: publish.
func pullSteps(who *cli, session, dl string) []proof6Step {
	got := filepath.Join(dl, session+"-0.2.0.tgz")
	return []proof6Step{
		{who: who, step: step{name: session + ": get-caller-identity shows the assumed role",
			profile: anonymousProfile, args: []string{"sts", "get-caller-identity"},
			check: isSession(session)}},
		{who: who, step: step{name: session + ": lists the charts", profile: anonymousProfile,
			args:  []string{"s3", "ls", chartsURL},
			check: listsExactly("hello-0.1.0.tgz", "hello-0.2.0.tgz")}},
		{who: who, step: step{name: session + ": pulls 0.2.0 intact",
			profile: anonymousProfile,
			args:    []string{"s3", "cp", bucketURL + "/" + chartKey("0.2.0"), got},
			check:   sameFile(got, chart("0.2.0"))}},
		{who: who, step: step{name: session + ": may not publish", profile: anonymousProfile,
			args: []string{"s3", "cp", chart("1.0.0"), chartsURL, "--sse", "AES256"},
			want: "AccessDenied", status: 403}},
	}
}

// proof6Step is a step made with its own CLI (a session's credentials, say).
type proof6Step struct {
	who  *cli
	step step
}

// runParallel runs steps as parallel subtests of a subtest called name.
func runParallel(t *testing.T, name string, steps []proof6Step) {
	t.Helper()
	t.Run(name, func(t *testing.T) {
		for _, s := range steps {
			t.Run(s.step.name, func(t *testing.T) {
				t.Parallel()
				s.step.run(t, s.who)
			})
		}
	})
}

// TestProof6WebIdentityDelegate: the delivery agent's service account token, signed by a
// loopback issuer, becomes a session of prd's delivery-agent role, both through
// `aws sts assume-role-with-web-identity` and through the environment an EKS pod has;
// the session reads DevTools' charts through the bucket policy alone (DevTools has no
// role), and `trove artifacts latest` finds the newest with it. A token for another
// service account is refused by the trust policy.
func TestProof6WebIdentityDelegate(t *testing.T) {
	t.Parallel()
	p := startProof6(t)
	for _, v := range []string{"0.1.0", "0.2.0"} {
		publish(t, p.aws, v)
	}
	token := agentToken(p.is)
	a := webIdentity(t, p.aws, token, "cli-session")
	if a.AssumedRoleUser.Arn != assumedRoleARN("cli-session") ||
		a.SubjectFromWebIdentityToken != "system:serviceaccount:delivery:cd-agent" ||
		a.Audience != oidcissuer.Audience || a.Provider != p.is.URL ||
		!strings.HasPrefix(a.Credentials.AccessKeyID, "ASIA") {
		t.Fatalf("assume-role-with-web-identity answered %+v", a)
	}
	session := p.aws.as(a.Credentials)
	pod := p.aws.asWebIdentity(t, deliveryAgent, token, "cd-agent-pod")
	dl := t.TempDir()
	runParallel(t, "sessions pull the charts", append(pullSteps(session, "cli-session", dl),
		pullSteps(pod, "cd-agent-pod", dl)...))
	for name, who := range map[string]*cli{"session keys": session, "pod environment": pod} {
		t.Run("trove artifacts latest with "+name, func(t *testing.T) {
			latest := runTrove(t, who, "artifacts", "latest", "--endpoint", p.srv.Endpoint,
				"--region", region, "--bucket", bucket, "--pattern", "charts/hello-*.tgz")
			if got := strings.TrimSpace(latest); got != "0.2.0" {
				t.Fatalf("artifacts latest printed %q, want 0.2.0", got)
			}
		})
	}
	other := p.is.Token(oidcissuer.Claims{Namespace: agentNamespace, ServiceAccount: "builder"})
	runParallel(t, "another service account is refused", []proof6Step{
		{who: p.aws, step: step{name: "assume-role-with-web-identity", profile: anonymousProfile,
			args: []string{"sts", "assume-role-with-web-identity", "--role-arn", deliveryAgent,
				"--role-session-name", "builder", "--web-identity-token", other},
			want: "AccessDenied", status: 403}},
		{who: p.aws.asWebIdentity(t, deliveryAgent, other, "builder"), step: step{
			name: "pod environment", profile: anonymousProfile,
			args: []string{"s3", "ls", chartsURL}, want: "AccessDenied"}},
	})
}

// TestProof6AssumeRoleExternalID: the delegate user assumes the delivery agent role
// with the ExternalId its trust policy names and reads the charts; a wrong or missing
// ExternalId, or another account's principal with the right one, is refused.
func TestProof6AssumeRoleExternalID(t *testing.T) {
	t.Parallel()
	p := startProof6(t)
	for _, v := range []string{"0.1.0", "0.2.0"} {
		publish(t, p.aws, v)
	}
	assume := func(name, profile string, args ...string) proof6Step {
		return proof6Step{who: p.aws, step: step{name: name, profile: profile,
			args: append([]string{"sts", "assume-role", "--role-arn", deliveryAgent,
				"--role-session-name", "denied"}, args...), want: "AccessDenied", status: 403}}
	}
	runParallel(t, "refused", []proof6Step{
		assume("wrong ExternalId", "delegate", "--external-id", proof6ExternalID+"x"),
		assume("missing ExternalId", "delegate"),
		assume("a principal the trust policy does not name", "ci-publisher",
			"--external-id", proof6ExternalID),
	})
	a := assumeAgent(t, p.aws, "delegate", "delegate-run", "--external-id", proof6ExternalID)
	runParallel(t, "the session pulls the charts",
		pullSteps(p.aws.as(a.Credentials), "delegate-run", t.TempDir()))
}

// putStep is a put-object of a small file into bucket in at key, by profile with who.
func putStep(name string, who *cli, profile, in, key, want string) proof6Step {
	s := step{name: name, profile: profile, args: []string{"s3api", "put-object", "--bucket",
		in, "--key", key, "--body", chart("0.1.0")}, want: want}
	if want != "" {
		s.status = 403
	}
	return proof6Step{who: who, step: s}
}

// TestProof6SCPStopsRoleNotManagement: an SCP that denies s3:PutObject, attached with
// `aws organizations` to the workloads unit, stops the delivery agent's session at its
// next put although the role's own policy allows it, while the session still reads; the
// same SCP attached to the management account binds neither its root user nor its users.
func TestProof6SCPStopsRoleNotManagement(t *testing.T) {
	t.Parallel()
	p := startProof6(t)
	s := p.aws.as(webIdentity(t, p.aws, agentToken(p.is), "cd-agent-pod").Credentials)
	runParallel(t, "before the SCP", []proof6Step{
		putStep("the role's policy lets the session put", s, anonymousProfile,
			"prd-releases", "app-1.0.0.tgz", ""),
		putStep("prd root puts", p.aws, "prd-root", "prd-releases", "root-1.0.0.tgz", ""),
	})
	var pol struct {
		Policy struct {
			PolicySummary struct {
				ID string `json:"Id"`
			}
		}
	}
	orgCall(t, p.aws, &pol, "create-policy", "--name", "deny-put", "--description",
		"no uploads", "--type", "SERVICE_CONTROL_POLICY", "--content",
		"file://"+policyFile(t, "deny-put.json"))
	for _, target := range []string{workloadsOU, "999999999999"} {
		orgCall(t, p.aws, nil, "attach-policy", "--policy-id", pol.Policy.PolicySummary.ID,
			"--target-id", target)
	}
	denied := putStep("the SCP stops the same session's put", s, anonymousProfile,
		"prd-releases", "app-1.0.1.tgz", "AccessDenied")
	denied.step.check = mentions("service control policy")
	runParallel(t, "after the SCP", []proof6Step{
		denied,
		{who: s, step: step{name: "the session still reads", profile: anonymousProfile,
			args: []string{"s3api", "head-object", "--bucket", "prd-releases",
				"--key", "app-1.0.0.tgz"}}},
		putStep("the SCP stops prd's root user", p.aws, "prd-root", "prd-releases",
			"root-1.0.1.tgz", "AccessDenied"),
		putStep("the management root puts", p.aws, "management-root", "management-releases",
			"root.tgz", ""),
		putStep("a management user puts", p.aws, "release-admin", "management-releases",
			"admin.tgz", ""),
	})
}

// policyFile is the absolute path of testdata/proof6/policies/name.
func policyFile(t *testing.T, name string) string {
	t.Helper()
	path, err := filepath.Abs(filepath.Join(proof6Dir, "policies", name))
	if err != nil {
		t.Fatal(err)
	}
	return path
}
