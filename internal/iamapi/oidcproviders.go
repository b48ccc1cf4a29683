package iamapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/store"
)

// IAM's limits on OpenID Connect providers.
const (
	maxProviders     = 100 // per account
	maxClientIDs     = 100 // per provider
	maxClientID      = 255
	maxThumbprints   = 5
	maxProviderURL   = 255
	maxDiscoveryBody = 64 << 10
	discoveryTimeout = 5 * time.Second
)

// jwksURLParam is trove's own parameter of CreateOpenIDConnectProvider,
// which IAM does not have: the loopback URL of the provider's key set.
const jwksURLParam = "JwksUrl"

var thumbprintRE = regexp.MustCompile(`^[0-9A-Fa-f]{40}$`)

// providerXML is GetOpenIDConnectProvider's answer. TroveJwksUrl and
// TroveJwksFile, which SDKs ignore, say where trove reads the keys.
type providerXML struct {
	URL            string   `xml:"Url"`
	ClientIDList   []string `xml:"ClientIDList>member"`
	ThumbprintList []string `xml:"ThumbprintList>member"`
	TroveJwksURL   string   `xml:"TroveJwksUrl,omitempty"`
	TroveJwksFile  string   `xml:",omitempty"`
}

// providerOf is the package oidc view of a stored provider.
func providerOf(p store.OIDCProvider) *oidc.Provider {
	return &oidc.Provider{Account: p.Account, URL: p.URL, ClientIDs: p.ClientIDs,
		JWKSFile: p.JWKSFile, JWKSURL: p.JWKSURL}
}

// shownURL is the Url IAM answers: the issuer without "https://", as IAM
// keeps it; an http issuer on loopback, which IAM does not know, keeps its
// scheme so that it cannot be mistaken for an https one.
func shownURL(u string) string {
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		return rest
	}
	return u
}

// providerARN reads OpenIDConnectProviderArn: the ARN of a provider of the
// caller's account, arn:aws:iam::ACCOUNT:oidc-provider/HOST/PATH.
func (p params) providerARN(rq *request) (arn, name string, err error) {
	const param = "OpenIDConnectProviderArn"
	v := p.str(param)
	if v == "" {
		return "", "", missingParam(param)
	}
	name, ok := strings.CutPrefix(v, "arn:aws:iam::"+own(rq)+":oidc-provider/")
	if !ok || name == "" || len(v) > 2048 {
		return "", "", errorf(InvalidInput, "%s: %q is not the ARN of an OpenID Connect "+
			"provider of your account (arn:aws:iam::%s:oidc-provider/HOST/PATH).", param,
			truncate(v), own(rq))
	}
	return v, name, nil
}

// targetProvider reads OpenIDConnectProviderArn, authorizes action on it
// and returns the stored provider; NoSuchEntity when the account has none
// of that ARN.
func (h *Handler) targetProvider(rq *request, action string) (store.OIDCProvider, error) {
	arn, name, err := params{rq.r.Form}.providerARN(rq)
	if err != nil {
		return store.OIDCProvider{}, err
	}
	if err := h.allow(rq, action, arn); err != nil {
		return store.OIDCProvider{}, err
	}
	p, found, err := h.providerNamed(rq, name)
	if err != nil || !found {
		return p, orNoProvider(err, arn)
	}
	return p, nil
}

// orNoProvider returns err, or NoSuchEntity for the provider arn.
func orNoProvider(err error, arn string) error {
	if err != nil {
		return err
	}
	return errorf(NoSuchEntity, "OpenIDConnect Provider not found for arn %s", truncate(arn))
}

// providerNamed finds the account's provider whose ARN ends in name, the
// issuer URL without its scheme.
func (h *Handler) providerNamed(rq *request, name string) (store.OIDCProvider, bool, error) {
	ps, err := h.cfg.Meta.ListOIDCProviders(rq.ctx, own(rq))
	if err != nil {
		return store.OIDCProvider{}, false, fmt.Errorf("iamapi: list OIDC providers: %w", err)
	}
	for _, p := range ps {
		if providerOf(p).Name() == name {
			return p, true, nil
		}
	}
	return store.OIDCProvider{}, false, nil
}

