package server_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/testutil"
)

// TestTLSConfigErrors checks that a TLS configuration that cannot serve,
// or asks for a self-signed certificate and names files too, stops the
// start before the data directory is created or credentials are printed,
// and names what is wrong.
func TestTLSConfigErrors(t *testing.T) {
	dir := t.TempDir()
	good, other := testutil.NewCert(t, dir, "good"), testutil.NewCert(t, dir, "other")
	notPEM := filepath.Join(dir, "not.pem")
	if err := os.WriteFile(notPEM, []byte("not a certificate\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.crt")
	tests := []struct {
		name       string
		cert, key  string
		selfSigned bool
		wantIs     error
		wantText   string
	}{
		{name: "certificate alone", cert: good.CertFile, wantIs: server.ErrTLSPair},
		{name: "key alone", key: good.KeyFile, wantIs: server.ErrTLSPair},
		{name: "missing certificate", cert: missing, key: good.KeyFile, wantIs: fs.ErrNotExist,
			wantText: "missing.crt"},
		{name: "missing key", cert: good.CertFile, key: missing, wantIs: fs.ErrNotExist,
			wantText: "missing.crt"},
		{name: "key of another certificate", cert: good.CertFile, key: other.KeyFile,
			wantText: "other.key"},
		{name: "certificate not PEM", cert: notPEM, key: good.KeyFile, wantText: "not.pem"},
		{name: "key not PEM", cert: good.CertFile, key: notPEM, wantText: "not.pem"},
		{name: "self-signed and a pair", cert: good.CertFile, key: good.KeyFile,
			selfSigned: true, wantIs: server.ErrTLSSelfSigned},
		{name: "self-signed and a certificate", cert: good.CertFile, selfSigned: true,
			wantIs: server.ErrTLSSelfSigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			var out bytes.Buffer
			err := server.Run(context.Background(), server.Config{Listen: "127.0.0.1:0",
				DataDir: data, TLSCert: tc.cert, TLSKey: tc.key, TLSSelfSigned: tc.selfSigned},
				&out, quiet)
			switch {
			case err == nil:
				t.Fatal("Run started")
			case tc.wantIs != nil && !errors.Is(err, tc.wantIs):
				t.Errorf("err %v, want %v", err, tc.wantIs)
			case !strings.HasPrefix(err.Error(), "server: ") ||
				!strings.Contains(err.Error(), tc.wantText):
				t.Errorf("err %q, want it to start server: and name %q", err, tc.wantText)
			}
			if _, statErr := os.Stat(data); !errors.Is(statErr, fs.ErrNotExist) || out.Len() != 0 {
				t.Errorf("data dir: %v, printed %q", statErr, out.String())
			}
		})
	}
}

// running is a server.Run in a goroutine.
type running struct {
	url    string
	out    *syncBuffer // what Run printed: the first start's credentials
	logs   *syncBuffer
	cancel context.CancelFunc
	done   chan error
}

func startRun(t *testing.T, cfg server.Config) *running {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &running{out: &syncBuffer{}, logs: &syncBuffer{}, cancel: cancel,
		done: make(chan error, 1)}
	log := slog.New(slog.NewTextHandler(r.logs, nil))
	go func() { r.done <- server.Run(ctx, cfg, r.out, log) }()
	t.Cleanup(func() { r.stop(t) })
	r.url = waitForURL(t, r.logs)
	return r
}

// TestRunWarnsOfExpiredCertificate checks that a certificate outside its
// validity period is served, with a warning in the log.
func TestRunWarnsOfExpiredCertificate(t *testing.T) {
	dir := t.TempDir()
	cert := testutil.CertAt(t, dir, "old", time.Now().Add(-48*time.Hour))
	srv := startRun(t, server.Config{Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "d"),
		TLSCert: cert.CertFile, TLSKey: cert.KeyFile})
	if !strings.Contains(srv.logs.String(), "level=WARN msg=\"TLS certificate is not valid now") {
		t.Errorf("no warning of the expired certificate:\n%s", srv.logs.String())
	}
}

func (r *running) stop(t *testing.T) {
	t.Helper()
	if r.cancel == nil {
		return
	}
	r.cancel()
	r.cancel = nil
	select {
	case err := <-r.done:
		if err != nil {
			t.Errorf("Run: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
}

var credsRE = regexp.MustCompile(`aws_access_key_id\s+= (\S+)\n\s+aws_secret_access_key = (\S+)\n`)

// rootClient returns an SDK client signing as the root user whose key Run
// printed, sending through hc. The client is built from s3.Options alone,
// so no shared configuration (AWS_CA_BUNDLE included) reaches it.
func (r *running) rootClient(t *testing.T, hc *http.Client) *s3.Client {
	t.Helper()
	m := credsRE.FindStringSubmatch(r.out.String())
	if m == nil {
		t.Fatalf("no credentials printed: %q", r.out.String())
	}
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(r.url),
		Credentials:  credentials.NewStaticCredentialsProvider(m[1], m[2], ""),
		UsePathStyle: true,
		HTTPClient:   hc,
	})
}

// httpsClient trusts only pool's certificates and offers TLS versions from
// 1.0 up to maxVersion (0: the latest), so that the server alone decides
// which versions it accepts.
func httpsClient(pool *x509.CertPool, maxVersion uint16) *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil, TLSClientConfig: &tls.Config{
		RootCAs: pool, MinVersion: tls.VersionTLS10, MaxVersion: maxVersion}}}
}

