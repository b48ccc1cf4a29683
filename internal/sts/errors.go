package sts

import (
	"net/http"

	"github.com/troveproject/trove/internal/awsapi"
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

// table holds each code's status and default message, as STS sends them.
var table = awsapi.QueryTable(awsapi.Table[Code]{
	InternalFailure: {Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error, exception or " +
			"failure."},
	InvalidParameterValue: {Status: http.StatusBadRequest,
		Message: "An invalid or out-of-range value was supplied for the input parameter."},
	MalformedPolicyDocument: {Status: http.StatusBadRequest,
		Message: "The request was rejected because the policy document was malformed."},
	PackedPolicyTooLarge: {Status: http.StatusBadRequest,
		Message: "The request was rejected because the total packed size of the session policies " +
			"and session tags combined was too large."},
})

// Status is the HTTP status STS sends with the code; 500 for a code not
// in the table.
func (c Code) Status() int { return table.Status(c) }

// Package is "sts", the prefix of an Error's text.
func (Code) Package() string { return "sts" }

// Error is an STS error: a code and a client-safe message. Cause, when set,
// is for the log only.
type Error = awsapi.Error[Code]

// errorf returns an error with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	return awsapi.Errorf(code, format, args...)
}

// fixed returns an error with the code's default message.
func fixed(code Code) *Error { return catalog.Fixed(code) }

// catalog says how STS answers errors, and maps the authentication errors
// of package sigv4, which speaks S3's codes, to STS's: an expired or
// invalid token is answered with STS's own words.
var catalog = awsapi.QueryCatalog(table, InternalFailure)

// from finds the *Error in err's chain, translates an *s3err.Error, or
// turns anything else into InternalFailure whose Cause is err.
func from(err error) *Error { return catalog.From(err) }

// writeError sends e as STS's ErrorResponse.
func writeError(w http.ResponseWriter, e *Error, requestID string) {
	awsapi.WriteXMLError(w, e, Namespace, requestID, InternalFailure)
}
