package s3api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/minio/minio-go/v7"
	miniocreds "github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/testutil"
)

// The integration tests below run a real trove handler (stores from
// server.Open in a temporary directory, identities from testdata/org.yaml)
// behind httptest servers and talk to it with real S3 clients over loopback.

// principal is an access key declared in testdata/org.yaml.
type principal struct{ id, secret string }

var (
	devRoot   = principal{"AKIATESTDEVROOT00001", "test/devtools-root/000000000000000000000"}
	alice     = principal{"AKIATESTALICE0000001", "test/alice/00000000000000000000000000000"}
	lister    = principal{"AKIATESTLISTER000001", "test/lister/0000000000000000000000000000"}
	reader    = principal{"AKIATESTREADER000001", "test/reader/0000000000000000000000000000"}
	named     = principal{"AKIATESTNAMED0000001", "test/named/00000000000000000000000000000"}
	nobody    = principal{"AKIATESTNOBODY000001", "test/nobody/0000000000000000000000000000"}
	prdRoot   = principal{"AKIATESTPRDROOT00001", "test/prd-root/00000000000000000000000000"}
	delegate  = principal{"AKIATESTDELEGATE0001", "test/delegate/00000000000000000000000000"}
	bystander = principal{"AKIATESTBYSTANDER001", "test/bystander/0000000000000000000000000"}
	outRoot   = principal{"AKIATESTOUTROOT00001", "test/partner-root/0000000000000000000000"}
	outsider  = principal{"AKIATESTOUTSIDER0001", "test/outsider/00000000000000000000000000"}
)

// mode is one way of reaching the server: path-style or virtual-host-style
// addressing, over plain HTTP or TLS.
type mode struct {
	name  string
	tls   bool
	vhost bool
}

var modes = []mode{
	{name: "path-http"},
	{name: "path-tls", tls: true},
	{name: "vhost-http", vhost: true},
	{name: "vhost-tls", tls: true, vhost: true},
}

// forModes runs f once per mode, each against its own fresh server.
func forModes(t *testing.T, f func(t *testing.T, e *env)) {
	t.Helper()
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f(t, newEnv(t, m))
		})
	}
}

// env is one running trove with its own data directory.
type env struct {
	mode   mode
	srv    *httptest.Server
	h      http.Handler
	stores *server.Stores
	// skew is added to the server's clock, to expire presigned URLs.
	skew atomic.Int64

	once      sync.Once
	transport *http.Transport
}

func newEnv(t *testing.T, m mode) *env {
	t.Helper()
	st := testutil.Stores(t, "testdata/org.yaml")
	e := &env{stores: st}
	e.h = s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(tlog{t}, nil)),
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }})
	e.start(t, m)
	return e
}

// start serves e's handler in mode m.
func (e *env) start(t *testing.T, m mode) {
	e.mode = m
	e.srv = httptest.NewUnstartedServer(e.h)
	if m.tls {
		e.srv.StartTLS()
	} else {
		e.srv.Start()
	}
	t.Cleanup(e.srv.Close)
}

// withMode serves the same handler and stores in another mode.
func (e *env) withMode(t *testing.T, m mode) *env {
	o := &env{stores: e.stores, h: e.h}
	o.start(t, m)
	return o
}

// tlog sends the handler's error log to the test log.
type tlog struct{ t *testing.T }

func (l tlog) Write(p []byte) (int, error) {
	l.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// addr is the server's loopback address, host:port.
func (e *env) addr() string { return e.srv.Listener.Addr().String() }

// endpoint is the base URL clients are given: the loopback address for
// path-style, localhost for virtual-host-style (bucket.localhost).
func (e *env) endpoint() string {
	scheme := "http"
	if e.mode.tls {
		scheme = "https"
	}
	if !e.mode.vhost {
		return scheme + "://" + e.addr()
	}
	_, port, _ := net.SplitHostPort(e.addr())
	return scheme + "://localhost:" + port
}

// objectURL is the URL of bucket/key in the env's addressing style.
func (e *env) objectURL(bucket, key string) string {
	u, _ := url.Parse(e.endpoint())
	esc := (&url.URL{Path: "/" + key}).EscapedPath()
	if e.mode.vhost {
		u.Host = bucket + "." + u.Host
		return u.String() + esc
	}
	if bucket == "" {
		return u.String() + "/"
	}
	return u.String() + "/" + bucket + esc
}

// roundTripper returns the env's shared transport: it trusts the test
// server's certificate and dials the server whatever host a URL names.
func (e *env) roundTripper() *http.Transport {
	e.once.Do(func() {
		var tr *http.Transport
		if e.mode.tls {
			tr = e.srv.Client().Transport.(*http.Transport).Clone()
			// The test certificate names example.com and 127.0.0.1.
			tr.TLSClientConfig.ServerName = "example.com"
		} else {
			tr = &http.Transport{}
		}
		addr := e.addr()
		d := &net.Dialer{Timeout: 5 * time.Second}
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		}
		tr.Proxy = nil
		tr.MaxIdleConnsPerHost = 16
		e.transport = tr
	})
	return e.transport
}

