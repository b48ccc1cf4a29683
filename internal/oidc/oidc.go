// Package oidc models an IAM OpenID Connect identity provider and verifies
// the web identity tokens it issues, for STS's AssumeRoleWithWebIdentity.
//
// A Provider is what an account declares: the issuer URL, the client ids
// (audiences) a token may be issued for, and where its signing keys are: a
// JWKS file, or a JWKS URL that must be on loopback. The package reaches no
// other address: trove's keys are configured locally, never discovered.
//
// Verify accepts a token only when all of these hold:
//
//   - it is a JWS in compact serialization of at most MaxTokenSize bytes,
//     signed with RS256, RS384, RS512, PS256, ES256 or ES384 ("none" and
//     the HMAC algorithms are refused whatever the keys are);
//   - its signature verifies with one of the provider's keys: the key its
//     "kid" names, or, without a kid, any key of a fitting type;
//   - "iss" is exactly the provider's URL;
//   - "aud" (a string or an array) contains one of the provider's client ids;
//   - "sub" is present;
//   - "exp" is present and not more than Leeway in the past, as IAM allows
//     for clock skew; "nbf" and "iat", when present, are not more than
//     Leeway in the future.
//
// A failure is an *Error whose Kind is ErrInvalidToken, ErrExpired or
// ErrCommunication; STSError maps each to the STS error a client gets.
package oidc

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Provider is an IAM OIDC identity provider of one account. Exactly one of
// JWKSFile and JWKSURL says where its keys are.
type Provider struct {
	Account string // 12-digit account id
	// URL is the issuer URL: https, or http on a loopback host. A token's
	// "iss" must equal it exactly.
	URL string
	// ClientIDs are the audiences a token may be issued for.
	ClientIDs []string
	// JWKSFile is the absolute path of a JSON Web Key Set file.
	JWKSFile string
	// JWKSURL is a loopback http or https URL serving the key set.
	JWKSURL string
}

// ARN returns the provider's ARN as IAM forms it from the issuer URL:
// arn:aws:iam::ACCOUNT:oidc-provider/ followed by the URL without its
// scheme.
func (p *Provider) ARN() string {
	return "arn:aws:iam::" + p.Account + ":oidc-provider/" + p.Name()
}

// Name is the issuer URL without its scheme, "host/path": the part of the
// ARN after "oidc-provider/", and the prefix of the provider's condition
// keys ("host/path:sub").
func (p *Provider) Name() string {
	_, rest, _ := strings.Cut(p.URL, "://")
	return rest
}

// Check validates p's URL and key source. It does not read the keys.
func (p *Provider) Check() error {
	if err := CheckIssuer(p.URL); err != nil {
		return err
	}
	if len(p.ClientIDs) == 0 {
		return errors.New("oidc: a provider needs at least one client id")
	}
	switch {
	case (p.JWKSFile == "") == (p.JWKSURL == ""):
		return errors.New("oidc: give exactly one of a JWKS file and a JWKS URL")
	case p.JWKSURL != "":
		return CheckJWKSURL(p.JWKSURL)
	}
	return nil
}

// CheckIssuer accepts an issuer URL as IAM does (https, a host, no query,
// fragment or user information) and, for tests and local issuers, http on
// a loopback host.
func CheckIssuer(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return fmt.Errorf("oidc: issuer %w", err)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return fmt.Errorf("oidc: issuer %q: http is accepted on a loopback host only; "+
			"use https", s)
	}
	return nil
}

// CheckJWKSURL accepts an http or https URL on a loopback host
// (127.0.0.0/8, ::1 or localhost), the only place trove fetches keys from.
func CheckJWKSURL(s string) error {
	u, err := parseURL(s)
	if err != nil {
		return fmt.Errorf("oidc: JWKS %w", err)
	}
	if !isLoopback(u.Hostname()) {
		return fmt.Errorf("oidc: JWKS URL %q: trove fetches keys from loopback only "+
			"(127.0.0.1, [::1] or localhost); give a jwksFile instead", s)
	}
	return nil
}

// parseURL parses an absolute http or https URL without user information,
// query or fragment.
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return nil, errors.New("URL is required")
	case err != nil:
		return nil, fmt.Errorf("URL: %w", err)
	case u.Scheme != "https" && u.Scheme != "http":
		return nil, fmt.Errorf("URL %q: must be https (or http on loopback)", s)
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("URL %q: has no host", s)
	case u.User != nil:
		return nil, fmt.Errorf("URL %q: must not carry user information", s)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(s, "#"):
		return nil, fmt.Errorf("URL %q: must have no query or fragment", s)
	}
	return u, nil
}

// isLoopback reports whether host, a URL's host without port or brackets,
// is localhost or a loopback address.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
