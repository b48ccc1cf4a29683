package sigv4

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

type failingKeys struct{}

func (failingKeys) Secret(context.Context, string) (string, error) {
	return "", errors.New("database is down")
}

func TestKeysFailure(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://s3.trove.test/b", nil)
	r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	if err := newSDKSigner().SignHTTP(t.Context(), creds(testAK, testSecret), r, emptySHA256,
		"s3", testRegion, testNow); err != nil {
		t.Fatal(err)
	}
	v := newTestVerifier()
	v.Keys = failingKeys{}
	_, err := v.Verify(r)
	wantCode(t, err, s3err.InternalError)
	if e := s3err.From(err); e.Cause == nil || e.Message != s3err.New(s3err.InternalError).Message {
		t.Fatalf("error = %#v, want a generic message with the cause kept for the log", e)
	}
}

func TestKeyCache(t *testing.T) {
	var kc keyCache
	c := credential{accessKey: "AK", date: "20250301", region: "us-east-1", service: "s3"}
	tests := []struct {
		name   string
		secret string
		cred   credential
	}{
		{"first", "s1", c},
		{"rotated secret", "s2", c},
		{"next day", "s2", credential{"AK", "20250302", "us-east-1", "s3"}},
		{"cached again", "s1", c},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := kc.get(tt.secret, tt.cred)
			if want := deriveKey(tt.secret, tt.cred); !bytes.Equal(got, want) {
				t.Fatalf("key = %x, want %x", got, want)
			}
		})
	}
	for i := range keyCacheSize * 2 {
		kc.get(fmt.Sprint(i), c)
	}
	if n := len(kc.keys); n > keyCacheSize {
		t.Fatalf("cache holds %d keys, bound is %d", n, keyCacheSize)
	}
}

func TestCanonicalQuery(t *testing.T) {
	tests := []struct {
		name, raw, want string
	}{
		{"sorted by name then value", "b=2&a=2&a=1", "a=1&a=2&b=2"},
		{"value-less", "acl", "acl="},
		{"space and plus", "p=a+b%2Bc%20d", "p=a%20b%2Bc%20d"},
		{"unreserved kept", "k=-_.~AZaz09", "k=-_.~AZaz09"},
		{"reserved encoded", "k=%2F%3D%26%3F%2A", "k=%2F%3D%26%3F%2A"},
		{"utf-8", "k=%C3%A9", "k=%C3%A9"},
		{"empty pairs skipped", "&&a=1&", "a=1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params, err := parseQuery(tt.raw)
			if err != nil {
				t.Fatal(err)
			}
			if got := canonicalQuery(params, false); got != tt.want {
				t.Fatalf("canonicalQuery(%q) = %q, want %q", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseAuthorizationErrors(t *testing.T) {
	const (
		cred = "Credential=AK/20250301/us-east-1/s3/aws4_request"
		sig  = "Signature=0368269c8955955f3b9e52ea354efc9862774949c5276b873590ee979180762c"
	)
	tests := []struct {
		name, header string
	}{
		{"host not signed", algorithm + " " + cred + ", SignedHeaders=x-amz-date, " + sig},
		{"no signed headers", algorithm + " " + cred + ", " + sig},
		{"no signature", algorithm + " " + cred + ", SignedHeaders=host"},
		{"short credential", algorithm + " Credential=AK/20250301/us-east-1/s3, " +
			"SignedHeaders=host, " + sig},
		{"bad date", algorithm + " Credential=AK/2025-03-01/us-east-1/s3/aws4_request, " +
			"SignedHeaders=host, " + sig},
		{"bad terminal", algorithm + " Credential=AK/20250301/us-east-1/s3/aws5_request, " +
			"SignedHeaders=host, " + sig},
		{"upper-case signed header", algorithm + " " + cred + ", SignedHeaders=Host, " + sig},
		{"repeated component", algorithm + " " + cred + ", " + cred + ", SignedHeaders=host, " +
			sig},
		{"unknown component", algorithm + " " + cred + ", Foo=bar, SignedHeaders=host, " + sig},
		{"short signature", algorithm + " " + cred + ", SignedHeaders=host, Signature=abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parseAuthorization(tt.header)
			if err == nil || err.Code != s3err.AuthorizationHeaderMalformed {
				t.Fatalf("parseAuthorization = %v, want AuthorizationHeaderMalformed", err)
			}
		})
	}
}
