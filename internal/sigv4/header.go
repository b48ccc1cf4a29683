package sigv4

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/s3err"
)

// verifyHeader authenticates a request carrying an Authorization header.
func (v *Verifier) verifyHeader(r *http.Request, authz string, params []param) (*Auth, error) {
	if !strings.HasPrefix(authz, algorithm+" ") {
		return nil, unsupportedAuthorization(authz)
	}
	a, err := parseAuthorization(authz)
	if err != nil {
		return nil, err
	}
	if err := checkScope(a.cred, v.Region, v.service(), headerScopeError); err != nil {
		return nil, err
	}
	s := signed{method: Header, cred: a.cred, names: a.signed, namesRaw: a.signedRaw,
		signature: a.signature}
	if err := v.headerTime(r, &s); err != nil {
		return nil, err
	}
	val := r.Header.Get("X-Amz-Content-Sha256")
	switch {
	case val == "" && v.service() == serviceS3:
		return nil, newError(s3err.InvalidRequest, msgNoPayloadHash)
	case val == "":
		s.payload, err = bodyPayload(r)
	default:
		s.payload, err = parsePayload(val)
	}
	if err != nil {
		return nil, err
	}
	if missing := unsignedAmzHeaders(r, a.signed); len(missing) > 0 {
		return nil, s3err.Newf(s3err.AccessDenied,
			"There were headers present in the request which were not signed").
			With("HeadersNotSigned", strings.Join(missing, ", "))
	}
	return v.check(r, params, s)
}

// headerTime reads the signing time from X-Amz-Date, or failing that Date,
// checks it against the credential date and the clock, and stores it in s.
func (v *Verifier) headerTime(r *http.Request, s *signed) *s3err.Error {
	raw := r.Header.Get("X-Amz-Date")
	if raw != "" {
		t, err := time.Parse(iso8601Basic, raw)
		if err != nil {
			return newError(s3err.AccessDenied, msgNoDate)
		}
		s.at, s.amzDate = t, raw
	} else {
		raw = r.Header.Get("Date")
		t, err := http.ParseTime(raw)
		if err != nil {
			return newError(s3err.AccessDenied, msgNoDate)
		}
		s.at, s.amzDate = t.UTC(), t.UTC().Format(iso8601Basic)
	}
	if s.cred.date != s.amzDate[:8] {
		return headerScopeError(fmt.Sprintf("Invalid credential date %q. This date is not "+
			"the same as X-Amz-Date: %q.", s.cred.date, s.amzDate[:8]))
	}
	return v.checkSkew(s.at, raw)
}
