package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/orgfile"
)

// ErrTLSSelfSigned is Run's error for a configuration that asks for a
// self-signed certificate and also names a certificate or key file.
var ErrTLSSelfSigned = errors.New("server: a self-signed certificate and a named " +
	"certificate or key exclude each other: choose one")

const (
	// selfSignedLife is how long a generated certificate is valid.
	selfSignedLife = 90 * 24 * time.Hour
	// selfSignedMinLeft is the validity a stored certificate must have left
	// to be reused rather than replaced.
	selfSignedMinLeft = 24 * time.Hour
)

// SelfSignedFiles returns where, under dataDir, Run keeps the self-signed
// certificate (public: clients trust it) and its private key (mode 0600).
func SelfSignedFiles(dataDir string) (certFile, keyFile string) {
	dir := filepath.Join(dataDir, "tls")
	return filepath.Join(dir, "self-signed.crt"), filepath.Join(dir, "self-signed.key")
}

// selfSignedTLS returns the TLS configuration for the self-signed pair
// under dataDir: the stored pair when it covers every name for at least
// selfSignedMinLeft more, a freshly generated and stored one otherwise.
// It logs the certificate's path and SHA-256 fingerprint.
func selfSignedTLS(dataDir string, domains []string, now time.Time,
	log *slog.Logger) (*tls.Config, error) {
	certFile, keyFile := SelfSignedFiles(dataDir)
	names := selfSignedNames(domains)
	pair, err := loadSelfSigned(certFile, keyFile, names, now)
	generated := false
	if err != nil {
		if !errors.Is(err, errSelfSignedStale) {
			return nil, err
		}
		log.Info("generating a self-signed TLS certificate", "reason", err)
		if pair, err = writeSelfSigned(certFile, keyFile, names, now); err != nil {
			return nil, err
		}
		generated = true
	}
	log.Info("serving HTTPS with a self-signed certificate; trust it with "+
		"aws --ca-bundle FILE or AWS_CA_BUNDLE=FILE", "file", certFile,
		"sha256", fingerprint(pair.Leaf), "not_after", pair.Leaf.NotAfter.UTC(),
		"generated", generated)
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// errSelfSignedStale marks a stored pair that is missing, unreadable as a
// pair, short of validity or short of a name: one to replace.
var errSelfSignedStale = errors.New("server: no usable self-signed certificate")

// hostNames are the DNS names and IP addresses a certificate covers.
type hostNames struct {
	dns []string
	ips []net.IP
}

// selfSignedNames are the loopback addresses, localhost, and each domain
// with its wildcard for virtual-host-style bucket names.
func selfSignedNames(domains []string) hostNames {
	n := hostNames{dns: []string{"localhost", "*.localhost"},
		ips: []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}}
	seen := map[string]bool{"localhost": true, "127.0.0.1": true, "::1": true}
	for _, d := range domains {
		d = strings.ToLower(strings.TrimSuffix(d, "."))
		if d == "" || seen[d] {
			continue
		}
		seen[d] = true
		if ip := net.ParseIP(d); ip != nil {
			n.ips = append(n.ips, ip)
			continue
		}
		n.dns = append(n.dns, d, "*."+d)
	}
	return n
}

// loadSelfSigned reads the stored pair and checks that it covers names
// from now until at least selfSignedMinLeft later. An error that wraps
// errSelfSignedStale means the pair should be replaced; any other, that
// the files exist but cannot be read.
func loadSelfSigned(certFile, keyFile string, names hostNames,
	now time.Time) (tls.Certificate, error) {
	certPEM, err := orgfile.ReadFile(certFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, staleIfMissing(err, certFile)
	}
	keyPEM, err := orgfile.ReadFile(keyFile, maxPEMFile)
	if err != nil {
		return tls.Certificate{}, staleIfMissing(err, keyFile)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%w: %w", errSelfSignedStale, err)
	}
	leaf := pair.Leaf
	switch {
	case now.Before(leaf.NotBefore):
		return pair, fmt.Errorf("%w: not valid before %s", errSelfSignedStale, leaf.NotBefore)
	case now.Add(selfSignedMinLeft).After(leaf.NotAfter):
		return pair, fmt.Errorf("%w: expires %s", errSelfSignedStale, leaf.NotAfter)
	}
	for _, h := range names.all() {
		if err := leaf.VerifyHostname(h); err != nil {
			return pair, fmt.Errorf("%w: %w", errSelfSignedStale, err)
		}
	}
	return pair, nil
}

func staleIfMissing(err error, file string) error {
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s does not exist", errSelfSignedStale, file)
	}
	return fmt.Errorf("server: self-signed TLS certificate: %w", err)
}

// all returns every name as VerifyHostname takes it, with a sample label
// standing in for a wildcard's.
func (n hostNames) all() []string {
	out := make([]string, 0, len(n.dns)+len(n.ips))
	for _, d := range n.dns {
		out = append(out, strings.Replace(d, "*", "bucket", 1))
	}
	for _, ip := range n.ips {
		out = append(out, ip.String())
	}
	return out
}

// writeSelfSigned generates a pair valid from now for selfSignedLife and
// stores it, the key first: a crash between the two renames leaves a key
// and certificate that do not match, which the next start replaces.
func writeSelfSigned(certFile, keyFile string, names hostNames,
	now time.Time) (tls.Certificate, error) {
	certPEM, keyPEM, err := generateSelfSigned(names, now)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server: self-signed TLS certificate: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(certFile), 0o700); err != nil {
		return tls.Certificate{}, fmt.Errorf("server: self-signed TLS certificate: %w", err)
	}
	if err := writeFileAtomic(keyFile, keyPEM, 0o600); err != nil {
		return tls.Certificate{}, fmt.Errorf("server: self-signed TLS key: %w", err)
	}
	if err := writeFileAtomic(certFile, certPEM, 0o644); err != nil {
		return tls.Certificate{}, fmt.Errorf("server: self-signed TLS certificate: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("server: self-signed TLS certificate: %w", err)
	}
	return pair, nil
}

// generateSelfSigned returns a PEM certificate for names, its own CA,
// valid from an hour before now (for clocks a little behind) until
// selfSignedLife after, and its ECDSA P-256 key in PKCS #8 PEM.
func generateSelfSigned(names hostNames, now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "trove self-signed"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(selfSignedLife),
		DNSNames:              names.dns,
		IPAddresses:           names.ips,
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), nil
}

// writeFileAtomic replaces path with data and mode perm: it writes a
// temporary file beside it, syncs it, renames it over path and syncs the
// directory, so a crash leaves the old file or the new one, never a part.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	err = errors.Join(err, f.Chmod(perm), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return err
	}
	d, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}

// fingerprint is the SHA-256 of cert's DER encoding in the colon-separated
// upper-case hex that openssl x509 -fingerprint -sha256 prints.
func fingerprint(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	var b strings.Builder
	for i, c := range sum {
		if i > 0 {
			b.WriteByte(':')
		}
		fmt.Fprintf(&b, "%02X", c)
	}
	return b.String()
}
