package sqlite

import (
	"database/sql"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// benchBucket is the bucket the benchmarks fill.
const benchBucket = "bench"

// newBenchDB opens a database holding an account and benchBucket.
func newBenchDB(b *testing.B) *DB {
	b.Helper()
	db := openTest(b)
	ctx := b.Context()
	if err := db.PutAccount(ctx, store.Account{ID: "111111111111"}); err != nil {
		b.Fatal(err)
	}
	err := db.CreateBucket(ctx, store.Bucket{Name: benchBucket, Owner: "111111111111"})
	if err != nil {
		b.Fatal(err)
	}
	return db
}

// benchObject is a record with realistic metadata.
func benchObject(key string) store.Object {
	return store.Object{
		Bucket: benchBucket, Key: key, BlobID: "0123456789abcdef0123456789abcdef",
		Size: 4096, ETag: `"d41d8cd98f00b204e9800998ecf8427e"`,
		LastModified: time.Unix(1735689600, 0),
		Headers:      map[string]string{"Content-Type": "application/octet-stream"},
		Checksums:    map[string]string{"CRC32": "AAAAAA=="},
	}
}

// fill100k stores 100,000 keys in one transaction: 50,000 directly under
// flat/ and 50,000 spread over 500 directories under tree/.
func fill100k(b *testing.B, db *DB) {
	b.Helper()
	err := db.write(b.Context(), func(tx *sql.Tx) error {
		for i := range 50000 {
			keys := []string{fmt.Sprintf("flat/%06d", i),
				fmt.Sprintf("tree/d%03d/%06d", i%500, i)}
			for _, k := range keys {
				_, err := putObject(b.Context(), tx, benchObject(k), store.Expect{})
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkListObjects100k lists 50,000 of 100,000 keys with delimiter "/"
// in pages of 1,000: once as objects (flat) and once rolled up into 500
// common prefixes (rollup). keys/s counts keys listed or rolled up.
func BenchmarkListObjects100k(b *testing.B) {
	db := newBenchDB(b)
	fill100k(b, db)
	views := []struct {
		name, prefix string
		entries      int
	}{
		{"flat", "flat/", 50000},
		{"rollup", "tree/", 500},
	}
	for _, v := range views {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				if n := listAllBench(b, db, v.prefix); n != v.entries {
					b.Fatalf("listed %d entries, want %d", n, v.entries)
				}
			}
			b.ReportMetric(float64(50000*b.N)/b.Elapsed().Seconds(), "keys/s")
		})
	}
}

// listAllBench lists prefix with delimiter "/" to the end and returns how
// many entries it saw.
func listAllBench(b *testing.B, db *DB, prefix string) int {
	p := store.ListParams{Prefix: prefix, Delimiter: "/", MaxKeys: 1000}
	n := 0
	for {
		page, err := db.ListObjects(b.Context(), benchBucket, p)
		if err != nil {
			b.Fatal(err)
		}
		n += len(page.Objects) + len(page.CommonPrefixes)
		if !page.Truncated {
			return n
		}
		p.After = page.NextAfter
	}
}

// BenchmarkPutObject puts records under new keys, each its own durable
// (fsynced) transaction, from one goroutine and from several.
func BenchmarkPutObject(b *testing.B) {
	b.Run("serial", func(b *testing.B) {
		db := newBenchDB(b)
		i := 0
		for b.Loop() {
			i++
			key := fmt.Sprintf("k%09d", i)
			if _, err := db.PutObject(b.Context(), benchObject(key), store.Expect{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parallel", func(b *testing.B) {
		db := newBenchDB(b)
		var next atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				key := fmt.Sprintf("k%09d", next.Add(1))
				_, err := db.PutObject(b.Context(), benchObject(key), store.Expect{})
				if err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
