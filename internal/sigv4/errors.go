package sigv4

import (
	"errors"

	"github.com/troveproject/trove/internal/s3err"
)

// ErrUnknownKey is returned (possibly wrapped) by Keys.Secret when the access
// key does not exist or is inactive. Verify turns it into InvalidAccessKeyId;
// any other error from Keys becomes InternalError carrying it as the cause.
var ErrUnknownKey = errors.New("sigv4: unknown access key")

const (
	msgV2Unsupported = "The authorization mechanism you have provided is not supported. " +
		"Please use AWS4-HMAC-SHA256."
	msgV2QueryParams = "Query-string authentication requires the Signature, Expires and " +
		"AWSAccessKeyId parameters"
	msgPresignParams = "Query-string authentication version 4 requires the X-Amz-Algorithm, " +
		"X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, " +
		"and X-Amz-Expires parameters."
	msgNoDate       = "AWS authentication requires a valid Date or x-amz-date header"
	msgMultipleAuth = "Only one auth mechanism allowed; only the X-Amz-Algorithm query " +
		"parameter, Signature query string parameter or the Authorization header " +
		"should be specified"
	msgNoPayloadHash = "Missing required header for this request: x-amz-content-sha256"
	msgOneChecksum   = "Expecting a single x-amz-checksum- header. " +
		"Multiple checksum Types are not allowed."
)

// scopeError builds the error for a credential problem. Header auth reports
// AuthorizationHeaderMalformed, presigned auth
// AuthorizationQueryParametersError; detail completes the sentence.
type scopeError func(detail string) *s3err.Error

func headerScopeError(detail string) *s3err.Error {
	return s3err.Newf(s3err.AuthorizationHeaderMalformed,
		"The authorization header is malformed; %s", detail)
}

func queryScopeError(detail string) *s3err.Error {
	return s3err.Newf(s3err.AuthorizationQueryParametersError,
		"Error parsing the X-Amz-Credential parameter; %s", detail)
}

func queryError(msg string) *s3err.Error {
	return newError(s3err.AuthorizationQueryParametersError, msg)
}

// newError returns an error with code and a fixed message.
func newError(code s3err.Code, msg string) *s3err.Error {
	return &s3err.Error{Code: code, Message: msg}
}

// malformedBody reports an aws-chunked body that does not follow the format.
// S3 has more specific codes for some cases (such as InvalidChunkSizeError)
// that trove's catalogue lacks; InvalidRequest is the closest.
func malformedBody(detail string) *s3err.Error {
	return s3err.Newf(s3err.InvalidRequest, "The aws-chunked body is malformed: %s.", detail)
}

func incompleteBody(format string, args ...any) *s3err.Error {
	return s3err.Newf(s3err.IncompleteBody, format, args...)
}

func chunkSignatureMismatch() *s3err.Error {
	return s3err.Newf(s3err.SignatureDoesNotMatch, "The chunk signature we calculated "+
		"does not match the signature you provided. Check your key and signing method.")
}
