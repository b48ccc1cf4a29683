package s3api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/testutil"
)

// helmBenchCharts is how many chart versions the index benchmarks serve.
const helmBenchCharts = 1000

// BenchmarkHelmIndex1000 serves, in process, the PRD delegate's index.yaml
// of 1,000 chart versions under charts/ of the example's devtools-artifacts
// bucket, with every archive's metadata already cached: the listing, a
// record read and an authorization per chart, and the YAML. The baseline,
// BenchmarkHelmBaselineList1000, is the delegate's signed ListObjectsV2 of
// the same 1,000 keys in one page, so the ratio is what the view costs over
// the S3 listing a client would make.
func BenchmarkHelmIndex1000(b *testing.B) {
	h := helmBenchHandler(b)
	get := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet,
			"http://127.0.0.1:9000/-/helm/devtools-artifacts/charts/index.yaml", nil)
		req.SetBasicAuth("AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
		return req
	}
	serveBench(b, h, get)
}

// BenchmarkHelmBaselineList1000 is the baseline of BenchmarkHelmIndex1000.
func BenchmarkHelmBaselineList1000(b *testing.B) {
	h := helmBenchHandler(b)
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLEDELEGATE1",
		SecretAccessKey: "EXAMPLE/delegate/notARealSecret000000000"}
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	get := func() *http.Request {
		req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:9000/devtools-artifacts"+
			"?list-type=2&prefix=charts%2F&max-keys=1000", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, empty, "s3",
			"eu-central-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		return req
	}
	serveBench(b, h, get)
}

// serveBench serves the request newReq makes once to warm up, then in the
// loop, and reports its size.
func serveBench(b *testing.B, h http.Handler, newReq func() *http.Request) {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, newReq())
	if w.Code != http.StatusOK {
		b.Fatalf("status %d: %s", w.Code, w.Body)
	}
	b.ReportMetric(float64(w.Body.Len()), "bytes/response")
	b.ReportAllocs()
	for b.Loop() {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, newReq())
		if w.Code != http.StatusOK {
			b.Fatalf("status %d", w.Code)
		}
	}
}

// helmBenchHandler is a handler over the example organization with
// helmBenchCharts versions of a chart published as ci-publisher.
func helmBenchHandler(b *testing.B) http.Handler {
	st := testutil.Stores(b, "../../examples/cross-account/organization.yaml")
	h := s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs, Directory: identity.New(st.Meta)})
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLEPUBLISHER",
		SecretAccessKey: "EXAMPLE/ci-publisher/notARealSecret00000"}
	for i := range helmBenchCharts {
		version := fmt.Sprintf("1.%d.%d", i/100, i%100)
		body := chartTGZ(b, "app", version, "")
		req := httptest.NewRequest(http.MethodPut, "http://127.0.0.1:9000/devtools-artifacts/"+
			"charts/app-"+version+".tgz", bytes.NewReader(body))
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
		req.Header.Set("X-Amz-Server-Side-Encryption", "AES256")
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, "UNSIGNED-PAYLOAD",
			"s3", "eu-central-1", time.Now()); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("put %s: %d %s", version, w.Code, w.Body)
		}
	}
	return h
}
