package oidc_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

const account = "111122223333"

// provider returns a provider of is reading keys from its JWKS URL.
func provider(is *oidcissuer.Issuer) *oidc.Provider {
	return &oidc.Provider{Account: account, URL: is.URL,
		ClientIDs: []string{oidcissuer.Audience}, JWKSURL: is.JWKSURL()}
}

func TestVerify(t *testing.T) {
	is := oidcissuer.New(t)
	p := provider(is)
	now := time.Now()
	sa := oidcissuer.Claims{Namespace: "delivery", ServiceAccount: "agent"}
	tests := []struct {
		name  string
		token string
		want  error // nil, oidc.ErrInvalidToken or oidc.ErrExpired
	}{
		{"GoodRS256", is.Token(sa), nil},
		{"GoodES256", is.Token(sa, oidcissuer.WithKey(oidcissuer.ECKeyID)), nil},
		{"NoKeyID", is.Token(sa, oidcissuer.HeaderKeyID("")), nil},
		{"AudienceString", is.Token(oidcissuer.Claims{Extra: map[string]any{
			"aud": oidcissuer.Audience}}), nil},
		{"AudienceArray", is.Token(oidcissuer.Claims{Audience: []string{"other",
			oidcissuer.Audience}}), nil},
		{"ExpiredWithinLeeway", is.Token(sa, oidcissuer.IssuedAt(now.Add(-62*time.Minute))),
			nil},
		{"UnknownKeyID", is.Token(sa, oidcissuer.HeaderKeyID("nope")), oidc.ErrInvalidToken},
		{"KeyIDOfOtherKey", is.Token(sa, oidcissuer.HeaderKeyID(oidcissuer.ECKeyID)),
			oidc.ErrInvalidToken},
		{"WrongKey", is.Token(sa, oidcissuer.WrongKey()), oidc.ErrInvalidToken},
		{"WrongECKey", is.Token(sa, oidcissuer.WithKey(oidcissuer.ECKeyID),
			oidcissuer.WrongKey()), oidc.ErrInvalidToken},
		{"AlgNone", is.Token(sa, oidcissuer.AlgNone()), oidc.ErrInvalidToken},
		{"HS256WithPublicKey", is.Token(sa, oidcissuer.HMAC(is.JWKS())),
			oidc.ErrInvalidToken},
		{"Expired", is.Token(sa, oidcissuer.Expired()), oidc.ErrExpired},
		{"NotYetValid", is.Token(sa, oidcissuer.IssuedAt(now.Add(time.Hour))),
			oidc.ErrInvalidToken},
		{"WrongIssuer", is.Token(sa, oidcissuer.WithIssuer(is.URL+"/other")),
			oidc.ErrInvalidToken},
		{"AudienceMismatch", is.Token(oidcissuer.Claims{Audience: []string{"vault"}}),
			oidc.ErrInvalidToken},
		{"NoSubject", is.Token(oidcissuer.Claims{Extra: map[string]any{"sub": nil}}),
			oidc.ErrInvalidToken},
		{"NoExpiry", is.Token(oidcissuer.Claims{Extra: map[string]any{"exp": nil}}),
			oidc.ErrInvalidToken},
		{"ExpiryNotANumber", is.Token(oidcissuer.Claims{Extra: map[string]any{"exp": "soon"}}),
			oidc.ErrInvalidToken},
		{"AudienceNotStrings", is.Token(oidcissuer.Claims{Extra: map[string]any{
			"aud": []any{oidcissuer.Audience, 7}}}), oidc.ErrInvalidToken},
		{"Oversized", is.Token(oidcissuer.Claims{Extra: map[string]any{
			"pad": strings.Repeat("x", oidc.MaxTokenSize)}}), oidc.ErrInvalidToken},
		{"Garbage", "not a token", oidc.ErrInvalidToken},
		{"GarbageSegments", "a.b.c", oidc.ErrInvalidToken},
		{"Empty", "", oidc.ErrInvalidToken},
		{"JSONSerialization", `{"payload":"e30","signatures":[]}`, oidc.ErrInvalidToken},
	}
	var v oidc.Verifier
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := v.Verify(context.Background(), p, tt.token, now)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify: %v", err)
				}
				if c.ClientID != oidcissuer.Audience || c.Issuer != is.URL {
					t.Errorf("claims: client id %q, issuer %q", c.ClientID, c.Issuer)
				}
				return
			}
			t.Log(err)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify: %v, want %v", err, tt.want)
			}
			var oe *oidc.Error
			if !errors.As(err, &oe) || oe.Reason == "" {
				t.Errorf("Verify: %v is not an *oidc.Error with a reason", err)
			}
		})
	}
}

