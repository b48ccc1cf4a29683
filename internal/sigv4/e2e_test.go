package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
)

// recorder is an S3-ish handler that authenticates each request and keeps
// what it decoded.
type recorder struct {
	v *Verifier

	mu       sync.Mutex // guards the fields below
	body     []byte
	encoding string // x-amz-content-sha256 of the last request
	sums     map[checksum.Algorithm]string
}

func (h *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	mode := r.Header.Get("X-Amz-Content-Sha256")
	auth, err := h.v.Verify(r)
	var data []byte
	if err == nil && auth.Body != nil {
		data, err = io.ReadAll(r.Body)
	}
	if err != nil {
		s3err.Write(w, r, s3err.From(err), "test")
		return
	}
	h.mu.Lock()
	h.body, h.encoding = data, mode
	if auth.Body != nil {
		h.sums = auth.Body.Checksums()
	}
	h.mu.Unlock()
	w.Header().Set("ETag", `"etag"`)
	w.WriteHeader(http.StatusOK)
}

func TestSDKPutObject(t *testing.T) {
	// The SDK config loader would read AWS_CA_BUNDLE; the client here is built
	// directly, and the variable is cleared so nothing picks it up.
	t.Setenv("AWS_CA_BUNDLE", "")
	payload := bytes.Repeat([]byte("trove end-to-end "), 20000) // 340 KB, several chunks
	tests := []struct {
		name     string
		tls      bool
		seekable bool
		secret   string
		alg      types.ChecksumAlgorithm // "" for the SDK default (CRC32)
		minimal  bool                    // checksums only when required
		want     string                  // error code from the SDK; "" for success
	}{
		{name: "http", seekable: true},
		{name: "tls", tls: true, seekable: true},
		{name: "tls unseekable", tls: true},
		{name: "http crc64nvme", seekable: true, alg: types.ChecksumAlgorithmCrc64nvme},
		{name: "tls crc32c", tls: true, alg: types.ChecksumAlgorithmCrc32c},
		{name: "tls sha1", tls: true, alg: types.ChecksumAlgorithmSha1},
		{name: "tls sha256", tls: true, alg: types.ChecksumAlgorithmSha256},
		{name: "tls crc64nvme", tls: true, alg: types.ChecksumAlgorithmCrc64nvme},
		{name: "http when required", seekable: true, minimal: true},
		{name: "tls when required", tls: true, seekable: true, minimal: true},
		{name: "http wrong secret", seekable: true, secret: "wrong", want: "SignatureDoesNotMatch"},
		{name: "tls wrong secret", tls: true, secret: "wrong", want: "SignatureDoesNotMatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := &recorder{v: &Verifier{Keys: mapKeys{testAK: testSecret}, Region: testRegion}}
			srv := httptest.NewUnstartedServer(h)
			if tt.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			calc := aws.RequestChecksumCalculationWhenSupported // the config default
			if tt.minimal {
				calc = aws.RequestChecksumCalculationWhenRequired
			}
			client := s3.New(s3.Options{
				RequestChecksumCalculation: calc,
				Region:                     testRegion,
				Credentials: credentials.NewStaticCredentialsProvider(testAK,
					or(tt.secret, testSecret), ""),
				BaseEndpoint:     aws.String(srv.URL),
				UsePathStyle:     true,
				HTTPClient:       srv.Client(),
				RetryMaxAttempts: 1,
			})
			var body io.Reader = bytes.NewReader(payload)
			if !tt.seekable {
				body = io.MultiReader(bytes.NewReader(payload))
			}
			_, err := client.PutObject(t.Context(), &s3.PutObjectInput{
				Bucket: aws.String("bucket"), Key: aws.String("dir/a key+é.txt"), Body: body,
				ContentLength: aws.Int64(int64(len(payload))), ChecksumAlgorithm: tt.alg})
			if tt.want != "" {
				var api smithy.APIError
				if !errors.As(err, &api) || api.ErrorCode() != tt.want {
					t.Fatalf("PutObject error = %v, want %s", err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			h.mu.Lock()
			defer h.mu.Unlock()
			if !bytes.Equal(h.body, payload) {
				t.Fatalf("server decoded %d bytes (%s), want %d", len(h.body), h.encoding,
					len(payload))
			}
			alg := checksum.CRC32
			if tt.alg != "" {
				alg, _ = checksum.Parse(string(tt.alg))
			}
			if tt.minimal {
				alg = checksum.CRC64NVME // trove's default when the client sends none
			}
			if h.sums[alg] != sumB64(alg, payload) {
				t.Fatalf("checksums %v (%s), want %s", h.sums, h.encoding, alg)
			}
			t.Logf("x-amz-content-sha256: %s", h.encoding)
		})
	}
}

// TestSDKGetPresigned drives a presigned GET made by the SDK's presign client.
func TestSDKGetPresigned(t *testing.T) {
	h := &recorder{v: &Verifier{Keys: mapKeys{testAK: testSecret}, Region: testRegion}}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := s3.New(s3.Options{Region: testRegion, BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true,
		Credentials:  credentials.NewStaticCredentialsProvider(testAK, testSecret, "")})
	pre, err := s3.NewPresignClient(client).PresignGetObject(t.Context(), &s3.GetObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String("a b/ü+c.txt")},
		s3.WithPresignExpires(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := srv.Client().Get(pre.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(resp.Body)
		t.Fatalf("status %d: %s", resp.StatusCode, msg)
	}
}
