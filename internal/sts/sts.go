// Package sts serves AWS Security Token Service's query API on trove's
// listener: form-encoded requests (Action=..., Version=2011-06-15) signed
// with SigV4 for the service "sts", answered in STS's XML with STS's error
// documents. It serves GetCallerIdentity for every kind of principal and
// AssumeRole, which issues temporary credentials: an ASIA access key id, a
// secret and a session token that package session seals, so that a
// request made with them needs no state on any server.
//
// AssumeRole decides with trove's policy engine: the role's trust policy
// is the resource-based policy, the caller the principal, sts:AssumeRole
// the action (sts:TagSession too when session tags are passed,
// sts:SetSourceIdentity when a source identity is), with the caller's
// identity policies, boundary, session policies and SCPs, and the role
// account's RCPs. Within one account a trust policy that names the caller
// suffices; across accounts both the caller's identity policy and the
// trust policy must allow. What depends on the role or its account (its
// maximum session duration, whether a managed session policy exists) is
// checked only once the trust decision allowed, so that a caller denied
// learns nothing of them, not even whether the role exists.
//
// Every request gets an id (x-amzn-RequestId and RequestId in the body) and
// one access-log line. Secrets and session tokens are never logged.
package sts

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/session"
	"github.com/troveproject/trove/internal/sigv4"
)

// Version is the only API version served.
const Version = "2011-06-15"

// Namespace is the XML namespace of STS's responses.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Config configures a Handler. Directory is required.
type Config struct {
	Directory *identity.Directory
	// Logger receives errors; AccessLog receives one line per request.
	// Either may be nil, meaning discard.
	Logger    *slog.Logger
	AccessLog *slog.Logger
	// Now returns the current time, which issued sessions start at; nil
	// means time.Now. Signatures are checked against the same clock.
	Now func() time.Time
	// WebIdentity configures AssumeRoleWithWebIdentity (webidentity.go).
	WebIdentity WebIdentity
}

// Handler is the STS query API as an http.Handler. It is safe for
// concurrent use.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
	endpoint *awsapi.Endpoint[Code]
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, verifier: awsapi.NewVerifier(cfg.Directory, "sts", cfg.Now),
		endpoint: &awsapi.Endpoint[Code]{API: "sts", Header: "x-amzn-RequestId",
			Catalog: catalog, WriteError: writeError, Now: cfg.Now,
			Log: awsapi.OrDiscard(cfg.Logger), Access: awsapi.OrDiscard(cfg.AccessLog)}}
}

// Handles reports whether r belongs to the STS API: signed for the service
// "sts".
func Handles(r *http.Request) bool { return sigv4.ScopeService(r) == "sts" }

// request is one request in flight.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	id     string
	action string
	auth   *sigv4.Auth
	caller *identity.Caller // nil for an anonymous operation
	// verdict is the authorization decision, for the access log.
	verdict *awsapi.Verdict
}

// record is what the access log says of rq.
func (rq *request) record() awsapi.Record {
	return awsapi.Record{Action: rq.action, Caller: rq.caller, Verdict: rq.verdict}
}

// operation is one action: run serves it; anonymous ones (those that
// authenticate with another credential, such as a web identity token)
// accept unsigned requests.
type operation struct {
	run       func(*Handler, *request) error
	anonymous bool
}

// operations are the actions served, by name. A new action registers here
// from its own file's init.
var operations = map[string]operation{
	"GetCallerIdentity": {run: (*Handler).getCallerIdentity},
	"AssumeRole":        {run: (*Handler).assumeRole},
}

// ServeHTTP handles one STS request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq := &request{w: w, r: r, ctx: r.Context(), id: awsapi.NewRequestID()}
	h.endpoint.Serve(w, r, rq.id, func() error { return h.serve(rq) }, rq.record)
}

// query reads STS's form: a malformed one or a repeated parameter is
// InvalidParameterValue.
var query = &awsapi.Query[Code]{Catalog: catalog, Version: Version,
	Invalid: InvalidParameterValue, TooLarge: ValidationError, MissingAction: MissingAction,
	MissingParameter: MissingParameter, InvalidAction: InvalidAction}

func (h *Handler) serve(rq *request) error {
	auth, err := awsapi.Verify(h.verifier, rq.w, rq.r)
	if err != nil {
		return err
	}
	rq.auth = auth
	if err := query.ReadForm(rq.r); err != nil {
		return err
	}
	op, err := h.operation(rq)
	if err != nil {
		return err
	}
	if auth.Method == sigv4.None {
		if !op.anonymous {
			return fixed(MissingAuthenticationToken)
		}
		return op.run(h, rq)
	}
	if err := h.resolve(rq); err != nil {
		return err
	}
	return op.run(h, rq)
}

// operation returns the operation the request's Action and Version name.
func (h *Handler) operation(rq *request) (operation, error) {
	var err error
	if rq.action, err = query.Action(rq.r.Form); err != nil {
		return operation{}, err
	}
	op, ok := operations[rq.action]
	if !ok {
		return operation{}, query.Unknown(rq.action)
	}
	return op, nil
}

// resolve finds the caller of a signed request.
func (h *Handler) resolve(rq *request) error {
	ctx := rq.ctx
	if rq.auth.SessionToken != "" {
		ctx = session.WithToken(ctx, rq.auth.SessionToken)
	}
	c, err := h.cfg.Directory.Resolve(ctx, rq.auth.AccessKeyID)
	switch {
	case errors.Is(err, identity.ErrUnknownKey):
		return fixed(InvalidClientTokenID)
	case errors.Is(err, session.ErrExpired):
		return fixed(ExpiredToken)
	case errors.Is(err, session.ErrInvalid):
		return fixed(InvalidClientTokenID)
	case err != nil:
		return err
	}
	rq.caller = c
	return nil
}

// truncate shortens client text quoted in error messages.
func truncate(s string) string { return awsapi.Truncate(s) }
