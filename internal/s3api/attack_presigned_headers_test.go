package s3api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestPresignedRejectsUnsignedAmzHeaders checks that whoever holds a
// presigned URL cannot add x-amz-* headers the signer did not sign. S3
// answers 403 AccessDenied ("There were headers present in the request which
// were not signed") for presigned requests as for header-signed ones; trove
// used to accept them, letting the URL's holder set condition keys such as
// s3:x-amz-server-side-encryption and s3:x-amz-acl, and user metadata.
func TestPresignedRejectsUnsignedAmzHeaders(t *testing.T) {
	cases := []struct{ name, header, value string }{
		{"server-side encryption", "X-Amz-Server-Side-Encryption", "AES256"},
		{"acl", "X-Amz-Acl", "public-read"},
		{"user metadata", "X-Amz-Meta-Injected", "1"},
	}
	e := newEnv(t, modes[0])
	ps := s3.NewPresignClient(e.s3(alice))
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "presigned-unsigned/" + tc.name
			pput, err := ps.PresignPutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("dev-main"), Key: aws.String(key)},
				s3.WithPresignExpires(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			req := presigned(t, pput.Method, pput.URL, pput.SignedHeader, "payload")
			req.Header.Set(tc.header, tc.value)
			resp, b := e.do(t, req)
			checkErrorBody(t, resp, b, "AccessDenied", http.StatusForbidden)
			if _, err := get(e.s3(alice), "dev-main", key); errCode(err) != "NoSuchKey" {
				t.Errorf("object stored despite unsigned %s (get err %v)", tc.header, err)
			}
		})
	}
}
