package orgfile_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

// oidcFile returns an organization file whose one account declares the
// providers given as YAML list items.
func oidcFile(providers string) string {
	return "accounts:\n- id: \"111122223333\"\n  name: prd\n  oidcProviders:\n" + providers
}

const eksURL = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C1AE3D2E7B54F1E9A6B0C3D4E5F6A7B"

// TestOIDCProviderErrors pins what the oidcProviders section accepts and
// the error each mistake gets.
func TestOIDCProviderErrors(t *testing.T) {
	item := func(lines ...string) string {
		return "  - " + strings.Join(lines, "\n    ") + "\n"
	}
	const ids = "clientIds: [sts.amazonaws.com]"
	tests := []struct {
		name      string
		providers string
		wantErr   string
	}{
		{"JWKSFile", item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json"), ""},
		{"JWKSURL", item("url: http://127.0.0.1:8080", ids,
			"jwksUrl: http://127.0.0.1:8080/keys"), ""},
		{"Thumbprints", item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json",
			"thumbprints: [9e99a48a9960b14926bb7f3b02e22da2b0ab7280]"), ""},
		{"NoURL", item(ids, "jwksFile: oidc/jwks.json"), "issuer URL is required"},
		{"HTTPIssuer", item("url: http://issuer.example.com", ids, "jwksFile: oidc/jwks.json"),
			"http is accepted on a loopback host only"},
		{"QueryInURL", item("url: https://issuer.example.com/?a=b", ids,
			"jwksFile: oidc/jwks.json"), "must have no query or fragment"},
		{"RemoteJWKSURL", item("url: "+eksURL, ids, "jwksUrl: "+eksURL+"/keys"),
			"trove fetches keys from loopback only"},
		{"BothSources", item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json",
			"jwksUrl: http://127.0.0.1:1/keys"), "give exactly one of a JWKS file and a JWKS URL"},
		{"NoSource", item("url: "+eksURL, ids), "give exactly one of a JWKS file and a JWKS URL"},
		{"NoClientIDs", item("url: "+eksURL, "jwksFile: oidc/jwks.json"),
			"clientIds: give at least one client id"},
		{"ClientIDTwice", item("url: "+eksURL, "clientIds: [a, a]", "jwksFile: oidc/jwks.json"),
			"clientIds: a is listed twice"},
		{"BadThumbprint", item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json",
			"thumbprints: [abc]"), `thumbprints: "abc" is not 40 hexadecimal digits`},
		{"MissingJWKSFile", item("url: "+eksURL, ids, "jwksFile: oidc/absent.json"),
			"jwksFile: stat"},
		{"JWKSFileWithoutSigningKey", item("url: "+eksURL, ids, "jwksFile: oidc/hmac-only.json"),
			"jwksFile oidc/hmac-only.json: key set holds no RSA or EC signing key"},
		{"DeclaredTwice", item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json") +
			item("url: "+eksURL, ids, "jwksFile: oidc/jwks.json"), "declared twice"},
		{"UnknownField", item("url: "+eksURL, "clientId: x", "jwksFile: oidc/jwks.json"),
			"field clientId not found in an OIDC provider"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := orgfile.Parse([]byte(oidcFile(tt.providers)), "testdata")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestApplyOIDCProviders checks what Apply stores for the declared
// providers, that applying the same file again changes nothing, and that a
// changed provider is updated in place.
func TestApplyOIDCProviders(t *testing.T) {
	m := openMeta(t)
	file := oidcFile("  - url: " + eksURL + "\n    clientIds: [sts.amazonaws.com]\n" +
		"    jwksFile: oidc/jwks.json\n" +
		"  - url: http://127.0.0.1:8080\n    clientIds: [sts.amazonaws.com, trove]\n" +
		"    jwksUrl: http://127.0.0.1:8080/keys\n")
	if ch := applyFile(t, m, file); ch.Created != 3 {
		t.Errorf("first apply: %+v, want the account and two providers created", ch)
	}
	testutil.Golden(t, "testdata/oidc.golden", dumpOIDC(t, m), *update)
	if ch := applyFile(t, m, file); ch.Total() != 0 {
		t.Errorf("second apply: %+v, want no change", ch)
	}
	changed := strings.Replace(file, "[sts.amazonaws.com, trove]", "[trove]", 1)
	if ch := applyFile(t, m, changed); ch.Updated != 1 || ch.Total() != 1 {
		t.Errorf("apply with a changed provider: %+v, want one update", ch)
	}
	p, err := m.GetOIDCProvider(context.Background(), "111122223333", "http://127.0.0.1:8080")
	if err != nil || strings.Join(p.ClientIDs, ",") != "trove" {
		t.Errorf("changed provider: %+v, %v", p, err)
	}
}

// dumpOIDC renders the stored providers, JWKS files relative to the
// working directory.
func dumpOIDC(t *testing.T, m store.Meta) string {
	t.Helper()
	ps, err := m.ListOIDCProviders(context.Background(), "111122223333")
	must(t, err)
	wd, err := os.Getwd()
	must(t, err)
	var b strings.Builder
	for _, p := range ps {
		if p.JWKSFile != "" {
			if !filepath.IsAbs(p.JWKSFile) {
				t.Errorf("JWKS file %q is not absolute", p.JWKSFile)
			}
			p.JWKSFile, err = filepath.Rel(wd, p.JWKSFile)
			must(t, err)
		}
		fmt.Fprintf(&b, "%+v\n", p)
	}
	return b.String()
}
