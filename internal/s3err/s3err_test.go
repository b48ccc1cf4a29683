package s3err

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestEveryCodeHasStatusAndMessage(t *testing.T) {
	for code, e := range table {
		if e.status < 300 || e.status > 599 || e.message == "" {
			t.Errorf("%s: status %d, message %q", code, e.status, e.message)
		}
	}
}

func TestFrom(t *testing.T) {
	wrapped := fmt.Errorf("context: %w", New(NoSuchKey))
	tests := []struct {
		name   string
		err    error
		code   Code
		status int
	}{
		{"s3 error", New(AccessDenied), AccessDenied, http.StatusForbidden},
		{"wrapped", wrapped, NoSuchKey, http.StatusNotFound},
		{"other", errors.New("disk on fire"), InternalError, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := From(tc.err)
			if e.Code != tc.code || e.Status() != tc.status {
				t.Errorf("got %s %d, want %s %d", e.Code, e.Status(), tc.code, tc.status)
			}
		})
	}
	if !errors.Is(wrapped, New(NoSuchKey)) || errors.Is(wrapped, New(NoSuchBucket)) {
		t.Error("errors.Is must compare codes")
	}
}

func TestWriteKeepsCausesOutOfTheBody(t *testing.T) {
	w := httptest.NewRecorder()
	r := httptest.NewRequest(http.MethodGet, "/b/k", nil)
	err := From(errors.New("secret path /var/lib/x")).With("Key", "k<&>")
	Write(w, r, err, "REQ1")
	body := w.Body.String()
	for _, want := range []string{"<Code>InternalError</Code>", "<Key>k&lt;&amp;&gt;</Key>",
		"<Resource>/b/k</Resource>", "<RequestId>REQ1</RequestId>"} {
		if !strings.Contains(body, want) {
			t.Errorf("body lacks %s: %s", want, body)
		}
	}
	if strings.Contains(body, "secret path") || w.Code != 500 ||
		w.Header().Get("x-amz-request-id") != "REQ1" {
		t.Errorf("status %d, body %s", w.Code, body)
	}
	head := httptest.NewRecorder()
	Write(head, httptest.NewRequest(http.MethodHead, "/b/k", nil), New(NoSuchKey), "REQ2")
	if head.Code != 404 || head.Body.Len() != 0 {
		t.Errorf("HEAD: status %d, body %q", head.Code, head.Body.String())
	}
}
