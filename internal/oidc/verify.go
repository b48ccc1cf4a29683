package oidc

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// MaxTokenSize is the longest token accepted, in bytes: the length limit
// STS puts on WebIdentityToken.
const MaxTokenSize = 20000

// Leeway is the clock skew allowed: a token is accepted up to Leeway after
// its "exp" (as IAM documents for OIDC tokens), and its "nbf" and "iat" may
// be up to Leeway ahead of trove's clock.
const Leeway = 5 * time.Minute

// Algorithms are the signature algorithms a token may use. "none" and the
// HMAC algorithms are never accepted: a provider's keys are public.
var Algorithms = []jose.SignatureAlgorithm{
	jose.RS256, jose.RS384, jose.RS512, jose.PS256, jose.ES256, jose.ES384,
}

// Claims are the claims of a verified token. Raw holds every claim as
// decoded JSON (numbers as json.Number), for condition keys and for claims
// the fields leave out.
type Claims struct {
	Issuer          string
	Subject         string
	Audience        []string // "aud", a string or an array in the token
	AuthorizedParty string   // "azp"
	AMR             []string // "amr"
	Expiry          time.Time
	NotBefore       time.Time // zero when absent
	IssuedAt        time.Time // zero when absent
	Raw             map[string]any
	// ClientID is the first audience that is one of the provider's client
	// ids: the audience the token was accepted for.
	ClientID string
}

// Verify checks rawToken against provider p at time now, as the package
// doc says, and returns its claims. Every error is an *Error.
func (v *Verifier) Verify(ctx context.Context, p *Provider, rawToken string,
	now time.Time) (*Claims, error) {
	jws, err := parseToken(rawToken)
	if err != nil {
		return nil, err
	}
	payload, err := v.verifySignature(ctx, p, jws, now)
	if err != nil {
		return nil, err
	}
	c, err := parseClaims(payload)
	if err != nil {
		return nil, err
	}
	if err := c.check(p, now); err != nil {
		return nil, err
	}
	return c, nil
}

// parseToken parses a compact JWS of an accepted algorithm.
func parseToken(raw string) (*jose.JSONWebSignature, error) {
	switch {
	case len(raw) > MaxTokenSize:
		return nil, invalid(fmt.Sprintf("the token is longer than %d bytes", MaxTokenSize),
			nil)
	case strings.Count(raw, ".") != 2:
		return nil, invalid("the token is not a JWT in compact serialization", nil)
	}
	jws, err := jose.ParseSignedCompact(raw, Algorithms)
	if err != nil {
		return nil, invalid("the token is malformed or uses a refused algorithm", err)
	}
	if len(jws.Signatures) != 1 {
		return nil, invalid("the token must carry exactly one signature", nil)
	}
	return jws, nil
}

// verifySignature verifies jws with the provider key its kid names (any
// key, without a kid) and returns the payload.
func (v *Verifier) verifySignature(ctx context.Context, p *Provider,
	jws *jose.JSONWebSignature, now time.Time) ([]byte, error) {
	h := jws.Signatures[0].Header
	keys, err := v.keys(ctx, p, h.KeyID, now)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, invalid(fmt.Sprintf("no signing key of the provider has key id %q",
			h.KeyID), nil)
	}
	var last error
	for _, k := range keys {
		if k.Algorithm != "" && k.Algorithm != h.Algorithm {
			last = fmt.Errorf("key %q is for %s, not %s", k.KeyID, k.Algorithm, h.Algorithm)
			continue
		}
		payload, err := jws.Verify(k.Key)
		if err == nil {
			return payload, nil
		}
		last = err
	}
	return nil, invalid("the token's signature does not verify with the provider's keys",
		last)
}

// parseClaims decodes a verified payload.
func parseClaims(payload []byte) (*Claims, error) {
	raw, err := decodeObject(payload)
	if err != nil {
		return nil, invalid("the token's claims are not a JSON object", err)
	}
	c := &Claims{Raw: raw}
	var msg string
	c.Issuer, msg = stringClaim(raw, "iss", msg)
	c.Subject, msg = stringClaim(raw, "sub", msg)
	c.AuthorizedParty, msg = stringClaim(raw, "azp", msg)
	c.Audience, msg = stringsClaim(raw, "aud", msg)
	c.AMR, msg = stringsClaim(raw, "amr", msg)
	c.Expiry, msg = timeClaim(raw, "exp", msg)
	c.NotBefore, msg = timeClaim(raw, "nbf", msg)
	c.IssuedAt, msg = timeClaim(raw, "iat", msg)
	if msg != "" {
		return nil, invalid(msg, nil)
	}
	return c, nil
}

