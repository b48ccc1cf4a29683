// Package s3api serves the S3 REST API: it addresses the bucket and key
// (path-style or virtual-host-style), authenticates the request with SigV4,
// resolves the caller, authorizes the operation with the policy engine as AWS
// does, and performs it against the metadata store and blob store.
//
// Every request gets an id, returned in x-amz-request-id and in error bodies,
// and one access-log line that names the caller, the IAM action and, for a
// denied request, the statement or the missing grant that decided it.
package s3api

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

// Config configures a Handler. Meta, Blobs and Directory are required.
type Config struct {
	Meta      store.Meta
	Blobs     store.Blobs
	Directory *identity.Directory
	// Region is the region buckets are created in when a request names none
	// and that anonymous requests are taken to address. Default us-east-1.
	Region string
	// Domains are the host names under which virtual-host-style requests
	// address a bucket: "<bucket>.<domain>". Default: localhost.
	Domains []string
	// Logger receives errors; AccessLog receives one line per request.
	// Either may be nil, meaning discard.
	Logger    *slog.Logger
	AccessLog *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Webhook reports whether a webhook id is declared and buckets owned
	// by account may publish to it, for the queue ARNs of notification
	// configurations; nil declares none. Notify, when not nil, is called
	// after a write queued a notification event; it must not block. See
	// notification.go.
	Webhook func(id, account string) bool
	Notify  func()
}

// Handler is the S3 API as an http.Handler.
type Handler struct {
	cfg      Config
	verifier *sigv4.Verifier
	log      *slog.Logger
	access   *slog.Logger
	// observe, set only by tests (export_test.go), sees the condition keys
	// of every authorization: the operation, the IAM action and the context.
	observe func(op, action string, c policy.Context)
	// helm caches the charts the Helm repository view read
	// (helmview_cache.go).
	helm helmCache
}

// New returns a Handler for cfg.
func New(cfg Config) *Handler {
	if cfg.Region == "" {
		cfg.Region = "us-east-1"
	}
	if cfg.Domains == nil {
		cfg.Domains = []string{"localhost"}
	}
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
	h.verifier = &sigv4.Verifier{Keys: keys{cfg.Directory}, Now: cfg.Now,
		ObjectChecksum: completesUpload}
	return h
}

// completesUpload reports whether r is a CompleteMultipartUpload, whose
// x-amz-checksum-* header is the completed object's checksum: a POST whose
// only operation-selecting parameter is uploadId, so that no other
// operation (DeleteObjects, say) can have its body checksum skipped.
func completesUpload(r *http.Request) bool {
	if r.Method != http.MethodPost {
		return false
	}
	found := false
	for k := range r.URL.Query() {
		if selectors[k] {
			if k != "uploadId" {
				return false
			}
			found = true
		}
	}
	return found
}

// keys adapts the identity directory to sigv4.Keys. It leaves the key it
// looked up in the request's keyMemo, so that resolving the caller after
// verification does not read it again.
type keys struct{ dir *identity.Directory }

// keyMemo is the context key of a request's *store.AccessKey memo.
type keyMemo struct{}

func (k keys) Secret(ctx context.Context, id string) (string, error) {
	key, err := k.dir.Lookup(ctx, id)
	if errors.Is(err, identity.ErrUnknownKey) {
		return "", sigv4.ErrUnknownKey
	}
	if err != nil {
		return "", err
	}
	if memo, ok := ctx.Value(keyMemo{}).(*store.AccessKey); ok {
		*memo = key
	}
	return key.Secret, nil
}

// request is one request in flight.
type request struct {
	w      http.ResponseWriter
	r      *http.Request
	ctx    context.Context
	id     string
	bucket string
	key    string
	auth   *sigv4.Auth
	caller *identity.Caller
	// op and action name the operation and IAM action for the access log;
	// decision is set once authorization has run.
	op       string
	action   string
	resource string
	verdict  *verdict
	status   int
	// notifies is set by loadBucket when the bucket has a notification
	// configuration, so that writes carry their events (notification.go).
	notifies bool
}

