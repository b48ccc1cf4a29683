package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// errorCase is one request S3 refuses, and the refusal it must get.
type errorCase struct {
	name   string
	method string
	// path is the URL path and query; {upload} stands for the id of an
	// upload in progress to dev-main/mp.
	path    string
	headers map[string]string
	body    string
	signer  *principal // nil: devRoot
	// prepare, when set, changes the request after signing.
	prepare func(req *http.Request)
	// chunked sends the body without a Content-Length.
	chunked bool
	code    string
	status  int
	// elems are extra elements the error document must carry.
	elems map[string]string
}

// s3ErrorDoc is S3's XML error document with the elements the cases check.
type s3ErrorDoc struct {
	XMLName          xml.Name `xml:"Error"`
	Code             string   `xml:"Code"`
	Message          string   `xml:"Message"`
	RequestID        string   `xml:"RequestId"`
	BucketName       string   `xml:"BucketName"`
	RangeRequested   string   `xml:"RangeRequested"`
	ActualObjectSize string   `xml:"ActualObjectSize"`
	ArgumentName     string   `xml:"ArgumentName"`
	ArgumentValue    string   `xml:"ArgumentValue"`
	Size             string   `xml:"Size"`
	MaxSizeAllowed   string   `xml:"MaxSizeAllowed"`
	ExpectedDigest   string   `xml:"ExpectedDigest"`
	CalculatedDigest string   `xml:"CalculatedDigest"`
}

// elem returns the element name of d, "" for names the cases never check.
func (d s3ErrorDoc) elem(name string) string {
	return map[string]string{"BucketName": d.BucketName, "RangeRequested": d.RangeRequested,
		"ActualObjectSize": d.ActualObjectSize, "ArgumentName": d.ArgumentName,
		"ArgumentValue": d.ArgumentValue, "Size": d.Size,
		"MaxSizeAllowed": d.MaxSizeAllowed, "ExpectedDigest": d.ExpectedDigest,
		"CalculatedDigest": d.CalculatedDigest}[name]
}

