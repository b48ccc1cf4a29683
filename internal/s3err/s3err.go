// Package s3err is trove's one table from an error condition to the S3 error
// code, HTTP status and client-safe message, and the XML body S3 sends with it.
//
// Every package that rejects a request returns an *Error (or wraps one with %w);
// the HTTP layer finds it with errors.As and writes it. Anything that is not an
// *Error becomes InternalError, and its text goes to the log, never to the client.
package s3err

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
)

// Code is an S3 error code, such as "NoSuchBucket".
type Code string

// The S3 error codes trove returns.
const (
	AccessDenied                      Code = "AccessDenied"
	AuthorizationHeaderMalformed      Code = "AuthorizationHeaderMalformed"
	AuthorizationQueryParametersError Code = "AuthorizationQueryParametersError"
	BadDigest                         Code = "BadDigest"
	BucketAlreadyExists               Code = "BucketAlreadyExists"
	BucketAlreadyOwnedByYou           Code = "BucketAlreadyOwnedByYou"
	BucketNotEmpty                    Code = "BucketNotEmpty"
	EntityTooLarge                    Code = "EntityTooLarge"
	EntityTooSmall                    Code = "EntityTooSmall"
	ExpiredToken                      Code = "ExpiredToken"
	IllegalLocationConstraint         Code = "IllegalLocationConstraintException"
	IncompleteBody                    Code = "IncompleteBody"
	InvalidLocationConstraint         Code = "InvalidLocationConstraint"
	InternalError                     Code = "InternalError"
	InvalidAccessKeyID                Code = "InvalidAccessKeyId"
	InvalidArgument                   Code = "InvalidArgument"
	InvalidBucketName                 Code = "InvalidBucketName"
	InvalidDigest                     Code = "InvalidDigest"
	InvalidPart                       Code = "InvalidPart"
	InvalidPartNumber                 Code = "InvalidPartNumber"
	InvalidPartOrder                  Code = "InvalidPartOrder"
	InvalidRange                      Code = "InvalidRange"
	InvalidRequest                    Code = "InvalidRequest"
	InvalidTag                        Code = "InvalidTag"
	InvalidToken                      Code = "InvalidToken"
	KeyTooLongError                   Code = "KeyTooLongError"
	MalformedPolicy                   Code = "MalformedPolicy"
	MalformedXML                      Code = "MalformedXML"
	MethodNotAllowed                  Code = "MethodNotAllowed"
	MissingContentLength              Code = "MissingContentLength"
	MissingSecurityHeader             Code = "MissingSecurityHeader"
	NoSuchBucket                      Code = "NoSuchBucket"
	NoSuchBucketPolicy                Code = "NoSuchBucketPolicy"
	NoSuchKey                         Code = "NoSuchKey"
	NoSuchTagSet                      Code = "NoSuchTagSet"
	NoSuchVersion                     Code = "NoSuchVersion"
	NoSuchUpload                      Code = "NoSuchUpload"
	NotImplemented                    Code = "NotImplemented"
	NotModified                       Code = "NotModified"
	PreconditionFailed                Code = "PreconditionFailed"
	RequestHeaderSectionTooLarge      Code = "RequestHeaderSectionTooLarge"
	RequestTimeTooSkewed              Code = "RequestTimeTooSkewed"
	SignatureDoesNotMatch             Code = "SignatureDoesNotMatch"
	XAmzContentSHA256Mismatch         Code = "XAmzContentSHA256Mismatch"
)

type entry struct {
	status  int
	message string
}

