package s3api_test

import (
	"context"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func TestAuthErrors(t *testing.T) {
	tests := []struct {
		name   string
		p      principal
		region string
		code   string
		status int
	}{
		{"unknown access key", principal{"AKIATESTNOSUCHKEY001", devRoot.secret}, "us-east-1",
			"InvalidAccessKeyId", 403},
		{"wrong secret", principal{alice.id, "test/not-alices-secret/000000000000000000"},
			"us-east-1", "SignatureDoesNotMatch", 403},
		{"signed for the wrong region", alice, "eu-west-1", "AuthorizationHeaderMalformed", 400},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := e.s3(tt.p, func(o *s3.Options) { o.Region = tt.region })
				_, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
					Bucket: aws.String("dev-main")})
				wantErr(t, err, tt.code, tt.status)
				_, err = c.PutObject(context.Background(), &s3.PutObjectInput{
					Bucket: aws.String("dev-main"), Key: aws.String("k"),
					Body: strings.NewReader("body")})
				wantErr(t, err, tt.code, tt.status)
			})
		}
	})
}

// TestWrongRegionForEUBucket signs for us-east-1 a request to a bucket in
// eu-west-1.
func TestWrongRegionForEUBucket(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		_, err := get(e.s3(alice), "dev-eu", "k")
		wantErr(t, err, "AuthorizationHeaderMalformed", http.StatusBadRequest)
		eu := e.s3(alice, func(o *s3.Options) { o.Region = "eu-west-1" })
		put(t, eu, "dev-eu", "k", "in europe")
		if got, err := get(eu, "dev-eu", "k"); err != nil || got != "in europe" {
			t.Fatalf("get from eu-west-1: %q, %v", got, err)
		}
	})
}

// TestAccess checks who may read and list which bucket, with AWS's rules:
// same account, identity policy or bucket policy suffices; across accounts
// both must allow; anonymous callers need a bucket policy granting "*".
func TestAccess(t *testing.T) {
	tests := []struct {
		name   string
		p      *principal // nil: anonymous
		bucket string
		key    string
		code   string // "" when allowed
	}{
		{"owner root", &devRoot, "dev-main", "doc", ""},
		{"same-account user with identity policy", &alice, "dev-main", "doc", ""},
		{"same-account user without any grant", &nobody, "dev-main", "doc", "AccessDenied"},
		{"same-account user named by bucket policy alone", &named, "dev-named", "doc", ""},
		{"same-account user not named", &nobody, "dev-named", "doc", "AccessDenied"},
		{"named user elsewhere", &named, "dev-main", "doc", "AccessDenied"},
		{"cross-account: identity and bucket policy", &delegate, "dev-shared", "doc", ""},
		{"cross-account: identity only", &delegate, "dev-main", "doc", "AccessDenied"},
		{"cross-account: bucket policy only", &bystander, "dev-shared", "doc", "AccessDenied"},
		{"cross-account root: bucket policy only", &prdRoot, "dev-shared", "doc", ""},
		{"outside org: identity allows all", &outsider, "dev-shared", "doc", "AccessDenied"},
		{"outside org: public prefix", &outsider, "dev-shared", "public/doc", ""},
		{"org member without identity: public prefix", &bystander, "dev-shared", "public/doc",
			"AccessDenied"},
		{"anonymous: public prefix", nil, "dev-shared", "public/doc", ""},
		{"anonymous: private key", nil, "dev-shared", "doc", "AccessDenied"},
		{"anonymous: bucket without policy", nil, "dev-main", "doc", "AccessDenied"},
		{"locked bucket: owner root", &devRoot, "dev-locked", "doc", "AccessDenied"},
		{"locked bucket: user", &alice, "dev-locked", "doc", "AccessDenied"},
	}
	forModes(t, func(t *testing.T, e *env) {
		seed(t, e)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := e.objectURL(tt.bucket, tt.key)
				resp, b := e.do(t, signed(t, tt.p, "us-east-1", http.MethodGet, u, nil, nil))
				if tt.code == "" {
					if resp.StatusCode != http.StatusOK || string(b) != tt.bucket+"/"+tt.key {
						t.Fatalf("GET %s: %s %q", u, resp.Status, b)
					}
					return
				}
				checkErrorBody(t, resp, b, tt.code, http.StatusForbidden)
			})
		}
	})
}

