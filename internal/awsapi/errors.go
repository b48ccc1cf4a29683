package awsapi

import (
	"errors"
	"fmt"
	"net/http"
	"slices"

	"github.com/troveproject/trove/internal/s3err"
)

// Code is the type of one API's error codes: a string that knows the HTTP
// status the API sends with it and the package whose errors it codes.
type Code interface {
	~string
	// Status is the HTTP status sent with the code.
	Status() int
	// Package names the package that serves the API: the prefix of an
	// Error's text ("iamapi").
	Package() string
}

// Error is an API error: a code, a client-safe message and, for the log
// only, a cause.
type Error[C Code] struct {
	Code    C
	Message string
	// Reason is the Reason member of a JSON API's error
	// (InvalidInputException and the like); the query APIs send none.
	Reason string
	Cause  error
}

// Errorf returns an error of code with a formatted message.
func Errorf[C Code](code C, format string, args ...any) *Error[C] {
	return &Error[C]{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Error returns the package, the code, the message and the cause.
func (e *Error[C]) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %s: %v", e.Code.Package(), e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s: %s", e.Code.Package(), e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error[C]) Unwrap() error { return e.Cause }

// Status is the HTTP status of the error's code.
func (e *Error[C]) Status() int { return e.Code.Status() }

// Fault is the Type of a query API's error document: Receiver for the
// server's own failures, Sender for everything else.
func (e *Error[C]) Fault() string {
	if e.Status() >= http.StatusInternalServerError {
		return "Receiver"
	}
	return "Sender"
}

// Catalog is what an API says of its errors beyond their codes: the
// default messages, the code of its own failures, and the translation of
// package sigv4's failures, which speak S3's codes. Its fields are set
// once, before use.
type Catalog[C Code] struct {
	// Message returns the default message of a code, "" for none.
	Message func(C) string
	// Failure is the code of the server's own failures (ServiceFailure
	// and the like): its message never says more than the default.
	Failure C
	// FromS3 maps the codes of sigv4's failures to the API's.
	FromS3 map[s3err.Code]C
	// Unmapped is the code of a client error of sigv4's that FromS3 does
	// not map (IncompleteSignature and the like).
	Unmapped C
	// Generic lists the codes, besides Failure, that a sigv4 failure is
	// answered with under the code's default message rather than sigv4's.
	Generic []C
}

// Fixed returns an error of code with the code's default message.
func (c *Catalog[C]) Fixed(code C) *Error[C] {
	return &Error[C]{Code: code, Message: c.Message(code)}
}

// From finds the *Error[C] in err's chain, translates an *s3err.Error, or
// turns anything else into an error of the Failure code whose Cause is
// err.
func (c *Catalog[C]) From(err error) *Error[C] {
	var e *Error[C]
	if errors.As(err, &e) {
		return e
	}
	var se *s3err.Error
	if errors.As(err, &se) {
		code, ok := c.FromS3[se.Code]
		switch {
		case ok && (code == c.Failure || slices.Contains(c.Generic, code)):
			return &Error[C]{Code: code, Message: c.Message(code), Cause: err}
		case ok:
			return &Error[C]{Code: code, Message: se.Message, Cause: se.Cause}
		case se.Status() < http.StatusInternalServerError:
			return &Error[C]{Code: c.Unmapped, Message: se.Message, Cause: se.Cause}
		}
	}
	return &Error[C]{Code: c.Failure, Message: c.Message(c.Failure), Cause: err}
}
