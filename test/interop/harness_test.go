package interop

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// The organization file's only key, and the region every client signs for.
const (
	accessKeyID     = "AKIATESTINTEROP00001"
	secretAccessKey = "test/interop-root/0000000000000000000000"
	region          = "us-east-1"
)

// callTimeout bounds one client call: a command, or one request to boto3.
const callTimeout = 90 * time.Second

// orgFile is the organization file every server loads.
var orgFile = filepath.Join("testdata", "organization.yaml")

// troveBin is the trove binary TestMain builds once for the whole package.
var troveBin string

// TestMain builds trove and writes the artifacts once, runs the tests, and
// removes both.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trove-interop-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "interop:", err)
		os.Exit(1)
	}
	code := 1
	if err := writeArtifacts(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
	} else {
		code = troveproc.Run(m, &troveBin)
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// mode is how a test reaches trove: over plain HTTP or over HTTPS.
type mode string

const (
	modeHTTP  mode = "http"
	modeHTTPS mode = "https"
)

// modes are the modes every client runs in.
var modes = []mode{modeHTTP, modeHTTPS}

// eachMode runs fn as a parallel subtest per mode, each with its own server.
func eachMode(t *testing.T, fn func(t *testing.T, srv *server)) {
	t.Helper()
	for _, m := range modes {
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			fn(t, startTrove(t, m))
		})
	}
}

// server is a running `trove serve` on a loopback port.
type server struct {
	*troveproc.Server
	mode   mode
	host   string         // 127.0.0.1:PORT
	caFile string         // PEM file of the certificate to trust; empty over HTTP
	pool   *x509.CertPool // the certificate of caFile; nil over HTTP
}

// startTrove runs trove serve in mode m on a free loopback port with a fresh data
// directory; over HTTPS with --tls-self-signed, trusting the certificate it writes. The
// server is stopped when the test ends, and its output logged if the test failed.
func startTrove(t *testing.T, m mode) *server {
	t.Helper()
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"--data-dir", data, "--config", orgFile, "--region", region,
		"--log-level", "debug"}
	if m == modeHTTPS {
		args = append(args, "--tls-self-signed")
	}
	p := troveproc.Start(t, troveBin, string(m), args...)
	s := &server{Server: p, mode: m, host: p.Addr}
	if m == modeHTTPS {
		s.trustSelfSigned(t, filepath.Join(data, "tls", "self-signed.crt"))
	}
	return s
}

// trustSelfSigned makes the certificate at path the server's CA bundle.
func (s *server) trustSelfSigned(t *testing.T, path string) {
	t.Helper()
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read trove's self-signed certificate: %v", err)
	}
	s.pool = x509.NewCertPool()
	if !s.pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", path)
	}
	s.caFile = path
}

// logTail is how much of a client's output a failed test shows.
const logTail = 6000

// tail returns the last n bytes of s.
func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// tlsConfig is the TLS configuration that trusts only the server's certificate; nil
// over HTTP.
func (s *server) tlsConfig() *tls.Config {
	if s.pool == nil {
		return nil
	}
	return &tls.Config{RootCAs: s.pool, MinVersion: tls.VersionTLS12}
}

// httpClient returns a plain net/http client for the server, without proxies.
func (s *server) httpClient() *http.Client {
	return &http.Client{
		Timeout:   callTimeout,
		Transport: &http.Transport{TLSClientConfig: s.tlsConfig(), Proxy: nil},
	}
}

// clientEnv is the whole environment of a client subprocess: PATH, a scratch HOME, no
// proxies, no instance metadata, and extra; the machine's AWS_CA_BUNDLE and AWS files
// never apply.
func (s *server) clientEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + t.TempDir(),
		"LANG=C.UTF-8",
		"AWS_EC2_METADATA_DISABLED=true",
		"NO_PROXY=127.0.0.1,localhost",
	}
	return append(env, extra...)
}

// caBundleEnv is AWS_CA_BUNDLE naming the server's certificate over HTTPS, for the
// clients built on botocore; over HTTP it is nothing.
func (s *server) caBundleEnv() []string {
	if s.caFile == "" {
		return nil
	}
	return []string{"AWS_CA_BUNDLE=" + s.caFile}
}

// lookClient finds a client program on PATH, failing the test if it is missing.
func lookClient(t *testing.T, name string) string {
	t.Helper()
	bin, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("the %s client is required: %v", name, err)
	}
	return bin
}

// errNoPresignPut is what a client without presigned PUT URLs returns.
var errNoPresignPut = errors.New("interop: this client makes no presigned PUT URLs")
