package iamapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/troveproject/trove/internal/iamapi"
	"github.com/troveproject/trove/internal/simulate"
	"github.com/troveproject/trove/internal/testutil"
)

// The tests run the whole server handler (S3 and IAM on one listener) over
// stores holding the cross-account example, on 127.0.0.1, and talk to it over
// real HTTP.

// key is an access key of the example.
type key struct{ id, secret string }

var (
	managementRoot = key{"AKIAEXAMPLEMANAGER01", "EXAMPLE/management-root/notARealSecret00"}
	devtoolsRoot   = key{"AKIAEXAMPLEDEVTOOLS1", "EXAMPLE/devtools-root/notARealSecret0000"}
	prdRoot        = key{"AKIAEXAMPLEPRDROOT01", "EXAMPLE/prd-root/notARealSecret000000000"}
	intruder       = key{"AKIAEXAMPLEINTRUDER1", "EXAMPLE/intruder/notARealSecret000000000"}
)

const (
	exampleOrg  = "../../examples/cross-account/organization.yaml"
	delegateARN = "arn:aws:iam::222222222222:user/delegate"
	chartObject = "arn:aws:s3:::devtools-artifacts/charts/hello-0.1.0.tgz"
)

// newServer serves the cross-account example until the test ends.
func newServer(t *testing.T) *httptest.Server { return testutil.Start(t, exampleOrg) }

// form builds a SimulatePrincipalPolicy request's parameters from pairs.
func form(pairs ...string) url.Values {
	f := url.Values{"Action": {"SimulatePrincipalPolicy"}, "Version": {iamapi.Version}}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			f.Del(pairs[i])
		} else {
			f.Set(pairs[i], pairs[i+1])
		}
	}
	return f
}

// post sends f signed by k for service "iam" (k nil: unsigned) and returns
// the status and body.
func post(t *testing.T, srv *httptest.Server, k *key, f url.Values) (int, []byte) {
	t.Helper()
	body := []byte(f.Encode())
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if k != nil {
		sum := sha256.Sum256(body)
		err = v4.NewSigner().SignHTTP(context.Background(),
			aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret}, req,
			hex.EncodeToString(sum[:]), "iam", "us-east-1", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
	}
	return send(t, req)
}

func send(t *testing.T, req *http.Request) (int, []byte) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// errorDoc is IAM's error document.
type errorDoc struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type, Code, Message string
	}
	RequestID string `xml:"RequestId"`
}

