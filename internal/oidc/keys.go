package oidc

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Defaults of the Verifier's settings.
const (
	// DefaultFetchTimeout bounds one read of a JWKS URL.
	DefaultFetchTimeout = 5 * time.Second
	// DefaultRefetchInterval is the least time between two reads of a
	// provider's keys that a token with an unknown key id causes.
	DefaultRefetchInterval = 30 * time.Second
	// MaxJWKSSize bounds a key set, file or response.
	MaxJWKSSize = 256 << 10
)

// Verifier verifies tokens against providers' keys, which it reads on first
// use and keeps. The zero Verifier is ready to use with the defaults; it is
// safe for concurrent use and must not be copied after first use.
type Verifier struct {
	// FetchTimeout bounds one read of a JWKS URL; DefaultFetchTimeout if 0.
	FetchTimeout time.Duration
	// RefetchInterval is the least time between two reads of one key set
	// that an unknown key id causes; DefaultRefetchInterval if 0.
	RefetchInterval time.Duration
	// Client fetches JWKS URLs; nil means a client of trove's own that
	// connects to loopback addresses only and follows no redirect.
	Client *http.Client

	mu   sync.Mutex           // guards sets
	sets map[string]*cacheSet // by key source: "file:PATH" or "url:URL"
}

// cacheSet is one source's keys as last read.
type cacheSet struct {
	mu      sync.Mutex // guards the fields below; held while reading the source
	keys    []jose.JSONWebKey
	fetched time.Time // when keys were read; zero before the first read
}

// keys returns the provider's keys holding kid ("" for all of them),
// reading the source when it has never been read, or when no key has kid
// and the last read is at least RefetchInterval old.
func (v *Verifier) keys(ctx context.Context, p *Provider, kid string,
	now time.Time) ([]jose.JSONWebKey, error) {
	set := v.set(p)
	set.mu.Lock()
	defer set.mu.Unlock()
	if set.fetched.IsZero() {
		if err := v.refresh(ctx, p, set, now); err != nil {
			return nil, err
		}
	}
	found := selectKeys(set.keys, kid)
	if len(found) == 0 && now.Sub(set.fetched) >= v.refetchInterval() {
		if err := v.refresh(ctx, p, set, now); err != nil {
			return nil, err
		}
		found = selectKeys(set.keys, kid)
	}
	return found, nil
}

func (v *Verifier) set(p *Provider) *cacheSet {
	src := "url:" + p.JWKSURL
	if p.JWKSFile != "" {
		src = "file:" + p.JWKSFile
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.sets == nil {
		v.sets = make(map[string]*cacheSet)
	}
	s, ok := v.sets[src]
	if !ok {
		s = &cacheSet{}
		v.sets[src] = s
	}
	return s
}

func (v *Verifier) refetchInterval() time.Duration {
	if v.RefetchInterval > 0 {
		return v.RefetchInterval
	}
	return DefaultRefetchInterval
}

// refresh reads the source into set. A failed read keeps the keys read
// before, if any, and is an ErrCommunication.
func (v *Verifier) refresh(ctx context.Context, p *Provider, set *cacheSet,
	now time.Time) error {
	data, err := v.read(ctx, p)
	if err == nil {
		var keys []jose.JSONWebKey
		if keys, err = ParseJWKS(data); err == nil {
			set.keys, set.fetched = keys, now
			return nil
		}
	}
	if !set.fetched.IsZero() {
		set.fetched = now // do not read a failing source again before the interval
	}
	return &Error{Kind: ErrCommunication,
		Reason: "the provider's signing keys could not be read", Err: err}
}

// read returns the key set's bytes from the provider's file or URL.
func (v *Verifier) read(ctx context.Context, p *Provider) ([]byte, error) {
	if p.JWKSFile != "" {
		return readFile(p.JWKSFile)
	}
	if err := CheckJWKSURL(p.JWKSURL); err != nil {
		return nil, err
	}
	return v.fetch(ctx, p.JWKSURL)
}

// readFile reads a regular file of at most MaxJWKSSize bytes. It checks
// the type before opening and opens without blocking, so that a FIFO put
// in the key file's place cannot hang a request.
func readFile(name string) ([]byte, error) {
	if err := checkRegular(os.Stat(name)); err != nil {
		return nil, fmt.Errorf("oidc: %s: %w", name, err)
	}
	f, err := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	defer f.Close()
	if err := checkRegular(f.Stat()); err != nil {
		return nil, fmt.Errorf("oidc: %s: %w", name, err)
	}
	return readAtMost(f, name)
}

// checkRegular returns err, or an error when fi is not a regular file.
func checkRegular(fi os.FileInfo, err error) error {
	if err == nil && !fi.Mode().IsRegular() {
		err = errors.New("not a regular file")
	}
	return err
}

func readAtMost(r io.Reader, what string) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxJWKSSize+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("oidc: read %s: %w", what, err)
	case len(data) > MaxJWKSSize:
		return nil, fmt.Errorf("oidc: %s: key set larger than %d bytes", what, MaxJWKSSize)
	}
	return data, nil
}

