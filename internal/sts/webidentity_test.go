package sts_test

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/server"
	trovests "github.com/troveproject/trove/internal/sts"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

const (
	wiAccount = "333333333333"
	wiRoleARN = "arn:aws:iam::" + wiAccount + ":role/delivery-agent"
	wiBucket  = "prd-charts"
	// wiOtherAudience is a client id of the provider that the trust policy
	// does not accept.
	wiOtherAudience = "other-audience"
)

// wiOrgFile declares account wiAccount with an OIDC provider for the
// issuer at ISSUER (its name, the URL without scheme, at NAME), the role
// delivery-agent that the service account delivery/agent may assume with
// a token for sts.amazonaws.com, the bucket the role may use, and the
// managed policy charts-read.
const wiOrgFile = `accounts:
  - id: "` + wiAccount + `"
    name: prd
    managedPolicies:
      - name: charts-read
        document:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Action: s3:GetObject
              Resource: "arn:aws:s3:::` + wiBucket + `/*"
    oidcProviders:
      - url: ISSUER
        clientIds: [sts.amazonaws.com, ` + wiOtherAudience + `]
        jwksUrl: ISSUER/keys
    roles:
      - name: delivery-agent
        trustPolicy:
          document:
            Version: "2012-10-17"
            Statement:
              - Effect: Allow
                Principal: {Federated: "arn:aws:iam::` + wiAccount + `:oidc-provider/NAME"}
                Action: sts:AssumeRoleWithWebIdentity
                Condition:
                  StringEquals:
                    "NAME:sub": system:serviceaccount:delivery:agent
                    "NAME:aud": sts.amazonaws.com
        policies:
          - name: charts
            document:
              Version: "2012-10-17"
              Statement:
                - Effect: Allow
                  Action: [s3:GetObject, s3:PutObject, s3:ListBucket]
                  Resource: ["arn:aws:s3:::` + wiBucket + `", "arn:aws:s3:::` + wiBucket + `/*"]
    buckets:
      - name: ` + wiBucket + `
`

// wiEnv is a trove serving wiOrgFile over HTTP, with its issuer.
type wiEnv struct {
	url    string
	issuer *oidcissuer.Issuer
}

// agent is the service account the role trusts.
var agent = oidcissuer.Claims{Namespace: "delivery", ServiceAccount: "agent"}

func newWIEnv(t *testing.T) *wiEnv {
	t.Helper()
	is := oidcissuer.New(t)
	name := strings.TrimPrefix(is.URL, "http://")
	doc := strings.NewReplacer("ISSUER", is.URL, "NAME", name).Replace(wiOrgFile)
	path := filepath.Join(t.TempDir(), "org.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := server.Open(t.Context(), t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := server.LoadOrgFile(t.Context(), st.Meta, path, "us-east-1", log); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.NewHandler(st, server.Config{}, log))
	t.Cleanup(srv.Close)
	return &wiEnv{url: srv.URL, issuer: is}
}

// anonymousSTS is an STS client without credentials, as a pod's SDK is
// before it has exchanged its token.
func (e *wiEnv) anonymousSTS() *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
}

// assumeWeb calls AssumeRoleWithWebIdentity for the role with token.
func (e *wiEnv) assumeWeb(t *testing.T, role, token string) (
	*sts.AssumeRoleWithWebIdentityOutput, error) {
	t.Helper()
	return e.anonymousSTS().AssumeRoleWithWebIdentity(t.Context(),
		&sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(role),
			RoleSessionName: aws.String("agent-pod"), WebIdentityToken: aws.String(token)})
}

// TestAssumeRoleWithWebIdentity exchanges a service account token for a
// role session with the SDK, then uses the session with S3 and STS.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	e := newWIEnv(t)
	out, err := e.assumeWeb(t, wiRoleARN, e.issuer.Token(agent))
	if err != nil {
		t.Fatalf("AssumeRoleWithWebIdentity: %v", err)
	}
	sessionARN := "arn:aws:sts::" + wiAccount + ":assumed-role/delivery-agent/agent-pod"
	checks := []struct{ name, got, want string }{
		{"AssumedRoleUser.Arn", aws.ToString(out.AssumedRoleUser.Arn), sessionARN},
		{"SubjectFromWebIdentityToken", aws.ToString(out.SubjectFromWebIdentityToken),
			"system:serviceaccount:delivery:agent"},
		{"Audience", aws.ToString(out.Audience), oidcissuer.Audience},
		{"Provider", aws.ToString(out.Provider), e.issuer.URL},
		{"AccessKeyId prefix", aws.ToString(out.Credentials.AccessKeyId)[:4], "ASIA"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.name, c.got, c.want)
		}
	}
	creds := aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
		SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
		SessionToken:    aws.ToString(out.Credentials.SessionToken)}
	e.useSession(t, creds, sessionARN)
}