func TestErrors(t *testing.T) {
	srv := newServer(t)
	wrong := key{prdRoot.id, "not the secret at all 00000000000000000000"}
	unknown := key{"AKIAEXAMPLEUNKNOWN01", prdRoot.secret}
	ok := []string{"PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject"}
	with := func(extra ...string) url.Values { return form(append(ok, extra...)...) }
	tests := []struct {
		name   string
		key    *key
		form   url.Values
		status int
		code   string
		inMsg  string
	}{
		{"unsigned", nil, with(), 403, "MissingAuthenticationToken", "Authentication Token"},
		{"wrong secret", &wrong, with(), 403, "SignatureDoesNotMatch", ""},
		{"unknown key", &unknown, with(), 403, "InvalidClientTokenId", ""},
		{"no action", &prdRoot, with("Action", ""), 400, "MissingAction", ""},
		{"unknown action", &prdRoot, with("Action", "ListUsersX"), 400, "InvalidAction",
			"ListUsersX"},
		{"other version", &prdRoot, with("Version", "2011-06-15"), 400, "InvalidAction", ""},
		{"no version", &prdRoot, with("Version", ""), 400, "MissingParameter", "Version"},
		{"no source", &prdRoot, with("PolicySourceArn", ""), 400, "ValidationError",
			"policySourceArn"},
		{"bad source ARN", &prdRoot, with("PolicySourceArn", "delegate"), 400, "InvalidInput",
			"PolicySourceArn"},
		{"role source", &prdRoot, with("PolicySourceArn", "arn:aws:iam::222222222222:role/r"),
			400, "InvalidInput", "PolicySourceArn"},
		{"no actions", &prdRoot, with("ActionNames.member.1", ""), 400, "ValidationError",
			"actionNames"},
		{"bad action", &prdRoot, with("ActionNames.member.1", "GetObject"), 400,
			"InvalidInput", "ActionNames"},
		{"bad resource", &prdRoot, with("ResourceArns.member.1", "bucket/key"), 400,
			"InvalidInput", "ResourceArns"},
		{"bad list index", &prdRoot, with("ResourceArns.member.x", "*"), 400, "InvalidInput",
			"ResourceArns.member.x"},
		{"bad owner", &prdRoot, with("ResourceOwner", "arn:aws:iam::1:root"), 400,
			"InvalidInput", "ResourceOwner"},
		{"malformed resource policy", &prdRoot, with("ResourcePolicy", `{"Statement":[]`), 400,
			"MalformedPolicyDocument", "ResourcePolicy"},
		{"identity policy as resource policy", &prdRoot, with("ResourcePolicy",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*",`+
				`"Resource":"*"}]}`), 400, "MalformedPolicyDocument", "ResourcePolicy"},
		{"bad context type", &prdRoot, with("ContextEntries.member.1.ContextKeyName", "k",
			"ContextEntries.member.1.ContextKeyType", "text"), 400, "InvalidInput",
			"ContextKeyType"},
		{"several values for a string", &prdRoot, with(
			"ContextEntries.member.1.ContextKeyName", "k",
			"ContextEntries.member.1.ContextKeyType", "string",
			"ContextEntries.member.1.ContextKeyValues.member.1", "a",
			"ContextEntries.member.1.ContextKeyValues.member.2", "b"), 400, "InvalidInput",
			"ContextEntries.member.1"},
		{"different caller", &prdRoot, with("CallerArn", "arn:aws:iam::222222222222:root"),
			400, "InvalidInput", "CallerArn"},
		{"bad max items", &prdRoot, with("MaxItems", "0"), 400, "ValidationError", "maxItems"},
		{"bad marker", &prdRoot, with("Marker", "x"), 400, "InvalidInput", "Marker"},
		{"no such user", &prdRoot, with("PolicySourceArn", "arn:aws:iam::222222222222:user/x"),
			404, "NoSuchEntity", "user/x"},
		{"caller lacks permission", &intruder, with("PolicySourceArn",
			"arn:aws:iam::333333333333:user/intruder"), 403, "AccessDenied",
			"iam:SimulatePrincipalPolicy on resource: arn:aws:iam::333333333333:user/intruder " +
				"because no identity-based policy allows the iam:SimulatePrincipalPolicy action"},
		{"management, account outside the organization", &managementRoot, with(
			"PolicySourceArn", "arn:aws:iam::333333333333:user/intruder"), 403, "AccessDenied",
			"only principals of its own account and of the organization's member accounts"},
		{"other account", &devtoolsRoot, with(), 403, "AccessDenied", "own account"},
		{"no such user, other account", &devtoolsRoot, with("PolicySourceArn",
			"arn:aws:iam::222222222222:user/x"), 403, "AccessDenied", ""},
		{"custom without policies", &prdRoot, form("Action", "SimulateCustomPolicy",
			"ActionNames.member.1", "s3:GetObject"), 400, "ValidationError", "policyInputList"},
		{"custom malformed", &prdRoot, form("Action", "SimulateCustomPolicy",
			"ActionNames.member.1", "s3:GetObject", "PolicyInputList.member.1", "{"), 400,
			"MalformedPolicyDocument", "PolicyInputList.member.1"},
		{"custom two boundaries", &prdRoot, form("Action", "SimulateCustomPolicy",
			"ActionNames.member.1", "s3:GetObject", "PolicyInputList.member.1", allowGet,
			"PermissionsBoundaryPolicyInputList.member.1", allowGet,
			"PermissionsBoundaryPolicyInputList.member.2", allowGet), 400, "InvalidInput",
			"PermissionsBoundaryPolicyInputList"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv, tc.key, tc.form)
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil {
				t.Fatalf("status %d, body not an IAM error: %v\n%s", status, err, body)
			}
			if status != tc.status || doc.Error.Code != tc.code || doc.Error.Type != "Sender" ||
				!strings.Contains(doc.Error.Message, tc.inMsg) || doc.RequestID == "" {
				t.Fatalf("status %d %+v, want %d %s with %q", status, doc, tc.status, tc.code,
					tc.inMsg)
			}
		})
	}
}

const allowGet = `{"Version":"2012-10-17","Statement":[{"Sid":"Get","Effect":"Allow",` +
	`"Action":"s3:GetObject","Resource":"*"}]}`

// client is trove's own IAM client for k.
func client(srv *httptest.Server, k key) *iamapi.Client {
	return &iamapi.Client{Endpoint: srv.URL,
		Credentials: credentials.NewStaticCredentialsProvider(k.id, k.secret, "")}
}