// md5Of is the Content-MD5 value of s.
func md5Of(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

var errorCases = []errorCase{
	// Malformed XML bodies.
	{name: "DeleteObjects malformed", method: "POST", path: "/dev-main?delete",
		body:    "<Delete><Object><Key>a</Key>",
		headers: map[string]string{"Content-MD5": md5Of("<Delete><Object><Key>a</Key>")},
		code:    "MalformedXML", status: 400},
	{name: "DeleteObjects no objects", method: "POST", path: "/dev-main?delete",
		body:    "<Delete></Delete>",
		headers: map[string]string{"Content-MD5": md5Of("<Delete></Delete>")},
		code:    "MalformedXML", status: 400},
	{name: "CreateBucket location malformed", method: "PUT", path: "/dev-errors-new",
		body: "<CreateBucketConfiguration><LocationConstraint>eu-west-1",
		code: "MalformedXML", status: 400},
	{name: "PutBucketVersioning malformed", method: "PUT", path: "/dev-main?versioning",
		body: "<VersioningConfiguration><Status>Enabled", code: "MalformedXML", status: 400},
	{name: "PutObjectTagging malformed", method: "PUT", path: "/dev-main/small?tagging",
		body: "<Tagging><TagSet><Tag>", code: "MalformedXML", status: 400},
	{name: "CompleteMultipartUpload malformed", method: "POST",
		path: "/dev-main/mp?uploadId={upload}", body: "<CompleteMultipartUpload><Part>",
		code: "MalformedXML", status: 400},

	// Headers.
	{name: "header section too large", method: "GET", path: "/dev-main/small",
		headers: map[string]string{"X-Padding": strings.Repeat("p", 9<<10)},
		code:    "RequestHeaderSectionTooLarge", status: 400},
	{name: "missing content length", method: "PUT", path: "/dev-main/chunked",
		body: "streamed without a length", chunked: true,
		code: "MissingContentLength", status: 411},

	// Ranges: a start beyond the object; S3 names the range and the size.
	{name: "range beyond the end", method: "GET", path: "/dev-main/small",
		headers: map[string]string{"Range": "bytes=20-30"}, code: "InvalidRange", status: 416,
		elems: map[string]string{"RangeRequested": "bytes=20-30", "ActualObjectSize": "10"}},
	{name: "empty suffix range", method: "GET", path: "/dev-main/small",
		headers: map[string]string{"Range": "bytes=-0"}, code: "InvalidRange", status: 416,
		elems: map[string]string{"RangeRequested": "bytes=-0", "ActualObjectSize": "10"}},

	// Part numbers run from 1 to 10,000.
	{name: "part number zero", method: "PUT", path: "/dev-main/mp?partNumber=0&uploadId={upload}",
		body: "part", code: "InvalidArgument", status: 400,
		elems: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "0"}},
	{name: "part number too high", method: "PUT",
		path: "/dev-main/mp?partNumber=10001&uploadId={upload}", body: "part",
		code: "InvalidArgument", status: 400,
		elems: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "10001"}},
	{name: "part number not a number", method: "PUT",
		path: "/dev-main/mp?partNumber=one&uploadId={upload}", body: "part",
		code: "InvalidArgument", status: 400,
		elems: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "one"}},

	// GetObject by part number: out of range as UploadPart, beyond the
	// object's parts, or with a Range header too.
	{name: "GetObject part number zero", method: "GET", path: "/dev-main/small?partNumber=0",
		code: "InvalidArgument", status: 400,
		elems: map[string]string{"ArgumentName": "partNumber", "ArgumentValue": "0"}},
	{name: "GetObject part beyond a single-part object", method: "GET",
		path: "/dev-main/small?partNumber=2", code: "InvalidPartNumber", status: 416},
	{name: "GetObject part number with a range", method: "GET",
		path: "/dev-main/small?partNumber=1", headers: map[string]string{"Range": "bytes=0-1"},
		code: "InvalidRequest", status: 400},
	{name: "unknown upload", method: "PUT", path: "/dev-main/mp?partNumber=1&uploadId=nope",
		body: "part", code: "NoSuchUpload", status: 404},

	// Names.
	{name: "bucket name too short", method: "PUT", path: "/ab", code: "InvalidBucketName",
		status: 400, elems: map[string]string{"BucketName": "ab"}},
	{name: "bucket name upper case", method: "PUT", path: "/Dev-Upper",
		code: "InvalidBucketName", status: 400,
		elems: map[string]string{"BucketName": "Dev-Upper"}},
	{name: "bucket name an IP address", method: "PUT", path: "/192.168.5.4",
		code: "InvalidBucketName", status: 400,
		elems: map[string]string{"BucketName": "192.168.5.4"}},
	{name: "key too long", method: "PUT", path: "/dev-main/" + strings.Repeat("k", 1025),
		body: "x", code: "KeyTooLongError", status: 400,
		elems: map[string]string{"Size": "1025", "MaxSizeAllowed": "1024"}},

	// Digests.
	{name: "Content-MD5 mismatch", method: "PUT", path: "/dev-main/digest",
		body: "the body", headers: map[string]string{"Content-MD5": md5Of("another body")},
		code: "BadDigest", status: 400, elems: map[string]string{
			"ExpectedDigest": md5Of("another body"), "CalculatedDigest": md5Of("the body")}},
	{name: "Content-MD5 not base64", method: "PUT", path: "/dev-main/digest",
		body: "the body", headers: map[string]string{"Content-MD5": "not base64!"},
		code: "InvalidDigest", status: 400},
	{name: "Content-MD5 too short", method: "PUT", path: "/dev-main/digest",
		body: "the body", headers: map[string]string{"Content-MD5": "AAAA"},
		code: "InvalidDigest", status: 400},

	{name: "DeleteObjects without a digest", method: "POST", path: "/dev-main?delete",
		body: "<Delete><Object><Key>a</Key></Object></Delete>",
		code: "InvalidRequest", status: 400},
	{name: "DeleteObjects digest mismatch", method: "POST", path: "/dev-main?delete",
		body:    "<Delete><Object><Key>a</Key></Object></Delete>",
		headers: map[string]string{"Content-MD5": md5Of("<Delete></Delete>")},
		code:    "BadDigest", status: 400},

	// Signatures.
	{name: "wrong secret", method: "GET", path: "/dev-main/small",
		signer: &principal{devRoot.id, "wrong/secret/000000000000000000000000000"},
		code:   "SignatureDoesNotMatch", status: 403},
	{name: "signed header changed", method: "PUT", path: "/dev-main/tampered", body: "x",
		headers: map[string]string{"X-Amz-Meta-Color": "blue"},
		prepare: func(req *http.Request) { req.Header.Set("X-Amz-Meta-Color", "red") },
		code:    "SignatureDoesNotMatch", status: 403},
}

