package sts

import (
	"encoding/xml"
	"net/http"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
)

type callerIdentityResult struct {
	XMLName xml.Name `xml:"GetCallerIdentityResult"`
	Arn     string
	UserID  string `xml:"UserId"`
	Account string
}

// assumeRoleResult is AssumeRole's result; the actions that assume a role
// with another kind of credential answer the same elements under their
// own name.
type assumeRoleResult struct {
	XMLName          xml.Name
	Credentials      credentials
	AssumedRoleUser  assumedRoleUser
	PackedPolicySize *int   `xml:",omitempty"`
	SourceIdentity   string `xml:",omitempty"`
}

// credentials are temporary credentials as STS returns them.
type credentials struct {
	AccessKeyID     string `xml:"AccessKeyId"`
	SecretAccessKey string
	SessionToken    string
	Expiration      string // ISO 8601, UTC
}

type assumedRoleUser struct {
	Arn           string
	AssumedRoleID string `xml:"AssumedRoleId"`
}

// expiration renders t as STS does: ISO 8601 in UTC.
func expiration(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// writeResult sends result as the answer to action.
func writeResult(w http.ResponseWriter, action, requestID string, result any) {
	doc := awsapi.Response{XMLName: xml.Name{Local: action + "Response"}, Xmlns: Namespace,
		Result: result, Metadata: awsapi.Metadata{RequestID: requestID}}
	awsapi.WriteXML(w, http.StatusOK, doc, string(InternalFailure))
}
