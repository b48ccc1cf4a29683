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
	"errors"
	"log/slog"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
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
	endpoint *awsapi.Endpoint[Code]
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Handler{cfg: cfg,
		sim:      &simulate.Simulator{Meta: cfg.Meta, Directory: cfg.Directory},
		verifier: awsapi.NewVerifier(cfg.Directory, "iam", cfg.Now),
		endpoint: &awsapi.Endpoint[Code]{API: "iam", Header: "x-amzn-RequestId",
			Catalog: catalog, WriteError: write, Now: cfg.Now,
			Log: awsapi.OrDiscard(cfg.Logger), Access: awsapi.OrDiscard(cfg.AccessLog)}}
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
	// keys are condition keys of the action itself (iam:PolicyARN and the
	// like), added to the request context by authorize.
	keys policy.Context
}

// verdict is what the access log says of a request's authorization.
type verdict = awsapi.Verdict

// record is what the access log says of rq.
func (rq *request) record() awsapi.Record {
	return awsapi.Record{Action: rq.action, Caller: rq.caller, Verdict: rq.verdict}
}

// ServeHTTP handles one IAM request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rq := &request{w: w, r: r, ctx: r.Context(), id: awsapi.NewRequestID()}
	h.endpoint.Serve(w, r, rq.id, func() error { return h.serve(rq) }, rq.record)
}

// query reads IAM's form: a malformed one or a repeated parameter is
// InvalidInput.
var query = &awsapi.Query[Code]{Catalog: catalog, Version: Version, Invalid: InvalidInput,
	TooLarge: ValidationError, MissingAction: MissingAction,
	MissingParameter: MissingParameter, InvalidAction: InvalidAction}

func (h *Handler) serve(rq *request) error {
	auth, err := awsapi.Verify(h.verifier, rq.w, rq.r)
	if err != nil {
		return err
	}
	if auth.Method == sigv4.None {
		return catalog.Fixed(MissingAuthenticationToken)
	}
	if err := query.ReadForm(rq.r); err != nil {
		return err
	}
	rq.action = rq.r.Form.Get("Action")
	rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	if errors.Is(err, identity.ErrUnknownKey) {
		return catalog.Fixed(InvalidClientTokenID)
	}
	if err != nil {
		return err
	}
	return h.dispatch(rq)
}

// checkRepeated refuses a parameter given more than once, in the query or
// the body or both: IAM's parameters each take one value (a list is
// NAME.member.N).
func checkRepeated(form url.Values) error { return query.CheckRepeated(form) }

// operations are the actions served, by name.
var operations = map[string]func(*Handler, *request) error{
	"SimulatePrincipalPolicy": (*Handler).simulatePrincipalPolicy,
	"SimulateCustomPolicy":    (*Handler).simulateCustomPolicy,
}

func init() {
	maps.Copy(operations, managementOperations)
}

func (h *Handler) dispatch(rq *request) error {
	if _, err := query.Action(rq.r.Form); err != nil {
		return err
	}
	op, ok := operations[rq.action]
	if !ok {
		return query.Unknown(rq.action)
	}
	return op(h, rq)
}

// writeXML sends doc with status.
func writeXML(w http.ResponseWriter, status int, doc any) {
	awsapi.WriteXML(w, status, doc, string(ServiceFailure))
}

// truncate shortens client text quoted in error messages.
func truncate(s string) string { return awsapi.Truncate(s) }
