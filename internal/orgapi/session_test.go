package orgapi_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/testutil"
)

// clock is the server's clock, against which sessions expire: real time
// shifted by an offset the test moves.
type clock struct {
	mu     sync.Mutex // guards offset
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

const (
	readerARN   = "arn:aws:iam::999999999999:role/reader"
	trustAuditr = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` +
		`{"AWS":"arn:aws:iam::999999999999:user/auditor"},"Action":"sts:AssumeRole"}]}`
	listOrg = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"organizations:List*","Resource":"*"}]}`
)

// sessionServer serves testdata/org.yaml with the role reader, which the
// auditor may assume and which may list the organization, on a clock the
// test moves.
func sessionServer(t *testing.T) (*httptest.Server, *clock) {
	t.Helper()
	c := &clock{}
	st := testutil.Stores(t, "testdata/org.yaml")
	srv := httptest.NewServer(server.NewHandler(st, server.Config{Now: c.now},
		slog.New(slog.DiscardHandler)))
	t.Cleanup(srv.Close)
	root := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL),
		Credentials: credentials.NewStaticCredentialsProvider(managerRoot.id,
			managerRoot.secret, ""), RetryMaxAttempts: 1})
	_, err := root.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("reader"),
		AssumeRolePolicyDocument: aws.String(trustAuditr)})
	if err == nil {
		_, err = root.PutRolePolicy(t.Context(), &iam.PutRolePolicyInput{
			RoleName: aws.String("reader"), PolicyName: aws.String("list"),
			PolicyDocument: aws.String(listOrg)})
	}
	if err != nil {
		t.Fatal(err)
	}
	return srv, c
}

// assumeReader returns a session of the role reader lasting seconds,
// assumed by the auditor.
func assumeReader(ctx context.Context, url string, seconds int32) (aws.Credentials, error) {
	c := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider(auditor.id, auditor.secret,
			""), RetryMaxAttempts: 1})
	out, err := c.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(readerARN),
		RoleSessionName: aws.String("auditing"), DurationSeconds: aws.Int32(seconds)})
	if err != nil {
		return aws.Credentials{}, err
	}
	k := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId),
		SecretAccessKey: aws.ToString(k.SecretAccessKey),
		SessionToken:    aws.ToString(k.SessionToken)}, nil
}

// TestSessionTokenErrors checks Organizations' answers to a session whose
// token has expired and to a tampered token: ExpiredTokenException and
// UnrecognizedClientException with AWS's words, not a signature error.
func TestSessionTokenErrors(t *testing.T) {
	srv, clk := sessionServer(t)
	ctx := t.Context()
	// Issued 14 minutes ago for 15: the session ends a minute from now, and
	// requests stay within the signature's clock skew.
	clk.set(-14 * time.Minute)
	s, err := assumeReader(ctx, srv.URL, 900)
	clk.set(0)
	if err != nil {
		t.Fatal(err)
	}
	tampered := s
	c := s.SessionToken[40]
	tampered.SessionToken = s.SessionToken[:40] + string(c^1) + s.SessionToken[41:]
	tests := []struct {
		name      string
		creds     aws.Credentials
		offset    time.Duration
		code, msg string
		status    int
	}{
		{"valid", s, 0, "", "", 200},
		{"expired", s, 2 * time.Minute, "ExpiredTokenException",
			"The security token included in the request is expired", 400},
		{"tampered", tampered, 0, "UnrecognizedClientException",
			"The security token included in the request is invalid.", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk.set(tt.offset)
			defer clk.set(0)
			cl := organizations.New(organizations.Options{Region: "us-east-1",
				BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1,
				Credentials: credentials.StaticCredentialsProvider{Value: tt.creds}})
			out, err := cl.ListAccounts(ctx, &organizations.ListAccountsInput{})
			var ae smithy.APIError
			var re *awshttp.ResponseError
			switch {
			case tt.code == "":
				if err != nil || len(out.Accounts) == 0 {
					t.Fatalf("valid session: %v", err)
				}
			case !errors.As(err, &ae) || !errors.As(err, &re):
				t.Fatalf("got %v, want an API error", err)
			case ae.ErrorCode() != tt.code || ae.ErrorMessage() != tt.msg ||
				re.HTTPStatusCode() != tt.status:
				t.Fatalf("got %d %s %q, want %d %s %q", re.HTTPStatusCode(), ae.ErrorCode(),
					ae.ErrorMessage(), tt.status, tt.code, tt.msg)
			}
		})
	}
}
