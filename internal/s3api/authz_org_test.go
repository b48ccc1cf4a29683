package s3api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/testutil"
)

// Principals of testdata/org-guardrails.yaml.
var (
	grdMgmtRoot    = principal{"AKIAGRDMGMTROOT00001", "guard/management-root/000000000000000000"}
	grdDevRoot     = principal{"AKIAGRDDEVROOT000001", "guard/devtools-root/00000000000000000000"}
	grdCapped      = principal{"AKIAGRDCAPPED0000001", "guard/capped/000000000000000000000000000"}
	grdGrouped     = principal{"AKIAGRDGROUPED000001", "guard/grouped/00000000000000000000000000"}
	grdUngrouped   = principal{"AKIAGRDUNGROUPED0001", "guard/ungrouped/000000000000000000000000"}
	grdWriter      = principal{"AKIAGRDWRITER0000001", "guard/writer/000000000000000000000000000"}
	grdSandboxRoot = principal{"AKIAGRDSANDBOXROOT01", "guard/sandbox-root/000000000000000000000"}
	grdOutsider    = principal{"AKIAGRDOUTSIDER00001", "guard/outsider/0000000000000000000000000"}
)

// envWith serves a fresh trove in mode m with orgFile loaded.
func envWith(t *testing.T, m mode, orgFile string) *env {
	t.Helper()
	st := testutil.Stores(t, orgFile)
	e := &env{stores: st}
	e.h = s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))})
	e.start(t, m)
	return e
}

// newOrgEnv serves a fresh trove with testdata/org-guardrails.yaml loaded,
// and the objects the cases read.
func newOrgEnv(t *testing.T, m mode) *env {
	t.Helper()
	e := envWith(t, m, "testdata/org-guardrails.yaml")
	put(t, e.s3(grdDevRoot), "guard-public", "readme", "public")
	put(t, e.s3(grdDevRoot), "guard-team", "notes", "team")
	put(t, e.s3(grdMgmtRoot), "guard-mgmt", "readme", "management")
	return e
}

// orgCase is one request and what the organization's policies make of it.
type orgCase struct {
	name    string
	who     principal
	op      string // get, put, list or getpolicy
	bucket  string
	allowed bool
	// deniedBy, for a denial, is a phrase the AccessDenied message carries.
	deniedBy string
}

// TestOrganizationPolicies runs requests over HTTP with the SDK against the
// organization of testdata/org-guardrails.yaml: SCPs, RCPs, permissions
// boundaries and groups decide as they do in AWS.
func TestOrganizationPolicies(t *testing.T) {
	cases := []orgCase{
		// An SCP Deny on the workloads OU stops a user whose identity
		// policy allows s3:*; what the SCP does not deny still works.
		{"SCP deny on the OU", grdWriter, "put", "guard-public", false,
			"explicit deny in a service control policy"},
		{"SCP allows the rest", grdWriter, "get", "guard-public", true, ""},
		// scps: [] on the sandbox account detaches FullAWSAccess: nothing
		// is allowed there, not even to its root user on its own bucket.
		{"no SCP on the account", grdSandboxRoot, "list", "guard-sandbox", false,
			"no service control policy"},
		{"no SCP on the management account", grdMgmtRoot, "put", "guard-mgmt", true, ""},
		// The owner's root user manages its bucket policy whatever the policy
		// says, but SCPs still bind it.
		{"owner root reads its bucket policy", grdDevRoot, "getpolicy", "guard-public", true,
			""},
		{"SCPs bind the owner root's policy rights", grdSandboxRoot, "getpolicy",
			"guard-sandbox", false, "no service control policy"},
		// The root's RCP denies principals outside the organization, even
		// where the bucket policy lets anyone read.
		{"RCP stops an outsider", grdOutsider, "get", "guard-public", false,
			"explicit deny in a resource control policy"},
		{"RCP lets an insider through", grdWriter, "get", "guard-public", true, ""},
		{"RCPs spare the management account", grdOutsider, "get", "guard-mgmt", true, ""},
		// The boundary caps capped's s3:* to s3:GetObject...
		{"boundary caps identity", grdCapped, "put", "guard-team", false,
			"no permissions boundary allows"},
		{"boundary allows", grdCapped, "get", "guard-team", true, ""},
		// ...but a same-account bucket policy naming the user still allows.
		{"bucket policy naming the user", grdCapped, "put", "guard-named", true, ""},
		// Group policies grant: the inline one ListBucket, the managed one
		// GetObject; a user in no group has neither.
		{"group inline policy", grdGrouped, "list", "guard-team", true, ""},
		{"group managed policy", grdGrouped, "get", "guard-team", true, ""},
		{"no group", grdUngrouped, "get", "guard-team", false,
			"no identity-based policy allows"},
	}
	for _, m := range []mode{modes[0], modes[3]} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e := newOrgEnv(t, m)
			for _, tc := range cases {
				t.Run(tc.name, func(t *testing.T) { runOrgCase(t, e, tc) })
			}
		})
	}
}