// clientIDs reads the list param of client ids: each 1 to 255 characters,
// each once.
func (p params) clientIDs(param string) ([]string, error) {
	ids, err := p.list(param)
	if err != nil {
		return nil, err
	}
	if len(ids) > maxClientIDs {
		return nil, errorf(LimitExceeded, "Cannot exceed quota for ClientIdsPerOpenIdConnect"+
			"Provider: %d.", maxClientIDs)
	}
	for i, id := range ids {
		if err := checkClientID(id); err != nil {
			return nil, err
		}
		if slices.Contains(ids[:i], id) {
			return nil, errorf(InvalidInput, "%s: the client id %s is listed twice.", param,
				truncate(id))
		}
	}
	return ids, nil
}

func checkClientID(id string) error {
	if id == "" || runes(id) > maxClientID {
		return errorf(ValidationError, "1 validation error detected: Value %q at 'clientID' "+
			"failed to satisfy constraint: Member must have length between 1 and %d",
			truncate(id), maxClientID)
	}
	return nil
}

// thumbprints reads ThumbprintList: at most five of 40 hexadecimal digits.
func (p params) thumbprints() ([]string, error) {
	tps, err := p.list("ThumbprintList")
	if err != nil {
		return nil, err
	}
	if len(tps) > maxThumbprints {
		return nil, errorf(InvalidInput, "Thumbprint list must contain at most %d entries.",
			maxThumbprints)
	}
	for _, tp := range tps {
		if !thumbprintRE.MatchString(tp) {
			return nil, errorf(ValidationError, "1 validation error detected: Value %q at "+
				"'thumbprintList' failed to satisfy constraint: Member must be 40 hexadecimal "+
				"digits", truncate(tp))
		}
	}
	return tps, nil
}

// newProvider reads CreateOpenIDConnectProvider's parameters, all but the
// key source, into a provider of the caller's account.
func newProvider(rq *request) (store.OIDCProvider, error) {
	p := params{rq.r.Form}
	np := store.OIDCProvider{Account: own(rq), URL: p.str("Url")}
	switch {
	case np.URL == "":
		return np, missingParam("Url")
	case len(np.URL) > maxProviderURL:
		return np, errorf(ValidationError, "1 validation error detected: Value at 'url' "+
			"failed to satisfy constraint: Member must have length at most %d", maxProviderURL)
	case p.has("Tags."):
		return np, errorf(InvalidInput, "Tags: trove keeps no tags on OpenID Connect "+
			"providers; create the provider without them.")
	}
	if err := oidc.CheckIssuer(np.URL); err != nil {
		return np, errorf(InvalidInput, "Url: %s.", strings.TrimPrefix(err.Error(), "oidc: "))
	}
	var err error
	if np.ClientIDs, err = p.clientIDs("ClientIDList"); err != nil {
		return np, err
	}
	if len(np.ClientIDs) == 0 {
		return np, errorf(InvalidInput, "ClientIDList: give at least one client id "+
			"(audience), such as sts.amazonaws.com: trove accepts no token for a provider "+
			"without one.")
	}
	np.Thumbprints, err = p.thumbprints()
	return np, err
}

// createProvider serves CreateOpenIDConnectProvider. The key source is
// trove's: JwksUrl when given (a loopback URL), else the jwks_uri of the
// discovery document of a loopback issuer, read now.
func (h *Handler) createProvider(rq *request) error {
	np, err := newProvider(rq)
	if err != nil {
		return err
	}
	arn := providerOf(np).ARN()
	if err := h.allow(rq, "iam:CreateOpenIDConnectProvider", arn); err != nil {
		return err
	}
	if np.JWKSURL, err = h.jwksSource(rq, np.URL); err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if err := h.checkNewProvider(rq, np); err != nil {
		return err
	}
	if err := h.cfg.Meta.PutOIDCProvider(rq.ctx, np); err != nil {
		return fmt.Errorf("iamapi: put OIDC provider %s: %w", np.URL, err)
	}
	return reply(rq, struct {
		OpenIDConnectProviderArn string
	}{arn})
}

// checkNewProvider refuses a provider whose ARN the account has already,
// or one more than the account may have.
func (h *Handler) checkNewProvider(rq *request, np store.OIDCProvider) error {
	ps, err := h.cfg.Meta.ListOIDCProviders(rq.ctx, np.Account)
	if err != nil {
		return fmt.Errorf("iamapi: list OIDC providers: %w", err)
	}
	name := providerOf(np).Name()
	for _, p := range ps {
		if providerOf(p).Name() == name {
			return errorf(EntityAlreadyExists, "Provider with url %s already exists.",
				truncate(np.URL))
		}
	}
	if len(ps) >= maxProviders {
		return errorf(LimitExceeded, "Cannot exceed quota for OpenIdProvidersPerAccount: %d.",
			maxProviders)
	}
	return nil
}