// fetch GETs a JWKS URL within FetchTimeout.
func (v *Verifier) fetch(ctx context.Context, url string) ([]byte, error) {
	timeout := v.FetchTimeout
	if timeout <= 0 {
		timeout = DefaultFetchTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("oidc: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	client := v.Client
	if client == nil {
		client = loopbackClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("oidc: fetch keys: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("oidc: fetch keys from %s: status %s", url, resp.Status)
	}
	return readAtMost(resp.Body, url)
}

// errNotLoopback is a connection the loopback client refused.
var errNotLoopback = errors.New("oidc: connection to a non-loopback address refused")

// loopbackClient is the key fetcher's default client.
var loopbackClient = LoopbackClient(DefaultFetchTimeout)

// LoopbackClient returns an HTTP client that connects to loopback addresses
// only, whatever a name resolves to, uses no proxy, follows no redirect and
// gives up a connection attempt after timeout. trove fetches identity
// providers' keys and discovery documents with it.
func LoopbackClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy: nil,
			DialContext: (&net.Dialer{
				Timeout: timeout,
				Control: func(_, address string, _ syscall.RawConn) error {
					host, _, err := net.SplitHostPort(address)
					if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
						return errNotLoopback
					}
					return nil
				},
			}).DialContext,
			MaxIdleConns:    4,
			IdleConnTimeout: time.Minute,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return errors.New("oidc: the URL redirected; give the final URL")
		},
	}
}

// ParseJWKS parses a JSON Web Key Set and keeps its public signing keys:
// RSA keys of at least 2048 bits and EC keys, whose "use", when given, is
// "sig". Private keys are reduced to their public part; symmetric keys are
// dropped, so that no HMAC key can ever verify a token.
func ParseJWKS(data []byte) ([]jose.JSONWebKey, error) {
	var raw struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("oidc: key set: %w", err)
	}
	var keys []jose.JSONWebKey
	for i, r := range raw.Keys {
		var k jose.JSONWebKey
		if err := k.UnmarshalJSON(r); err != nil {
			return nil, fmt.Errorf("oidc: key set: key %d: %w", i, err)
		}
		if pub, ok := signingKey(k); ok {
			keys = append(keys, pub)
		}
	}
	if len(keys) == 0 {
		return nil, errors.New("oidc: key set holds no RSA or EC signing key")
	}
	return keys, nil
}

// minRSABits is the smallest RSA modulus a key may have.
const minRSABits = 2048

// signingKey returns k's public part when k is an RSA or EC signing key.
func signingKey(k jose.JSONWebKey) (jose.JSONWebKey, bool) {
	if k.Use != "" && k.Use != "sig" {
		return k, false
	}
	pub := k.Public()
	switch key := pub.Key.(type) {
	case *rsa.PublicKey:
		return pub, key.N.BitLen() >= minRSABits
	case *ecdsa.PublicKey:
		return pub, true
	}
	return k, false
}

// selectKeys returns the keys with id kid, or all of them when kid is "".
func selectKeys(keys []jose.JSONWebKey, kid string) []jose.JSONWebKey {
	if kid == "" {
		return keys
	}
	var out []jose.JSONWebKey
	for _, k := range keys {
		if k.KeyID == kid {
			out = append(out, k)
		}
	}
	return out
}
