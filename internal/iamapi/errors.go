package iamapi

import (
	"net/http"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/s3err"
)

// Code is an IAM error code, such as "NoSuchEntity".
type Code string

// The IAM error codes trove returns.
const (
	AccessDenied               Code = "AccessDenied"
	DeleteConflict             Code = "DeleteConflict"
	EntityAlreadyExists        Code = "EntityAlreadyExists"
	ExpiredToken               Code = "ExpiredToken"
	IncompleteSignature        Code = "IncompleteSignature"
	InvalidAction              Code = "InvalidAction"
	InvalidClientTokenID       Code = "InvalidClientTokenId"
	InvalidInput               Code = "InvalidInput"
	LimitExceeded              Code = "LimitExceeded"
	MalformedPolicyDocument    Code = "MalformedPolicyDocument"
	MissingAction              Code = "MissingAction"
	MissingAuthenticationToken Code = "MissingAuthenticationToken"
	MissingParameter           Code = "MissingParameter"
	NoSuchEntity               Code = "NoSuchEntity"
	RequestExpired             Code = "RequestExpired"
	ServiceFailure             Code = "ServiceFailure"
	SignatureDoesNotMatch      Code = "SignatureDoesNotMatch"
	ValidationError            Code = "ValidationError"
)

type entry struct {
	status  int
	message string
}

// table holds each code's status and default message, as IAM sends them.
var table = map[Code]entry{
	AccessDenied: {http.StatusForbidden, "Access denied"},
	DeleteConflict: {http.StatusConflict,
		"The entity cannot be deleted while other entities depend on it."},
	EntityAlreadyExists: {http.StatusConflict, "An entity of that name exists already."},
	ExpiredToken: {http.StatusForbidden,
		"The security token included in the request is expired"},
	IncompleteSignature: {http.StatusBadRequest,
		"The request signature does not conform to AWS standards."},
	InvalidAction: {http.StatusBadRequest,
		"The action or operation requested is invalid."},
	InvalidClientTokenID: {http.StatusForbidden,
		"The security token included in the request is invalid."},
	InvalidInput: {http.StatusBadRequest, "Invalid input."},
	LimitExceeded: {http.StatusConflict,
		"The request would exceed a limit of the account."},
	MalformedPolicyDocument: {http.StatusBadRequest, "The policy document is malformed."},
	MissingAction: {http.StatusBadRequest,
		"The request must contain the parameter Action."},
	MissingAuthenticationToken: {http.StatusForbidden,
		"Request is missing Authentication Token"},
	MissingParameter: {http.StatusBadRequest,
		"A required parameter for the specified action is not supplied."},
	NoSuchEntity: {http.StatusNotFound,
		"The request was rejected because it referenced an entity that does not exist."},
	RequestExpired: {http.StatusBadRequest,
		"The request reached the service more than 15 minutes after the date stamp on " +
			"the request, or the date stamp is more than 15 minutes in the future."},
	ServiceFailure: {http.StatusInternalServerError,
		"The request processing has failed because of an unknown error, exception or " +
			"failure."},
	SignatureDoesNotMatch: {http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method."},
	ValidationError: {http.StatusBadRequest, "Validation error."},
}

// Status is the HTTP status IAM sends with the code; 500 for a code not
// in the table.
func (c Code) Status() int {
	if ent, ok := table[c]; ok {
		return ent.status
	}
	return http.StatusInternalServerError
}

// Package is "iamapi", the prefix of an Error's text.
func (Code) Package() string { return "iamapi" }

// Error is an IAM error: a code and a client-safe message. Cause, when set,
// is for the log only.
type Error = awsapi.Error[Code]

// errorf returns an error with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	return awsapi.Errorf(code, format, args...)
}

// catalog says how IAM answers errors, and maps the authentication errors
// of package sigv4, which speaks S3's codes, to IAM's: an expired or invalid
// session token is answered with IAM's own words.
var catalog = &awsapi.Catalog[Code]{
	Message:  func(c Code) string { return table[c].message },
	Failure:  ServiceFailure,
	Unmapped: IncompleteSignature,
	Generic:  []Code{ExpiredToken, InvalidClientTokenID},
	FromS3: map[s3err.Code]Code{
		s3err.AccessDenied:                      AccessDenied,
		s3err.AuthorizationHeaderMalformed:      IncompleteSignature,
		s3err.AuthorizationQueryParametersError: IncompleteSignature,
		s3err.EntityTooLarge:                    ValidationError,
		s3err.ExpiredToken:                      ExpiredToken,
		s3err.InternalError:                     ServiceFailure,
		s3err.InvalidAccessKeyID:                InvalidClientTokenID,
		s3err.InvalidToken:                      InvalidClientTokenID,
		s3err.RequestTimeTooSkewed:              RequestExpired,
		s3err.SignatureDoesNotMatch:             SignatureDoesNotMatch,
		s3err.XAmzContentSHA256Mismatch:         SignatureDoesNotMatch,
	},
}

// from finds the *Error in err's chain, translates an *s3err.Error, or turns
// anything else into ServiceFailure whose Cause is err.
func from(err error) *Error { return catalog.From(err) }

// write sends e as IAM's XML error document.
func write(w http.ResponseWriter, e *Error, requestID string) {
	awsapi.WriteXMLError(w, e, namespace, requestID, ServiceFailure)
}
