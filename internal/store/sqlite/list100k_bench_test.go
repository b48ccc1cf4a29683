package sqlite

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/fsblob"
)

// The bench account's root key, which owns benchBucket.
const (
	listKeyID  = "AKIATESTLISTBENCH001"
	listSecret = "test/list-bench/000000000000000000000000"
)

// listViews are the listings BenchmarkList100k times over the keys of
// fill100k: 50,000 under flat/ and 50,000 under tree/dNNN/. keys counts
// the keys a listing covers, listed or rolled up into a common prefix;
// entries what it returns.
var listViews = []struct {
	name, prefix, delimiter string
	entries, keys           int
}{
	{name: "all", entries: 100000, keys: 100000},
	{name: "prefix", prefix: "flat/", entries: 50000, keys: 50000},
	{name: "prefix-delimiter", prefix: "flat/", delimiter: "/", entries: 50000, keys: 50000},
	{name: "rollup", prefix: "tree/", delimiter: "/", entries: 500, keys: 50000},
	{name: "top-rollup", delimiter: "/", entries: 2, keys: 100000},
}

// BenchmarkList100k lists a bucket of 100,000 keys through the S3 API:
// aws-sdk-go-v2 calling ListObjectsV2 in pages of 1,000 on a trove handler
// over loopback HTTP, with and without prefix and delimiter. keys/s counts
// the keys covered per second. The baseline, measured in the same run, is
// one plain SQL SELECT of the same keys with the columns a listing returns
// (sql-keys/s, best of three); vs-sql is keys/s over sql-keys/s.
func BenchmarkList100k(b *testing.B) {
	db := newListDB(b)
	fill100k(b, db)
	client := listClient(b, db)
	for _, v := range listViews {
		b.Run(v.name, func(b *testing.B) {
			base := sqlKeysPerSecond(b, db, v.prefix)
			for b.Loop() {
				if n := listHTTP(b, client, v.prefix, v.delimiter); n != v.entries {
					b.Fatalf("listed %d entries, want %d", n, v.entries)
				}
			}
			rate := float64(v.keys*b.N) / b.Elapsed().Seconds()
			b.ReportMetric(rate, "keys/s")
			b.ReportMetric(base, "sql-keys/s")
			b.ReportMetric(rate/base, "vs-sql")
		})
	}
}

// newListDB opens a database holding the bench account and benchBucket,
// whose region is us-east-1, as a request's signature must say.
func newListDB(b *testing.B) *DB {
	b.Helper()
	db := openTest(b)
	if err := db.PutAccount(b.Context(), store.Account{ID: "111111111111"}); err != nil {
		b.Fatal(err)
	}
	err := db.CreateBucket(b.Context(), store.Bucket{Name: benchBucket, Owner: "111111111111",
		Region: "us-east-1", Created: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// listClient serves db through the S3 API on loopback until the benchmark
// ends and returns a client for the bench account's root user.
func listClient(b *testing.B, db *DB) *s3.Client {
	b.Helper()
	err := db.PutAccessKey(b.Context(), store.AccessKey{ID: listKeyID, Secret: listSecret,
		Account: "111111111111", Active: true, Created: time.Now().UTC().Truncate(time.Second)})
	if err != nil {
		b.Fatal(err)
	}
	blobs, err := fsblob.Open(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(s3api.New(s3api.Config{Meta: db, Blobs: blobs,
		Directory: identity.New(db)}))
	b.Cleanup(srv.Close)
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(listKeyID, listSecret, ""),
		UsePathStyle: true,
		HTTPClient:   &http.Client{Transport: &http.Transport{Proxy: nil}},
	})
}

// listHTTP lists benchBucket under prefix to the end in pages of 1,000 and
// returns how many objects and common prefixes it saw.
func listHTTP(b *testing.B, c *s3.Client, prefix, delimiter string) int {
	in := &s3.ListObjectsV2Input{Bucket: aws.String(benchBucket), MaxKeys: aws.Int32(1000),
		Prefix: aws.String(prefix)}
	if delimiter != "" {
		in.Delimiter = aws.String(delimiter)
	}
	n := 0
	for p := s3.NewListObjectsV2Paginator(c, in); p.HasMorePages(); {
		page, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Contents) + len(page.CommonPrefixes)
	}
	return n
}

// sqlKeysPerSecond times one SELECT of every record under prefix, in key
// order with the columns a listing shows, three times, and returns the
// best rate in keys per second.
func sqlKeysPerSecond(b *testing.B, db *DB, prefix string) float64 {
	b.Helper()
	best := 0.0
	for range 3 {
		start := time.Now()
		n := selectKeys(b, db, prefix)
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	return best
}

// selectKeys reads the key, size, ETag and modification time of every
// record under prefix, a range of the primary key, and returns how many it
// read. prefix must not end in byte 0xff.
func selectKeys(b *testing.B, db *DB, prefix string) int {
	q := `SELECT key, size, etag, last_modified FROM objects WHERE bucket = ?`
	args := []any{benchBucket}
	if prefix != "" {
		end := []byte(prefix)
		end[len(end)-1]++
		q += ` AND key >= ? AND key < ?`
		args = append(args, []byte(prefix), end)
	}
	rows, err := db.r.QueryContext(b.Context(), q+` ORDER BY key`, args...)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var key []byte
		var size int64
		var etag string
		var modified any
		if err := rows.Scan(&key, &size, &etag, &modified); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	return n
}
