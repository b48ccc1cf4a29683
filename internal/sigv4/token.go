package sigv4

import (
	"context"
	"net/http"

	"github.com/troveproject/trove/internal/session"
)

// securityHeader is the header, and the presigned query parameter, that
// carries the session token of temporary credentials.
const securityHeader = "X-Amz-Security-Token"

// securityToken returns the session token r carries: for a presigned
// request the X-Amz-Security-Token query parameter (signed as part of the
// query), for header auth the header of that name (which, as an x-amz-*
// header, must be signed). A presigned request may carry it as a signed
// header instead.
func securityToken(r *http.Request, params []param, m Method) string {
	if m == Presigned {
		if t, n := lookup(params, securityHeader); n > 0 {
			return t
		}
	}
	return r.Header.Get(securityHeader)
}

// withToken returns ctx carrying token for Keys.Secret, which opens it
// (package session) and checks that it belongs to the access key; ctx
// unchanged when there is no token.
func withToken(ctx context.Context, token string) context.Context {
	if token == "" {
		return ctx
	}
	return session.WithToken(ctx, token)
}
