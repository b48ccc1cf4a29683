package sts

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

// This file serves AssumeRoleWithWebIdentity: an unsigned request whose
// credential is a web identity token (an OIDC ID token, such as a
// Kubernetes service account token). The token is verified against the
// OIDC provider of the role's account whose URL is the token's issuer
// (package oidc); the role's trust policy then decides with a web identity
// principal, {"Federated": PROVIDER-ARN}, and the token's condition keys
// (oidc.Provider.ConditionKeys). No identity policy, boundary or SCP
// applies to a web identity; the role account's RCPs do.

// WebIdentity configures AssumeRoleWithWebIdentity. The zero value
// refuses every token: no account has a provider.
type WebIdentity struct {
	// Providers holds the accounts' OIDC identity providers.
	Providers store.OIDCProviders
	// Verifier verifies tokens and keeps the providers' keys; nil means a
	// Verifier with the defaults, shared by the handlers that have none.
	Verifier *oidc.Verifier
}

// The error codes of AssumeRoleWithWebIdentity's token checks.
const (
	InvalidIdentityToken  Code = "InvalidIdentityToken"
	ExpiredTokenException Code = "ExpiredTokenException"
	IDPCommunicationError Code = "IDPCommunicationError"
)

// webIdentityAction is the action and the sts: action name.
const (
	webIdentityAction = "AssumeRoleWithWebIdentity"
	webIdentityPolicy = "sts:AssumeRoleWithWebIdentity"
)

func init() {
	operations[webIdentityAction] = operation{run: (*Handler).assumeRoleWithWebIdentity,
		anonymous: true}
	table[InvalidIdentityToken] = awsapi.Entry{Status: http.StatusBadRequest,
		Message: "The web identity token that was passed could not be validated."}
	table[ExpiredTokenException] = awsapi.Entry{Status: http.StatusBadRequest,
		Message: "The web identity token that was passed is expired."}
	table[IDPCommunicationError] = awsapi.Entry{Status: http.StatusBadRequest,
		Message: "The keys of the identity provider could not be read."}
}

// HandlesUnsigned reports whether r is an unsigned STS request: a POST of
// a form, or a GET, to "/" without any signature, whose Action is one of
// STS's anonymous actions (AssumeRoleWithWebIdentity). It reads at most
// sigv4.MaxQueryBody bytes of the body and puts them back, so that the
// handler that serves r reads the whole body.
func HandlesUnsigned(r *http.Request) bool {
	if r.URL.Path != "/" || r.Header.Get("Authorization") != "" ||
		r.URL.Query().Has("X-Amz-Credential") {
		return false
	}
	switch r.Method {
	case http.MethodGet:
		return anonymousAction(r.URL.Query().Get("Action"))
	case http.MethodPost:
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if mt != "application/x-www-form-urlencoded" {
			return false
		}
		return anonymousAction(peekAction(r))
	}
	return false
}

func anonymousAction(action string) bool {
	op, ok := operations[action]
	return ok && op.anonymous
}

// peekAction returns the Action of r's form body, or of its query, and
// restores the body.
func peekAction(r *http.Request) string {
	if a := r.URL.Query().Get("Action"); a != "" {
		return a
	}
	if r.Body == nil {
		return ""
	}
	buf, err := io.ReadAll(io.LimitReader(r.Body, sigv4.MaxQueryBody))
	r.Body = readCloser{io.MultiReader(bytes.NewReader(buf), r.Body), r.Body}
	if err != nil {
		return ""
	}
	form, err := url.ParseQuery(string(buf))
	if err != nil {
		return ""
	}
	return form.Get("Action")
}

// readCloser reads from a reader that puts peeked bytes back in front of
// the body, and closes the body.
type readCloser struct {
	io.Reader
	io.Closer
}

// webIdentityParams are AssumeRoleWithWebIdentity's parameters once
// checked.
type webIdentityParams struct {
	assumeParams // role, sessionName, duration, policy, policyARNs
	token        string
}

// minTokenChars is the shortest WebIdentityToken STS accepts.
const minTokenChars = 4

// parseWebIdentity checks AssumeRoleWithWebIdentity's parameters.
func parseWebIdentity(f url.Values) (*webIdentityParams, error) {
	p := &webIdentityParams{}
	var err error
	if p.role, err = parseRoleARN(f.Get("RoleArn")); err != nil {
		return nil, err
	}
	if p.sessionName, err = parseSessionName(f); err != nil {
		return nil, err
	}
	if p.token = f.Get("WebIdentityToken"); !f.Has("WebIdentityToken") {
		return nil, missing("WebIdentityToken")
	}
	if len(p.token) < minTokenChars || len(p.token) > oidc.MaxTokenSize {
		return nil, validation("webIdentityToken", "of length between 4 and 20000")
	}
	if f.Has("ProviderId") {
		return nil, errorf(InvalidParameterValue, "ProviderId is for OAuth 2.0 access "+
			"tokens, which trove does not accept; pass an OpenID Connect ID token without it.")
	}
	if p.duration, err = parseDuration(f.Get("DurationSeconds")); err != nil {
		return nil, err
	}
	if p.policy, err = parsePolicy(f); err != nil {
		return nil, err
	}
	p.policyARNs, err = parsePolicyARNs(f)
	return p, err
}