func TestPutAccess(t *testing.T) {
	tests := []struct {
		name   string
		p      *principal
		bucket string
		code   string
	}{
		{"owner user", &alice, "dev-main", ""},
		{"user with GetObject only", &reader, "dev-main", "AccessDenied"},
		{"cross-account reader", &delegate, "dev-shared", "AccessDenied"},
		{"outside org with s3:*", &outsider, "dev-main", "AccessDenied"},
		{"anonymous", nil, "dev-shared", "AccessDenied"},
		{"locked bucket", &alice, "dev-locked", "AccessDenied"},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				req := signed(t, tt.p, "us-east-1", http.MethodPut,
					e.objectURL(tt.bucket, "public/upload"), []byte("data"), nil)
				resp, b := e.do(t, req)
				if tt.code == "" {
					if resp.StatusCode != http.StatusOK {
						t.Fatalf("%s %s", resp.Status, b)
					}
					return
				}
				checkErrorBody(t, resp, b, tt.code, http.StatusForbidden)
			})
		}
	})
}

// seed puts bucket/key objects whose body is "bucket/key" for TestAccess,
// each as the bucket's owner root (the locked bucket gets none).
func seed(t *testing.T, e *env) {
	t.Helper()
	c := e.s3(devRoot)
	for _, o := range [][2]string{{"dev-main", "doc"}, {"dev-named", "doc"},
		{"dev-shared", "doc"}, {"dev-shared", "public/doc"}} {
		put(t, c, o[0], o[1], o[0]+"/"+o[1])
	}
}

// TestMissingKey checks that a missing key is NoSuchKey only for callers
// who may list the bucket, and AccessDenied for the others.
func TestMissingKey(t *testing.T) {
	tests := []struct {
		name   string
		p      principal
		bucket string
		code   string
		status int
	}{
		{"owner user with s3:ListBucket", alice, "dev-main", "NoSuchKey", 404},
		{"owner root", devRoot, "dev-main", "NoSuchKey", 404},
		{"user with GetObject only", reader, "dev-main", "AccessDenied", 403},
		{"cross-account with ListBucket", delegate, "dev-shared", "NoSuchKey", 404},
		{"named user via bucket policy", named, "dev-named", "NoSuchKey", 404},
	}
	forModes(t, func(t *testing.T, e *env) {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := get(e.s3(tt.p), tt.bucket, "no/such/key")
				wantErr(t, err, tt.code, tt.status)
			})
		}
		t.Run("head with GetObject only", func(t *testing.T) {
			_, err := e.s3(reader).HeadObject(context.Background(), &s3.HeadObjectInput{
				Bucket: aws.String("dev-main"), Key: aws.String("no/such/key")})
			wantErr(t, err, "", http.StatusForbidden)
		})
	})
}

// errorDoc is S3's XML error body.
type errorDoc struct {
	XMLName   xml.Name `xml:"Error"`
	Code      string   `xml:"Code"`
	Message   string   `xml:"Message"`
	RequestID string   `xml:"RequestId"`
}

// checkErrorBody checks status and that body is an S3 XML error with code, a
// message, and the request id the x-amz-request-id header names.
func checkErrorBody(t *testing.T, resp *http.Response, body []byte, code string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status %d, want %d; body %s", resp.StatusCode, status, body)
	}
	var doc errorDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("error body is not XML: %v: %q", err, body)
	}
	if doc.Code != code {
		t.Errorf("Code %q, want %q (message %q)", doc.Code, code, doc.Message)
	}
	if doc.Message == "" {
		t.Errorf("empty Message in %s", body)
	}
	id := resp.Header.Get("x-amz-request-id")
	if id == "" || doc.RequestID != id {
		t.Errorf("RequestId %q, x-amz-request-id header %q", doc.RequestID, id)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "xml") {
		t.Errorf("Content-Type %q, want XML", ct)
	}
}

