package store

import "context"

// OIDCProvider is an IAM OpenID Connect identity provider of an account,
// unique by account and issuer URL (as in IAM, whose provider ARN is the
// URL without its scheme). Exactly one of JWKSFile and JWKSURL is set: trove
// reads a provider's signing keys from where the operator put them and
// never discovers them.
type OIDCProvider struct {
	Account string
	URL     string // the issuer URL, exactly as tokens carry it in "iss"
	// ClientIDs are the audiences tokens may be issued for, in order.
	ClientIDs []string
	// Thumbprints are the certificate thumbprints IAM keeps for a
	// provider; trove stores them and does not use them.
	Thumbprints []string
	JWKSFile    string // absolute path of a JSON Web Key Set file
	JWKSURL     string // a loopback URL serving the key set
}

// OIDCProviders is the part of Meta that keeps OIDC identity providers.
// Every change to them changes the IdentityVersion.
type OIDCProviders interface {
	// PutOIDCProvider stores p by account and URL, replacing what was
	// there; it returns ErrNotFound when the account does not exist.
	PutOIDCProvider(ctx context.Context, p OIDCProvider) error
	// GetOIDCProvider returns ErrNotFound when the account has no provider
	// with that URL.
	GetOIDCProvider(ctx context.Context, account, url string) (OIDCProvider, error)
	// ListOIDCProviders lists an account's providers by URL.
	ListOIDCProviders(ctx context.Context, account string) ([]OIDCProvider, error)
	// DeleteOIDCProvider returns ErrNotFound when there is no such provider.
	DeleteOIDCProvider(ctx context.Context, account, url string) error
}
