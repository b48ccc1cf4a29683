package awsapi

import (
	"bytes"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
)

// code is a test API's error code.
type code string

const (
	failure    code = "Failure"
	badSig     code = "BadSignature"
	badInput   code = "BadInput"
	tooBig     code = "TooBig"
	noAction   code = "NoAction"
	noParam    code = "NoParam"
	badAction  code = "BadAction"
	expired    code = "Expired"
	notAllowed code = "NotAllowed"
)

func (c code) Status() int {
	switch c {
	case failure:
		return http.StatusInternalServerError
	case notAllowed, expired:
		return http.StatusForbidden
	}
	return http.StatusBadRequest
}

func (code) Package() string { return "testapi" }

var testCatalog = &Catalog[code]{
	Message:  func(c code) string { return "default " + string(c) },
	Failure:  failure,
	Unmapped: badSig,
	Generic:  []code{expired},
	FromS3: map[s3err.Code]code{s3err.AccessDenied: notAllowed,
		s3err.ExpiredToken: expired, s3err.InternalError: failure},
}

var testQuery = &Query[code]{Catalog: testCatalog, Version: "2020-01-01", Invalid: badInput,
	TooLarge: tooBig, MissingAction: noAction, MissingParameter: noParam,
	InvalidAction: badAction}

func TestFrom(t *testing.T) {
	own := Errorf(notAllowed, "mine")
	tests := []struct {
		name string
		err  error
		code code
		msg  string
	}{
		{"own error", own, notAllowed, "mine"},
		{"own error wrapped", errors.Join(errors.New("x"), own), notAllowed, "mine"},
		{"mapped sigv4 error", s3err.New(s3err.AccessDenied), notAllowed,
			s3err.New(s3err.AccessDenied).Message},
		{"generic sigv4 error", s3err.New(s3err.ExpiredToken), expired, "default Expired"},
		{"sigv4 failure", s3err.New(s3err.InternalError), failure, "default Failure"},
		{"unmapped client error", s3err.New(s3err.NoSuchBucket), badSig,
			s3err.New(s3err.NoSuchBucket).Message},
		{"anything else", errors.New("disk on fire"), failure, "default Failure"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := testCatalog.From(tc.err)
			if e.Code != tc.code || e.Message != tc.msg {
				t.Fatalf("From = %s %q, want %s %q", e.Code, e.Message, tc.code, tc.msg)
			}
		})
	}
}

func TestErrorText(t *testing.T) {
	e := &Error[code]{Code: badInput, Message: "no", Cause: errors.New("why")}
	if got, want := e.Error(), "testapi: BadInput: no: why"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(e, e.Cause) || e.Fault() != "Sender" || Errorf(failure, "").Fault() !=
		"Receiver" {
		t.Errorf("Unwrap or Fault wrong for %v", e)
	}
}

func TestQueryAction(t *testing.T) {
	tests := []struct {
		name, query, action string
		code                code // "" for no error
	}{
		{"served", "Action=Get&Version=2020-01-01", "Get", ""},
		{"no action", "Version=2020-01-01", "", noAction},
		{"no version", "Action=Get", "Get", noParam},
		{"other version", "Action=Get&Version=1999-01-01", "Get", badAction},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			form, _ := url.ParseQuery(tc.query)
			action, err := testQuery.Action(form)
			if action != tc.action || testCode(err) != tc.code {
				t.Fatalf("Action = %q, %v; want %q, %q", action, err, tc.action, tc.code)
			}
		})
	}
}

// testCode is err's code, "" for nil.
func testCode(err error) code {
	if err == nil {
		return ""
	}
	return testCatalog.From(err).Code
}