func (e *env) httpClient() *http.Client { return &http.Client{Transport: e.roundTripper()} }

// s3 returns an aws-sdk-go-v2 client for p with default settings but for
// the endpoint, addressing and transport. s3.New leaves the checksum
// settings unset (no checksums at all); they are set here to what
// config.LoadDefaultConfig resolves by default, WhenSupported, so uploads
// carry CRC32 (over TLS in an aws-chunked trailer) and downloads are
// validated.
func (e *env) s3(p principal, opts ...func(*s3.Options)) *s3.Client {
	o := s3.Options{
		Region:                     "us-east-1",
		BaseEndpoint:               aws.String(e.endpoint()),
		Credentials:                credentials.NewStaticCredentialsProvider(p.id, p.secret, ""),
		UsePathStyle:               !e.mode.vhost,
		HTTPClient:                 e.httpClient(),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	for _, f := range opts {
		f(&o)
	}
	return s3.New(o)
}

// minio returns a minio-go client for p that sends through rt.
func (e *env) minio(t *testing.T, p principal, rt http.RoundTripper) *minio.Client {
	t.Helper()
	u, _ := url.Parse(e.endpoint())
	lookup := minio.BucketLookupPath
	if e.mode.vhost {
		lookup = minio.BucketLookupDNS
	}
	c, err := minio.New(u.Host, &minio.Options{
		Creds:        miniocreds.NewStaticV4(p.id, p.secret, ""),
		Secure:       e.mode.tls,
		Region:       "us-east-1",
		Transport:    rt,
		BucketLookup: lookup,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// put uploads body to bucket/key with the SDK, failing the test on error.
func put(t *testing.T, c *s3.Client, bucket, key, body string) *s3.PutObjectOutput {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s/%q: %v", bucket, key, err)
	}
	return out
}

// setPolicy makes doc dev-main's bucket policy through c, failing the test
// if it is refused.
func setPolicy(t *testing.T, c *s3.Client, doc string) {
	t.Helper()
	if _, err := c.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{
		Bucket: aws.String("dev-main"), Policy: aws.String(doc)}); err != nil {
		t.Fatalf("PutBucketPolicy: %v", err)
	}
}

// get downloads bucket/key with the SDK.
func get(c *s3.Client, bucket, key string) (string, error) {
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	if err != nil {
		return "", err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	return string(b), err
}

// errCode is the S3 error code of err, "" when err is not an API error.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// errStatus is the HTTP status of the response that produced err, or 0.
func errStatus(err error) int {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		return re.HTTPStatusCode()
	}
	return 0
}

// wantErr fails unless err carries code (when not "") and status.
func wantErr(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s (%d)", code, status)
	}
	if got := errCode(err); code != "" && got != code {
		t.Errorf("error code %q, want %q (err: %v)", got, code, err)
	}
	if got := errStatus(err); got != status {
		t.Errorf("HTTP status %d, want %d (err: %v)", got, status, err)
	}
}

// signed builds a plain net/http request with headers h, signed with SigV4
// by header for the payload hash of body. p nil leaves it anonymous.
func signed(t *testing.T, p *principal, region, method, rawURL string, body []byte,
	h map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header.Set(k, v)
	}
	if p == nil {
		return req
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: p.id, SecretAccessKey: p.secret}
	err = v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", region,
		time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return req
}

// do sends req with the env's client and returns the response and its body.
func (e *env) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := e.httpClient().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

// recorder is a RoundTripper that remembers the x-amz-content-sha256 value
// of every PUT it sends, to show which body encoding a client chose.
type recorder struct {
	rt http.RoundTripper

	mu       sync.Mutex // guards payloads
	payloads []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method == http.MethodPut {
		r.mu.Lock()
		r.payloads = append(r.payloads, req.Header.Get("X-Amz-Content-Sha256"))
		r.mu.Unlock()
	}
	return r.rt.RoundTrip(req)
}

// puts returns the recorded payload hashes of PUT requests.
func (r *recorder) puts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.payloads...)
}
