package sts

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"

	"github.com/troveproject/trove/internal/s3err"
)

// Code is an STS error code, such as "AccessDenied".
type Code string

// The STS error codes trove returns.
const (
	AccessDenied               Code = "AccessDenied"
	ExpiredToken               Code = "ExpiredToken"
	IncompleteSignature        Code = "IncompleteSignature"
	InternalFailure            Code = "InternalFailure"
	InvalidAction              Code = "InvalidAction"
	InvalidClientTokenID       Code = "InvalidClientTokenId"
	InvalidParameterValue      Code = "InvalidParameterValue"
	MalformedPolicyDocument    Code = "MalformedPolicyDocument"
	MissingAction              Code = "MissingAction"
	MissingAuthenticationToken Code = "MissingAuthenticationToken"
	MissingParameter           Code = "MissingParameter"
	PackedPolicyTooLarge       Code = "PackedPolicyTooLarge"
	RequestExpired             Code = "RequestExpired"
	SignatureDoesNotMatch      Code = "SignatureDoesNotMatch"
	ValidationError            Code = "ValidationError"
)

type entry struct {
	status  int
	message string
}

// table holds each code's status and default message, as STS sends them.
var table = map[Code]entry{
	AccessDenied: {http.StatusForbidden, "Access denied"},
	ExpiredToken: {http.StatusForbidden,
		"The security token included in the request is expired"},
	IncompleteSignature: {http.StatusBadRequest,
		"The request signature does not conform to AWS standards."},
	InternalFailure: {http.StatusInternalServerError,
		"The request processing has failed because of an unknown error, exception or " +
			"failure."},
	InvalidAction: {http.StatusBadRequest,
		"The action or operation requested is invalid."},
	InvalidClientTokenID: {http.StatusForbidden,
		"The security token included in the request is invalid."},
	InvalidParameterValue: {http.StatusBadRequest,
		"An invalid or out-of-range value was supplied for the input parameter."},
	MalformedPolicyDocument: {http.StatusBadRequest,
		"The request was rejected because the policy document was malformed."},
	MissingAction: {http.StatusBadRequest,
		"The request must contain the parameter Action."},
	MissingAuthenticationToken: {http.StatusForbidden,
		"Request is missing Authentication Token"},
	MissingParameter: {http.StatusBadRequest,
		"A required parameter for the specified action is not supplied."},
	PackedPolicyTooLarge: {http.StatusBadRequest,
		"The request was rejected because the total packed size of the session policies " +
			"and session tags combined was too large."},
	RequestExpired: {http.StatusBadRequest,
		"The request reached the service more than 15 minutes after the date stamp on " +
			"the request, or the date stamp is more than 15 minutes in the future."},
	SignatureDoesNotMatch: {http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method."},
	ValidationError: {http.StatusBadRequest, "Validation error."},
}

// Error is an STS error: a code and a client-safe message. Cause, when set,
// is for the log only.
type Error struct {
	Code    Code
	Message string
	Cause   error
}

// errorf returns an error with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// fixed returns an error with the code's default message.
func fixed(code Code) *Error { return &Error{Code: code, Message: table[code].message} }

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("sts: %s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("sts: %s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Status is the HTTP status of the error's code.
func (e *Error) Status() int {
	if ent, ok := table[e.Code]; ok {
		return ent.status
	}
	return http.StatusInternalServerError
}

// s3Codes maps the authentication errors of package sigv4, which speaks
// S3's codes, to STS's.
var s3Codes = map[s3err.Code]Code{
	s3err.AccessDenied:                      AccessDenied,
	s3err.AuthorizationHeaderMalformed:      IncompleteSignature,
	s3err.AuthorizationQueryParametersError: IncompleteSignature,
	s3err.EntityTooLarge:                    ValidationError,
	s3err.ExpiredToken:                      ExpiredToken,
	s3err.InternalError:                     InternalFailure,
	s3err.InvalidAccessKeyID:                InvalidClientTokenID,
	s3err.InvalidToken:                      InvalidClientTokenID,
	s3err.RequestTimeTooSkewed:              RequestExpired,
	s3err.SignatureDoesNotMatch:             SignatureDoesNotMatch,
	s3err.XAmzContentSHA256Mismatch:         SignatureDoesNotMatch,
}

// from finds the *Error in err's chain, translates an *s3err.Error, or
// turns anything else into InternalFailure whose Cause is err.
func from(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	var se *s3err.Error
	if errors.As(err, &se) {
		code, ok := s3Codes[se.Code]
		switch {
		case ok && (code == InternalFailure || code == ExpiredToken ||
			code == InvalidClientTokenID):
			return &Error{Code: code, Message: table[code].message, Cause: err}
		case ok:
			return &Error{Code: code, Message: se.Message, Cause: se.Cause}
		case se.Status() < 500:
			return &Error{Code: IncompleteSignature, Message: se.Message, Cause: se.Cause}
		}
	}
	return &Error{Code: InternalFailure, Message: table[InternalFailure].message, Cause: err}
}

// errorResponse is STS's error document.
type errorResponse struct {
	XMLName   xml.Name `xml:"ErrorResponse"`
	Xmlns     string   `xml:"xmlns,attr"`
	Error     errorBody
	RequestID string `xml:"RequestId"`
}

type errorBody struct {
	Type    string
	Code    Code
	Message string
}

// writeError sends e as STS's ErrorResponse.
func writeError(w http.ResponseWriter, e *Error, requestID string) {
	typ := "Sender"
	if e.Status() >= 500 {
		typ = "Receiver"
	}
	writeXML(w, e.Status(), errorResponse{Xmlns: Namespace,
		Error: errorBody{Type: typ, Code: e.Code, Message: e.Message}, RequestID: requestID})
}
