package artifacts_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

// benchKeys is how many chart versions BenchmarkList100k lists.
const benchKeys = 100_000

// BenchmarkList100k finds the versions of charts/app-*.tgz among 100,000
// (app-0.0.0.tgz to app-99.9.99.tgz) as the PRD delegate, over loopback HTTP
// to a trove handler, with the client and the server on the same cores:
//   - List: every page of ListObjectsV2 and the SemVer ordering of all the
//     versions; keys/s is the versions found per second.
//   - Latest: the time to the newest version (ns/op).
//   - Baseline: the same ListObjectsV2 pages through the SDK alone, measured
//     in the same run; List's vs-sdk is its keys/s over the baseline's.
func BenchmarkList100k(b *testing.B) {
	b.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	st := testutil.Stores(b, exampleOrg)
	fillCharts(b, st.Meta)
	srv := httptest.NewServer(testutil.Handler(st))
	b.Cleanup(srv.Close)
	src := artifacts.Source{Endpoint: srv.URL, Bucket: bucket, Pattern: "charts/app-*.tgz"}
	c, err := artifacts.New(config(delegate), src)
	if err != nil {
		b.Fatal(err)
	}
	sdkRate := 0.0
	b.Run("Baseline", func(b *testing.B) {
		for b.Loop() {
			if n := sdkList(b, srv.URL); n != benchKeys {
				b.Fatalf("listed %d keys, want %d", n, benchKeys)
			}
		}
		sdkRate = float64(benchKeys*b.N) / b.Elapsed().Seconds()
		b.ReportMetric(sdkRate, "keys/s")
	})
	b.Run("List", func(b *testing.B) {
		for b.Loop() {
			res, err := c.List(context.Background())
			if err != nil || len(res.Artifacts) != benchKeys {
				b.Fatalf("List: %d artifacts, %v", len(res.Artifacts), err)
			}
		}
		rate := float64(benchKeys*b.N) / b.Elapsed().Seconds()
		b.ReportMetric(rate, "keys/s")
		if sdkRate > 0 {
			b.ReportMetric(rate/sdkRate, "vs-sdk")
		}
	})
	b.Run("Latest", func(b *testing.B) {
		for b.Loop() {
			a, err := c.Latest(context.Background())
			if err != nil || a.Version != "99.9.99" {
				b.Fatalf("Latest = %q, %v; want 99.9.99", a.Version, err)
			}
		}
	})
}

// fillCharts records benchKeys chart versions in the bucket directly in
// the metadata store: the listing reads only records.
func fillCharts(b *testing.B, m store.Meta) {
	b.Helper()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range benchKeys {
		key := fmt.Sprintf("charts/app-%d.%d.%d.tgz", i/1000, i/100%10, i%100)
		_, err := m.PutObject(context.Background(), store.Object{Bucket: bucket, Key: key,
			BlobID: "bench", Size: 1, ETag: `"0cc175b9c0f1b6a831c399e269772661"`,
			LastModified: at.Add(time.Duration(i) * time.Second)}, store.Expect{})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// sdkList lists every key under charts/app- with the SDK's paginator as the
// delegate and returns how many there are.
func sdkList(b *testing.B, endpoint string) int {
	client := s3.NewFromConfig(config(delegate), func(o *s3.Options) {
		o.BaseEndpoint, o.UsePathStyle = aws.String(endpoint), true
	})
	p := s3.NewListObjectsV2Paginator(client, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String("charts/app-")})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Contents)
	}
	return n
}
