// Package iamapi serves AWS's IAM query API on trove's listener: form-encoded
// requests (Action=..., Version=2010-05-08) signed with SigV4 for the service
// "iam", answered in IAM's XML with IAM's error documents. Today it serves the
// policy simulator, SimulatePrincipalPolicy and SimulateCustomPolicy, over
// package simulate, and the management of the caller's own account: users,
// groups, managed and inline policies, access keys, permissions boundaries
// and user tags (see docs/iam-api.md for the actions and their limits).
//
// Handles tells the server which requests are IAM's: those signed for "iam"
// (Authorization header or presigned query) and unsigned form-encoded POSTs
// to "/", which S3 does not serve, so that they get IAM's
// MissingAuthenticationToken. Everything else stays with the S3 API.
//
// Every request gets an id (x-amzn-RequestId and RequestId in the body) and
// one access-log line naming the caller, the action and, for a denied
// request, the reason.
package iamapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/simulate"
	"github.com/troveproject/trove/internal/store"
)

// Version is the only API version served.
const Version = "2010-05-08"

// namespace is the XML namespace of IAM's responses.
const namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

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

// Handler is the IAM query API as an http.Handler. It is safe for concurrent
// use.
type Handler struct {
	// writeMu guards the check-then-write sequences of the management
	// actions (a name free, a key count under the limit) in this process.
	writeMu  sync.Mutex
	cfg      Config
	verifier *sigv4.Verifier
	sim      *simulate.Simulator
	log      *slog.Logger
	access   *slog.Logger
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	discard := slog.New(slog.DiscardHandler)
	h := &Handler{cfg: cfg, log: cfg.Logger, access: cfg.AccessLog,
		sim: &simulate.Simulator{Meta: cfg.Meta, Directory: cfg.Directory}}
	if h.log == nil {
		h.log = discard
	}
	if h.access == nil {
		h.access = discard
	}
	h.verifier = &sigv4.Verifier{Keys: keys{cfg.Directory}, Service: "iam", Now: cfg.Now}
	return h
}

// Handles reports whether r belongs to the IAM API: signed for the service
// "iam", or unsigned, form-encoded and POSTed to "/".
func Handles(r *http.Request) bool {
	switch sigv4.ScopeService(r) {
	case "iam":
		return true
	case "":
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		return r.Method == http.MethodPost && r.URL.Path == "/" &&
			mt == "application/x-www-form-urlencoded" &&
			r.Header.Get("Authorization") == "" && !r.URL.Query().Has("X-Amz-Credential")
	}
	return false
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
	action string // the Action parameter
	caller *identity.Caller
	// verdict is the authorization decision, for the access log.
	verdict *verdict
	status  int
	// keys are condition keys of the action itself (iam:PolicyARN and the
	// like), added to the request context by authorize.
	keys policy.Context
}

// verdict is what the access log says of a request's authorization.
type verdict struct {
	effect  policy.Effect
	reason  string
	explain string // for denials
}

// ServeHTTP handles one IAM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	rq := &request{w: w, r: r, ctx: r.Context(), id: newRequestID()}
	w.Header()["x-amzn-RequestId"] = []string{rq.id} // IAM's spelling
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
	if auth.Method == sigv4.None {
		return &Error{Code: MissingAuthenticationToken,
			Message: table[MissingAuthenticationToken].message}
	}
	if err := rq.r.ParseForm(); err != nil {
		return parseFormError(err)
	}
	if err := checkRepeated(rq.r.Form); err != nil {
		return err
	}
	rq.action = rq.r.Form.Get("Action")
	rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	if errors.Is(err, identity.ErrUnknownKey) {
		return &Error{Code: InvalidClientTokenID, Message: table[InvalidClientTokenID].message}
	}
	if err != nil {
		return err
	}
	return h.dispatch(rq)
}

// parseFormError reports a body that could not be read or parsed: a failed
// payload check from the verifying body, or a malformed form.
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
	return &Error{Code: InvalidInput, Message: "The request body is not a valid form.",
		Cause: err}
}

// checkRepeated refuses a parameter given more than once, in the query or
// the body or both: IAM's parameters each take one value (a list is
// NAME.member.N), and taking the first of several would let two readers of
// one request disagree on what it asks.
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
	name := slices.Min(repeated) // the same one whatever the map's order
	return errorf(InvalidInput, "The parameter %s is given %d times; give each parameter "+
		"once.", truncate(name), len(form[name]))
}

// operations are the actions served, by name.
var operations = map[string]func(*Handler, *request) error{
	"SimulatePrincipalPolicy": (*Handler).simulatePrincipalPolicy,
	"SimulateCustomPolicy":    (*Handler).simulateCustomPolicy,
}

func init() {
	maps.Copy(operations, managementOperations)
}

func (h *Handler) dispatch(rq *request) error {
	f := rq.r.Form
	if rq.action == "" {
		return &Error{Code: MissingAction, Message: table[MissingAction].message}
	}
	if v := f.Get("Version"); v == "" {
		return errorf(MissingParameter, "The request must contain the parameter Version.")
	} else if v != Version {
		return errorf(InvalidAction, "Could not find operation %s for version %s.",
			truncate(rq.action), truncate(v))
	}
	op, ok := operations[rq.action]
	if !ok {
		return errorf(InvalidAction, "Could not find operation %s for version %s.",
			truncate(rq.action), Version)
	}
	return op(h, rq)
}

// fail writes err to the client. Internal errors are logged with their cause
// and reach the client as ServiceFailure.
func (h *Handler) fail(rq *request, err error) {
	e := from(err)
	if e.Code == ServiceFailure {
		h.log.Error("iam request failed", "request_id", rq.id, "action", rq.action, "err", err)
	}
	rq.status = e.Status()
	write(rq.w, e, rq.id)
}

func (h *Handler) logAccess(rq *request, err error, took time.Duration) {
	if rq.status == 0 {
		rq.status = http.StatusOK
	}
	attrs := []any{"request_id", rq.id, "api", "iam", "method", rq.r.Method,
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
		if v.explain != "" {
			attrs = append(attrs, "explain", v.explain)
		}
	}
	if err != nil {
		attrs = append(attrs, "error", string(from(err).Code))
	}
	h.access.Info("request", attrs...)
}

// writeXML sends doc with status.
func writeXML(w http.ResponseWriter, status int, doc any) {
	out, err := xml.Marshal(doc)
	if err != nil {
		status = http.StatusInternalServerError
		out = []byte("<ErrorResponse><Error><Type>Receiver</Type>" +
			"<Code>ServiceFailure</Code></Error></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// newRequestID returns a random id in the UUID form IAM uses.
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
