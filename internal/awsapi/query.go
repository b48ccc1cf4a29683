package awsapi

import (
	"encoding/xml"
	"errors"
	"net/http"
	"net/url"
	"slices"

	"github.com/troveproject/trove/internal/s3err"
)

// Query is what the form-encoded query APIs (IAM and STS) share of reading
// a request: Action=...&Version=... with parameters that each take one
// value (a list is NAME.member.N). Its fields are set once, before use.
type Query[C Code] struct {
	*Catalog[C]
	// Version is the only API version served.
	Version string
	// Invalid is the code of a malformed form or a repeated parameter.
	Invalid C
	// TooLarge is the code of a body over the limit.
	TooLarge C
	// MissingAction, MissingParameter and InvalidAction are the codes of
	// a request without Action, one without Version, and one whose
	// Action and Version name no operation.
	MissingAction, MissingParameter, InvalidAction C
}

// ReadForm parses r's form, query and body, and refuses a parameter given
// twice. A failed payload check of the verifying body comes back as it
// is, an *s3err.Error.
func (q *Query[C]) ReadForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return q.formError(err)
	}
	return q.CheckRepeated(r.Form)
}

// formError reports a body that could not be read or parsed.
func (q *Query[C]) formError(err error) error {
	var se *s3err.Error
	if errors.As(err, &se) {
		return err
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return Errorf(q.TooLarge, "The request body exceeds the maximum of %d bytes.",
			tooBig.Limit)
	}
	return &Error[C]{Code: q.Invalid, Message: "The request body is not a valid form.",
		Cause: err}
}

// CheckRepeated refuses a parameter given more than once, in the query or
// the body or both: taking the first of several would let two readers of
// one request disagree on what it asks. Of several, it names the least,
// whatever the map's order.
func (q *Query[C]) CheckRepeated(form url.Values) error {
	var repeated []string
	for name, values := range form {
		if len(values) > 1 {
			repeated = append(repeated, name)
		}
	}
	if len(repeated) == 0 {
		return nil
	}
	name := slices.Min(repeated)
	return Errorf(q.Invalid, "The parameter %s is given %d times; give each parameter "+
		"once.", Truncate(name), len(form[name]))
}

// Action returns the form's Action once Action and Version are checked.
func (q *Query[C]) Action(form url.Values) (string, error) {
	action := form.Get("Action")
	if action == "" {
		return "", q.Fixed(q.MissingAction)
	}
	if v := form.Get("Version"); v == "" {
		return action, Errorf(q.MissingParameter,
			"The request must contain the parameter Version.")
	} else if v != q.Version {
		return action, q.unknown(action, v)
	}
	return action, nil
}

// Unknown is InvalidAction for an action the API does not serve.
func (q *Query[C]) Unknown(action string) *Error[C] { return q.unknown(action, q.Version) }

func (q *Query[C]) unknown(action, version string) *Error[C] {
	return Errorf(q.InvalidAction, "Could not find operation %s for version %s.",
		Truncate(action), Truncate(version))
}

// Response is the envelope of a query API's answer: <ActionResponse>
// holding the result, if any, and the request id.
type Response struct {
	XMLName xml.Name
	Xmlns   string `xml:"xmlns,attr"`
	// Result is marshalled as it names itself; nil sends no result.
	Result   any
	Metadata Metadata `xml:"ResponseMetadata"`
}

// Metadata is a query API answer's ResponseMetadata.
type Metadata struct {
	RequestID string `xml:"RequestId"`
}

// WriteXML sends doc with status. Should doc fail to marshal, the client
// gets a 500 ErrorResponse of the code failure instead.
func WriteXML(w http.ResponseWriter, status int, doc any, failure string) {
	out, err := xml.Marshal(doc)
	if err != nil {
		status = http.StatusInternalServerError
		out = []byte("<ErrorResponse><Error><Type>Receiver</Type>" +
			"<Code>" + failure + "</Code></Error></ErrorResponse>")
	}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	_, _ = w.Write(append([]byte(xml.Header), out...))
}

// ErrorResponse is a query API's error document.
type ErrorResponse[C Code] struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Xmlns   string   `xml:"xmlns,attr"`
	Error   struct {
		Type    string
		Code    C
		Message string
	}
	RequestID string `xml:"RequestId"`
}

// WriteXMLError sends e as a query API's ErrorResponse in namespace.
func WriteXMLError[C Code](w http.ResponseWriter, e *Error[C], namespace, requestID string,
	failure C) {
	doc := ErrorResponse[C]{Xmlns: namespace, RequestID: requestID}
	doc.Error.Type, doc.Error.Code, doc.Error.Message = e.Fault(), e.Code, e.Message
	WriteXML(w, e.Status(), doc, string(failure))
}