// useSession checks that creds are the session sessionARN and may write
// and read the role's bucket.
func (e *wiEnv) useSession(t *testing.T, creds aws.Credentials, sessionARN string) {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", RetryMaxAttempts: 1,
		Credentials: credentials.StaticCredentialsProvider{Value: creds}}
	id, err := sts.NewFromConfig(cfg, func(o *sts.Options) {
		o.BaseEndpoint = aws.String(e.url)
	}).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != sessionARN {
		t.Fatalf("GetCallerIdentity with the session: %v, %v", id, err)
	}
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(e.url), true
	})
	_, err = s3c.PutObject(t.Context(), &s3.PutObjectInput{Bucket: aws.String(wiBucket),
		Key: aws.String("charts/app-1.0.0.tgz"), Body: strings.NewReader("chart")})
	if err != nil {
		t.Fatalf("PutObject with the session: %v", err)
	}
	got, err := s3c.GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(wiBucket),
		Key: aws.String("charts/app-1.0.0.tgz")})
	if err != nil {
		t.Fatalf("GetObject with the session: %v", err)
	}
	body, _ := io.ReadAll(got.Body)
	got.Body.Close()
	if string(body) != "chart" {
		t.Errorf("GetObject = %q", body)
	}
	_, err = s3c.DeleteBucket(t.Context(), &s3.DeleteBucketInput{Bucket: aws.String(wiBucket)})
	if wiCode(err) != "AccessDenied" {
		t.Errorf("DeleteBucket, which the role may not: %v, want AccessDenied", err)
	}
}

// TestWebIdentityRefused checks the error and status of each token or
// role that must not get a session.
func TestWebIdentityRefused(t *testing.T) {
	e := newWIEnv(t)
	is := e.issuer
	other := oidcissuer.Claims{Namespace: "delivery", ServiceAccount: "intruder"}
	tests := []struct {
		name   string
		role   string
		token  string
		code   string
		status int
	}{
		{"WrongSubject", wiRoleARN, is.Token(other), "AccessDenied", 403},
		{"AudienceTheTrustPolicyRefuses", wiRoleARN, is.Token(oidcissuer.Claims{
			Namespace: "delivery", ServiceAccount: "agent",
			Audience: []string{wiOtherAudience}}), "AccessDenied", 403},
		{"NoSuchRole", "arn:aws:iam::" + wiAccount + ":role/absent", is.Token(agent),
			"AccessDenied", 403},
		{"AudienceNotAClientID", wiRoleARN, is.Token(oidcissuer.Claims{Namespace: "delivery",
			ServiceAccount: "agent", Audience: []string{"vault"}}), "InvalidIdentityToken", 400},
		{"WrongKey", wiRoleARN, is.Token(agent, oidcissuer.WrongKey()),
			"InvalidIdentityToken", 400},
		{"AlgNone", wiRoleARN, is.Token(agent, oidcissuer.AlgNone()),
			"InvalidIdentityToken", 400},
		{"HS256", wiRoleARN, is.Token(agent, oidcissuer.HMAC(is.JWKS())),
			"InvalidIdentityToken", 400},
		{"UnknownIssuer", wiRoleARN, is.Token(agent,
			oidcissuer.WithIssuer("https://issuer.example.com")), "InvalidIdentityToken", 400},
		{"ProviderOfAnotherAccount", "arn:aws:iam::444444444444:role/delivery-agent",
			is.Token(agent), "InvalidIdentityToken", 400},
		{"Garbage", wiRoleARN, "not-a-token", "InvalidIdentityToken", 400},
		{"Expired", wiRoleARN, is.Token(agent, oidcissuer.Expired()),
			"ExpiredTokenException", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.assumeWeb(t, tt.role, tt.token)
			if got := wiCode(err); got != tt.code {
				t.Fatalf("error %v: code %q, want %q", err, got, tt.code)
			}
			var re *awshttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tt.status {
				t.Errorf("status of %v, want %d", err, tt.status)
			}
		})
	}
}