// runOrgCase sends tc's request and checks the outcome.
func runOrgCase(t *testing.T, e *env, tc orgCase) {
	t.Helper()
	ctx := context.Background()
	c := e.s3(tc.who)
	var err error
	switch tc.op {
	case "get":
		key := map[string]string{"guard-team": "notes", "guard-mgmt": "readme"}[tc.bucket]
		if key == "" {
			key = "readme"
		}
		_, err = get(c, tc.bucket, key)
	case "put":
		_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(tc.bucket),
			Key: aws.String("from-test"), Body: strings.NewReader("x")})
	case "list":
		_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(tc.bucket)})
	case "getpolicy":
		_, err = c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: aws.String(tc.bucket)})
	default:
		t.Fatalf("unknown op %s", tc.op)
	}
	if tc.allowed {
		if err != nil {
			t.Fatalf("%s %s: %v, want success", tc.op, tc.bucket, err)
		}
		return
	}
	wantDenied(t, err, tc.deniedBy)
}

// TestGuardrailsExample walks examples/guardrails/README.md with the SDK:
// every outcome the walkthrough shows, in its order.
func TestGuardrailsExample(t *testing.T) {
	ctx := context.Background()
	e := envWith(t, modes[0], "../../examples/guardrails/organization.yaml")
	publisher := e.s3(principal{"AKIAGUARDPUBLISHER01",
		"EXAMPLE/ci-publisher/notARealSecret00000"})
	operator := e.s3(principal{"AKIAGUARDOPERATOR001",
		"EXAMPLE/operator/notARealSecret000000000"})
	intruder := e.s3(principal{"AKIAGUARDINTRUDER001",
		"EXAMPLE/intruder/notARealSecret000000000"})

	put(t, publisher, "devtools-artifacts", "charts/chart.tgz", "hello\n")
	_, err := publisher.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("ci-scratch")})
	wantDenied(t, err, "because no permissions boundary allows the s3:CreateBucket action")

	put(t, operator, "prd-data", "report.csv", "hello\n")
	_, err = operator.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("prd-data"),
		Key: aws.String("report.csv")})
	wantDenied(t, err, "with an explicit deny in a service control policy")

	if _, err := get(operator, "devtools-artifacts", "charts/chart.tgz"); err != nil {
		t.Errorf("operator reads the chart: %v", err)
	}
	_, err = get(intruder, "devtools-artifacts", "charts/chart.tgz")
	wantDenied(t, err, "with an explicit deny in a resource control policy")
}

// wantDenied fails unless err is AccessDenied with a message ending in why.
func wantDenied(t *testing.T, err error, why string) {
	t.Helper()
	wantErr(t, err, "AccessDenied", http.StatusForbidden)
	if err != nil && !strings.Contains(err.Error(), why) {
		t.Errorf("denial %q does not say %q", err, why)
	}
}

// BenchmarkAuthorizeGuardrails is BenchmarkAuthorizeScenario with every
// layer in play: operator's cross-account HEAD of a chart in the guardrails
// example, evaluated against its identity policy, the SCPs on its path, the
// RCPs on the bucket owner's path and the bucket policy.
func BenchmarkAuthorizeGuardrails(b *testing.B) {
	ctx := context.Background()
	st := testutil.Stores(b, "../../examples/guardrails/organization.yaml")
	h := s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs, Directory: identity.New(st.Meta)})
	send := func(method, key string, creds aws.Credentials, want int) {
		req := httptest.NewRequest(method, "http://127.0.0.1:9000/devtools-artifacts/"+key, nil)
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3",
			"us-east-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatalf("%s: status %d, want %d: %s", method, w.Code, want, w.Body)
		}
	}
	send(http.MethodPut, "charts/chart.tgz", aws.Credentials{AccessKeyID: "AKIAGUARDPUBLISHER01",
		SecretAccessKey: "EXAMPLE/ci-publisher/notARealSecret00000"}, http.StatusOK)
	operator := aws.Credentials{AccessKeyID: "AKIAGUARDOPERATOR001",
		SecretAccessKey: "EXAMPLE/operator/notARealSecret000000000"}
	b.ReportAllocs()
	for b.Loop() {
		send(http.MethodHead, "charts/chart.tgz", operator, http.StatusOK)
	}
}

// TestDenialExplainedInAccessLog checks that the access log line of a denied
// request carries its request id, the reason and the full explanation, near
// misses included, while the caller's message names only the kind of policy.
func TestDenialExplainedInAccessLog(t *testing.T) {
	var logBuf syncBuffer
	st := testutil.Stores(t, "testdata/org-guardrails.yaml")
	e := &env{stores: st}
	e.h = s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(tlog{t}, nil)),
		AccessLog: slog.New(slog.NewTextHandler(&logBuf, nil))})
	e.start(t, modes[0])
	put(t, e.s3(grdDevRoot), "guard-public", "readme", "public")
	_, err := get(e.s3(grdOutsider), "guard-public", "readme")
	wantDenied(t, err, "with an explicit deny in a resource control policy")
	if strings.Contains(err.Error(), "OnlyOurOrganization") {
		t.Errorf("the caller's message names the statement: %v", err)
	}
	log := logBuf.String()
	for _, want := range []string{"decision=\"explicitly denied\"",
		`reason="explicit deny in resource control policy \"org-only\"`,
		`statement \"OnlyOurOrganization\" (Deny): applies`, "request_id="} {
		if !strings.Contains(log, want) {
			t.Errorf("access log lacks %s:\n%s", want, log)
		}
	}
}

// syncBuffer is a bytes.Buffer that handlers on several goroutines may write.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
