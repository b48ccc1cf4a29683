package sigv4

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/session"
)

// Keys looks up secret access keys. Secret returns ErrUnknownKey (possibly
// wrapped) when the key does not exist or is inactive. When the request
// carries a session token (X-Amz-Security-Token), ctx carries it too
// (session.TokenFrom), and Secret returns the secret the token holds for a
// temporary key, or session.ErrExpired or session.ErrInvalid (possibly
// wrapped), which Verify turns into ExpiredToken and InvalidToken. It must
// be safe for concurrent use.
type Keys interface {
	Secret(ctx context.Context, accessKeyID string) (string, error)
}

// Verifier authenticates SigV4 requests. Keys is required; the
// other fields have defaults. A Verifier caches derived signing keys, is
// safe for concurrent use, and must not be copied after first use.
type Verifier struct {
	// Keys finds the secret for an access key.
	Keys Keys
	// Region is the only region accepted in credential scopes, e.g.
	// "us-east-1". Empty accepts any region: S3 serves buckets of several
	// regions and checks the scope against the addressed bucket's region.
	Region string
	// Service is the service credential scopes must name; empty means "s3".
	// For any other service (AWS's query APIs, such as "iam"), a request
	// without X-Amz-Content-Sha256 is signed over the SHA-256 of its body,
	// which Verify reads whole, at most MaxQueryBody bytes, and puts back.
	Service string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// MaxSkew is the largest accepted difference between the request's time and
	// Now; 0 means 15 minutes. It also bounds how far in the future a presigned
	// URL's X-Amz-Date may be.
	MaxSkew time.Duration
	// ObjectChecksum, when set, reports whether a request's x-amz-checksum-*
	// header is the checksum of an object the request assembles (S3's
	// CompleteMultipartUpload) rather than of its body; such a header is left
	// unverified, to the caller. Content-MD5 and trailers are still verified.
	ObjectChecksum func(r *http.Request) bool

	cache keyCache
}

// Method says how a request was authenticated.
type Method int

// The authentication methods.
const (
	None      Method = iota // anonymous: no signature at all
	Header                  // Authorization header
	Presigned               // X-Amz-* query parameters
)

func (m Method) String() string {
	switch m {
	case None:
		return "none"
	case Header:
		return "header"
	case Presigned:
		return "presigned"
	}
	return "Method(" + strconv.Itoa(int(m)) + ")"
}

// Auth is the outcome of a successful Verify.
type Auth struct {
	Method      Method
	AccessKeyID string    // "" when anonymous
	Region      string    // the credential scope's region; "" when anonymous
	SignedAt    time.Time // the request's signing time; zero when anonymous
	// SessionToken is the X-Amz-Security-Token the request carried, for
	// temporary credentials; "" for none. Never log it.
	SessionToken string
	// Body is the verifying reader that replaced r.Body, or nil when the
	// request has no body to verify (r.Body is then left alone).
	Body *Body
}

// maxExpires is the longest presigned URL lifetime S3 allows: a week.
const maxExpires = 7 * 24 * 60 * 60

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) objectChecksum(r *http.Request) bool {
	return v.ObjectChecksum != nil && v.ObjectChecksum(r)
}

func (v *Verifier) maxSkew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return 15 * time.Minute
}

// Verify authenticates r. A request with no Authorization header and no
// X-Amz-Algorithm (or SigV2) query parameter is anonymous: Verify returns
// Method None. Otherwise the signature must be valid.
//
// On success, when r has a body to check, Verify replaces r.Body with a *Body
// (also returned in Auth.Body) that decodes aws-chunked encoding and verifies
// the payload hash, chunk and trailer signatures, Content-MD5 and
// x-amz-checksum-* values as it is read; see Body. For aws-chunked requests
// it sets r.ContentLength to x-amz-decoded-content-length and removes
// aws-chunked from Content-Encoding.
//
// Every error is an *s3err.Error.
func (v *Verifier) Verify(r *http.Request) (*Auth, error) {
	params, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	authz := r.Header.Get("Authorization")
	presigned := has(params, "X-Amz-Algorithm")
	v2Query := has(params, "Signature") || has(params, "AWSAccessKeyId")
	switch {
	case authz != "" && (presigned || v2Query):
		return nil, newError(s3err.InvalidArgument, msgMultipleAuth)
	case authz != "":
		return v.verifyHeader(r, authz, params)
	case presigned:
		return v.verifyPresigned(r, params)
	case v2Query:
		return nil, v2QueryError(params)
	}
	return v.anonymous(r)
}

// v2QueryError rejects SigV2 query authentication.
func v2QueryError(params []param) *s3err.Error {
	if has(params, "Signature") && has(params, "AWSAccessKeyId") && has(params, "Expires") {
		return newError(s3err.InvalidRequest, msgV2Unsupported)
	}
	return newError(s3err.AccessDenied, msgV2QueryParams)
}