// TestErrorCases checks that each refused request gets S3's code, status
// and XML error document, with the request id of the response.
func TestErrorCases(t *testing.T) {
	e := newEnv(t, mode{name: "path-http"})
	put(t, e.s3(devRoot), "dev-main", "small", "0123456789")
	upload := createUpload(t, e, "dev-main", "mp")
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := e.do(t, tc.request(t, e, upload))
			checkErrorDoc(t, resp, body, tc)
		})
	}
}

// request builds and signs tc's request.
func (tc errorCase) request(t *testing.T, e *env, upload string) *http.Request {
	signer := tc.signer
	if signer == nil {
		signer = &devRoot
	}
	path := strings.ReplaceAll(tc.path, "{upload}", upload)
	req := signed(t, signer, "us-east-1", tc.method, e.endpoint()+path, []byte(tc.body),
		tc.headers)
	if tc.chunked {
		// An unknown length makes net/http send the body chunked; the
		// signature must then not cover a Content-Length.
		req.ContentLength = -1
		req.Body = io.NopCloser(bytes.NewReader([]byte(tc.body)))
		creds := aws.Credentials{AccessKeyID: signer.id, SecretAccessKey: signer.secret}
		err := v4.NewSigner().SignHTTP(context.Background(), creds, req,
			req.Header.Get("X-Amz-Content-Sha256"), "s3", "us-east-1", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
	}
	if tc.prepare != nil {
		tc.prepare(req)
	}
	return req
}

// checkErrorDoc checks resp and its body against tc.
func checkErrorDoc(t *testing.T, resp *http.Response, body []byte, tc errorCase) {
	t.Helper()
	if resp.StatusCode != tc.status {
		t.Errorf("status %d, want %d; body %s", resp.StatusCode, tc.status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/xml" {
		t.Errorf("Content-Type %q, want application/xml", ct)
	}
	var doc s3ErrorDoc
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("error body is not an S3 error document: %v\n%s", err, body)
	}
	if doc.Code != tc.code || doc.Message == "" {
		t.Errorf("code %q message %q, want code %q and a message", doc.Code, doc.Message,
			tc.code)
	}
	if id := resp.Header.Get("x-amz-request-id"); id == "" || doc.RequestID != id {
		t.Errorf("RequestId %q, header x-amz-request-id %q", doc.RequestID, id)
	}
	for name, want := range tc.elems {
		if got := doc.elem(name); got != want {
			t.Errorf("<%s> %q, want %q", name, got, want)
		}
	}
}

// createUpload starts a multipart upload of bucket/key and returns its id.
func createUpload(t *testing.T, e *env, bucket, key string) string {
	t.Helper()
	req := signed(t, &devRoot, "us-east-1", "POST", e.objectURL(bucket, key)+"?uploads", nil,
		nil)
	resp, body := e.do(t, req)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("CreateMultipartUpload: status %d: %s", resp.StatusCode, body)
	}
	var out struct {
		UploadID string `xml:"UploadId"`
	}
	if err := xml.Unmarshal(body, &out); err != nil || out.UploadID == "" {
		t.Fatalf("CreateMultipartUpload answer %s: %v", body, err)
	}
	return out.UploadID
}