// secureOnlyPolicy is AWS's DenyInsecureTransport statement, a public read
// of public/ over TLS, and a Deny of tls13/ below TLS 1.3.
const secureOnlyPolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",
 "Resource":["arn:aws:s3:::secure","arn:aws:s3:::secure/*"],
 "Condition":{"Bool":{"aws:SecureTransport":"false"}}},
{"Sid":"PublicOverTLS","Effect":"Allow","Principal":"*","Action":"s3:GetObject",
 "Resource":"arn:aws:s3:::secure/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}},
{"Sid":"OnlyTLS13","Effect":"Deny","Principal":"*","Action":"s3:GetObject",
 "Resource":"arn:aws:s3:::secure/tls13/*",
 "Condition":{"NumericLessThan":{"s3:TlsVersion":"1.3"}}}]}`

// TestRunServesHTTPS starts trove with a certificate, and checks that it
// serves HTTPS with the certificate and TLS 1.2 at least, that requests
// over it carry aws:SecureTransport true and s3:TlsVersion (a bucket
// policy decides by them), that plain HTTP to the port fails, and that the
// same bucket policy denies every caller once trove serves plain HTTP.
func TestRunServesHTTPS(t *testing.T) {
	dir := t.TempDir()
	cert := testutil.NewCert(t, dir, "trove")
	data := filepath.Join(dir, "data")
	srv := startRun(t, server.Config{Listen: "127.0.0.1:0", DataDir: data,
		TLSCert: cert.CertFile, TLSKey: cert.KeyFile})
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("trove listening on %s, want https", srv.url)
	}
	hc := httpsClient(cert.Pool, 0)
	putSecureBucket(t, srv.rootClient(t, hc))

	tests := []struct {
		name       string
		client     *http.Client
		path       string
		wantStatus int
	}{
		{"anonymous read over TLS 1.3", hc, "/secure/public/a.txt", http.StatusOK},
		{"TLS 1.3 key over TLS 1.3", hc, "/secure/tls13/b.txt", http.StatusOK},
		{"anonymous read over TLS 1.2", httpsClient(cert.Pool, tls.VersionTLS12),
			"/secure/public/a.txt", http.StatusOK},
		{"TLS 1.3 key over TLS 1.2", httpsClient(cert.Pool, tls.VersionTLS12),
			"/secure/tls13/b.txt", http.StatusForbidden},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := getStatus(t, tc.client, srv.url+tc.path); got != tc.wantStatus {
				t.Errorf("GET %s: %d, want %d", tc.path, got, tc.wantStatus)
			}
		})
	}
	checkRefusals(t, srv.url, cert.Pool)
	srv.stop(t)

	plain := startRun(t, server.Config{Listen: "127.0.0.1:0", DataDir: data})
	if got := getStatus(t, http.DefaultClient, plain.url+"/secure/public/a.txt"); got !=
		http.StatusForbidden {
		t.Errorf("anonymous GET over plain HTTP: %d, want 403", got)
	}
	// The root key was printed by the first start; the same store serves it.
	plain.out = srv.out
	_, err := plain.rootClient(t, &http.Client{}).GetObject(context.Background(),
		&s3.GetObjectInput{Bucket: aws.String("secure"), Key: aws.String("public/a.txt")})
	if code := errorCode(err); code != "AccessDenied" {
		t.Errorf("owner's GetObject over plain HTTP: %v, want AccessDenied", err)
	}
}

// putSecureBucket creates bucket secure with secureOnlyPolicy and two
// objects, as its owner over TLS.
func putSecureBucket(t *testing.T, c *s3.Client) {
	t.Helper()
	ctx := context.Background()
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("secure")})
	if err != nil {
		t.Fatalf("CreateBucket over TLS: %v", err)
	}
	_, err = c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("secure"),
		Policy: aws.String(secureOnlyPolicy)})
	if err != nil {
		t.Fatalf("PutBucketPolicy over TLS: %v", err)
	}
	for _, key := range []string{"public/a.txt", "tls13/b.txt"} {
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("secure"),
			Key: aws.String(key), Body: strings.NewReader("hello")})
		if err != nil {
			t.Fatalf("PutObject %s over TLS: %v", key, err)
		}
	}
}

// checkRefusals checks what the TLS port refuses: plain HTTP, TLS 1.1, and
// clients that do not trust the certificate.
func checkRefusals(t *testing.T, url string, pool *x509.CertPool) {
	t.Helper()
	resp, err := http.Get("http://" + strings.TrimPrefix(url, "https://") + "/")
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest || bytes.Contains(body, []byte("<Code>")) {
			t.Errorf("plain HTTP to the TLS port: %d %q, want Go's 400 and no S3 answer",
				resp.StatusCode, body)
		}
	}
	for name, c := range map[string]*http.Client{
		"TLS 1.1":           httpsClient(pool, tls.VersionTLS11),
		"untrusted root CA": httpsClient(x509.NewCertPool(), 0),
	} {
		if resp, err := c.Get(url + "/"); err == nil {
			resp.Body.Close()
			t.Errorf("%s: the handshake succeeded, status %d", name, resp.StatusCode)
		}
	}
}

func getStatus(t *testing.T, c *http.Client, url string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doStatus(t, c, req)
}

// doStatus sends req and returns the response's status, reading and
// closing its body.
func doStatus(t *testing.T, c *http.Client, req *http.Request) int {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func errorCode(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}