// jwksSource returns the loopback URL of the key set of the provider of
// issuer: the JwksUrl parameter, or the discovery document's jwks_uri.
func (h *Handler) jwksSource(rq *request, issuer string) (string, error) {
	if u := rq.r.Form.Get(jwksURLParam); u != "" {
		if err := oidc.CheckJWKSURL(u); err != nil {
			return "", errorf(InvalidInput, "%s: %s.", jwksURLParam,
				strings.TrimPrefix(err.Error(), "oidc: "))
		}
		return u, nil
	}
	if oidc.CheckJWKSURL(issuer) != nil {
		return "", errorf(InvalidInput, "trove reads a provider's signing keys from loopback "+
			"only, and %s is not on loopback: give the key set's loopback URL in trove's "+
			"parameter %s, or declare the provider in the organization file with a jwksFile.",
			truncate(issuer), jwksURLParam)
	}
	u, err := discoverJWKS(rq.ctx, issuer)
	if err != nil {
		// The caller learns only that discovery failed: whether the port
		// refused, what answered and what its document says would make this
		// action a scanner of the loopback services. The log has the detail.
		awsapi.OrDiscard(h.cfg.Logger).Warn("iamapi: OpenID Connect discovery failed",
			"request_id", rq.id, "account", own(rq), "issuer", issuer, "err", err)
		return "", &Error{Code: InvalidInput, Message: fmt.Sprintf("trove could not read the "+
			"provider's discovery document or keys from %s; see the server log.",
			truncate(issuer)), Cause: err}
	}
	return u, nil
}

// discoverJWKS reads the discovery document of issuer, a loopback URL, and
// returns its jwks_uri once the key set there holds a usable key. The
// document must name issuer exactly, as OpenID Connect Discovery requires.
func discoverJWKS(ctx context.Context, issuer string) (string, error) {
	body, err := fetch(ctx, strings.TrimSuffix(issuer, "/")+"/.well-known/openid-configuration")
	if err != nil {
		return "", err
	}
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return "", fmt.Errorf("iamapi: the discovery document is not JSON: %w", err)
	}
	if doc.Issuer != issuer {
		return "", fmt.Errorf("iamapi: the discovery document names the issuer %q",
			truncate(doc.Issuer))
	}
	if err := oidc.CheckJWKSURL(doc.JWKSURI); err != nil {
		return "", fmt.Errorf("iamapi: jwks_uri: %s", strings.TrimPrefix(err.Error(), "oidc: "))
	}
	keys, err := fetch(ctx, doc.JWKSURI)
	if err != nil {
		return "", err
	}
	if _, err := oidc.ParseJWKS(keys); err != nil {
		return "", fmt.Errorf("iamapi: the key set at %s: %s", doc.JWKSURI,
			strings.TrimPrefix(err.Error(), "oidc: "))
	}
	return doc.JWKSURI, nil
}

// fetch GETs url, a loopback URL, with discoveryClient, within
// discoveryTimeout, and returns at most maxDiscoveryBody bytes.
func fetch(ctx context.Context, url string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("iamapi: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := discoveryClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("iamapi: get %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("iamapi: get %s: status %s", url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxDiscoveryBody+1))
	switch {
	case err != nil:
		return nil, fmt.Errorf("iamapi: read %s: %w", url, err)
	case len(body) > maxDiscoveryBody:
		return nil, fmt.Errorf("iamapi: %s: more than %d bytes", url, maxDiscoveryBody)
	}
	return body, nil
}

// discoveryClient fetches discovery documents and key sets from loopback
// issuers only, as package oidc's key fetcher does.
var discoveryClient = oidc.LoopbackClient(discoveryTimeout)

func (h *Handler) getProvider(rq *request) error {
	p, err := h.targetProvider(rq, "iam:GetOpenIDConnectProvider")
	if err != nil {
		return err
	}
	return reply(rq, providerXML{URL: shownURL(p.URL), ClientIDList: p.ClientIDs,
		ThumbprintList: p.Thumbprints, TroveJwksURL: p.JWKSURL, TroveJwksFile: p.JWKSFile})
}

func (h *Handler) listProviders(rq *request) error {
	if err := h.allow(rq, "iam:ListOpenIDConnectProviders", "*"); err != nil {
		return err
	}
	ps, err := h.cfg.Meta.ListOIDCProviders(rq.ctx, own(rq))
	if err != nil {
		return fmt.Errorf("iamapi: list OIDC providers: %w", err)
	}
	type entry struct{ Arn string }
	list := make([]entry, 0, len(ps))
	for _, p := range ps {
		list = append(list, entry{providerOf(p).ARN()})
	}
	return reply(rq, struct {
		OpenIDConnectProviderList []entry `xml:"OpenIDConnectProviderList>member"`
	}{list})
}

