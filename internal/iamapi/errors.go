package iamapi

import (
	"net/http"

	"github.com/troveproject/trove/internal/awsapi"
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

// table holds each code's status and default message, as IAM sends them.
var table = awsapi.QueryTable(awsapi.Table[Code]{
	DeleteConflict: {Status: http.StatusConflict,
		Message: "The entity cannot be deleted while other entities depend on it."},
	EntityAlreadyExists: {Status: http.StatusConflict,
		Message: "An entity of that name exists already."},
	InvalidInput: {Status: http.StatusBadRequest, Message: "Invalid input."},
	LimitExceeded: {Status: http.StatusConflict,
		Message: "The request would exceed a limit of the account."},
	MalformedPolicyDocument: {Status: http.StatusBadRequest,
		Message: "The policy document is malformed."},
	NoSuchEntity: {Status: http.StatusNotFound,
		Message: "The request was rejected because it referenced an entity that does not exist."},
	ServiceFailure: {Status: http.StatusInternalServerError,
		Message: "The request processing has failed because of an unknown error, exception or " +
			"failure."},
})

// Status is the HTTP status IAM sends with the code; 500 for a code not
// in the table.
func (c Code) Status() int { return table.Status(c) }

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
var catalog = awsapi.QueryCatalog(table, ServiceFailure)

// from finds the *Error in err's chain, translates an *s3err.Error, or turns
// anything else into ServiceFailure whose Cause is err.
func from(err error) *Error { return catalog.From(err) }

// write sends e as IAM's XML error document.
func write(w http.ResponseWriter, e *Error, requestID string) {
	awsapi.WriteXMLError(w, e, namespace, requestID, ServiceFailure)
}
