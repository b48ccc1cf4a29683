package session

import "context"

// tokenKey is the context key of a request's session token.
type tokenKey struct{}

// WithToken returns ctx carrying the session token a request presented, for
// the key lookup that follows (sigv4 sets it, identity reads it).
func WithToken(ctx context.Context, token string) context.Context {
	return context.WithValue(ctx, tokenKey{}, token)
}

// TokenFrom returns the session token ctx carries, "" for none.
func TokenFrom(ctx context.Context) string {
	t, _ := ctx.Value(tokenKey{}).(string)
	return t
}