func TestSimulatePrincipalPolicy(t *testing.T) {
	srv := newServer(t)
	tests := []struct {
		name      string
		key       key
		in        iamapi.SimulateInput
		decisions []string
		reason    string // of the first result
		skipped   string // Skipped of some policy report of the first result
	}{
		{name: "management account sees the bucket policy", key: managementRoot,
			in: iamapi.SimulateInput{PolicySourceArn: delegateARN,
				Actions:   []string{"s3:GetObject", "s3:PutObject"},
				Resources: []string{chartObject}},
			decisions: []string{simulate.Allowed, simulate.ExplicitDeny},
			reason:    `"Allow list access from the org" (cross-account)`},
		{name: "own account, other account's bucket policy withheld", key: prdRoot,
			in: iamapi.SimulateInput{PolicySourceArn: delegateARN,
				Actions: []string{"s3:GetObject"}, Resources: []string{chartObject}},
			decisions: []string{simulate.ImplicitDeny}, reason: "no resource-based policy",
			skipped: "withheld"},
		{name: "resource policy given", key: prdRoot,
			in: iamapi.SimulateInput{PolicySourceArn: delegateARN,
				Actions: []string{"s3:GetObject"}, Resources: []string{chartObject},
				ResourcePolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
					`"Principal":{"AWS":"222222222222"},"Action":"s3:GetObject","Resource":"*"}]}`},
			decisions: []string{simulate.Allowed}, reason: `"ResourcePolicy" statement 0`},
		{name: "context changes the decision", key: devtoolsRoot,
			in: iamapi.SimulateInput{PolicySourceArn: "arn:aws:iam::111111111111:user/ci-publisher",
				Actions: []string{"s3:PutObject"}, Resources: []string{chartObject},
				Context: ctxKey("s3:x-amz-server-side-encryption", "AES256")},
			decisions: []string{simulate.Allowed}, reason: "publish-artifacts"},
		{name: "resource owner given", key: prdRoot,
			in: iamapi.SimulateInput{PolicySourceArn: delegateARN, ResourceOwner: "222222222222",
				Actions: []string{"s3:GetObject"}, Resources: []string{chartObject}},
			decisions: []string{simulate.Allowed}, reason: "read-devtools-artifacts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rs, err := client(srv, tc.key).SimulatePrincipalPolicy(context.Background(), tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range rs {
				got = append(got, r.Decision)
			}
			if strings.Join(got, " ") != strings.Join(tc.decisions, " ") {
				t.Fatalf("decisions %q, want %q", got, tc.decisions)
			}
			r := rs[0]
			if !strings.Contains(r.Reason, tc.reason) || !strings.Contains(r.Text, r.Reason) {
				t.Errorf("reason %q, want %q, in the text:\n%s", r.Reason, tc.reason, r.Text)
			}
			if tc.skipped != "" && !skipped(r, tc.skipped) {
				t.Errorf("no policy report skipped for %q: %+v", tc.skipped, r.Policies)
			}
		})
	}
}

func ctxKey(k string, v ...string) map[string][]string { return map[string][]string{k: v} }

func skipped(r simulate.Result, why string) bool {
	for _, p := range r.Policies {
		if strings.Contains(p.Skipped, why) {
			return true
		}
	}
	return false
}

// answer is the part of SimulatePrincipalPolicy's answer the AWS SDKs read,
// decoded independently of the package's own types.
type answer struct {
	Result struct {
		Results []struct {
			EvalActionName, EvalResourceName, EvalDecision string
			Matched                                        []struct {
				SourcePolicyID   string `xml:"SourcePolicyId"`
				SourcePolicyType string
			} `xml:"MatchedStatements>member"`
			Details []struct {
				Key   string `xml:"key"`
				Value string `xml:"value"`
			} `xml:"EvalDecisionDetails>entry"`
			TroveExplanation string
		} `xml:"EvaluationResults>member"`
		IsTruncated bool
		Marker      string
	} `xml:"SimulatePrincipalPolicyResult"`
	RequestID string `xml:"ResponseMetadata>RequestId"`
}

func TestPages(t *testing.T) {
	srv := newServer(t)
	f := form("PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject",
		"ActionNames.member.2", "s3:PutObject", "ResourceArns.member.1", chartObject,
		"MaxItems", "1")
	var pages []answer
	for {
		status, body := post(t, srv, &managementRoot, f)
		var a answer
		if err := xml.Unmarshal(body, &a); status != 200 || err != nil {
			t.Fatalf("status %d, %v:\n%s", status, err, body)
		}
		pages = append(pages, a)
		if !a.Result.IsTruncated {
			break
		}
		f.Set("Marker", a.Result.Marker)
	}
	if len(pages) != 2 || pages[0].Result.Marker != "1" || pages[1].RequestID == "" {
		t.Fatalf("pages %+v, want two, the first with marker 1", pages)
	}
	first, second := pages[0].Result.Results[0], pages[1].Result.Results[0]
	if first.EvalActionName != "s3:GetObject" || first.EvalDecision != "allowed" ||
		second.EvalActionName != "s3:PutObject" || second.EvalDecision != "explicitDeny" {
		t.Fatalf("results %+v then %+v", first, second)
	}
	if len(first.Matched) != 2 || first.Matched[0].SourcePolicyID != "read-devtools-artifacts" ||
		first.Matched[0].SourcePolicyType != "user" || len(first.Details) != 2 ||
		!strings.HasPrefix(first.TroveExplanation, "allowed: ") {
		t.Fatalf("first result %+v", first)
	}
}

