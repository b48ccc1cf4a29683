package sts

import (
	"net/http"

	"github.com/troveproject/trove/internal/awsapi"
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

// Status is the HTTP status STS sends with the code; 500 for a code not
// in the table.
func (c Code) Status() int {
	if ent, ok := table[c]; ok {
		return ent.status
	}
	return http.StatusInternalServerError
}

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
var catalog = &awsapi.Catalog[Code]{
	Message:  func(c Code) string { return table[c].message },
	Failure:  InternalFailure,
	Unmapped: IncompleteSignature,
	Generic:  []Code{ExpiredToken, InvalidClientTokenID},
	FromS3: map[s3err.Code]Code{
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
	},
}

// from finds the *Error in err's chain, translates an *s3err.Error, or
// turns anything else into InternalFailure whose Cause is err.
func from(err error) *Error { return catalog.From(err) }

// writeError sends e as STS's ErrorResponse.
func writeError(w http.ResponseWriter, e *Error, requestID string) {
	awsapi.WriteXMLError(w, e, Namespace, requestID, InternalFailure)
}
