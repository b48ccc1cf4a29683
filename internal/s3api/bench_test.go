package s3api_test

import (
	"context"
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

// BenchmarkAuthorizeScenario serves, in process, the PRD delegate's
// cross-account HEAD of a chart in the example's devtools-artifacts bucket:
// SigV4 verification, access key resolution, the policy decision against
// the scenario bucket policy and the delegate's identity policy, and the
// object lookup. BenchmarkBaselineNotFound is the same signed request for an
// unknown bucket: signing, verification and caller resolution without the
// bucket, the policy decision and the object, so the difference is what
// authorizing against the bucket policy adds.
func BenchmarkAuthorizeScenario(b *testing.B) {
	benchHead(b, "devtools-artifacts", http.StatusOK)
}

// BenchmarkBaselineNotFound is the baseline for BenchmarkAuthorizeScenario.
func BenchmarkBaselineNotFound(b *testing.B) {
	benchHead(b, "no-such-bucket", http.StatusNotFound)
}

func benchHead(b *testing.B, bucket string, want int) {
	ctx := context.Background()
	st := testutil.Stores(b, "../../examples/cross-account/organization.yaml")
	h := s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs, Directory: identity.New(st.Meta)})
	upload(b, h)
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLEDELEGATE1",
		SecretAccessKey: "EXAMPLE/delegate/notARealSecret000000000"}
	signer := v4.NewSigner()
	const empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodHead, "http://127.0.0.1:9000/"+bucket+
			"/charts/hello-0.1.0.tgz", nil)
		req.Header.Set("X-Amz-Content-Sha256", empty)
		if err := signer.SignHTTP(ctx, creds, req, empty, "s3", "eu-central-1",
			time.Now()); err != nil {
			b.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != want {
			b.Fatalf("status %d, want %d", w.Code, want)
		}
	}
}

// upload stores the chart as ci-publisher, with SSE as the policy demands.
func upload(b *testing.B, h http.Handler) {
	ctx := context.Background()
	creds := aws.Credentials{AccessKeyID: "AKIAEXAMPLEPUBLISHER",
		SecretAccessKey: "EXAMPLE/ci-publisher/notARealSecret00000"}
	req := httptest.NewRequest(http.MethodPut,
		"http://127.0.0.1:9000/devtools-artifacts/charts/hello-0.1.0.tgz", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	req.Header.Set("X-Amz-Server-Side-Encryption", "AES256")
	if err := v4.NewSigner().SignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3",
		"eu-central-1", time.Now()); err != nil {
		b.Fatal(err)
	}
	req.ContentLength = 0
	w := httptest.NewRecorder()
	h.ServeHTTP(w, req)
	if w.Code != http.StatusOK {
		b.Fatalf("upload: %d %s", w.Code, w.Body)
	}
}
