package s3api_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestUnsupportedEncryptionRefused checks docs/limitations.md's promise that
// SSE-C and SSE-KMS requests are refused, never silently accepted: trove
// used to store such uploads in plain text, answer 200 and serve them
// back without the customer key.
func TestUnsupportedEncryptionRefused(t *testing.T) {
	cases := []struct {
		name    string
		headers map[string]string
	}{
		{"sse-c", map[string]string{
			"X-Amz-Server-Side-Encryption-Customer-Algorithm": "AES256",
			"X-Amz-Server-Side-Encryption-Customer-Key": "MDEyMzQ1Njc4OTAxMjM0NTY3" +
				"ODkwMTIzNDU2Nzg5MDE=",
			"X-Amz-Server-Side-Encryption-Customer-Key-Md5": "Dy7tgwCvf4Y4U5dW5Ygq3w==",
		}},
		{"kms key id without kms", map[string]string{
			"X-Amz-Server-Side-Encryption-Aws-Kms-Key-Id": "arn:aws:kms:us-east-1:" +
				"111111111111:key/00000000-0000-0000-0000-000000000000",
		}},
	}
	e := newEnv(t, modes[0])
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "sse/" + strings.ReplaceAll(tc.name, " ", "-")
			req := signed(t, &alice, "us-east-1", http.MethodPut, e.objectURL("dev-main", key),
				[]byte("secret"), tc.headers)
			resp, b := e.do(t, req)
			if resp.StatusCode == http.StatusOK {
				t.Fatalf("upload with %v accepted: 200 %s", tc.headers, b)
			}
			if _, ok := tc.headers["X-Amz-Server-Side-Encryption-Customer-Algorithm"]; ok {
				checkErrorBody(t, resp, b, "NotImplemented", http.StatusNotImplemented)
			}
			if _, err := get(e.s3(alice), "dev-main", key); errCode(err) != "NoSuchKey" {
				t.Errorf("object stored (get err %v)", err)
			}
		})
	}
}