// unsupportedAuthorization rejects an Authorization header that is not
// AWS4-HMAC-SHA256: SigV2 ("AWS key:sig"), SigV4a and anything else.
func unsupportedAuthorization(authz string) *s3err.Error {
	if strings.HasPrefix(authz, "AWS ") || strings.HasPrefix(authz, "AWS4-") {
		return newError(s3err.InvalidRequest, msgV2Unsupported)
	}
	return s3err.Newf(s3err.InvalidArgument, "Unsupported Authorization Type").
		With("ArgumentName", "Authorization")
}

func (v *Verifier) anonymous(r *http.Request) (*Auth, error) {
	p := payload{value: "UNSIGNED-PAYLOAD", kind: payloadUnsigned}
	if val := r.Header.Get("X-Amz-Content-Sha256"); val != "" {
		var err *s3err.Error
		if p, err = parsePayload(val); err != nil {
			return nil, err
		}
		if p.signedChunks() {
			return nil, s3err.Newf(s3err.AccessDenied,
				"Signed aws-chunked payloads require a signed request.")
		}
	}
	auth := &Auth{Method: None}
	if err := attachBody(r, auth, p, nil, v.objectChecksum(r)); err != nil {
		return nil, err
	}
	return auth, nil
}

// signed is what header and presigned verification share once parsed.
type signed struct {
	method    Method
	cred      credential
	amzDate   string // the timestamp in the string to sign
	at        time.Time
	names     []string // signed header names
	namesRaw  string
	signature []byte
	payload   payload
}

// check looks up the secret, recomputes the signature and, when it matches,
// attaches the verifying body.
func (v *Verifier) check(r *http.Request, params []param, s signed) (*Auth, error) {
	token := securityToken(r, params, s.method)
	key, err := v.signingKey(withToken(r.Context(), token), s.cred)
	if err != nil {
		return nil, err
	}
	creq := canonicalRequest(r, params, s.names, s.namesRaw, s.payload.value,
		s.method == Presigned)
	sts := stringToSign(s.amzDate, s.cred.scope(), creq)
	mac := hmacSHA256(key, sts)
	if !hmac.Equal(mac, s.signature) {
		return nil, s3err.New(s3err.SignatureDoesNotMatch).
			With("AWSAccessKeyId", s.cred.accessKey).
			With("StringToSign", sts).
			With("SignatureProvided", hex.EncodeToString(s.signature)).
			With("CanonicalRequest", creq)
	}
	auth := &Auth{Method: s.method, AccessKeyID: s.cred.accessKey, Region: s.cred.region,
		SignedAt: s.at, SessionToken: token}
	ch := &chain{key: key, amzDate: s.amzDate, scope: s.cred.scope(),
		prev: hex.EncodeToString(mac)}
	if err := attachBody(r, auth, s.payload, ch, v.objectChecksum(r)); err != nil {
		return nil, err
	}
	return auth, nil
}

// signingKey returns the derived key for c, looking up its secret.
func (v *Verifier) signingKey(ctx context.Context, c credential) ([]byte, *s3err.Error) {
	if v.Keys == nil {
		return nil, s3err.New(s3err.InternalError).
			WithCause(errors.New("sigv4: Verifier has no Keys"))
	}
	secret, err := v.Keys.Secret(ctx, c.accessKey)
	switch {
	case errors.Is(err, ErrUnknownKey):
		return nil, s3err.New(s3err.InvalidAccessKeyID).With("AWSAccessKeyId", c.accessKey)
	case errors.Is(err, session.ErrExpired):
		return nil, s3err.New(s3err.ExpiredToken)
	case errors.Is(err, session.ErrInvalid):
		return nil, s3err.New(s3err.InvalidToken)
	}
	if err != nil {
		return nil, s3err.New(s3err.InternalError).
			WithCause(errors.Join(errors.New("sigv4: looking up access key"), err))
	}
	return v.cache.get(secret, c), nil
}

// checkSkew rejects a request time more than MaxSkew from now.
func (v *Verifier) checkSkew(at time.Time, raw string) *s3err.Error {
	now := v.now()
	d := now.Sub(at)
	if d < 0 {
		d = -d
	}
	if d <= v.maxSkew() {
		return nil
	}
	return s3err.New(s3err.RequestTimeTooSkewed).
		With("RequestTime", raw).
		With("ServerTime", now.UTC().Format(time.RFC3339)).
		With("MaxAllowedSkewMilliseconds", strconv.FormatInt(v.maxSkew().Milliseconds(), 10))
}

// unsignedAmzHeaders lists x-amz-* headers present in r but not signed.
func unsignedAmzHeaders(r *http.Request, names []string) []string {
	var missing []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "x-amz-") && !slices.Contains(names, lower) {
			missing = append(missing, lower)
		}
	}
	slices.Sort(missing)
	return missing
}
