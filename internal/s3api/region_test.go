package s3api_test

import (
	"net/http"
	"testing"
)

// TestWrongRegionNamesTheBucketRegion checks that a request signed for the
// wrong region learns the bucket's region from x-amz-bucket-region, even on a
// bodiless HEAD error, so that clients can redirect themselves as they do
// with S3.
func TestWrongRegionNamesTheBucketRegion(t *testing.T) {
	e := newEnv(t, modes[0])
	tests := []struct {
		name, method, path string
		want               int
	}{
		{"head bucket", http.MethodHead, "/dev-eu", http.StatusBadRequest},
		{"head object", http.MethodHead, "/dev-eu/missing", http.StatusBadRequest},
		{"list", http.MethodGet, "/dev-eu?list-type=2", http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := signed(t, &devRoot, "us-east-1", tc.method, e.endpoint()+tc.path, nil, nil)
			resp, _ := e.do(t, req)
			if resp.StatusCode != tc.want || resp.Header.Get("x-amz-bucket-region") != "eu-west-1" {
				t.Errorf("status %d, x-amz-bucket-region %q; want %d and eu-west-1",
					resp.StatusCode, resp.Header.Get("x-amz-bucket-region"), tc.want)
			}
		})
	}
}