// decodeObject decodes a JSON object, numbers as json.Number.
func decodeObject(data []byte) (map[string]any, error) {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		return nil, err
	}
	if m == nil || dec.More() {
		return nil, errors.New("not a single JSON object")
	}
	return m, nil
}

// stringClaim reads an optional string claim; msg carries the first error.
func stringClaim(raw map[string]any, name, msg string) (string, string) {
	v, ok := raw[name]
	if !ok {
		return "", msg
	}
	s, isStr := v.(string)
	if !isStr && msg == "" {
		msg = fmt.Sprintf("the %q claim is not a string", name)
	}
	return s, msg
}

// stringsClaim reads an optional claim that is a string or an array of
// strings.
func stringsClaim(raw map[string]any, name, msg string) ([]string, string) {
	switch v := raw[name].(type) {
	case nil:
		if _, present := raw[name]; !present {
			return nil, msg
		}
	case string:
		return []string{v}, msg
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				break
			}
			out = append(out, s)
		}
		if len(out) == len(v) {
			return out, msg
		}
	}
	if msg == "" {
		msg = fmt.Sprintf("the %q claim is not a string or an array of strings", name)
	}
	return nil, msg
}

// timeClaim reads an optional NumericDate claim, seconds since the epoch.
func timeClaim(raw map[string]any, name, msg string) (time.Time, string) {
	v, ok := raw[name]
	if !ok {
		return time.Time{}, msg
	}
	n, isNum := v.(json.Number)
	f, err := n.Float64()
	if !isNum || err != nil || math.IsNaN(f) || f < 0 || f > 1e11 {
		if msg == "" {
			msg = fmt.Sprintf("the %q claim is not a NumericDate", name)
		}
		return time.Time{}, msg
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(frac*1e9)).UTC(), msg
}

// check verifies the claims against provider p at time now.
func (c *Claims) check(p *Provider, now time.Time) error {
	switch {
	case c.Issuer != p.URL:
		return invalid(fmt.Sprintf("the token's issuer %q is not the provider's URL",
			c.Issuer), nil)
	case c.Subject == "":
		return invalid("the token has no subject (sub)", nil)
	}
	if c.ClientID = matchAudience(c.Audience, p.ClientIDs); c.ClientID == "" {
		return invalid("the token's audience names no client id of the provider", nil)
	}
	return c.checkTimes(now)
}

// matchAudience returns the first audience that is a client id.
func matchAudience(aud, clientIDs []string) string {
	for _, a := range aud {
		if slices.Contains(clientIDs, a) {
			return a
		}
	}
	return ""
}

func (c *Claims) checkTimes(now time.Time) error {
	switch {
	case c.Expiry.IsZero():
		return invalid("the token has no expiry (exp)", nil)
	case now.After(c.Expiry.Add(Leeway)):
		return &Error{Kind: ErrExpired, Reason: "the token expired at " +
			c.Expiry.Format(time.RFC3339)}
	case !c.NotBefore.IsZero() && c.NotBefore.After(now.Add(Leeway)):
		return invalid("the token is not valid before "+c.NotBefore.Format(time.RFC3339),
			nil)
	case !c.IssuedAt.IsZero() && c.IssuedAt.After(now.Add(Leeway)):
		return invalid("the token was issued in the future, at "+
			c.IssuedAt.Format(time.RFC3339), nil)
	}
	return nil
}

// PeekIssuer returns the "iss" claim of a token without verifying
// anything, so that the caller can find the provider to verify it with. It
// is an *Error (ErrInvalidToken) when the token has no readable issuer.
func PeekIssuer(rawToken string) (string, error) {
	if len(rawToken) > MaxTokenSize {
		return "", invalid(fmt.Sprintf("the token is longer than %d bytes", MaxTokenSize), nil)
	}
	parts := strings.Split(rawToken, ".")
	if len(parts) != 3 {
		return "", invalid("the token is not a JWT in compact serialization", nil)
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "", invalid("the token's payload is not base64url", err)
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if err := json.Unmarshal(payload, &c); err != nil || c.Issuer == "" {
		return "", invalid("the token names no issuer (iss)", err)
	}
	return c.Issuer, nil
}
