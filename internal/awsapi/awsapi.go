// Package awsapi is the request lifecycle trove's AWS management APIs
// share: the IAM and STS query APIs (packages iamapi and sts) and the
// Organizations JSON 1.1 API (package orgapi). It owns what is the same in
// all three and nothing of what tells them apart:
//
//   - the lifecycle of one request (Endpoint.Serve): a request id in a
//     response header, the API's error document for a failure, the
//     server's own failures logged with their cause, and one access-log
//     line naming the caller, the action and the authorization verdict;
//   - errors (Error, Catalog): a code of the API's own type, a
//     client-safe message and a cause for the log, and the translation of
//     package sigv4's failures, which speak S3's codes, to the API's;
//   - SigV4 keys from the identity directory (Keys), the condition keys of
//     a request (TransportKeys, RequestKeys) and the decision on the
//     caller's identity side alone (Authorize);
//   - reading a form-encoded query request (Query): a size-limited body,
//     no parameter twice, Action and Version checked, and XML answers
//     (Response, WriteXML, WriteXMLError).
//
// Each API keeps its codes, their statuses and messages, its namespace and
// its document shapes; this package is told them, never decides them.
package awsapi

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
)

// Endpoint runs the part of a request's life every API shares. Its fields
// are set once, before the first request; it is then safe for concurrent
// use.
type Endpoint[C Code] struct {
	// API names the API in the access log ("iam", "sts", "organizations")
	// and in the error log's message.
	API string
	// Header is the response header that carries the request id, spelled
	// as the API spells it: it is set as given, not canonicalized.
	Header string
	// Catalog turns a handler's error into the API's.
	Catalog *Catalog[C]
	// WriteError sends e as the API's error document.
	WriteError func(w http.ResponseWriter, e *Error[C], requestID string)
	// Now returns the current time, for the request's duration.
	Now func() time.Time
	// Log receives the server's own failures; Access one line per
	// request. Neither may be nil (see OrDiscard).
	Log, Access *slog.Logger
}

// Record is what the access log says of a request, read once it has been
// served.
type Record struct {
	Action string
	// Caller is nil when the request failed before its caller was known,
	// or for an anonymous action.
	Caller *identity.Caller
	// Verdict is nil when no authorization was decided.
	Verdict *Verdict
}

// Verdict is what the access log says of a request's authorization.
type Verdict struct {
	Effect policy.Effect
	// Resource is what was decided on; "" leaves it out of the log.
	Resource string
	// Reason and Explain say why, for a denial; "" leaves them out.
	Reason, Explain string
}

// Serve serves one request whose id is id: it sets the id header and
// Server, calls serve, answers its error with the API's error document,
// and logs one access line from what record returns afterwards. A
// failure of the server itself is logged with its cause.
func (p *Endpoint[C]) Serve(w http.ResponseWriter, r *http.Request, id string,
	serve func() error, record func() Record) {
	start := p.Now()
	w.Header()[p.Header] = []string{id}
	w.Header().Set("Server", "trove")
	err := serve()
	status := http.StatusOK
	var e *Error[C]
	if err != nil {
		e = p.Catalog.From(err)
		if e.Code == p.Catalog.Failure {
			p.Log.Error(p.API+" request failed", "request_id", id,
				"action", record().Action, "err", err)
		}
		status = e.Code.Status()
		p.WriteError(w, e, id)
	}
	p.logAccess(r, id, status, e, record(), p.Now().Sub(start))
}

func (p *Endpoint[C]) logAccess(r *http.Request, id string, status int, e *Error[C],
	rec Record, took time.Duration) {
	attrs := []any{"request_id", id, "api", p.API, "method", r.Method,
		"op", rec.Action, "status", status, "remote", r.RemoteAddr,
		"duration_ms", took.Milliseconds()}
	if rec.Caller != nil {
		attrs = append(attrs, "principal", rec.Caller.Principal.ARN)
	}
	if v := rec.Verdict; v != nil {
		attrs = append(attrs, "decision", v.Effect.String())
		attrs = appendSet(attrs, "resource", v.Resource)
		attrs = appendSet(attrs, "reason", v.Reason)
		attrs = appendSet(attrs, "explain", v.Explain)
	}
	if e != nil {
		attrs = append(attrs, "error", string(e.Code))
	}
	p.Access.Info("request", attrs...)
}

// appendSet appends key and value unless value is "".
func appendSet(attrs []any, key, value string) []any {
	if value == "" {
		return attrs
	}
	return append(attrs, key, value)
}

// OrDiscard returns l, or a logger that discards everything when l is nil.
func OrDiscard(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// NewRequestID returns a random request id in the UUID (version 4) form
// AWS uses.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// maxEcho is how many bytes of client text an error message quotes.
const maxEcho = 128

// Truncate shortens client text quoted in an error message to its first
// 128 bytes and "...".
func Truncate(s string) string {
	if len(s) > maxEcho {
		return s[:maxEcho] + "..."
	}
	return s
}
