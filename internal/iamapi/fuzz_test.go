package iamapi

import (
	"net/http"
	"net/url"
	"testing"
)

// FuzzParams feeds arbitrary query strings to the parameter readers, which
// see whatever a signed caller sends: they must fail cleanly, never panic.
func FuzzParams(f *testing.F) {
	f.Add("ActionNames.member.1=s3:GetObject&ResourceArns.member.1=*")
	f.Add("ContextEntries.member.1.ContextKeyName=k&ContextEntries.member.1.ContextKeyType=" +
		"stringList&ContextEntries.member.1.ContextKeyValues.member.2=b")
	f.Add("ContextEntries.member.01.ContextKeyName=k&MaxItems=5&Marker=3")
	f.Add("ResourceOwner=arn:aws:iam::123456789012:root&PolicyInputList.member.1={}")
	f.Add("Action=SimulatePrincipalPolicy&Action=CreateUser&ResourceArns.member.1001=*")
	f.Add("ResourceArns.member.99999999999999999999=*&ActionNames.member.-1=s3:GetObject")
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		repeated := false
		for _, vals := range v {
			repeated = repeated || len(vals) > 1
		}
		if err := checkRepeated(v); (err != nil) != repeated {
			t.Fatalf("checkRepeated(%q) = %v", raw, err)
		}
		p := params{v}
		_, _ = p.actions()
		_, _ = p.resources()
		_, _ = p.resourceOwner()
		_, _, _ = p.page()
		_, _ = p.policies("PolicyInputList")
		_, _ = p.boundary()
		_, _ = p.resourcePolicy()
		if c, err := p.context(); err == nil {
			for k := range c {
				if k == "" {
					t.Fatalf("empty context key from %q", raw)
				}
			}
		}
	})
}

func TestHandles(t *testing.T) {
	iamCred := "AKIAEXAMPLE/20260101/us-east-1/iam/aws4_request"
	s3Cred := "AKIAEXAMPLE/20260101/us-east-1/s3/aws4_request"
	tests := []struct {
		name, method, target, authz, ctype string
		want                               bool
	}{
		{name: "signed for iam", method: "POST", target: "/", want: true,
			authz: "AWS4-HMAC-SHA256 Credential=" + iamCred + ", SignedHeaders=host, " +
				"Signature=00", ctype: "application/x-www-form-urlencoded"},
		{name: "presigned for iam", method: "GET", want: true,
			target: "/?Action=X&X-Amz-Credential=" + url.QueryEscape(iamCred)},
		{name: "signed for s3", method: "POST", target: "/",
			authz: "AWS4-HMAC-SHA256 Credential=" + s3Cred + ", SignedHeaders=host, " +
				"Signature=00", ctype: "application/x-www-form-urlencoded"},
		{name: "unsigned form post", method: "POST", target: "/", want: true,
			ctype: "application/x-www-form-urlencoded; charset=utf-8"},
		{name: "unsigned form post to a key", method: "POST", target: "/bucket/key",
			ctype: "application/x-www-form-urlencoded"},
		{name: "unsigned multipart post", method: "POST", target: "/",
			ctype: "multipart/form-data; boundary=x"},
		{name: "unsigned get", method: "GET", target: "/"},
		{name: "sigv2", method: "POST", target: "/", authz: "AWS AKIA:c2ln",
			ctype: "application/x-www-form-urlencoded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := http.NewRequest(tc.method, "http://127.0.0.1"+tc.target, nil)
			if err != nil {
				t.Fatal(err)
			}
			if tc.authz != "" {
				r.Header.Set("Authorization", tc.authz)
			}
			if tc.ctype != "" {
				r.Header.Set("Content-Type", tc.ctype)
			}
			if got := Handles(r); got != tc.want {
				t.Fatalf("Handles = %v, want %v", got, tc.want)
			}
		})
	}
}
