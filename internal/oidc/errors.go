package oidc

import (
	"errors"
	"net/http"
)

// The kinds of failure, which callers test with errors.Is.
var (
	// ErrInvalidToken is a token that is malformed, signed with a refused
	// algorithm or an unknown key, or whose signature, issuer, audience or
	// times do not hold.
	ErrInvalidToken = errors.New("oidc: invalid identity token")
	// ErrExpired is a token whose "exp" is past, beyond Leeway.
	ErrExpired = errors.New("oidc: identity token expired")
	// ErrCommunication is a provider whose keys could not be read.
	ErrCommunication = errors.New("oidc: cannot read the provider's keys")
)

// Error is a failed verification. Reason is safe to send to the client; Err,
// which may be nil, is the cause, for the log only.
type Error struct {
	Kind   error // ErrInvalidToken, ErrExpired or ErrCommunication
	Reason string
	Err    error
}

func (e *Error) Error() string {
	s := "oidc: " + e.Reason
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the kind and the cause.
func (e *Error) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Kind}
	}
	return []error{e.Kind, e.Err}
}

func invalid(reason string, cause error) *Error {
	return &Error{Kind: ErrInvalidToken, Reason: reason, Err: cause}
}

// stsErrors maps each kind of failure to the STS error code and HTTP status
// AssumeRoleWithWebIdentity answers with.
var stsErrors = []struct {
	kind   error
	code   string
	status int
}{
	{ErrInvalidToken, "InvalidIdentityToken", http.StatusBadRequest},
	{ErrExpired, "ExpiredTokenException", http.StatusBadRequest},
	{ErrCommunication, "IDPCommunicationError", http.StatusBadRequest},
}

// STSError returns the STS error code, HTTP status and client-safe message
// for err, an error Verify returned (wrapped or not); ok is false for any
// other error, which the caller answers as an internal error.
func STSError(err error) (code string, status int, message string, ok bool) {
	var e *Error
	if !errors.As(err, &e) {
		return "", 0, "", false
	}
	for _, m := range stsErrors {
		if errors.Is(e.Kind, m.kind) {
			return m.code, m.status, e.Reason, true
		}
	}
	return "", 0, "", false
}