// assumeRoleWithWebIdentity serves AssumeRoleWithWebIdentity. As in
// AssumeRole, the role's maximum duration and the managed session policies
// are checked only once the trust policy allowed: a token the role does
// not trust learns nothing of the role or its account's policies.
func (h *Handler) assumeRoleWithWebIdentity(rq *request) error {
	p, err := parseWebIdentity(rq.r.Form)
	if err != nil {
		return err
	}
	prov, claims, err := h.verifyToken(rq, p.role.account, p.token)
	if err != nil {
		return err
	}
	g := &grant{sessionName: p.sessionName, policy: p.policy, policyARNs: p.policyARNs,
		federated: prov.ARN()}
	if err := g.checkPacked(); err != nil {
		return err
	}
	if g.role, err = h.role(rq, p.role, webIdentityPolicy); err != nil {
		return webIdentityDenied(err)
	}
	keys := h.requestKeys(rq)
	for k, v := range prov.ConditionKeys(claims) {
		keys[k] = v
	}
	keys.Set("sts:RoleSessionName", p.sessionName)
	caller := &identity.Caller{Principal: policy.Principal{Type: policy.TypeWebIdentity,
		Federated: prov.ARN()}}
	if err := h.authorize(rq, caller, g.role, webIdentityPolicy, keys); err != nil {
		return webIdentityDenied(err)
	}
	if err := h.complete(rq, g, p.duration); err != nil {
		return err
	}
	return h.answerWebIdentity(rq, g, prov, claims)
}

// webIdentityDenied words AccessDenied as STS does for a web identity,
// which has no ARN to name.
func webIdentityDenied(err error) error {
	var e *Error
	if errors.As(err, &e) && e.Code == AccessDenied {
		return errorf(AccessDenied, "Not authorized to perform %s", webIdentityPolicy)
	}
	return err
}

// verifyToken finds the OIDC provider of account whose URL is the token's
// issuer and verifies the token with it.
func (h *Handler) verifyToken(rq *request, account, token string) (*oidc.Provider,
	*oidc.Claims, error) {
	iss, err := oidc.PeekIssuer(token)
	if err != nil {
		return nil, nil, tokenError(err)
	}
	prov, err := h.provider(rq, account, iss)
	if err != nil {
		return nil, nil, err
	}
	v := h.cfg.WebIdentity.Verifier
	if v == nil {
		v = &defaultVerifier
	}
	claims, err := v.Verify(rq.ctx, prov, token, h.cfg.Now())
	if err != nil {
		return nil, nil, tokenError(err)
	}
	return prov, claims, nil
}

// defaultVerifier verifies tokens for handlers whose WebIdentity has no
// Verifier; it keeps the key sets it reads.
var defaultVerifier oidc.Verifier

// provider returns account's OIDC provider for issuer iss. None is
// InvalidIdentityToken, as STS answers.
func (h *Handler) provider(rq *request, account, iss string) (*oidc.Provider, error) {
	providers := h.cfg.WebIdentity.Providers
	if providers == nil {
		return nil, noProvider(iss)
	}
	sp, err := providers.GetOIDCProvider(rq.ctx, account, iss)
	if errors.Is(err, store.ErrNotFound) {
		return nil, noProvider(iss)
	}
	if err != nil {
		return nil, err
	}
	return &oidc.Provider{Account: sp.Account, URL: sp.URL, ClientIDs: sp.ClientIDs,
		JWKSFile: sp.JWKSFile, JWKSURL: sp.JWKSURL}, nil
}

func noProvider(iss string) *Error {
	return errorf(InvalidIdentityToken, "No OpenIDConnect provider found in the role's "+
		"account for %s", truncate(iss))
}

// tokenError turns a verification failure into its STS error; the cause
// goes to the log only.
func tokenError(err error) error {
	code, _, msg, ok := oidc.STSError(err)
	if !ok {
		return err
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:] + "."
	}
	return &Error{Code: Code(code), Message: msg, Cause: err}
}

// webIdentityResult is AssumeRoleWithWebIdentity's result.
type webIdentityResult struct {
	XMLName                     xml.Name `xml:"AssumeRoleWithWebIdentityResult"`
	Credentials                 credentials
	SubjectFromWebIdentityToken string
	AssumedRoleUser             assumedRoleUser
	PackedPolicySize            *int `xml:",omitempty"`
	Provider                    string
	Audience                    string
}

// answerWebIdentity issues the session g describes and writes the result.
func (h *Handler) answerWebIdentity(rq *request, g *grant, prov *oidc.Provider,
	c *oidc.Claims) error {
	creds, err := h.issue(rq, g)
	if err != nil {
		return err
	}
	aud := c.ClientID
	if c.AuthorizedParty != "" {
		aud = c.AuthorizedParty
	}
	res := webIdentityResult{Credentials: creds, SubjectFromWebIdentityToken: c.Subject,
		AssumedRoleUser: assumedRoleUser{
			Arn:           identity.SessionARN(g.role.Account, g.role.Name, g.sessionName),
			AssumedRoleID: g.role.ID + ":" + g.sessionName},
		Provider: prov.URL, Audience: aud}
	if g.policy != "" {
		res.PackedPolicySize = &g.packed
	}
	writeResult(rq.w, rq.action, rq.id, res)
	return nil
}