// TestWebIdentityAWSCLI does the same as a pod would with the aws CLI:
// assume-role-with-web-identity without credentials, then
// get-caller-identity and S3 with the session.
func TestWebIdentityAWSCLI(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		t.Skip("the aws CLI is not installed")
	}
	e := newWIEnv(t)
	home := t.TempDir()
	base := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"),
		"AWS_CONFIG_FILE=" + filepath.Join(home, "config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "credentials"),
		"AWS_DEFAULT_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true"}
	out := e.aws(t, base, "sts", "assume-role-with-web-identity",
		"--role-arn", wiRoleARN, "--role-session-name", "agent-pod",
		"--web-identity-token", e.issuer.Token(agent))
	var res struct {
		Credentials     struct{ AccessKeyId, SecretAccessKey, SessionToken string }
		AssumedRoleUser struct{ Arn string }
	}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("output %s: %v", out, err)
	}
	session := append(base, "AWS_ACCESS_KEY_ID="+res.Credentials.AccessKeyId,
		"AWS_SECRET_ACCESS_KEY="+res.Credentials.SecretAccessKey,
		"AWS_SESSION_TOKEN="+res.Credentials.SessionToken)
	var id struct{ Arn string }
	if err := json.Unmarshal(e.aws(t, session, "sts", "get-caller-identity"), &id); err != nil {
		t.Fatal(err)
	}
	if id.Arn != res.AssumedRoleUser.Arn || !strings.Contains(id.Arn, ":assumed-role/") {
		t.Errorf("get-caller-identity: %q, assumed %q", id.Arn, res.AssumedRoleUser.Arn)
	}
	chart := filepath.Join(home, "app.tgz")
	if err := os.WriteFile(chart, []byte("chart"), 0o600); err != nil {
		t.Fatal(err)
	}
	e.aws(t, session, "s3", "cp", chart, "s3://"+wiBucket+"/charts/app.tgz")
	if ls := e.aws(t, session, "s3", "ls", "s3://"+wiBucket+"/charts/"); !strings.Contains(
		string(ls), "app.tgz") {
		t.Errorf("s3 ls with the session: %s", ls)
	}
}

// aws runs the aws CLI against trove with env and returns its output,
// failing the test on error.
func (e *wiEnv) aws(t *testing.T, env []string, args ...string) []byte {
	t.Helper()
	cmd := exec.Command("aws", append([]string{"--endpoint-url", e.url, "--output", "json"},
		args...)...)
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			t.Fatalf("aws %s: %v\n%s", args[:2], err, ee.Stderr)
		}
		t.Fatalf("aws %s: %v", args[:2], err)
	}
	return out
}

// TestHandlesUnsigned checks which requests the server routes to STS
// without a signature, and that the body survives the peek.
func TestHandlesUnsigned(t *testing.T) {
	form := "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&WebIdentityToken=x"
	tests := []struct {
		name, method, target, ctype, body, auth string
		want                                    bool
	}{
		{"FormPost", "POST", "/", "application/x-www-form-urlencoded", form, "", true},
		{"FormPostWithCharset", "POST", "/", "application/x-www-form-urlencoded; charset=utf-8",
			form, "", true},
		{"Get", "GET", "/?" + form, "", "", "", true},
		{"OtherAction", "POST", "/", "application/x-www-form-urlencoded",
			"Action=ListUsers&Version=2010-05-08", "", false},
		{"SignedAction", "POST", "/", "application/x-www-form-urlencoded",
			"Action=AssumeRole&Version=2011-06-15", "", false},
		{"Signed", "POST", "/", "application/x-www-form-urlencoded", form, "AWS4-HMAC-SHA256 x",
			false},
		{"OtherPath", "POST", "/bucket", "application/x-www-form-urlencoded", form, "", false},
		{"NotAForm", "POST", "/", "text/plain", form, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.target, strings.NewReader(tt.body))
			if tt.ctype != "" {
				r.Header.Set("Content-Type", tt.ctype)
			}
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			if got := trovests.HandlesUnsigned(r); got != tt.want {
				t.Errorf("HandlesUnsigned = %v, want %v", got, tt.want)
			}
			if body, _ := io.ReadAll(r.Body); string(body) != tt.body {
				t.Errorf("body after the peek = %q, want %q", body, tt.body)
			}
		})
	}
}

// TestWebIdentityRawRequest posts the form as a plain HTTP client would,
// and checks the XML answer's elements.
func TestWebIdentityRawRequest(t *testing.T) {
	e := newWIEnv(t)
	form := url.Values{"Action": {"AssumeRoleWithWebIdentity"}, "Version": {"2011-06-15"},
		"RoleArn": {wiRoleARN}, "RoleSessionName": {"raw"},
		"WebIdentityToken": {e.issuer.Token(agent)}, "DurationSeconds": {"900"}}
	resp, err := http.PostForm(e.url+"/", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	for _, want := range []string{"<AssumeRoleWithWebIdentityResponse",
		"<AssumeRoleWithWebIdentityResult>", "<SubjectFromWebIdentityToken>",
		"<Audience>sts.amazonaws.com</Audience>", "<Provider>" + e.issuer.URL + "</Provider>",
		"<AssumedRoleId>", "<RequestId>"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("answer lacks %s:\n%s", want, body)
		}
	}
}

// wiCode returns the API error code of err, "" for none.
func wiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}
