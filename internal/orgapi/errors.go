package orgapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/s3err"
)

// Code is an AWS Organizations error code, the __type of its JSON error.
type Code string

// The error codes trove returns. Organizations answers every client error
// with HTTP 400, authentication errors with 403 (as AWS's JSON services
// do) and its own failures with 500. ExpiredTokenException is a client
// error, 400, as AWS's JSON services send it, although AWS's list of
// common errors gives it 403; the SDKs go by the code, not the status.
const (
	AccessDenied               Code = "AccessDeniedException"
	AccountNotFound            Code = "AccountNotFoundException"
	ChildNotFound              Code = "ChildNotFoundException"
	ConstraintViolation        Code = "ConstraintViolationException"
	CreateAccountStatusMissing Code = "CreateAccountStatusNotFoundException"
	DestinationParentNotFound  Code = "DestinationParentNotFoundException"
	DuplicateAccount           Code = "DuplicateAccountException"
	DuplicateOU                Code = "DuplicateOrganizationalUnitException"
	DuplicatePolicy            Code = "DuplicatePolicyException"
	DuplicatePolicyAttachment  Code = "DuplicatePolicyAttachmentException"
	ExpiredToken               Code = "ExpiredTokenException"
	IncompleteSignature        Code = "IncompleteSignatureException"
	InvalidInput               Code = "InvalidInputException"
	InvalidSignature           Code = "InvalidSignatureException"
	MalformedPolicyDocument    Code = "MalformedPolicyDocumentException"
	MissingAuthenticationToken Code = "MissingAuthenticationTokenException"
	NotInUse                   Code = "AWSOrganizationsNotInUseException"
	OUNotFound                 Code = "OrganizationalUnitNotFoundException"
	ParentNotFound             Code = "ParentNotFoundException"
	PolicyInUse                Code = "PolicyInUseException"
	PolicyNotAttached          Code = "PolicyNotAttachedException"
	PolicyNotFound             Code = "PolicyNotFoundException"
	PolicyTypeAlreadyEnabled   Code = "PolicyTypeAlreadyEnabledException"
	PolicyTypeNotEnabled       Code = "PolicyTypeNotEnabledException"
	RootNotFound               Code = "RootNotFoundException"
	Serialization              Code = "SerializationException"
	ServiceFailure             Code = "ServiceException"
	SourceParentNotFound       Code = "SourceParentNotFoundException"
	TargetNotFound             Code = "TargetNotFoundException"
	UnknownOperation           Code = "UnknownOperationException"
	UnrecognizedClient         Code = "UnrecognizedClientException"
)

// messages holds the default message of the codes that have one.
var messages = map[Code]string{
	AccessDenied:               "You don't have permissions to access this resource.",
	ExpiredToken:               "The security token included in the request is expired",
	MissingAuthenticationToken: "Missing Authentication Token",
	NotInUse:                   "Your account is not a member of an organization.",
	ServiceFailure: "AWS Organizations can't complete your request because of an " +
		"internal service error. Try again later.",
	UnrecognizedClient: "The security token included in the request is invalid.",
}

// Error is an Organizations error: a code, a client-safe message and, for
// InvalidInputException and ConstraintViolationException, AWS's Reason.
// Cause, when set, is for the log only.
type Error = awsapi.Error[Code]

// errorf returns an error with a formatted message.
func errorf(code Code, format string, args ...any) *Error {
	return awsapi.Errorf(code, format, args...)
}

// invalid returns an InvalidInputException with reason.
func invalid(reason, format string, args ...any) *Error {
	e := errorf(InvalidInput, format, args...)
	e.Reason = reason
	return e
}

// constraint returns a ConstraintViolationException with reason.
func constraint(reason, format string, args ...any) *Error {
	e := errorf(ConstraintViolation, format, args...)
	e.Reason = reason
	return e
}

// Status is the HTTP status AWS sends with the code.
func (c Code) Status() int {
	switch c {
	case ServiceFailure:
		return http.StatusInternalServerError
	case UnrecognizedClient, InvalidSignature, MissingAuthenticationToken:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

// Package is "orgapi", the prefix of an Error's text.
func (Code) Package() string { return "orgapi" }

// catalog says how Organizations answers errors, and maps the
// authentication errors of package sigv4, which speaks S3's codes, to
// those of AWS's JSON services: an unknown access key or a session token
// that is not one trove issued is UnrecognizedClientException, an ended
// session ExpiredTokenException, each with AWS's own words.
var catalog = &awsapi.Catalog[Code]{
	Message:  func(c Code) string { return messages[c] },
	Failure:  ServiceFailure,
	Unmapped: IncompleteSignature,
	Generic:  []Code{ExpiredToken, UnrecognizedClient},
	FromS3: map[s3err.Code]Code{
		s3err.AccessDenied:                      AccessDenied,
		s3err.AuthorizationHeaderMalformed:      IncompleteSignature,
		s3err.AuthorizationQueryParametersError: IncompleteSignature,
		s3err.EntityTooLarge:                    Serialization,
		s3err.ExpiredToken:                      ExpiredToken,
		s3err.InternalError:                     ServiceFailure,
		s3err.InvalidAccessKeyID:                UnrecognizedClient,
		s3err.InvalidToken:                      UnrecognizedClient,
		s3err.RequestTimeTooSkewed:              InvalidSignature,
		s3err.SignatureDoesNotMatch:             InvalidSignature,
		s3err.XAmzContentSHA256Mismatch:         InvalidSignature,
	},
}

// from finds the *Error in err's chain, translates an *s3err.Error, or
// turns anything else into ServiceException whose Cause is err.
func from(err error) *Error { return catalog.From(err) }

// errorBody is the JSON error document AWS's JSON 1.1 services send.
type errorBody struct {
	Type    Code   `json:"__type"`
	Message string `json:"Message"`
	Reason  string `json:"Reason,omitempty"`
}

// writeError sends e as the JSON error document, with the code also in
// X-Amzn-ErrorType, which the SDKs read first; the request id is in the
// header only.
func writeError(w http.ResponseWriter, e *Error, _ string) {
	w.Header().Set("X-Amzn-ErrorType", string(e.Code))
	body, _ := json.Marshal(errorBody{Type: e.Code, Message: e.Message, Reason: e.Reason})
	writeJSON(w, e.Status(), body)
}

// writeJSON sends body with AWS's JSON 1.1 content type.
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
