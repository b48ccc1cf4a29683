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
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
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
	log      *slog.Logger
	access   *slog.Logger

	mu       sync.Mutex // serializes the write actions' checks and writes
	statuses statusLog  // CreateAccount requests this process answered
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
	h.verifier = &sigv4.Verifier{Keys: keys{cfg.Directory}, Service: service, Now: cfg.Now}
	return h
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
	body   []byte
	caller *identity.Caller
	org    store.Organization
	target string // the TargetId of AttachPolicy and DetachPolicy
	// verdict is the authorization decision, for the access log.
	verdict *verdict
	status  int
}

// verdict is what the access log says of a request's authorization.
type verdict struct {
	effect   policy.Effect
	resource string
	reason   string
	explain  string // for denials
}

// ServeHTTP handles one Organizations request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	rq := &request{w: w, r: r, ctx: r.Context(), id: newRequestID()}
	w.Header().Set("X-Amzn-RequestId", rq.id)
	w.Header().Set("Server", "trove")
	err := h.serve(rq)
	if err != nil {
		h.fail(rq, err)
	}
	h.logAccess(rq, err, h.cfg.Now().Sub(start))
}

func (h *Handler) serve(rq *request) error {
	rq.action = strings.TrimPrefix(rq.r.Header.Get("X-Amz-Target"), targetPrefix)
	if err := checkShape(rq.r); err != nil {
		return err
	}
	rq.r.Body = http.MaxBytesReader(rq.w, rq.r.Body, sigv4.MaxQueryBody+1)
	auth, err := h.verifier.Verify(rq.r)
	if err != nil {
		return err
	}
	if auth.Method == sigv4.None {
		return &Error{Code: MissingAuthenticationToken,
			Message: messages[MissingAuthenticationToken]}
	}
	if rq.body, err = readBody(rq.r); err != nil {
		return err
	}
	rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	if errors.Is(err, identity.ErrUnknownKey) {
		return &Error{Code: UnrecognizedClient, Message: messages[UnrecognizedClient]}
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

// fail writes err to the client. Internal errors are logged with their
// cause and reach the client as ServiceException.
func (h *Handler) fail(rq *request, err error) {
	e := from(err)
	if e.Code == ServiceFailure {
		h.log.Error("organizations request failed", "request_id", rq.id,
			"action", rq.action, "err", err)
	}
	rq.status = e.Status()
	writeError(rq.w, e)
}

func (h *Handler) logAccess(rq *request, err error, took time.Duration) {
	if rq.status == 0 {
		rq.status = http.StatusOK
	}
	attrs := []any{"request_id", rq.id, "api", "organizations", "method", rq.r.Method,
		"op", rq.action, "status", rq.status, "remote", rq.r.RemoteAddr,
		"duration_ms", took.Milliseconds()}
	if rq.caller != nil {
		attrs = append(attrs, "principal", rq.caller.Principal.ARN)
	}
	if v := rq.verdict; v != nil {
		attrs = append(attrs, "decision", v.effect.String(), "resource", v.resource)
		if v.reason != "" {
			attrs = append(attrs, "reason", v.reason)
		}
		if v.explain != "" {
			attrs = append(attrs, "explain", v.explain)
		}
	}
	if err != nil {
		attrs = append(attrs, "error", string(from(err).Code))
	}
	h.access.Info("request", attrs...)
}

// requestContext holds the condition keys of the request itself.
func (h *Handler) requestContext(rq *request) policy.Context {
	c := policy.Context{}
	now := h.cfg.Now().UTC()
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(rq.r.TLS != nil))
	if ip, _, err := net.SplitHostPort(rq.r.RemoteAddr); err == nil {
		c.Set("aws:SourceIp", ip)
	}
	if ua := rq.r.UserAgent(); ua != "" {
		c.Set("aws:UserAgent", ua)
	}
	return c
}

// newRequestID returns a random id in the UUID form AWS uses.
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