func TestReadForm(t *testing.T) {
	tests := []struct {
		name, query, body string
		code              code
		msg               string
	}{
		{"once each", "A=1", "B=2", "", ""},
		{"twice in the body", "", "B=1&B=2", badInput, "The parameter B is given 2 times"},
		{"query and body", "B=1", "B=2", badInput, "The parameter B is given 2 times"},
		{"least named first", "", "Z=1&Z=2&A=1&A=2", badInput, "The parameter A is"},
		{"long name cut", strings.Repeat("n", 200) + "=1&" + strings.Repeat("n", 200) +
			"=2", "", badInput, strings.Repeat("n", 128) + "... is given"},
		{"bad escape", "", "A=%zz", badInput, "The request body is not a valid form."},
		{"too large", "", strings.Repeat("a", 40), tooBig, "maximum of 33 bytes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/?"+tc.query, strings.NewReader(tc.body))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 33)
			err := testQuery.ReadForm(r)
			if testCode(err) != tc.code || tc.code != "" &&
				!strings.Contains(testCatalog.From(err).Message, tc.msg) {
				t.Fatalf("ReadForm = %v, want %q saying %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestServe(t *testing.T) {
	var access bytes.Buffer
	clock := time.Unix(1700000000, 0)
	p := &Endpoint[code]{API: "test", Header: "x-amzn-RequestId", Catalog: testCatalog,
		WriteError: func(w http.ResponseWriter, e *Error[code], id string) {
			WriteXMLError(w, e, "urn:test", id, failure)
		},
		Now: func() time.Time { return clock }, Log: OrDiscard(nil),
		Access: slog.New(slog.NewTextHandler(&access, nil))}
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	rec := Record{Action: "Get", Verdict: &Verdict{Effect: policy.ImplicitDeny, Reason: "no"}}
	p.Serve(w, r, "id-1", func() error { return Errorf(notAllowed, "denied <here>") },
		func() Record { return rec })
	if w.Code != http.StatusForbidden || w.Header()["x-amzn-RequestId"][0] != "id-1" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	for _, want := range []string{"<Type>Sender</Type>", "<Code>NotAllowed</Code>",
		"denied &lt;here&gt;", "<RequestId>id-1</RequestId>", `xmlns="urn:test"`} {
		if !strings.Contains(w.Body.String(), want) {
			t.Errorf("body %s lacks %s", w.Body, want)
		}
	}
	line := access.String()
	for _, want := range []string{"request_id=id-1", "api=test", "op=Get", "status=403",
		"decision=", "reason=no", "error=NotAllowed"} {
		if !strings.Contains(line, want) {
			t.Errorf("access line %q lacks %s", line, want)
		}
	}
	if strings.Contains(line, "resource=") || strings.Contains(line, "principal=") {
		t.Errorf("access line %q names what the record does not", line)
	}
}

func TestNewRequestID(t *testing.T) {
	re := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-` +
		`[0-9a-f]{12}$`)
	a, b := NewRequestID(), NewRequestID()
	if !re.MatchString(a) || a == b {
		t.Fatalf("ids %q, %q", a, b)
	}
}

func TestTruncate(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"short", "abc", "abc"},
		{"at the limit", strings.Repeat("x", 128), strings.Repeat("x", 128)},
		{"over", strings.Repeat("x", 129), strings.Repeat("x", 128) + "..."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Truncate(tc.in); got != tc.want {
				t.Fatalf("Truncate = %q, want %q", got, tc.want)
			}
		})
	}
}

// FuzzCheckRepeated feeds arbitrary forms: a form is refused exactly when
// a parameter repeats, and never with a message longer than the limits
// allow.
func FuzzCheckRepeated(f *testing.F) {
	f.Add("A=1&B=2")
	f.Add("A=1&A=2&B=1&B=2")
	f.Add("%41=1&A=2")
	f.Fuzz(func(t *testing.T, raw string) {
		form, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		repeated := false
		for _, vals := range form {
			repeated = repeated || len(vals) > 1
		}
		err = testQuery.CheckRepeated(form)
		if (err != nil) != repeated {
			t.Fatalf("CheckRepeated(%q) = %v", raw, err)
		}
		if err != nil && len(testCatalog.From(err).Message) > 256 {
			t.Fatalf("message too long: %v", err)
		}
	})
}
