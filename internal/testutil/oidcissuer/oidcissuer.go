// Package oidcissuer is a small OpenID Connect issuer on loopback for
// trove's tests: an httptest server serving /.well-known/openid-configuration
// and a JWKS, with keys generated for each test (RSA 2048 and EC P-256), and
// Token, which signs tokens shaped like a Kubernetes projected service
// account token. Options make the bad tokens tests need: a wrong key, an
// expired token, a wrong audience or issuer, alg "none".
package oidcissuer

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-jose/go-jose/v4"
)

// Key ids of the issuer's keys.
const (
	RSAKeyID = "rsa-1"
	ECKeyID  = "ec-1"
)

// Audience is the audience EKS puts in a service account token for STS.
const Audience = "sts.amazonaws.com"

// Issuer is a running issuer. Its URL is the issuer URL tokens carry in
// "iss"; the server stops when the test ends.
type Issuer struct {
	URL string

	t   testing.TB
	srv *httptest.Server

	mu   sync.Mutex // guards keys
	keys []signingKey

	jwksHits atomic.Int64 // requests served for the JWKS
}

// signingKey is a private key with its id and algorithm.
type signingKey struct {
	id  string
	alg jose.SignatureAlgorithm
	key crypto.Signer
}

// New starts an issuer on 127.0.0.1 with a fresh RSA 2048 key (RS256) and
// a fresh P-256 key (ES256).
func New(t testing.TB) *Issuer {
	t.Helper()
	is := &Issuer{t: t}
	is.keys = []signingKey{
		{RSAKeyID, jose.RS256, newRSA(t)},
		{ECKeyID, jose.ES256, newEC(t)},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", is.serveDiscovery)
	mux.HandleFunc("GET /keys", is.serveJWKS)
	is.srv = httptest.NewServer(mux)
	t.Cleanup(is.srv.Close)
	is.URL = is.srv.URL
	return is
}

func newRSA(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newEC(t testing.TB) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// JWKSURL is the URL of the issuer's key set.
func (is *Issuer) JWKSURL() string { return is.URL + "/keys" }

// JWKSHits is how many times the key set has been served.
func (is *Issuer) JWKSHits() int64 { return is.jwksHits.Load() }

// JWKS returns the issuer's public key set as JSON.
func (is *Issuer) JWKS() []byte {
	is.mu.Lock()
	defer is.mu.Unlock()
	var set jose.JSONWebKeySet
	for _, k := range is.keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.key.Public(), KeyID: k.id,
			Algorithm: string(k.alg), Use: "sig"})
	}
	data, err := json.Marshal(set)
	if err != nil {
		is.t.Fatal(err)
	}
	return data
}

// WriteJWKS writes the key set into dir as jwks.json and returns its path.
func (is *Issuer) WriteJWKS(dir string) string {
	path := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(path, is.JWKS(), 0o600); err != nil {
		is.t.Fatal(err)
	}
	return path
}

// Rotate replaces the key of id kid (RSAKeyID or ECKeyID) by a new key of
// the same type under id newID, as an issuer rotating its keys does.
func (is *Issuer) Rotate(kid, newID string) {
	is.mu.Lock()
	defer is.mu.Unlock()
	for i, k := range is.keys {
		if k.id != kid {
			continue
		}
		if k.alg == jose.RS256 {
			is.keys[i] = signingKey{newID, jose.RS256, newRSA(is.t)}
		} else {
			is.keys[i] = signingKey{newID, jose.ES256, newEC(is.t)}
		}
		return
	}
	is.t.Fatalf("oidcissuer: no key %q to rotate", kid)
}

func (is *Issuer) key(kid string) (signingKey, bool) {
	is.mu.Lock()
	defer is.mu.Unlock()
	for _, k := range is.keys {
		if k.id == kid {
			return k, true
		}
	}
	return signingKey{}, false
}

func (is *Issuer) serveDiscovery(w http.ResponseWriter, _ *http.Request) {
	doc := map[string]any{
		"issuer":                                is.URL,
		"jwks_uri":                              is.JWKSURL(),
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256", "ES256"},
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(doc)
}

func (is *Issuer) serveJWKS(w http.ResponseWriter, _ *http.Request) {
	is.jwksHits.Add(1)
	w.Header().Set("Content-Type", "application/jwk-set+json")
	_, _ = w.Write(is.JWKS())
}
