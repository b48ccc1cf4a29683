package e2e

import (
	"github.com/troveproject/trove/internal/testutil/troveproc"

	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/testutil"
)

// writeLoopbackCert writes a self-signed certificate for 127.0.0.1, its own CA, and
// its key into dir, and returns the two paths; the certificate serves as the CLI's
// --ca-bundle too.
func writeLoopbackCert(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	c := testutil.NewCert(t, dir, "trove")
	return c.CertFile, c.KeyFile
}

// denyInsecureTransport is AWS's standard statement that refuses every request made
// without TLS.
const denyInsecureTransport = `{"Version":"2012-10-17","Statement":[{` +
	`"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*",` +
	`"Resource":["arn:aws:s3:::tls-bucket","arn:aws:s3:::tls-bucket/*"],` +
	`"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}`

// TestTLS runs trove serve --tls-cert --tls-key and drives it with the aws CLI over
// HTTPS, trusting the certificate through --ca-bundle: a bucket with AWS's
// DenyInsecureTransport policy stays usable. Without the bundle, and over plain HTTP to
// the same port, the CLI fails.
func TestTLS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := writeLoopbackCert(t, dir)
	srv := troveproc.Start(t, troveBin, "https", "--data-dir", filepath.Join(dir, "data"),
		"--config", exampleOrg, "--tls-cert", certFile, "--tls-key", keyFile)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	body := filepath.Join(dir, "hello.txt")
	if err := os.WriteFile(body, []byte("hello over TLS\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := []string{"--ca-bundle", certFile}
	steps := []struct {
		name string
		args []string
	}{
		{"make a bucket", []string{"s3", "mb", "s3://tls-bucket"}},
		{"deny insecure transport", []string{"s3api", "put-bucket-policy", "--bucket",
			"tls-bucket", "--policy", denyInsecureTransport}},
		{"upload", []string{"s3", "cp", body, "s3://tls-bucket/hello.txt"}},
	}
	for _, s := range steps {
		if r := c.run(t, "devtools-root", false, append(s.args, ca...)...); r.err != nil {
			t.Fatalf("%s: %s", s.name, r)
		}
	}
	r := c.run(t, "devtools-root", false, append([]string{"s3", "ls", "s3://tls-bucket"},
		ca...)...)
	if r.err != nil || !slices.Equal(listed(r.stdout), []string{"hello.txt"}) {
		t.Fatalf("s3 ls over HTTPS: want hello.txt listed: %s", r)
	}
	if r := c.run(t, "devtools-root", false, "s3", "ls"); r.err == nil ||
		!strings.Contains(r.stderr, "CERTIFICATE_VERIFY_FAILED") {
		t.Errorf("s3 ls without --ca-bundle: want a certificate verification failure: %s", r)
	}
	plain := &cli{bin: c.bin, env: c.env,
		endpoint: "http://" + strings.TrimPrefix(srv.Endpoint, "https://")}
	if r := plain.run(t, "devtools-root", false, "s3", "ls"); r.err == nil {
		t.Errorf("s3 ls over plain HTTP to the TLS port succeeded: %s", r)
	}
}