// deleteProvider serves DeleteOpenIDConnectProvider, which, as in IAM,
// succeeds for a provider that does not exist.
func (h *Handler) deleteProvider(rq *request) error {
	p, err := h.targetProvider(rq, "iam:DeleteOpenIDConnectProvider")
	var e *Error
	if errors.As(err, &e) && e.Code == NoSuchEntity {
		return reply(rq, nil)
	}
	if err != nil {
		return err
	}
	err = h.cfg.Meta.DeleteOIDCProvider(rq.ctx, p.Account, p.URL)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("iamapi: delete OIDC provider %s: %w", p.URL, err)
	}
	return reply(rq, nil)
}

// changeProvider authorizes action on the provider, applies change and
// stores the provider, under writeMu.
func (h *Handler) changeProvider(rq *request, action string,
	change func(p *store.OIDCProvider) error) error {
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	p, err := h.targetProvider(rq, action)
	if err != nil {
		return err
	}
	if err := change(&p); err != nil {
		return err
	}
	if err := h.cfg.Meta.PutOIDCProvider(rq.ctx, p); err != nil {
		return fmt.Errorf("iamapi: put OIDC provider %s: %w", p.URL, err)
	}
	return reply(rq, nil)
}

// addClientID serves AddClientIDToOpenIDConnectProvider; adding a client id
// the provider has changes nothing.
func (h *Handler) addClientID(rq *request) error {
	id := rq.r.Form.Get("ClientID")
	if err := checkClientID(id); err != nil {
		return err
	}
	return h.changeProvider(rq, "iam:AddClientIDToOpenIDConnectProvider",
		func(p *store.OIDCProvider) error {
			switch {
			case slices.Contains(p.ClientIDs, id):
			case len(p.ClientIDs) >= maxClientIDs:
				return errorf(LimitExceeded, "Cannot exceed quota for ClientIdsPerOpenId"+
					"ConnectProvider: %d.", maxClientIDs)
			default:
				p.ClientIDs = append(p.ClientIDs, id)
			}
			return nil
		})
}

// removeClientID serves RemoveClientIDFromOpenIDConnectProvider; removing a
// client id the provider lacks changes nothing. Unlike IAM, trove keeps the
// last one: a provider without client ids accepts no token, and the
// organization file cannot declare one.
func (h *Handler) removeClientID(rq *request) error {
	id := rq.r.Form.Get("ClientID")
	if err := checkClientID(id); err != nil {
		return err
	}
	return h.changeProvider(rq, "iam:RemoveClientIDFromOpenIDConnectProvider",
		func(p *store.OIDCProvider) error {
			i := slices.Index(p.ClientIDs, id)
			switch {
			case i < 0:
			case len(p.ClientIDs) == 1:
				return errorf(InvalidInput, "%s is the provider's last client id: trove "+
					"keeps at least one; delete the provider instead.", truncate(id))
			default:
				p.ClientIDs = slices.Delete(slices.Clone(p.ClientIDs), i, i+1)
			}
			return nil
		})
}

// updateThumbprints serves UpdateOpenIDConnectProviderThumbprint: trove
// stores the thumbprints and does not use them.
func (h *Handler) updateThumbprints(rq *request) error {
	tps, err := params{rq.r.Form}.thumbprints()
	if err != nil {
		return err
	}
	if len(tps) == 0 {
		return missingParam("ThumbprintList")
	}
	return h.changeProvider(rq, "iam:UpdateOpenIDConnectProviderThumbprint",
		func(p *store.OIDCProvider) error {
			p.Thumbprints = tps
			return nil
		})
}

// oidcOperations are the OpenID Connect provider actions, by name.
var oidcOperations = map[string]func(*Handler, *request) error{
	"CreateOpenIDConnectProvider":             (*Handler).createProvider,
	"GetOpenIDConnectProvider":                (*Handler).getProvider,
	"ListOpenIDConnectProviders":              (*Handler).listProviders,
	"DeleteOpenIDConnectProvider":             (*Handler).deleteProvider,
	"AddClientIDToOpenIDConnectProvider":      (*Handler).addClientID,
	"RemoveClientIDFromOpenIDConnectProvider": (*Handler).removeClientID,
	"UpdateOpenIDConnectProviderThumbprint":   (*Handler).updateThumbprints,
}
