package sigv4

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/s3err"
)

// presignParams are the query parameters a SigV4 presigned URL must carry,
// each exactly once.
var presignParams = []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date",
	"X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"}

// verifyPresigned authenticates a request signed with X-Amz-* query
// parameters.
func (v *Verifier) verifyPresigned(r *http.Request, params []param) (*Auth, error) {
	q := make(map[string]string, len(presignParams))
	for _, name := range presignParams {
		val, n := lookup(params, name)
		if n != 1 {
			return nil, queryError(msgPresignParams)
		}
		q[name] = val
	}
	if q["X-Amz-Algorithm"] != algorithm {
		return nil, queryError("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\"")
	}
	s, err := v.parsePresigned(q)
	if err != nil {
		return nil, err
	}
	if err := v.checkExpiry(s.at, q["X-Amz-Expires"]); err != nil {
		return nil, err
	}
	// Whoever holds the URL must not add x-amz-* headers the signer did not
	// approve: they would change condition keys and stored metadata. The
	// payload hash is exempt: sending one only makes the check stricter.
	missing := slices.DeleteFunc(unsignedAmzHeaders(r, s.names), func(h string) bool {
		return h == "x-amz-content-sha256"
	})
	if len(missing) > 0 {
		return nil, s3err.Newf(s3err.AccessDenied,
			"There were headers present in the request which were not signed").
			With("HeadersNotSigned", strings.Join(missing, ", "))
	}
	s.payload = payload{value: "UNSIGNED-PAYLOAD", kind: payloadUnsigned}
	val := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case val != "":
		s.payload, err = parsePayload(val)
	case v.service() != serviceS3:
		s.payload, err = bodyPayload(r)
	}
	if err != nil {
		return nil, err
	}
	return v.check(r, params, s)
}

// parsePresigned validates the credential, date, signed headers and
// signature parameters.
func (v *Verifier) parsePresigned(q map[string]string) (signed, *s3err.Error) {
	s := signed{method: Presigned, namesRaw: q["X-Amz-SignedHeaders"]}
	cred, problem := parseCredential(q["X-Amz-Credential"])
	if problem != "" {
		return s, queryScopeError(problem)
	}
	if err := checkScope(cred, v.Region, v.service(), queryScopeError); err != nil {
		return s, err
	}
	s.cred = cred
	t, err := time.Parse(iso8601Basic, q["X-Amz-Date"])
	if err != nil {
		return s, queryError("X-Amz-Date must be in the ISO8601 Long Format " +
			"\"yyyyMMdd'T'HHmmss'Z'\"")
	}
	s.at, s.amzDate = t, q["X-Amz-Date"]
	if cred.date != s.amzDate[:8] {
		return s, queryScopeError("Invalid credential date \"" + cred.date +
			"\". This date is not the same as X-Amz-Date: \"" + s.amzDate[:8] + "\".")
	}
	names, problem := parseSignedHeaders(s.namesRaw)
	if problem != "" {
		return s, queryError("Error parsing the X-Amz-SignedHeaders parameter; " + problem)
	}
	s.names = names
	sig, ok := decodeSignature(q["X-Amz-Signature"])
	if !ok {
		return s, queryError("X-Amz-Signature must be 64 hexadecimal characters")
	}
	s.signature = sig
	return s, nil
}

// checkExpiry validates X-Amz-Expires and the URL's validity window.
func (v *Verifier) checkExpiry(at time.Time, raw string) *s3err.Error {
	secs, err := strconv.ParseInt(raw, 10, 64)
	switch {
	case err != nil:
		return queryError("X-Amz-Expires should be a number")
	case secs < 0:
		return queryError("X-Amz-Expires must be non-negative")
	case secs > maxExpires:
		return queryError("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	now := v.now()
	expires := at.Add(time.Duration(secs) * time.Second)
	if now.After(expires) {
		return s3err.Newf(s3err.AccessDenied, "Request has expired").
			With("X-Amz-Expires", raw).
			With("Expires", expires.UTC().Format(time.RFC3339)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	if at.After(now.Add(v.maxSkew())) {
		return s3err.Newf(s3err.AccessDenied, "Request is not valid yet").
			With("X-Amz-Date", at.UTC().Format(iso8601Basic)).
			With("ServerTime", now.UTC().Format(time.RFC3339))
	}
	return nil
}
