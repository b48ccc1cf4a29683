package oidc

import (
	"errors"
	"testing"
)

// FuzzParseClaims feeds arbitrary payloads to the claims parser, which
// reads what a signature vouches for but nothing more: it must never panic
// and must fail with ErrInvalidToken alone.
func FuzzParseClaims(f *testing.F) {
	for _, s := range []string{
		`{"iss":"https://x","sub":"s","aud":["a"],"exp":1800000000}`,
		`{"aud":"a","amr":["pwd"],"nbf":1.5,"iat":1e10}`,
		`{"exp":-1}`, `{"exp":1e300}`, `{"aud":[1]}`, `{"aud":null}`, `[]`, `null`, `{}{}`,
	} {
		f.Add([]byte(s))
	}
	p := &Provider{Account: "111122223333", URL: "https://x", ClientIDs: []string{"a"}}
	f.Fuzz(func(t *testing.T, payload []byte) {
		c, err := parseClaims(payload)
		if err != nil {
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v is not ErrInvalidToken", err)
			}
			return
		}
		if c.Raw == nil {
			t.Fatal("claims without Raw")
		}
		if err := c.check(p, goldenNow); err == nil {
			_ = p.ConditionKeys(c)
		}
	})
}
