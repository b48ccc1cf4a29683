package sts

import (
	"encoding/xml"
	"net/http"
	"time"
)

// response is the envelope of every STS answer: <ActionResponse> holding
// <ActionResult> and the request id.
type response struct {
	XMLName  xml.Name
	Xmlns    string `xml:"xmlns,attr"`
	Result   any
	Metadata responseMetadata `xml:"ResponseMetadata"`
}

type responseMetadata struct {
	RequestID string `xml:"RequestId"`
}

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
	writeXML(w, http.StatusOK, response{XMLName: xml.Name{Local: action + "Response"},
		Xmlns: Namespace, Result: result, Metadata: responseMetadata{RequestID: requestID}})
}

// writeXML sends doc with status.
func writeXML(w http.ResponseWriter, status int, doc any) {
	out, err := xml.Marshal(doc)
	if err != nil {
		status = http.StatusInternalServerError
		out = []byte("<ErrorResponse><Error><Type>Receiver</Type>" +
			"<Code>InternalFailure</Code></Error></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}
