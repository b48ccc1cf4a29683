package s3api

// The Helm repository view: a Helm chart repository of every bucket and
// prefix, at URLs no bucket can have ("-" is not a valid bucket name):
//
//	/-/helm/<bucket>/<prefix...>/index.yaml   the index of the charts under <prefix>/
//	/-/helm/<bucket>/index.yaml               the index of the whole bucket
//	/-/helm/<bucket>/<key>.tgz                a chart archive, the object <key>.tgz
//	/-/helm/<bucket>/<key>.tgz.prov           its provenance file, when one is stored
//
// Only path-style requests reach it; with a virtual-host-style Host, the
// same path is an object key like any other. Callers authenticate with HTTP
// Basic (access key id and secret access key), SigV4, or not at all, and
// are authorized as S3 requests are: the index as s3:ListBucket on the
// bucket with s3:prefix set, each chart it lists and each archive as
// s3:GetObject on its key. docs/helm-repository.md is the user's guide.

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
)

const (
	// helmPrefix starts the path of every Helm view request.
	helmPrefix = "/-/helm/"
	// helmIndexName is the index's name in every repository.
	helmIndexName = "index.yaml"
	// helmOp prefixes the operation names the view logs.
	helmOp = "Helm"
	// helmRealm is the Basic authentication realm of the 401 challenge.
	helmRealm = `Basic realm="trove"`
)

// helmView reports whether rq is for the Helm repository view: a path-style
// request whose path starts with helmPrefix.
func (h *Handler) helmView(rq *request) bool {
	return strings.HasPrefix(rq.r.URL.Path, helmPrefix) && h.virtualBucket(rq.r.Host) == ""
}

// helmTarget is what a Helm view path names: a bucket and either the index
// of a prefix (ending in "/", or "" for the whole bucket) or a chart key.
type helmTarget struct {
	bucket string
	index  bool
	prefix string
	key    string
}

// parseHelmPath splits a Helm view path (already known to start with
// helmPrefix) into its target.
func parseHelmPath(p string) (helmTarget, error) {
	bucket, rest, _ := strings.Cut(strings.TrimPrefix(p, helmPrefix), "/")
	t := helmTarget{bucket: bucket}
	switch {
	case bucket == "":
		return t, s3err.Newf(s3err.InvalidRequest,
			"A Helm repository URL names a bucket: /-/helm/<bucket>/<prefix>.")
	case rest == helmIndexName:
		t.index = true
	case strings.HasSuffix(rest, "/"+helmIndexName):
		t.index, t.prefix = true, strings.TrimSuffix(rest, helmIndexName)
	case strings.HasSuffix(rest, ".tgz") || strings.HasSuffix(rest, ".tgz.prov"):
		t.key = rest
	default:
		return t, s3err.Newf(s3err.NoSuchKey,
			"A Helm repository serves index.yaml, .tgz chart archives and their "+
				".tgz.prov provenance files only.").
			With("Key", rest)
	}
	return t, nil
}

// serveHelm serves a Helm view request: it addresses, authenticates and
// dispatches it to the index or to GetObject and HeadObject.
func (h *Handler) serveHelm(rq *request) error {
	rq.op = helmOp
	t, err := parseHelmPath(rq.r.URL.Path)
	rq.bucket, rq.key = t.bucket, t.key
	if err != nil {
		return err
	}
	if rq.r.Method != http.MethodGet && rq.r.Method != http.MethodHead {
		return s3err.New(s3err.MethodNotAllowed)
	}
	if err := h.helmAuthenticate(rq); err != nil {
		return err
	}
	if t.index {
		rq.op = helmOp + "Index"
		return h.helmIndex(rq, t.prefix)
	}
	if err := validKey(rq.key); err != nil {
		return err
	}
	if rq.r.Method == http.MethodHead {
		rq.op = helmOp + "HeadChart"
		return h.headObject(rq)
	}
	rq.op = helmOp + "GetChart"
	return h.getObject(rq)
}

// helmAuthenticate sets rq.auth and rq.caller from HTTP Basic credentials,
// or else from a SigV4 signature; a request with neither is anonymous.
func (h *Handler) helmAuthenticate(rq *request) error {
	if id, secret, ok := basicCredentials(rq.r); ok {
		return h.basicCaller(rq, id, secret)
	}
	if err := malformedBasic(rq.r); err != nil {
		return err
	}
	auth, err := h.verifier.Verify(rq.r)
	if err != nil {
		return err
	}
	rq.auth = auth
	if auth.Method == sigv4.None {
		rq.caller = identity.Anonymous()
		return nil
	}
	rq.caller, err = h.cfg.Directory.Resolve(rq.ctx, auth.AccessKeyID)
	return callerError(err, auth.AccessKeyID)
}

// basicCredentials returns the credentials of an Authorization: Basic
// header.
func basicCredentials(r *http.Request) (id, secret string, ok bool) {
	id, secret, ok = r.BasicAuth()
	return id, secret, ok && id != ""
}

// malformedBasic refuses a Basic Authorization header basicCredentials
// could not read, rather than taking the request for anonymous.
func malformedBasic(r *http.Request) error {
	scheme, _, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Basic") {
		return nil
	}
	return s3err.Newf(s3err.InvalidArgument, "The Basic credentials are malformed: "+
		"send base64 of <access key id>:<secret access key>.").
		With("ArgumentName", "Authorization")
}

// basicCaller authenticates an access key id and secret: an unknown or
// inactive key is InvalidAccessKeyId, a wrong secret SignatureDoesNotMatch.
// A Basic-authenticated request carries no signature condition keys (as an
// anonymous one) and is not tied to a region.
func (h *Handler) basicCaller(rq *request, id, secret string) error {
	key, err := h.cfg.Directory.Lookup(rq.ctx, id)
	if err != nil {
		return callerError(err, id)
	}
	if !secretsEqual(key.Secret, secret) {
		return s3err.Newf(s3err.SignatureDoesNotMatch,
			"The secret access key does not match the access key id.").
			With("AWSAccessKeyId", id)
	}
	rq.auth = &sigv4.Auth{Method: sigv4.None, AccessKeyID: id}
	rq.caller, err = h.cfg.Directory.Caller(rq.ctx, key)
	return callerError(err, id)
}

// secretsEqual compares two secrets in time that depends on neither.
func secretsEqual(a, b string) bool {
	ha, hb := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return hmac.Equal(ha[:], hb[:])
}

// callerError maps a failure to resolve an access key.
func callerError(err error, id string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, identity.ErrUnknownKey):
		return s3err.New(s3err.InvalidAccessKeyID).With("AWSAccessKeyId", id)
	}
	return fmt.Errorf("s3api: helm view caller: %w", err)
}

// helmChallenge answers a Helm view request an anonymous caller was denied
// with 401 and a Basic challenge instead of 403, so that clients know to
// send credentials; the body is the same S3 error. It reports whether it
// wrote the answer.
func helmChallenge(rq *request, e *s3err.Error) bool {
	if !strings.HasPrefix(rq.op, helmOp) || e.Code != s3err.AccessDenied ||
		rq.caller == nil || !rq.caller.Principal.Anonymous {
		return false
	}
	rq.status = http.StatusUnauthorized
	hd := rq.w.Header()
	hd.Set("WWW-Authenticate", helmRealm)
	if rq.r.Method == http.MethodHead {
		rq.w.WriteHeader(rq.status)
		return true
	}
	hd.Set("Content-Type", "application/xml")
	rq.w.WriteHeader(rq.status)
	_, _ = rq.w.Write(s3err.Body(e, rq.r.URL.Path, rq.id))
	return true
}
