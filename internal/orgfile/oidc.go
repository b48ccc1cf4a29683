package orgfile

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/store"
)

// OIDCProvider declares an IAM OpenID Connect identity provider of the
// enclosing account, for AssumeRoleWithWebIdentity (docs/web-identity.md).
// Its signing keys are in a JWKS file (JWKSFile, relative to the
// organization file's directory unless absolute) or at a loopback URL
// (JWKSURL): trove reaches no other address. Thumbprints are accepted as
// IAM accepts them and ignored: trove never fetches keys over TLS from the
// issuer.
type OIDCProvider struct {
	URL         string   `yaml:"url"`
	ClientIDs   []string `yaml:"clientIds"`
	JWKSFile    string   `yaml:"jwksFile"`
	JWKSURL     string   `yaml:"jwksUrl"`
	Thumbprints []string `yaml:"thumbprints"`
	// jwksPath is JWKSFile made absolute, filled in by Load.
	jwksPath string
}

// IAM's limits on OIDC providers.
const (
	maxOIDCProviders  = 100 // per account
	maxOIDCClientIDs  = 100 // per provider
	maxClientIDLength = 255
	maxThumbprints    = 5
)

var thumbprintRe = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)

// validateOIDC checks the account's OIDC providers: each URL once, and
// each provider valid with its key set readable when it is a file.
func (a *Account) validateOIDC(dir string) error {
	if len(a.OIDCProviders) > maxOIDCProviders {
		return fmt.Errorf("oidcProviders: %d providers; IAM allows at most %d per account",
			len(a.OIDCProviders), maxOIDCProviders)
	}
	seen := make(map[string]bool, len(a.OIDCProviders))
	for i := range a.OIDCProviders {
		p := &a.OIDCProviders[i]
		if seen[p.URL] {
			return fmt.Errorf("oidcProviders: provider %s: declared twice", p.URL)
		}
		seen[p.URL] = true
		if err := p.validate(a.ID, dir); err != nil {
			return fmt.Errorf("oidcProviders[%d] %q: %w", i, p.URL, err)
		}
	}
	return nil
}

func (p *OIDCProvider) validate(account, dir string) error {
	if err := checkClientIDs(p.ClientIDs); err != nil {
		return err
	}
	if err := checkThumbprints(p.Thumbprints); err != nil {
		return err
	}
	if p.JWKSFile != "" {
		if err := p.resolveJWKS(dir); err != nil {
			return err
		}
	}
	m := p.Provider(account)
	if err := m.Check(); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "oidc: "))
	}
	return nil
}

func checkClientIDs(ids []string) error {
	switch {
	case len(ids) == 0:
		return errors.New("clientIds: give at least one client id (audience), such as " +
			"sts.amazonaws.com")
	case len(ids) > maxOIDCClientIDs:
		return fmt.Errorf("clientIds: %d client ids; IAM allows at most %d", len(ids),
			maxOIDCClientIDs)
	}
	for i, id := range ids {
		switch {
		case id == "" || len(id) > maxClientIDLength:
			return fmt.Errorf("clientIds: %q: a client id has 1 to %d characters", id,
				maxClientIDLength)
		case slices.Contains(ids[:i], id):
			return fmt.Errorf("clientIds: %s is listed twice", id)
		}
	}
	return nil
}

func checkThumbprints(prints []string) error {
	if len(prints) > maxThumbprints {
		return fmt.Errorf("thumbprints: %d thumbprints; IAM allows at most %d", len(prints),
			maxThumbprints)
	}
	for _, tp := range prints {
		if !thumbprintRe.MatchString(tp) {
			return fmt.Errorf("thumbprints: %q is not 40 hexadecimal digits", tp)
		}
	}
	return nil
}

// resolveJWKS makes JWKSFile absolute against dir and checks that the file
// holds a usable key set, so that a bad file fails the load, not a token.
func (p *OIDCProvider) resolveJWKS(dir string) error {
	name := p.JWKSFile
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	abs, err := filepath.Abs(name)
	if err != nil {
		return fmt.Errorf("jwksFile: %w", err)
	}
	data, err := ReadFile(abs, oidc.MaxJWKSSize)
	if err != nil {
		return fmt.Errorf("jwksFile: %w", err)
	}
	if _, err := oidc.ParseJWKS(data); err != nil {
		return fmt.Errorf("jwksFile %s: %s", p.JWKSFile,
			strings.TrimPrefix(err.Error(), "oidc: "))
	}
	p.jwksPath = abs
	return nil
}

// Provider returns the declared provider as package oidc verifies with it,
// its JWKS file absolute once Load has run; account is the enclosing
// account's id.
func (p *OIDCProvider) Provider(account string) oidc.Provider {
	return oidc.Provider{Account: account, URL: p.URL, ClientIDs: p.ClientIDs,
		JWKSFile: p.jwksPath, JWKSURL: p.JWKSURL}
}

// applyOIDC stores the account's providers; a provider the file does not
// declare is left as it is.
func applyOIDC(ctx context.Context, meta store.Meta, a Account, ch *Changes) error {
	for _, p := range a.OIDCProviders {
		np := store.OIDCProvider{Account: a.ID, URL: p.URL, ClientIDs: p.ClientIDs,
			Thumbprints: p.Thumbprints, JWKSFile: p.jwksPath, JWKSURL: p.JWKSURL}
		old, err := meta.GetOIDCProvider(ctx, a.ID, p.URL)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("OIDC provider %s: %w", p.URL, err)
		}
		found := err == nil
		if found && sameProvider(old, np) {
			continue
		}
		if err := meta.PutOIDCProvider(ctx, np); err != nil {
			return fmt.Errorf("OIDC provider %s: %w", p.URL, err)
		}
		ch.note(!found, found)
	}
	return nil
}

// sameProvider reports whether two stored providers are equal, an empty
// list equal to a nil one.
func sameProvider(a, b store.OIDCProvider) bool {
	return a.Account == b.Account && a.URL == b.URL && a.JWKSFile == b.JWKSFile &&
		a.JWKSURL == b.JWKSURL && slices.Equal(a.ClientIDs, b.ClientIDs) &&
		slices.Equal(a.Thumbprints, b.Thumbprints)
}
