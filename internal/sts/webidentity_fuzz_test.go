package sts

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/oidc"
)

// FuzzParseWebIdentity checks that AssumeRoleWithWebIdentity's parameter
// parser never panics, fails only with a client *Error, and keeps the
// token's length limits.
func FuzzParseWebIdentity(f *testing.F) {
	f.Add("RoleArn=arn:aws:iam::333333333333:role/r&RoleSessionName=pod&" +
		"WebIdentityToken=a.b.c&DurationSeconds=900")
	f.Add("RoleArn=arn:aws:iam::333333333333:role/p/r&RoleSessionName=s1&" +
		"WebIdentityToken=abcd&PolicyArns.member.1.arn=arn:aws:iam::333333333333:policy/p")
	f.Add("RoleArn=x&WebIdentityToken=&ProviderId=www.amazon.com")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := parseWebIdentity(form)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status() >= 500 {
				t.Fatalf("error %v is not a client *Error", err)
			}
			return
		}
		if len(p.token) < minTokenChars || len(p.token) > oidc.MaxTokenSize ||
			p.role.account == "" || p.sessionName == "" {
			t.Fatalf("accepted %+v", p)
		}
	})
}

// FuzzHandlesUnsigned checks that routing never panics and never loses
// the body it peeks at.
func FuzzHandlesUnsigned(f *testing.F) {
	f.Add("Action=AssumeRoleWithWebIdentity&Version=2011-06-15")
	f.Add("Action=ListUsers")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, body string) {
		r := newFormRequest(body)
		HandlesUnsigned(r)
		if got, _ := io.ReadAll(r.Body); string(got) != body {
			t.Fatalf("body after the peek = %q, want %q", got, body)
		}
	})
}

func newFormRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return r
}
