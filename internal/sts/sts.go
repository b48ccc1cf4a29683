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
// trust policy must allow.
//
// Every request gets an id (x-amzn-RequestId and RequestId in the body) and
// one access-log line. Secrets and session tokens are never logged.
package sts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
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
	log      *slog.Logger
	access   *slog.Logger
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	discard := slog.New(slog.DiscardHandler)
	h := &Handler{cfg: cfg, log: cfg.Logger, access: cfg.AccessLog}
	if h.log == nil {
		h.log = discard
	}
	if h.access == nil {
		h.access = discard
	}
	h.verifier = &sigv4.Verifier{Keys: keys{cfg.Directory}, Service: "sts", Now: cfg.Now}
	return h
}

// Handles reports whether r belongs to the STS API: signed for the service
// "sts".
func Handles(r *http.Request) bool { return sigv4.ScopeService(r) == "sts" }

// keys adapts the identity directory to sigv4.Keys.
type keys struct{ dir *identity.Directory }

func (k keys) Secret(ctx context.Context, id string) (string, error) {
	secret, err := k.dir.Secret(ctx, id)
	if errors.Is(err, identity.ErrUnknownKey) {
		return "", sigv4.ErrUnknownKey
	}
	return secret, err
}

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
	verdict *verdict
	status  int
}

// verdict is what the access log says of a request's authorization.
type verdict struct {
	effect policy.Effect
	reason string
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
	start := h.cfg.Now()
	rq := &request{w: w, r: r, ctx: r.Context(), id: newRequestID()}
	w.Header()["x-amzn-RequestId"] = []string{rq.id} // STS's spelling
	w.Header().Set("Server", "trove")
	err := h.serve(rq)
	if err != nil {
		h.fail(rq, err)
	}
	h.logAccess(rq, err, h.cfg.Now().Sub(start))
}

func (h *Handler) serve(rq *request) error {
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, sigv4.MaxQueryBody+1)
	auth, err := h.verifier.Verify(rq.r)
	if err != nil {
		return err
	}
	rq.auth = auth
	if err := rq.r.ParseForm(); err != nil {
		return parseFormError(err)
	}
	if err := checkRepeated(rq.r.Form); err != nil {
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
	f := rq.r.Form
	rq.action = f.Get("Action")
	if rq.action == "" {
		return operation{}, fixed(MissingAction)
	}
	if v := f.Get("Version"); v == "" {
		return operation{}, errorf(MissingParameter,
			"The request must contain the parameter Version.")
	} else if v != Version {
		return operation{}, errorf(InvalidAction, "Could not find operation %s for version %s.",
			truncate(rq.action), truncate(v))
	}
	op, ok := operations[rq.action]
	if !ok {
		return operation{}, errorf(InvalidAction, "Could not find operation %s for version %s.",
			truncate(rq.action), Version)
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

// parseFormError reports a body that could not be read or parsed.
func parseFormError(err error) error {
	var se *s3err.Error
	if errors.As(err, &se) {
		return err
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return errorf(ValidationError, "The request body exceeds the maximum of %d bytes.",
			tooBig.Limit)
	}
	return &Error{Code: InvalidParameterValue, Message: "The request body is not a valid form.",
		Cause: err}
}

// checkRepeated refuses a parameter given more than once: STS's
// parameters each take one value (a list is NAME.member.N).
func checkRepeated(form url.Values) error {
	var repeated []string
	for name, values := range form {
		if len(values) > 1 {
			repeated = append(repeated, name)
		}
	}
	if len(repeated) == 0 {
		return nil
	}
	name := slices.Min(repeated)
	return errorf(InvalidParameterValue, "The parameter %s is given %d times; give each "+
		"parameter once.", truncate(name), len(form[name]))
}

// fail writes err to the client. Internal errors are logged with their
// cause and reach the client as InternalFailure.
func (h *Handler) fail(rq *request, err error) {
	e := from(err)
	if e.Code == InternalFailure {
		h.log.Error("sts request failed", "request_id", rq.id, "action", rq.action, "err", err)
	}
	rq.status = e.Status()
	writeError(rq.w, e, rq.id)
}

func (h *Handler) logAccess(rq *request, err error, took time.Duration) {
	if rq.status == 0 {
		rq.status = http.StatusOK
	}
	attrs := []any{"request_id", rq.id, "api", "sts", "method", rq.r.Method,
		"op", rq.action, "status", rq.status, "remote", rq.r.RemoteAddr,
		"duration_ms", took.Milliseconds()}
	if rq.caller != nil {
		attrs = append(attrs, "principal", rq.caller.Principal.ARN)
	}
	if v := rq.verdict; v != nil {
		attrs = append(attrs, "decision", v.effect.String())
		if v.reason != "" {
			attrs = append(attrs, "reason", v.reason)
		}
	}
	if err != nil {
		attrs = append(attrs, "error", string(from(err).Code))
	}
	h.access.Info("request", attrs...)
}

// newRequestID returns a random id in the UUID form STS uses.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// truncate shortens client text quoted in error messages.
func truncate(s string) string {
	const max = 128
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}
