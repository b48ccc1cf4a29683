package oidc_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

// FuzzVerify feeds arbitrary tokens, mutated from good and bad ones, to
// Verify: it must never panic, every failure must be an *oidc.Error that
// STSError maps, and a token it accepts must meet the provider.
func FuzzVerify(f *testing.F) {
	is := oidcissuer.New(f)
	p := provider(is)
	p.JWKSURL, p.JWKSFile = "", is.WriteJWKS(f.TempDir())
	now := time.Now()
	sa := oidcissuer.Claims{Namespace: "ns", ServiceAccount: "sa"}
	for _, tok := range []string{
		is.Token(sa), is.Token(sa, oidcissuer.WithKey(oidcissuer.ECKeyID)),
		is.Token(sa, oidcissuer.AlgNone()), is.Token(sa, oidcissuer.HMAC(is.JWKS())),
		is.Token(sa, oidcissuer.Expired()), is.Token(sa, oidcissuer.WrongKey()),
		"", "a.b.c", "e30.e30.", strings.Repeat(".", 3),
	} {
		f.Add(tok)
	}
	var v oidc.Verifier
	f.Fuzz(func(t *testing.T, token string) {
		c, err := v.Verify(t.Context(), p, token, now)
		if err != nil {
			var oe *oidc.Error
			if !errors.As(err, &oe) {
				t.Fatalf("error %v is not an *oidc.Error", err)
			}
			if _, _, _, ok := oidc.STSError(err); !ok {
				t.Fatalf("STSError does not map %v", err)
			}
			return
		}
		if c.Issuer != p.URL || c.ClientID != oidcissuer.Audience || c.Subject == "" ||
			now.After(c.Expiry.Add(oidc.Leeway)) {
			t.Fatalf("accepted claims %+v", c)
		}
	})
}

// FuzzPeekIssuer checks that PeekIssuer never panics and returns an issuer
// or an ErrInvalidToken.
func FuzzPeekIssuer(f *testing.F) {
	for _, s := range []string{"", "a.b.c", "e30.eyJpc3MiOiJodHRwczovL3gifQ.", "..", "a.!.c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		iss, err := oidc.PeekIssuer(token)
		if (err == nil) == (iss == "") {
			t.Fatalf("PeekIssuer = %q, %v", iss, err)
		}
		if err != nil && !errors.Is(err, oidc.ErrInvalidToken) {
			t.Fatalf("error %v is not ErrInvalidToken", err)
		}
	})
}