// table holds each code's status and default message. Messages follow S3's.
var table = map[Code]entry{
	AccessDenied: {http.StatusForbidden,
		"Access Denied"},
	AuthorizationHeaderMalformed: {http.StatusBadRequest,
		"The authorization header is malformed."},
	AuthorizationQueryParametersError: {http.StatusBadRequest,
		"Error parsing the X-Amz-Credential parameter."},
	BadDigest: {http.StatusBadRequest,
		"The Content-MD5 or checksum you specified did not match what we received."},
	BucketAlreadyExists: {http.StatusConflict,
		"The requested bucket name is not available. The bucket namespace is shared by " +
			"all users of the system. Please select a different name and try again."},
	BucketAlreadyOwnedByYou: {http.StatusConflict,
		"Your previous request to create the named bucket succeeded and you already own " +
			"it."},
	BucketNotEmpty: {http.StatusConflict,
		"The bucket you tried to delete is not empty"},
	EntityTooLarge: {http.StatusBadRequest,
		"Your proposed upload exceeds the maximum allowed size"},
	EntityTooSmall: {http.StatusBadRequest,
		"Your proposed upload is smaller than the minimum allowed object size."},
	InvalidPart: {http.StatusBadRequest,
		"One or more of the specified parts could not be found. The part may not have been " +
			"uploaded, or the specified entity tag may not match the part's entity tag."},
	InvalidPartNumber: {http.StatusRequestedRangeNotSatisfiable,
		"The requested partnumber is not satisfiable"},
	InvalidPartOrder: {http.StatusBadRequest,
		"The list of parts was not in ascending order. The parts list must be specified in " +
			"order by part number."},
	NoSuchUpload: {http.StatusNotFound,
		"The specified multipart upload does not exist. The upload ID might not be valid, " +
			"or the multipart upload might have been aborted or completed."},
	ExpiredToken: {http.StatusBadRequest,
		"The provided token has expired."},
	IncompleteBody: {http.StatusBadRequest,
		"You did not provide the number of bytes specified by the Content-Length HTTP " +
			"header."},
	InternalError: {http.StatusInternalServerError,
		"We encountered an internal error. Please try again."},
	InvalidAccessKeyID: {http.StatusForbidden,
		"The AWS Access Key Id you provided does not exist in our records."},
	InvalidArgument: {http.StatusBadRequest,
		"Invalid Argument"},
	InvalidTag: {http.StatusBadRequest,
		"The tag provided was not a valid tag."},
	RequestHeaderSectionTooLarge: {http.StatusBadRequest,
		"Your request header section exceeds the maximum allowed size."},
	IllegalLocationConstraint: {http.StatusBadRequest,
		"The unspecified location constraint is incompatible for the region specific " +
			"endpoint this request was sent to."},
	InvalidBucketName: {http.StatusBadRequest,
		"The specified bucket is not valid."},
	InvalidLocationConstraint: {http.StatusBadRequest,
		"The specified location-constraint is not valid"},
	InvalidDigest: {http.StatusBadRequest,
		"The Content-MD5 you specified is not valid."},
	InvalidRange: {http.StatusRequestedRangeNotSatisfiable,
		"The requested range is not satisfiable"},
	InvalidRequest: {http.StatusBadRequest,
		"Invalid Request"},
	InvalidToken: {http.StatusBadRequest,
		"The provided token is malformed or otherwise invalid."},
	KeyTooLongError: {http.StatusBadRequest,
		"Your key is too long"},
	MalformedPolicy: {http.StatusBadRequest,
		"Policies must be valid JSON and the first byte must be '{'"},
	MalformedXML: {http.StatusBadRequest,
		"The XML you provided was not well-formed or did not validate against our " +
			"published schema"},
	MethodNotAllowed: {http.StatusMethodNotAllowed,
		"The specified method is not allowed against this resource."},
	MissingContentLength: {http.StatusLengthRequired,
		"You must provide the Content-Length HTTP header."},
	MissingSecurityHeader: {http.StatusBadRequest,
		"Your request was missing a required header"},
	NoSuchBucket: {http.StatusNotFound,
		"The specified bucket does not exist"},
	NoSuchBucketPolicy: {http.StatusNotFound,
		"The bucket policy does not exist"},
	NoSuchKey: {http.StatusNotFound,
		"The specified key does not exist."},
	NoSuchTagSet: {http.StatusNotFound,
		"The TagSet does not exist"},
	NoSuchVersion: {http.StatusNotFound,
		"The specified version does not exist."},
	NotImplemented: {http.StatusNotImplemented,
		"A header you provided implies functionality that is not implemented"},
	NotModified: {http.StatusNotModified,
		"Not Modified"},
	PreconditionFailed: {http.StatusPreconditionFailed,
		"At least one of the pre-conditions you specified did not hold"},
	RequestTimeTooSkewed: {http.StatusForbidden,
		"The difference between the request time and the current time is too large."},
	SignatureDoesNotMatch: {http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. " +
			"Check your key and signing method."},
	XAmzContentSHA256Mismatch: {http.StatusBadRequest,
		"The provided 'x-amz-content-sha256' header does not match what was computed."},
}

// Error is an S3 error: a code plus a client-safe message and optional extra
// elements for the XML body (such as BucketName or Key). Cause, when set, is
// for the log only.
type Error struct {
	Code    Code
	Message string
	// Extra elements rendered in the error body, in order, such as
	// {"BucketName", "b"}.
	Extra [][2]string
	Cause error
}

// New returns an error with code's default message.
func New(code Code) *Error { return &Error{Code: code, Message: table[code].message} }

// Newf returns an error with a formatted message.
func Newf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// With returns a copy of e with an extra XML element name=value.
func (e *Error) With(name, value string) *Error {
	c := *e
	c.Extra = append(append([][2]string(nil), e.Extra...), [2]string{name, value})
	return &c
}

// WithCause returns a copy of e that carries cause for the log.
func (e *Error) WithCause(cause error) *Error {
	c := *e
	c.Cause = cause
	return &c
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, s3err.New(s3err.NoSuchKey)) works.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code
}

// Status is the HTTP status of the error's code.
func (e *Error) Status() int {
	if ent, ok := table[e.Code]; ok {
		return ent.status
	}
	return http.StatusInternalServerError
}

// From finds the *Error in err's chain, or turns err into InternalError whose
// Cause is err.
func From(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return New(InternalError).WithCause(err)
}

// Status returns the HTTP status for code.
func Status(code Code) int { return New(code).Status() }

// Write writes err as S3's XML error body with the given request id and
// resource (the request path). HEAD requests get the status and no body.
func Write(w http.ResponseWriter, r *http.Request, err *Error, requestID string) {
	h := w.Header()
	h.Set("x-amz-request-id", requestID)
	status := err.Status()
	if r.Method == http.MethodHead || status == http.StatusNotModified {
		w.WriteHeader(status)
		return
	}
	h.Set("Content-Type", "application/xml")
	w.WriteHeader(status)
	_, _ = w.Write(Body(err, r.URL.Path, requestID))
}

// Body renders the XML error document.
func Body(err *Error, resource, requestID string) []byte {
	type kv struct {
		XMLName xml.Name
		Value   string `xml:",chardata"`
	}
	doc := struct {
		XMLName   xml.Name `xml:"Error"`
		Code      Code     `xml:"Code"`
		Message   string   `xml:"Message"`
		Extra     []kv
		Resource  string `xml:"Resource,omitempty"`
		RequestID string `xml:"RequestId"`
	}{Code: err.Code, Message: err.Message, Resource: resource, RequestID: requestID}
	for _, x := range err.Extra {
		doc.Extra = append(doc.Extra, kv{XMLName: xml.Name{Local: x[0]}, Value: x[1]})
	}
	out, mErr := xml.Marshal(doc)
	if mErr != nil {
		return []byte(xml.Header + "<Error><Code>InternalError</Code></Error>")
	}
	return append([]byte(xml.Header), out...)
}
