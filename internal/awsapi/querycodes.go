package awsapi

import (
	"maps"
	"net/http"

	"github.com/troveproject/trove/internal/s3err"
)

// Entry is how an API sends an error code: the HTTP status and the default
// message.
type Entry struct {
	Status  int
	Message string
}

// Table holds an API's error codes with their entries.
type Table[C ~string] map[C]Entry

// Status is c's HTTP status; 500 for a code not in t.
func (t Table[C]) Status(c C) int {
	if e, ok := t[c]; ok {
		return e.Status
	}
	return http.StatusInternalServerError
}

// queryCodes are the codes AWS's query-protocol APIs (IAM, STS) send
// alike, with the same status and words.
var queryCodes = map[string]Entry{
	"AccessDenied": {http.StatusForbidden, "Access denied"},
	"ExpiredToken": {http.StatusForbidden,
		"The security token included in the request is expired"},
	"IncompleteSignature": {http.StatusBadRequest,
		"The request signature does not conform to AWS standards."},
	"InvalidAction": {http.StatusBadRequest,
		"The action or operation requested is invalid."},
	"InvalidClientTokenId": {http.StatusForbidden,
		"The security token included in the request is invalid."},
	"MissingAction": {http.StatusBadRequest,
		"The request must contain the parameter Action."},
	"MissingAuthenticationToken": {http.StatusForbidden,
		"Request is missing Authentication Token"},
	"MissingParameter": {http.StatusBadRequest,
		"A required parameter for the specified action is not supplied."},
	"RequestExpired": {http.StatusBadRequest,
		"The request reached the service more than 15 minutes after the date stamp on " +
			"the request, or the date stamp is more than 15 minutes in the future."},
	"SignatureDoesNotMatch": {http.StatusForbidden,
		"The request signature we calculated does not match the signature you provided. " +
			"Check your AWS Secret Access Key and signing method."},
	"ValidationError": {http.StatusBadRequest, "Validation error."},
}

// QueryTable returns own with the codes every query API shares added;
// own's entries win.
func QueryTable[C ~string](own Table[C]) Table[C] {
	t := make(Table[C], len(queryCodes)+len(own))
	for code, e := range queryCodes {
		t[C(code)] = e
	}
	maps.Copy(t, own)
	return t
}

// QueryCatalog is the Catalog of a query API whose codes are t: default
// messages from t, failure for the server's own failures, and sigv4's
// failures answered with the query codes (an expired or invalid session
// token in the API's own words).
func QueryCatalog[C Code](t Table[C], failure C) *Catalog[C] {
	return &Catalog[C]{
		Message:  func(c C) string { return t[c].Message },
		Failure:  failure,
		Unmapped: "IncompleteSignature",
		Generic:  []C{"ExpiredToken", "InvalidClientTokenId"},
		FromS3: map[s3err.Code]C{
			s3err.AccessDenied:                      "AccessDenied",
			s3err.AuthorizationHeaderMalformed:      "IncompleteSignature",
			s3err.AuthorizationQueryParametersError: "IncompleteSignature",
			s3err.EntityTooLarge:                    "ValidationError",
			s3err.ExpiredToken:                      "ExpiredToken",
			s3err.InternalError:                     failure,
			s3err.InvalidAccessKeyID:                "InvalidClientTokenId",
			s3err.InvalidToken:                      "InvalidClientTokenId",
			s3err.RequestTimeTooSkewed:              "RequestExpired",
			s3err.SignatureDoesNotMatch:             "SignatureDoesNotMatch",
			s3err.XAmzContentSHA256Mismatch:         "SignatureDoesNotMatch",
		},
	}
}
