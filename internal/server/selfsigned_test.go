package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/server"
)

// readSelfSigned returns the self-signed certificate stored under data,
// and a pool that trusts it alone.
func readSelfSigned(t *testing.T, data string) (*x509.Certificate, *x509.CertPool) {
	t.Helper()
	certFile, _ := server.SelfSignedFiles(data)
	raw, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(raw)
	if block == nil || block.Type != "CERTIFICATE" {
		t.Fatalf("%s holds no PEM certificate", certFile)
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return cert, pool
}

// opensslFingerprint is cert's SHA-256 as openssl x509 -fingerprint prints it.
func opensslFingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	parts := make([]string, len(sum))
	for i, b := range sum {
		parts[i] = fmt.Sprintf("%02X", b)
	}
	return strings.Join(parts, ":")
}

// TestRunSelfSigned starts trove with a self-signed certificate, lists
// buckets with an SDK client that trusts only the stored certificate
// file, checks the certificate's names, validity and key file mode and
// that the log names its file and fingerprint, then restarts and checks
// that the same certificate is served again.
func TestRunSelfSigned(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data")
	cfg := server.Config{Listen: "127.0.0.1:0", DataDir: data, TLSSelfSigned: true,
		Domains: []string{"trove.test", "localhost"}}
	srv := startRun(t, cfg)
	if !strings.HasPrefix(srv.url, "https://") {
		t.Fatalf("trove listening on %s, want https", srv.url)
	}
	cert, pool := readSelfSigned(t, data)
	_, err := srv.rootClient(t, httpsClient(pool, 0)).ListBuckets(context.Background(),
		&s3.ListBucketsInput{})
	if err != nil {
		t.Fatalf("ListBuckets over the self-signed certificate: %v", err)
	}
	checkSelfSignedCert(t, cert, time.Now())
	certFile, keyFile := server.SelfSignedFiles(data)
	if fi, err := os.Stat(keyFile); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key file: %v, mode %v; want 0600", err, fi.Mode().Perm())
	}
	fp := opensslFingerprint(cert)
	for _, want := range []string{"file=" + certFile, "sha256=" + fp, "generated=true"} {
		if !strings.Contains(srv.logs.String(), want) {
			t.Errorf("log does not hold %s:\n%s", want, srv.logs.String())
		}
	}
	srv.stop(t)

	again := startRun(t, cfg)
	if got, _ := readSelfSigned(t, data); !bytes.Equal(got.Raw, cert.Raw) {
		t.Errorf("restart replaced the certificate")
	}
	for _, want := range []string{"sha256=" + fp, "generated=false"} {
		if !strings.Contains(again.logs.String(), want) {
			t.Errorf("restart's log does not hold %s:\n%s", want, again.logs.String())
		}
	}
	checkRefusals(t, again.url, pool)
}

// checkSelfSignedCert checks that cert, generated at now, is its own CA,
// covers loopback, localhost and trove.test with its buckets for 90 days,
// and uses an ECDSA key.
func checkSelfSignedCert(t *testing.T, cert *x509.Certificate, now time.Time) {
	t.Helper()
	if !cert.IsCA || cert.PublicKeyAlgorithm != x509.ECDSA {
		t.Errorf("certificate: CA %v, key %v; want a CA with an ECDSA key", cert.IsCA,
			cert.PublicKeyAlgorithm)
	}
	if err := cert.CheckSignatureFrom(cert); err != nil {
		t.Errorf("certificate is not self-signed: %v", err)
	}
	life := cert.NotAfter.Sub(now)
	if life < 89*24*time.Hour || life > 90*24*time.Hour+time.Minute {
		t.Errorf("certificate valid until %s, want 90 days from now", cert.NotAfter)
	}
	for _, host := range []string{"127.0.0.1", "::1", "localhost", "trove.test",
		"my-bucket.trove.test"} {
		if err := cert.VerifyHostname(host); err != nil {
			t.Errorf("certificate does not cover %s: %v", host, err)
		}
	}
}

// TestRunReplacesSelfSigned checks which stored self-signed certificates a
// start replaces: an expired one, one valid for less than a day more, one
// not yet valid, one for other domains, one that does not parse, and a
// certificate without its key; and that a current one is kept.
func TestRunReplacesSelfSigned(t *testing.T) {
	now := time.Now()
	stored := func(domains []string, at time.Time) func(t *testing.T, data string) {
		return func(t *testing.T, data string) {
			if err := server.WriteSelfSigned(data, domains, at); err != nil {
				t.Fatal(err)
			}
		}
	}
	corrupt := func(which int) func(t *testing.T, data string) {
		return func(t *testing.T, data string) {
			stored([]string{"trove.test"}, now)(t, data)
			certFile, keyFile := server.SelfSignedFiles(data)
			path := []string{certFile, keyFile}[which]
			if err := os.WriteFile(path, []byte("not PEM\n"), 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	tests := []struct {
		name         string
		store        func(t *testing.T, data string)
		wantReplaced bool
	}{
		{"current", stored([]string{"trove.test"}, now.Add(-24*time.Hour)), false},
		{"expired", stored([]string{"trove.test"}, now.Add(-100*24*time.Hour)), true},
		{"valid for less than a day", stored([]string{"trove.test"},
			now.Add(-90*24*time.Hour+12*time.Hour)), true},
		{"not yet valid", stored([]string{"trove.test"}, now.Add(48*time.Hour)), true},
		{"other domains", stored([]string{"other.test"}, now), true},
		{"certificate not PEM", corrupt(0), true},
		{"key not PEM", corrupt(1), true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			tc.store(t, data)
			certFile, _ := server.SelfSignedFiles(data)
			before, _ := os.ReadFile(certFile)
			startRun(t, server.Config{Listen: "127.0.0.1:0", DataDir: data,
				TLSSelfSigned: true, Domains: []string{"trove.test"}}).stop(t)
			after, err := os.ReadFile(certFile)
			if err != nil {
				t.Fatal(err)
			}
			if replaced := !bytes.Equal(before, after); replaced != tc.wantReplaced {
				t.Fatalf("replaced %v, want %v", replaced, tc.wantReplaced)
			}
			if tc.wantReplaced {
				cert, _ := readSelfSigned(t, data)
				checkSelfSignedCert(t, cert, time.Now())
			}
		})
	}
}