// TestVerifyClaims checks the claims a Kubernetes service account token
// yields.
func TestVerifyClaims(t *testing.T) {
	is := oidcissuer.New(t)
	at := time.Now().Truncate(time.Second)
	tok := is.Token(oidcissuer.Claims{Namespace: "prd", ServiceAccount: "agent",
		Extra: map[string]any{"amr": []string{"pwd", "mfa"}}}, oidcissuer.IssuedAt(at))
	var v oidc.Verifier
	c, err := v.Verify(t.Context(), provider(is), tok, at)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"sub", c.Subject, "system:serviceaccount:prd:agent"},
		{"iss", c.Issuer, is.URL},
		{"aud", strings.Join(c.Audience, ","), oidcissuer.Audience},
		{"amr", strings.Join(c.AMR, ","), "pwd,mfa"},
		{"exp", c.Expiry.String(), at.Add(time.Hour).UTC().String()},
		{"iat", c.IssuedAt.String(), at.UTC().String()},
		{"nbf", c.NotBefore.String(), at.UTC().String()},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	k8s, ok := c.Raw["kubernetes.io"].(map[string]any)
	if !ok || k8s["namespace"] != "prd" {
		t.Errorf("raw kubernetes.io claim = %#v", c.Raw["kubernetes.io"])
	}
}

func TestSTSError(t *testing.T) {
	is := oidcissuer.New(t)
	now := time.Now()
	p := provider(is)
	down := provider(is)
	down.JWKSURL = "http://127.0.0.1:1/keys"
	tests := []struct {
		name   string
		p      *oidc.Provider
		token  string
		code   string
		status int
	}{
		{"Invalid", p, "a.b.c", "InvalidIdentityToken", 400},
		{"Expired", p, is.Token(oidcissuer.Claims{}, oidcissuer.Expired()),
			"ExpiredTokenException", 400},
		{"KeysUnreadable", down, is.Token(oidcissuer.Claims{}), "IDPCommunicationError", 400},
	}
	var v oidc.Verifier
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := v.Verify(t.Context(), tt.p, tt.token, now)
			code, status, msg, ok := oidc.STSError(err)
			if !ok || code != tt.code || status != tt.status || msg == "" {
				t.Errorf("STSError(%v) = %q %d %q %v, want %q %d", err, code, status, msg, ok,
					tt.code, tt.status)
			}
		})
	}
	if _, _, _, ok := oidc.STSError(errors.New("other")); ok {
		t.Error("STSError of an unrelated error: ok")
	}
}

func TestPeekIssuer(t *testing.T) {
	is := oidcissuer.New(t)
	tests := []struct {
		name, token, want string
		ok                bool
	}{
		{"Token", is.Token(oidcissuer.Claims{}), is.URL, true},
		{"OtherIssuer", is.Token(oidcissuer.Claims{}, oidcissuer.WithIssuer("https://x")),
			"https://x", true},
		{"NoIssuer", is.Token(oidcissuer.Claims{Extra: map[string]any{"iss": nil}}), "", false},
		{"TwoParts", "a.b", "", false},
		{"BadBase64", "a.!!!.c", "", false},
		{"Oversized", strings.Repeat("a", oidc.MaxTokenSize+1), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := oidc.PeekIssuer(tt.token)
			if got != tt.want || (err == nil) != tt.ok {
				t.Errorf("PeekIssuer = %q, %v; want %q, ok %v", got, err, tt.want, tt.ok)
			}
			if err != nil && !errors.Is(err, oidc.ErrInvalidToken) {
				t.Errorf("error %v is not ErrInvalidToken", err)
			}
		})
	}
}
