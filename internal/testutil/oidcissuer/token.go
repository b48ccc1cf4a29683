package oidcissuer

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Claims describe a service account token. The zero Claims is the default
// service account of namespace "default", for audience sts.amazonaws.com.
type Claims struct {
	Namespace      string   // "default" if empty
	ServiceAccount string   // "default" if empty
	Audience       []string // [Audience] if nil
	// Subject replaces system:serviceaccount:NAMESPACE:NAME when not "".
	Subject string
	// Extra claims are set last, over the others; a nil value removes one.
	Extra map[string]any
}

// options are what Options change in Token.
type options struct {
	kid      string
	headerID *string
	issuer   string
	at       time.Time
	lifetime time.Duration
	wrongKey bool
	algNone  bool
	hmac     []byte
}

// An Option changes how Token signs a token.
type Option func(*options)

// WithKey signs with the issuer's key kid (RSAKeyID by default).
func WithKey(kid string) Option { return func(o *options) { o.kid = kid } }

// HeaderKeyID puts kid in the token's header instead of the id of the key
// that signs it ("" leaves the kid out).
func HeaderKeyID(kid string) Option { return func(o *options) { o.headerID = &kid } }

// WrongKey signs with a fresh key that the key set does not hold, under the
// key id of the key it would have used.
func WrongKey() Option { return func(o *options) { o.wrongKey = true } }

// IssuedAt sets iat and nbf to at and exp to an hour later.
func IssuedAt(at time.Time) Option { return func(o *options) { o.at = at } }

// Expired issues the token two hours ago, so that it expired an hour ago.
func Expired() Option { return IssuedAt(time.Now().Add(-2 * time.Hour)) }

// Lifetime sets how long after iat the token expires (an hour by default).
func Lifetime(d time.Duration) Option { return func(o *options) { o.lifetime = d } }

// WithIssuer puts iss in the token instead of the issuer's URL.
func WithIssuer(iss string) Option { return func(o *options) { o.issuer = iss } }

// AlgNone makes an unsigned token, alg "none".
func AlgNone() Option { return func(o *options) { o.algNone = true } }

// HMAC signs with HS256 and secret, as an attacker who uses a public key
// as an HMAC secret would.
func HMAC(secret []byte) Option { return func(o *options) { o.hmac = secret } }

// Token returns a signed token for c, shaped like a Kubernetes projected
// service account token.
func (is *Issuer) Token(c Claims, opts ...Option) string {
	is.t.Helper()
	o := options{kid: RSAKeyID, issuer: is.URL, at: time.Now(), lifetime: time.Hour}
	for _, opt := range opts {
		opt(&o)
	}
	payload, err := json.Marshal(c.claims(&o))
	if err != nil {
		is.t.Fatal(err)
	}
	if o.algNone {
		return unsigned(o.kid, payload)
	}
	return is.sign(&o, payload)
}

// claims returns the token's claims for options o.
func (c Claims) claims(o *options) map[string]any {
	ns, sa := or(c.Namespace, "default"), or(c.ServiceAccount, "default")
	sub := or(c.Subject, "system:serviceaccount:"+ns+":"+sa)
	aud := c.Audience
	if aud == nil {
		aud = []string{Audience}
	}
	m := map[string]any{
		"iss": o.issuer, "sub": sub, "aud": aud, "jti": randomID(),
		"iat": o.at.Unix(), "nbf": o.at.Unix(), "exp": o.at.Add(o.lifetime).Unix(),
		"kubernetes.io": map[string]any{
			"namespace":      ns,
			"pod":            map[string]any{"name": sa + "-7d9f8b6c5-x2x9q", "uid": randomID()},
			"serviceaccount": map[string]any{"name": sa, "uid": randomID()},
		},
	}
	for k, v := range c.Extra {
		if v == nil {
			delete(m, k)
			continue
		}
		m[k] = v
	}
	return m
}

func (is *Issuer) sign(o *options, payload []byte) string {
	var sk jose.SigningKey
	switch {
	case o.hmac != nil:
		sk = jose.SigningKey{Algorithm: jose.HS256, Key: o.hmac}
	default:
		k, ok := is.key(o.kid)
		if !ok {
			is.t.Fatalf("oidcissuer: no key %q", o.kid)
		}
		if o.wrongKey {
			k.key = newKeyLike(is, k)
		}
		sk = jose.SigningKey{Algorithm: k.alg, Key: k.key}
	}
	opts := (&jose.SignerOptions{}).WithType("JWT")
	switch {
	case o.headerID == nil:
		opts = opts.WithHeader("kid", o.kid)
	case *o.headerID != "":
		opts = opts.WithHeader("kid", *o.headerID)
	}
	signer, err := jose.NewSigner(sk, opts)
	if err != nil {
		is.t.Fatal(err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		is.t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		is.t.Fatal(err)
	}
	return tok
}

// newKeyLike returns a fresh private key of k's type.
func newKeyLike(is *Issuer, k signingKey) crypto.Signer {
	if k.alg == jose.RS256 {
		return newRSA(is.t)
	}
	return newEC(is.t)
}

// unsigned returns an alg "none" token.
func unsigned(kid string, payload []byte) string {
	header, _ := json.Marshal(map[string]string{"alg": "none", "typ": "JWT", "kid": kid})
	enc := base64.RawURLEncoding
	return enc.EncodeToString(header) + "." + enc.EncodeToString(payload) + "."
}

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
