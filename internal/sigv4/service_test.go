package sigv4

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

// iamRequest is a query-API request as the SDKs send it: a form-encoded POST
// signed for service with the body's hash and no X-Amz-Content-Sha256.
func iamRequest(t *testing.T, service, secret, form string) *http.Request {
	t.Helper()
	c, err := http.NewRequest(http.MethodPost, "http://iam.trove.test/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	c.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	err = newSDKSigner().SignHTTP(context.Background(), creds(testAK, secret), c,
		hexSHA256([]byte(form)), service, testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	return serverRequest(c, []byte(form))
}

func TestVerifyOtherService(t *testing.T) {
	const form = "Action=SimulatePrincipalPolicy&Version=2010-05-08"
	tests := []struct {
		name     string
		verifier string // Verifier.Service
		signed   string // the service the client signs for
		secret   string
		tamper   func(r *http.Request)
		want     s3err.Code
	}{
		{name: "iam", verifier: "iam", signed: "iam"},
		{name: "iam wrong secret", verifier: "iam", signed: "iam", secret: "wrong",
			want: s3err.SignatureDoesNotMatch},
		{name: "iam body changed", verifier: "iam", signed: "iam",
			tamper: func(r *http.Request) {
				r.Body = http.NoBody
			}, want: s3err.SignatureDoesNotMatch},
		{name: "s3 request to iam", verifier: "iam", signed: "s3",
			want: s3err.AuthorizationHeaderMalformed},
		{name: "iam request to s3", verifier: "", signed: "iam",
			want: s3err.AuthorizationHeaderMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			secret := testSecret
			if tc.secret != "" {
				secret = tc.secret
			}
			r := iamRequest(t, tc.signed, secret, form)
			if tc.tamper != nil {
				tc.tamper(r)
			}
			v := newTestVerifier()
			v.Region, v.Service = "", tc.verifier
			_, err := v.Verify(r)
			wantCode(t, err, tc.want)
			if err != nil {
				return
			}
			if err := r.ParseForm(); err != nil {
				t.Fatalf("the body put back does not parse: %v", err)
			}
			if got := r.PostForm.Get("Action"); got != "SimulatePrincipalPolicy" {
				t.Fatalf("Action = %q after Verify read the body", got)
			}
		})
	}
}

func TestVerifyOtherServiceBodyLimit(t *testing.T) {
	form := "Action=X&Pad=" + strings.Repeat("a", MaxQueryBody)
	r := iamRequest(t, "iam", testSecret, form)
	v := newTestVerifier()
	v.Service = "iam"
	_, err := v.Verify(r)
	wantCode(t, err, s3err.EntityTooLarge)
}

func TestVerifyOtherServicePresigned(t *testing.T) {
	c, err := http.NewRequest(http.MethodGet,
		"http://iam.trove.test/?Action=GetUser&Version=2010-05-08&X-Amz-Expires=300", nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, _, err := newSDKSigner().PresignHTTP(context.Background(),
		creds(testAK, testSecret), c, hexSHA256(nil), "iam", testRegion, testNow)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(signed)
	c.URL = u
	r := serverRequest(c, nil)
	if got := ScopeService(r); got != "iam" {
		t.Fatalf("ScopeService = %q, want iam", got)
	}
	v := newTestVerifier()
	v.Service = "iam"
	auth, err := v.Verify(r)
	wantCode(t, err, "")
	if auth.Method != Presigned {
		t.Fatalf("method %v, want presigned", auth.Method)
	}
}

func TestScopeService(t *testing.T) {
	cred := testAK + "/20250301/us-east-1/%s/aws4_request"
	tests := []struct {
		name   string
		header string
		query  string
		want   string
	}{
		{name: "none"},
		{name: "header iam", want: "iam", header: "AWS4-HMAC-SHA256 Credential=" +
			strings.Replace(cred, "%s", "iam", 1) + ", SignedHeaders=host, Signature=00"},
		{name: "header s3", want: "s3", header: "AWS4-HMAC-SHA256 Credential=" +
			strings.Replace(cred, "%s", "s3", 1) + ",SignedHeaders=host,Signature=00"},
		{name: "query sts", want: "sts", query: "X-Amz-Credential=" +
			url.QueryEscape(strings.Replace(cred, "%s", "sts", 1))},
		{name: "header wins over query", want: "", header: "AWS key:sig",
			query: "X-Amz-Credential=" + url.QueryEscape(strings.Replace(cred, "%s", "iam", 1))},
		{name: "malformed credential", header: "AWS4-HMAC-SHA256 Credential=a/b/iam"},
		{name: "sigv2", header: "AWS AKID:c2ln"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(http.MethodGet, "http://h/?"+tc.query, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.header != "" {
				r.Header.Set("Authorization", tc.header)
			}
			if got := ScopeService(r); got != tc.want {
				t.Fatalf("ScopeService = %q, want %q", got, tc.want)
			}
		})
	}
}
