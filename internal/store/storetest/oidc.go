package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// oidcCases are the suite's cases for store.OIDCProviders.
var oidcCases = []struct {
	name string
	run  func(t *testing.T, m store.Meta)
}{
	{"OIDCProviders", testOIDCProviders},
	{"OIDCProviderNeedsAccount", testOIDCProviderNeedsAccount},
	{"OIDCProvidersChangeIdentityVersion", testOIDCIdentityVersion},
}

// oidcProvider returns a provider of account with every field set.
func oidcProvider(url string) store.OIDCProvider {
	return store.OIDCProvider{Account: account, URL: url,
		ClientIDs:   []string{"sts.amazonaws.com", "trove"},
		Thumbprints: []string{"9e99a48a9960b14926bb7f3b02e22da2b0ab7280"},
		JWKSFile:    "/etc/trove/jwks.json"}
}

// testOIDCProviders checks that providers are stored by account and URL,
// read back whole, listed by URL, replaced and deleted.
func testOIDCProviders(t *testing.T, m store.Meta) {
	withAccount(t, m)
	eks := oidcProvider("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC")
	local := oidcProvider("http://127.0.0.1:8080")
	local.JWKSFile, local.JWKSURL, local.Thumbprints = "", "http://127.0.0.1:8080/keys", nil
	for _, p := range []store.OIDCProvider{local, eks} {
		must(t, "PutOIDCProvider", m.PutOIDCProvider(ctx(t), p))
	}
	local.Thumbprints = []string{} // nil may come back empty
	got, err := m.GetOIDCProvider(ctx(t), account, eks.URL)
	must(t, "GetOIDCProvider", err)
	wantEqual(t, "GetOIDCProvider", got, eks)
	list, err := m.ListOIDCProviders(ctx(t), account)
	must(t, "ListOIDCProviders", err)
	wantEqual(t, "ListOIDCProviders", list, []store.OIDCProvider{local, eks})
	none, err := m.ListOIDCProviders(ctx(t), other)
	must(t, "ListOIDCProviders of another account", err)
	wantEqual(t, "providers of another account", len(none), 0)

	eks.ClientIDs = []string{"trove"}
	must(t, "PutOIDCProvider (replace)", m.PutOIDCProvider(ctx(t), eks))
	got, err = m.GetOIDCProvider(ctx(t), account, eks.URL)
	must(t, "GetOIDCProvider", err)
	wantEqual(t, "replaced provider", got, eks)

	must(t, "DeleteOIDCProvider", m.DeleteOIDCProvider(ctx(t), account, eks.URL))
	_, err = m.GetOIDCProvider(ctx(t), account, eks.URL)
	wantErr(t, "GetOIDCProvider after delete", err, store.ErrNotFound)
	err = m.DeleteOIDCProvider(ctx(t), account, eks.URL)
	wantErr(t, "DeleteOIDCProvider twice", err, store.ErrNotFound)
	_, err = m.GetOIDCProvider(ctx(t), other, local.URL)
	wantErr(t, "GetOIDCProvider in another account", err, store.ErrNotFound)
}

// testOIDCProviderNeedsAccount checks that a provider needs its account.
func testOIDCProviderNeedsAccount(t *testing.T, m store.Meta) {
	err := m.PutOIDCProvider(ctx(t), oidcProvider("https://issuer.example.com"))
	wantErr(t, "PutOIDCProvider without its account", err, store.ErrNotFound)
}

// testOIDCIdentityVersion checks that putting, replacing and deleting a
// provider change the identity version, and that putting an equal one
// need not.
func testOIDCIdentityVersion(t *testing.T, m store.Meta) {
	withAccount(t, m)
	p := oidcProvider("https://issuer.example.com")
	steps := []struct {
		name  string
		write func() error
	}{
		{"Put", func() error { return m.PutOIDCProvider(ctx(t), p) }},
		{"Replace", func() error {
			q := p
			q.JWKSFile, q.JWKSURL = "", "http://127.0.0.1:9/keys"
			return m.PutOIDCProvider(ctx(t), q)
		}},
		{"Delete", func() error { return m.DeleteOIDCProvider(ctx(t), account, p.URL) }},
	}
	for _, s := range steps {
		before, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		must(t, s.name, s.write())
		after, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		if after == before {
			t.Errorf("%s: identity version stayed %d", s.name, before)
		}
	}
}
