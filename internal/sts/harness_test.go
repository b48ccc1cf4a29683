package sts_test

import (
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/store"
)

// Keys of testdata/org.yaml.
var (
	deployer     = creds("AKIAPRDDEPLOYER00001", "prd-deployer-secret-0000000000000000000000")
	nobody       = creds("AKIAPRDNOBODY0000001", "prd-nobody-secret-000000000000000000000000")
	prdRoot      = creds("AKIAPRDROOT000000001", "prd-root-secret-00000000000000000000000000")
	devtoolsRoot = creds("AKIADEVTOOLSROOT0001", "devtools-root-secret-0000000000000000000000")
	partner      = creds("AKIAPARTNERAGENT0001", "partner-agent-secret-000000000000000000000")
	partnerNone  = creds("AKIAPARTNERNOPERM001", "partner-noperm-secret-00000000000000000000")
)

func creds(id, secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: id, SecretAccessKey: secret}
}

const (
	deliveryARN = "arn:aws:iam::222222222222:role/agents/delivery"
	builderARN  = "arn:aws:iam::222222222222:role/builder"
	readerARN   = "arn:aws:iam::222222222222:role/reader"
)

// clock is the server's clock: real time shifted by an offset the test
// moves.
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

// env is a trove serving testdata/org.yaml over HTTP, with objects
// devtools-charts/charts/app-1.0.0.tgz and devtools-charts/atlas/app.tgz.
type env struct {
	url   string
	clock *clock
	meta  store.Meta
}

func newEnv(t *testing.T) *env {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := server.Open(t.Context(), t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := server.LoadOrgFile(t.Context(), st.Meta, "testdata/org.yaml", "us-east-1",
		log); err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	srv := httptest.NewServer(server.NewHandler(st, server.Config{Now: c.now}, log))
	t.Cleanup(srv.Close)
	e := &env{url: srv.URL, clock: c, meta: st.Meta}
	s3c := e.s3(devtoolsRoot)
	for _, key := range []string{"charts/app-1.0.0.tgz", "atlas/app.tgz"} {
		_, err := s3c.PutObject(t.Context(), &s3.PutObjectInput{
			Bucket: aws.String("devtools-charts"), Key: aws.String(key),
			Body: strings.NewReader("chart " + key)})
		if err != nil {
			t.Fatalf("put %s: %v", key, err)
		}
	}
	return e
}

func config(c aws.Credentials) aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.StaticCredentialsProvider{
		Value: c}, RetryMaxAttempts: 1}
}

func (e *env) sts(c aws.Credentials) *sts.Client {
	return sts.NewFromConfig(config(c), func(o *sts.Options) {
		o.BaseEndpoint = aws.String(e.url)
	})
}

func (e *env) s3(c aws.Credentials) *s3.Client {
	return s3.NewFromConfig(config(c), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(e.url), true
	})
}

// assume assumes role as c with the input in, failing the test on error.
func (e *env) assume(t *testing.T, c aws.Credentials, in *sts.AssumeRoleInput) aws.Credentials {
	t.Helper()
	out, err := e.sts(c).AssumeRole(t.Context(), in)
	if err != nil {
		t.Fatalf("AssumeRole %s: %v", aws.ToString(in.RoleArn), err)
	}
	k := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId),
		SecretAccessKey: aws.ToString(k.SecretAccessKey),
		SessionToken:    aws.ToString(k.SessionToken)}
}

// code returns the API error code of err, "" for none.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// get reads bucket/key with c and returns the error code, "" on success.
func (e *env) get(t *testing.T, c aws.Credentials, bucket, key string) string {
	t.Helper()
	out, err := e.s3(c).GetObject(t.Context(), &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err == nil {
		out.Body.Close()
	}
	return code(err)
}
