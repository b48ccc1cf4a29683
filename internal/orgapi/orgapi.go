// Package orgapi serves the AWS Organizations API on trove's listener: the
// JSON 1.1 protocol (POST /, Content-Type application/x-amz-json-1.1,
// X-Amz-Target AWSOrganizationsV20161128.<Action>), signed with SigV4 for
// the service "organizations" in any region, answered in JSON with the
// error shape AWS's SDKs parse ({"__type": ..., "Message": ...}).
//
// It manages what the organization file declares: units, accounts and
// their placement, SCPs and RCPs, their attachments and the enabled policy
// types (docs/organizations-api.md lists the actions). Every change is a
// store write, so it takes effect at the next request: the identity
// version moves and package identity re-derives what it cached.
//
// Who may call: only principals of the organization's management account
// (DescribeOrganization excepted, which any member account may call, as in
// AWS); a member account gets AccessDeniedException and an account outside
// the organization AWSOrganizationsNotInUseException. The caller's
// identity-based policies must then allow organizations:<Action> on the
// resource, as the policy engine decides it (an account's root user needs
// no policy). Every request gets an id and one access-log line.
//
// The handler serializes its writes with a mutex, so that a check and the
// write it guards (a unit's name is free under its parent, a policy is not
// attached yet) see no other API write in between; trove runs one server
// per data directory.
package orgapi

import (
	"context"
	"errors"
	"log/slog"
	"mime"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

const (
	// targetPrefix starts the X-Amz-Target of every Organizations action.
	targetPrefix = "AWSOrganizationsV20161128."
	// contentType is the media type of requests and answers.
	contentType = "application/x-amz-json-1.1"
	// service is the SigV4 service name.
	service = "organizations"
)

// Config configures a Handler. Meta and Directory are required.
type Config struct {
	Meta      store.Meta
	Directory *identity.Directory
	// Logger receives errors; AccessLog receives one line per request.
	// Either may be nil, meaning discard.
	Logger    *slog.Logger
	AccessLog *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
}

// Handler is the Organizations API as an http.Handler. It is safe for
// concurrent use.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
	endpoint *awsapi.Endpoint[Code]

	mu       sync.Mutex // serializes the write actions' checks and writes
	statuses statusLog  // CreateAccount requests this process answered
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg, verifier: awsapi.NewVerifier(cfg.Directory, service, cfg.Now),
		endpoint: &awsapi.Endpoint[Code]{API: "organizations", Header: "X-Amzn-RequestId",
			Catalog: catalog, WriteError: writeError, Now: cfg.Now,
			Log: awsapi.OrDiscard(cfg.Logger), Access: awsapi.OrDiscard(cfg.AccessLog)}}
}

// Handles reports whether r belongs to the Organizations API: signed for
// the service "organizations", or naming an Organizations action in
// X-Amz-Target, which S3 never does.
func Handles(r *http.Request) bool {
	if sigv4.ScopeService(r) == service {
		return true
	}
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix)
}

// request is one request in flight.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	id     string
	action string
	body   []byte
	caller *identity.Caller
	org    store.Organization
	target string // the TargetId of AttachPolicy and DetachPolicy
	// verdict is the authorization decision, for the access log.
	verdict *awsapi.Verdict
}

// record is what the access log says of rq.
func (rq *request) record() awsapi.Record {
	return awsapi.Record{Action: rq.action, Caller: rq.caller, Verdict: rq.verdict}
}

// ServeHTTP handles one Organizations request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq := &request{w: w, r: r, ctx: r.Context(), id: awsapi.NewRequestID()}
	h.endpoint.Serve(w, r, rq.id, func() error { return h.serve(rq) }, rq.record)
}

func (h *Handler) serve(rq *request) error {
	rq.action = strings.TrimPrefix(rq.r.Header.Get("X-Amz-Target"), targetPrefix)
	if err := checkShape(rq.r); err != nil {
		return err
	}
	auth, err := awsapi.Verify(h.verifier, rq.w, rq.r)
	if err != nil {
		return err
	}
	if auth.Method == sigv4.None {
		return catalog.Fixed(MissingAuthenticationToken)
	}
	if rq.body, err = readBody(rq.r); err != nil {
		return err
	}
	rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	if errors.Is(err, identity.ErrUnknownKey) {
		return catalog.Fixed(UnrecognizedClient)
	}
	if err != nil {
		return err
	}
	op, ok := operations[rq.action]
	if !ok {
		return errorf(UnknownOperation, "Operation %s is not supported by trove's "+
			"Organizations API.", truncate(rq.action))
	}
	if err := h.admit(rq); err != nil {
		return err
	}
	return op(h, rq)
}

// checkShape refuses what is not a JSON 1.1 POST to "/" before any
// signature work.
func checkShape(r *http.Request) error {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		return errorf(UnknownOperation, "The Organizations API takes POST requests to /.")
	case mt != contentType:
		return errorf(Serialization, "The request's Content-Type must be %s.", contentType)
	case !strings.HasPrefix(r.Header.Get("X-Amz-Target"), targetPrefix):
		return errorf(UnknownOperation, "The request's X-Amz-Target must name an action "+
			"of %s", strings.TrimSuffix(targetPrefix, "."))
	}
	return nil
}

// truncate shortens client text quoted in error messages.
func truncate(s string) string { return awsapi.Truncate(s) }