func (rq *request) query(name string) string { return rq.r.URL.Query().Get(name) }

func (rq *request) hasQuery(name string) bool {
	_, ok := rq.r.URL.Query()[name]
	return ok
}

// ServeHTTP handles one S3 request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := h.cfg.Now()
	rq := &request{w: w, r: r, ctx: r.Context(), id: newRequestID()}
	w.Header().Set("x-amz-request-id", rq.id)
	w.Header().Set("x-amz-id-2", newHostID())
	w.Header().Set("Server", "trove")
	err := h.serve(rq)
	if err != nil {
		h.fail(rq, err)
	}
	h.logAccess(rq, err, h.cfg.Now().Sub(start))
}

func (h *Handler) serve(rq *request) error {
	if headerSize(rq.r.Header) > maxHeaderSection {
		return s3err.Newf(s3err.RequestHeaderSectionTooLarge, "Your request header section "+
			"exceeds the maximum allowed size of %d bytes.", maxHeaderSection)
	}
	if h.helmView(rq) {
		return h.serveHelm(rq)
	}
	if err := h.address(rq); err != nil {
		return err
	}
	memo := &store.AccessKey{}
	rq.r = rq.r.WithContext(context.WithValue(rq.ctx, keyMemo{}, memo))
	auth, err := h.verifier.Verify(rq.r)
	if err != nil {
		return err
	}
	rq.auth = auth
	switch {
	case auth.Method == sigv4.None:
		rq.caller = identity.Anonymous()
	case memo.ID == auth.AccessKeyID:
		rq.caller, err = h.cfg.Directory.Caller(rq.ctx, *memo)
	default:
		rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	}
	if errors.Is(err, identity.ErrUnknownKey) {
		return s3err.New(s3err.InvalidAccessKeyID).With("AWSAccessKeyId", auth.AccessKeyID)
	}
	if err != nil {
		return err
	}
	return h.dispatch(rq)
}

// fail writes err to the client. Internal errors are logged with their cause
// and reach the client as InternalError.
func (h *Handler) fail(rq *request, err error) {
	e := s3err.From(err)
	if e.Code == s3err.InternalError {
		h.log.Error("request failed", "request_id", rq.id, "op", rq.op, "err", err)
	}
	rq.status = e.Status()
	if helmChallenge(rq, e) {
		return
	}
	if e.Code == s3err.NotModified {
		rq.w.WriteHeader(http.StatusNotModified)
		return
	}
	s3err.Write(rq.w, rq.r, e, rq.id)
}

func (h *Handler) logAccess(rq *request, err error, took time.Duration) {
	if rq.status == 0 {
		rq.status = http.StatusOK
	}
	attrs := []any{
		"request_id", rq.id, "method", rq.r.Method, "bucket", rq.bucket, "key", rq.key,
		"op", rq.op, "status", rq.status, "remote", rq.r.RemoteAddr,
		"duration_ms", took.Milliseconds(),
	}
	if rq.caller != nil {
		attrs = append(attrs, "principal", principalName(rq.caller))
	}
	if rq.action != "" {
		attrs = append(attrs, "action", rq.action, "resource", rq.resource)
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
		attrs = append(attrs, "error", string(s3err.From(err).Code))
	}
	h.access.Info("request", attrs...)
}

func principalName(c *identity.Caller) string {
	if c.Principal.Anonymous {
		return "anonymous"
	}
	return c.Principal.ARN
}

// writeHeader writes the status and records it for the access log.
func (rq *request) writeHeader(status int) {
	rq.status = status
	rq.w.WriteHeader(status)
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return strings.ToUpper(hex.EncodeToString(b[:]))
}

func newHostID() string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return base64.StdEncoding.EncodeToString(b[:])
}

// maxHeaderSection is S3's limit on a request's headers, 8 KB. It also bounds
// the request values policies are matched against (User-Agent, Referer,
// x-amz-* headers), and so the work of one evaluation.
const maxHeaderSection = 8 << 10

// headerSize is the size of the header section as sent: names, values and
// the ": " and CRLF around each.
func headerSize(h http.Header) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}
