package s3api_test

import (
	"net/http"
	"testing"
)

// TestExpectedBucketOwnerMismatch checks x-amz-expected-bucket-owner: S3
// refuses with 403 AccessDenied a request whose bucket belongs to another
// account than the header names, so that a client never writes to or reads
// from a bucket someone else owns. trove used to ignore the header.
func TestExpectedBucketOwnerMismatch(t *testing.T) {
	cases := []struct{ name, method, key string }{
		{"put object", http.MethodPut, "owner-check"},
		{"get object", http.MethodGet, "doc"},
		{"list objects", http.MethodGet, ""},
	}
	e := newEnv(t, modes[0])
	put(t, e.s3(devRoot), "dev-main", "doc", "x")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := signed(t, &alice, "us-east-1", tc.method, e.objectURL("dev-main", tc.key),
				nil, map[string]string{"X-Amz-Expected-Bucket-Owner": "222222222222"})
			resp, b := e.do(t, req)
			checkErrorBody(t, resp, b, "AccessDenied", http.StatusForbidden)
		})
	}
}

// TestPostOperationsNotImplemented checks docs/limitations.md: POST
// operations trove does not serve (RestoreObject, SelectObjectContent)
// answer 501 NotImplemented naming the operation. trove used to answer 405
// MethodNotAllowed to every POST; multipart uploads are now served
// (multipart_test.go).
func TestPostOperationsNotImplemented(t *testing.T) {
	cases := []struct{ name, path string }{
		{"restore object", "/dev-main/big?restore"},
		{"select object content", "/dev-main/big?select&select-type=2"},
	}
	e := newEnv(t, modes[0])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := signed(t, &alice, "us-east-1", http.MethodPost,
				"http://"+e.addr()+tc.path, nil, nil)
			resp, b := e.do(t, req)
			checkErrorBody(t, resp, b, "NotImplemented", http.StatusNotImplemented)
		})
	}
}
