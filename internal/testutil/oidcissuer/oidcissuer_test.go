package oidcissuer

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// TestDiscovery checks the discovery document and the key set it points at.
func TestDiscovery(t *testing.T) {
	is := New(t)
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	getJSON(t, is.URL+"/.well-known/openid-configuration", &doc)
	if doc.Issuer != is.URL || doc.JWKSURI != is.JWKSURL() {
		t.Errorf("discovery: %+v", doc)
	}
	var set struct {
		Keys []struct{ Kid, Kty, Alg, D string }
	}
	getJSON(t, doc.JWKSURI, &set)
	var kids []string
	for _, k := range set.Keys {
		kids = append(kids, k.Kid+"/"+k.Kty+"/"+k.Alg)
		if k.D != "" {
			t.Errorf("key %s publishes its private part", k.Kid)
		}
	}
	if want := []string{"rsa-1/RSA/RS256", "ec-1/EC/ES256"}; !slices.Equal(kids, want) {
		t.Errorf("keys %v, want %v", kids, want)
	}
	is.Rotate(RSAKeyID, "rsa-2")
	if !strings.Contains(string(is.JWKS()), `"rsa-2"`) || strings.Contains(
		string(is.JWKS()), `"rsa-1"`) {
		t.Errorf("after rotation: %s", is.JWKS())
	}
}

// TestTokenShape checks that a token looks like a Kubernetes projected
// service account token.
func TestTokenShape(t *testing.T) {
	is := New(t)
	parts := strings.Split(is.Token(Claims{Namespace: "prd", ServiceAccount: "agent"}), ".")
	if len(parts) != 3 || parts[2] == "" {
		t.Fatalf("token has %d parts", len(parts))
	}
	var header, claims map[string]any
	decode(t, parts[0], &header)
	decode(t, parts[1], &claims)
	if header["alg"] != "RS256" || header["kid"] != RSAKeyID || header["typ"] != "JWT" {
		t.Errorf("header %v", header)
	}
	k8s, _ := claims["kubernetes.io"].(map[string]any)
	sa, _ := k8s["serviceaccount"].(map[string]any)
	aud, _ := claims["aud"].([]any)
	if claims["iss"] != is.URL || claims["sub"] != "system:serviceaccount:prd:agent" ||
		k8s["namespace"] != "prd" || sa["name"] != "agent" || len(aud) != 1 ||
		aud[0] != Audience {
		t.Errorf("claims %v", claims)
	}
	for _, c := range []string{"exp", "iat", "nbf", "jti"} {
		if _, ok := claims[c]; !ok {
			t.Errorf("no %s claim", c)
		}
	}
	none := strings.Split(is.Token(Claims{}, AlgNone()), ".")
	if decode(t, none[0], &header); header["alg"] != "none" || none[2] != "" {
		t.Errorf("alg none token: header %v, signature %q", header, none[2])
	}
}

func decode(t *testing.T, seg string, v any) {
	t.Helper()
	data, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatal(err)
	}
}