// TestErrorBodies sends requests with plain net/http and checks each error
// response is S3's XML with a request id matching the header.
func TestErrorBodies(t *testing.T) {
	long := strings.Repeat("k", 1025)
	bad := principal{alice.id, "test/wrong-secret/00000000000000000000000"}
	unknown := principal{"AKIATESTNOSUCHKEY001", alice.secret}
	tests := []struct {
		name           string
		p              *principal
		region, method string
		bucket, key    string
		query          string
		header         map[string]string
		body           string
		code           string
		status         int
	}{
		{name: "anonymous read", method: "GET", bucket: "dev-main", key: "doc",
			code: "AccessDenied", status: 403},
		{name: "anonymous list buckets", method: "GET", code: "AccessDenied", status: 403},
		{name: "no such bucket", p: &alice, method: "GET", bucket: "no-such-bucket", key: "k",
			code: "NoSuchBucket", status: 404},
		{name: "no such key", p: &alice, method: "GET", bucket: "dev-main", key: "missing",
			code: "NoSuchKey", status: 404},
		{name: "bad signature", p: &bad, method: "GET", bucket: "dev-main", key: "doc",
			code: "SignatureDoesNotMatch", status: 403},
		{name: "unknown key", p: &unknown, method: "GET", bucket: "dev-main", key: "doc",
			code: "InvalidAccessKeyId", status: 403},
		{name: "wrong region", p: &alice, region: "eu-west-1", method: "GET",
			bucket: "dev-main", key: "doc", code: "AuthorizationHeaderMalformed", status: 400},
		{name: "invalid range", p: &alice, method: "GET", bucket: "dev-main", key: "doc",
			header: map[string]string{"Range": "bytes=100-"}, code: "InvalidRange",
			status: 416},
		{name: "precondition failed", p: &alice, method: "GET", bucket: "dev-main", key: "doc",
			header: map[string]string{"If-Match": `"nope"`}, code: "PreconditionFailed",
			status: 412},
		{name: "key too long", p: &alice, method: "PUT", bucket: "dev-main", key: long,
			body: "x", code: "KeyTooLongError", status: 400},
		{name: "invalid bucket name", p: &alice, method: "PUT", bucket: "Bad_Name",
			code: "InvalidBucketName", status: 400},
		{name: "bucket exists", p: &prdRoot, method: "PUT", bucket: "dev-main",
			code: "BucketAlreadyExists", status: 409},
		{name: "bucket not empty", p: &alice, method: "DELETE", bucket: "dev-main",
			code: "BucketNotEmpty", status: 409},
		{name: "no bucket policy", p: &alice, method: "GET", bucket: "dev-main",
			query: "policy", code: "NoSuchBucketPolicy", status: 404},
		{name: "malformed policy", p: &alice, method: "PUT", bucket: "dev-main",
			query: "policy", body: "{", code: "MalformedPolicy", status: 400},
		{name: "unimplemented subresource", p: &alice, method: "GET", bucket: "dev-main",
			query: "lifecycle", code: "NotImplemented", status: 501},
		{name: "method not allowed", p: &alice, method: "POST", bucket: "dev-main", key: "doc",
			code: "MethodNotAllowed", status: 405},
		{name: "invalid max-keys", p: &alice, method: "GET", bucket: "dev-main",
			query: "max-keys=-1", code: "InvalidArgument", status: 400},
	}
	forModes(t, func(t *testing.T, e *env) {
		put(t, e.s3(alice), "dev-main", "doc", "0123456789")
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				u := e.objectURL(tt.bucket, tt.key)
				if tt.bucket == "" {
					u = e.objectURL("", "")
					if e.mode.vhost {
						u = e.endpoint() + "/"
					}
				}
				if tt.query != "" {
					u += "?" + tt.query
				}
				region := tt.region
				if region == "" {
					region = "us-east-1"
				}
				req := signed(t, tt.p, region, tt.method, u, []byte(tt.body), tt.header)
				resp, b := e.do(t, req)
				checkErrorBody(t, resp, b, tt.code, tt.status)
			})
		}
	})
}
