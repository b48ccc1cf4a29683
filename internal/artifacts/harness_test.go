package artifacts_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/testutil"
)

// The cross-account example: ci-publisher (devtools) writes the bucket,
// delegate (prd, same organization) may only read it through the bucket
// policy, intruder (outside the organization) may not.
const (
	exampleOrg = "../../examples/cross-account/organization.yaml"
	bucket     = "devtools-artifacts"
	region     = "eu-central-1"
)

// key is a published example access key.
type key struct{ id, secret string }

var (
	publisher = key{"AKIAEXAMPLEPUBLISHER", "EXAMPLE/ci-publisher/notARealSecret00000"}
	delegate  = key{"AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000"}
	intruder  = key{"AKIAEXAMPLEINTRUDER1", "EXAMPLE/intruder/notARealSecret000000000"}
)

// trove is a trove on 127.0.0.1 with a recorder and a tamperer in front.
type trove struct {
	srv *httptest.Server
	rec *recorder
}

// startTrove serves the example organization until the test ends. The
// SDK's environment is kept from reaching instance metadata.
func startTrove(t *testing.T) *trove {
	t.Helper()
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	rec := &recorder{}
	h := testutil.Handler(testutil.Stores(t, exampleOrg))
	srv := httptest.NewServer(rec.wrap(tamper(h)))
	t.Cleanup(srv.Close)
	return &trove{srv: srv, rec: rec}
}

// config is an SDK configuration with k's static credentials and nothing
// loaded from the environment or shared files. Uploads carry checksums, as
// with LoadDefaultConfig; downloads validate them only when asked, so that
// Pull's own checksum mode is what the tests exercise.
func config(k key) aws.Config {
	return aws.Config{
		Region:      region,
		Credentials: credentials.NewStaticCredentialsProvider(k.id, k.secret, ""),

		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	}
}

// client returns an artifacts client of k for src at tr.
func (tr *trove) client(t *testing.T, k key, src artifacts.Source) *artifacts.Client {
	t.Helper()
	src.Endpoint, src.Bucket = tr.srv.URL, bucket
	c, err := artifacts.New(config(k), src)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// put uploads each key with its body as ci-publisher, encrypted as the
// bucket policy requires, eight at a time.
func (tr *trove) put(t *testing.T, objects map[string][]byte) {
	t.Helper()
	c := s3.NewFromConfig(config(publisher), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(tr.srv.URL), true
	})
	var wg sync.WaitGroup
	errs := make(chan error, len(objects))
	sem := make(chan struct{}, 8)
	for k, body := range objects {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String(bucket), Key: aws.String(k), Body: bytes.NewReader(body),
				ServerSideEncryption: types.ServerSideEncryptionAes256})
			if err != nil {
				errs <- fmt.Errorf("put %s: %w", k, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// recorder keeps the method and target of every request.
type recorder struct {
	mu   sync.Mutex // guards reqs
	reqs []string
}

func (r *recorder) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req.Method+" "+req.URL.RequestURI())
		r.mu.Unlock()
		next.ServeHTTP(w, req)
	})
}

// reset forgets the requests seen so far.
func (r *recorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reqs = nil
}

// requests returns the requests seen since the last reset.
func (r *recorder) requests() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.reqs...)
}

// tamper corrupts object downloads by the key's first path segment: under
// flip/ the body's first byte is inverted, under strip/ the checksum headers
// are removed, under flipstrip/ both.
func tamper(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet {
			p := r.URL.Path
			flip := strings.Contains(p, "/flip/") || strings.Contains(p, "/flipstrip/")
			strip := strings.Contains(p, "/strip/") || strings.Contains(p, "/flipstrip/")
			if flip || strip {
				w = &tamperWriter{ResponseWriter: w, flip: flip, strip: strip}
			}
		}
		next.ServeHTTP(w, r)
	})
}

type tamperWriter struct {
	http.ResponseWriter
	flip, strip bool
	status      int
	flipped     bool
}

func (t *tamperWriter) WriteHeader(code int) {
	t.status = code
	if t.strip {
		for k := range t.Header() {
			if strings.HasPrefix(strings.ToLower(k), "x-amz-checksum-") {
				t.Header().Del(k)
			}
		}
	}
	t.ResponseWriter.WriteHeader(code)
}

func (t *tamperWriter) Write(p []byte) (int, error) {
	if t.status == 0 {
		t.WriteHeader(http.StatusOK)
	}
	if t.flip && !t.flipped && t.status == http.StatusOK && len(p) > 0 {
		q := bytes.Clone(p)
		q[0] ^= 0xff
		t.flipped = true
		return t.ResponseWriter.Write(q)
	}
	return t.ResponseWriter.Write(p)
}