func TestSimulateCustomPolicy(t *testing.T) {
	srv := newServer(t)
	f := form("Action", "SimulateCustomPolicy", "PolicyInputList.member.1", allowGet,
		"ActionNames.member.1", "s3:GetObject", "ActionNames.member.2", "s3:ListBucket",
		"ResourceArns.member.1", "arn:aws:s3:::elsewhere/k")
	status, body := post(t, srv, &devtoolsRoot, f)
	var a struct {
		Result struct {
			Results []struct {
				EvalDecision string
				Matched      []struct {
					ID   string `xml:"SourcePolicyId"`
					Type string `xml:"SourcePolicyType"`
				} `xml:"MatchedStatements>member"`
				TroveExplanation string
			} `xml:"EvaluationResults>member"`
		} `xml:"SimulateCustomPolicyResult"`
	}
	if err := xml.Unmarshal(body, &a); status != 200 || err != nil {
		t.Fatalf("status %d, %v:\n%s", status, err, body)
	}
	rs := a.Result.Results
	if len(rs) != 2 || rs[0].EvalDecision != "allowed" || rs[1].EvalDecision != "implicitDeny" {
		t.Fatalf("results %+v", rs)
	}
	if m := rs[0].Matched; len(m) != 1 || m[0].ID != "PolicyInputList.1" || m[0].Type != "none" {
		t.Fatalf("matched %+v, want PolicyInputList.1", m)
	}
}

// TestRouting checks that S3 requests still reach S3 on the shared listener,
// and that a presigned IAM request reaches IAM.
func TestRouting(t *testing.T) {
	srv := newServer(t)
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/", nil)
	if err != nil {
		t.Fatal(err)
	}
	empty := hex.EncodeToString(sha256.New().Sum(nil))
	req.Header.Set("X-Amz-Content-Sha256", empty)
	creds := aws.Credentials{AccessKeyID: devtoolsRoot.id, SecretAccessKey: devtoolsRoot.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, empty, "s3",
		"us-east-1", time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
	status, body := send(t, req)
	if status != 200 || !bytes.Contains(body, []byte("<ListAllMyBucketsResult")) ||
		!bytes.Contains(body, []byte("devtools-artifacts")) {
		t.Fatalf("S3 ListBuckets: %d\n%s", status, body)
	}

	f := form("PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject")
	f.Set("X-Amz-Expires", "60")
	req, err = http.NewRequest(http.MethodGet, srv.URL+"/?"+f.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	creds = aws.Credentials{AccessKeyID: prdRoot.id, SecretAccessKey: prdRoot.secret}
	u, _, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req, empty, "iam",
		"us-east-1", time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	req, err = http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	status, body = send(t, req)
	if status != 200 || !bytes.Contains(body, []byte("<SimulatePrincipalPolicyResponse")) {
		t.Fatalf("presigned SimulatePrincipalPolicy: %d\n%s", status, body)
	}
}

// TestWorkBounds: one answer computes at most maxPageResults results,
// whatever MaxItems asks, and a context value longer than any request trove
// serves can carry is refused.
func TestWorkBounds(t *testing.T) {
	srv := newServer(t)
	f := form("PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject",
		"ActionNames.member.2", "s3:PutObject", "MaxItems", "1000")
	for i := 1; i <= 100; i++ {
		f.Set(fmt.Sprintf("ResourceArns.member.%d", i),
			fmt.Sprintf("arn:aws:s3:::devtools-artifacts/k%d", i))
	}
	status, body := post(t, srv, &managementRoot, f)
	var a answer
	if err := xml.Unmarshal(body, &a); status != 200 || err != nil {
		t.Fatalf("status %d, %v", status, err)
	}
	if len(a.Result.Results) != 100 || !a.Result.IsTruncated || a.Result.Marker != "100" {
		t.Fatalf("%d results, truncated %v, marker %q; want 100, true, 100",
			len(a.Result.Results), a.Result.IsTruncated, a.Result.Marker)
	}
	f = form("PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject",
		"ContextEntries.member.1.ContextKeyName", "aws:UserAgent",
		"ContextEntries.member.1.ContextKeyType", "string",
		"ContextEntries.member.1.ContextKeyValues.member.1", strings.Repeat("u", 8193))
	status, body = post(t, srv, &managementRoot, f)
	if status != 400 || !bytes.Contains(body, []byte("at most 8192 characters")) {
		t.Fatalf("status %d:\n%s", status, body)
	}
}
