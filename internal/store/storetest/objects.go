package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// testBuckets checks creating, reading, listing and deleting buckets.
func testBuckets(t *testing.T, m store.Meta) {
	b := store.Bucket{Name: "zeta", Owner: account, Region: "us-east-1", Created: at(9, 9)}
	wantErr(t, "CreateBucket without owner", m.CreateBucket(ctx(t), b), store.ErrNotFound)
	withAccount(t, m)
	a := store.Bucket{Name: "alpha", Owner: account, Region: "eu-west-1", Created: at(8, 8),
		Policy: []byte(`{"Statement":[]}`)}
	o := store.Bucket{Name: "mid", Owner: other, Region: "us-east-1", Created: at(7, 7)}
	for _, x := range []store.Bucket{b, a, o} {
		must(t, "CreateBucket", m.CreateBucket(ctx(t), x))
	}
	got, err := m.GetBucket(ctx(t), "alpha")
	must(t, "GetBucket", err)
	got.Created = utc(got.Created)
	wantEqual(t, "GetBucket", got, a)
	list, err := m.ListBuckets(ctx(t), account)
	must(t, "ListBuckets", err)
	for i := range list {
		list[i].Created = utc(list[i].Created)
	}
	wantEqual(t, "ListBuckets", list, []store.Bucket{a, b})

	must(t, "DeleteBucket", m.DeleteBucket(ctx(t), "alpha"))
	_, err = m.GetBucket(ctx(t), "alpha")
	wantErr(t, "GetBucket after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteBucket again", m.DeleteBucket(ctx(t), "alpha"), store.ErrNotFound)
}

// testBucketExists checks that a bucket name is global.
func testBucketExists(t *testing.T, m store.Meta) {
	withBucket(t, m)
	tests := []struct {
		name  string
		owner string
	}{
		{"same owner", account},
		{"other owner", other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := store.Bucket{Name: bucket, Owner: tt.owner, Region: "eu-west-1"}
			wantErr(t, "CreateBucket", m.CreateBucket(ctx(t), b), store.ErrBucketExists)
			got, err := m.GetBucket(ctx(t), bucket)
			must(t, "GetBucket", err)
			if got.Owner != account || got.Region != "us-east-1" {
				t.Errorf("GetBucket = %+v, want the first bucket unchanged", got)
			}
		})
	}
}

// testBucketNotEmpty checks that only an empty bucket can be deleted.
func testBucketNotEmpty(t *testing.T, m store.Meta) {
	withBucket(t, m)
	_, err := m.PutObject(ctx(t), object("k", "b1"), store.Expect{})
	must(t, "PutObject", err)
	wantErr(t, "DeleteBucket", m.DeleteBucket(ctx(t), bucket), store.ErrBucketNotEmpty)
	_, err = m.GetObject(ctx(t), bucket, "k")
	must(t, "GetObject after refused delete", err)
	_, err = m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
	must(t, "DeleteObject", err)
	must(t, "DeleteBucket emptied", m.DeleteBucket(ctx(t), bucket))
}

// testBucketPolicy checks setting, replacing and removing a bucket policy.
func testBucketPolicy(t *testing.T, m store.Meta) {
	withBucket(t, m)
	wantErr(t, "PutBucketPolicy on missing bucket",
		m.PutBucketPolicy(ctx(t), "nope", []byte(`{}`)), store.ErrNotFound)
	tests := []struct {
		name string
		doc  []byte
	}{
		{"set", []byte(`{"Statement":[1]}`)},
		{"replace", []byte(`{"Statement":[2]}`)},
		{"same again", []byte(`{"Statement":[2]}`)},
		{"delete", nil},
		{"delete again", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			must(t, "PutBucketPolicy", m.PutBucketPolicy(ctx(t), bucket, tt.doc))
			got, err := m.GetBucket(ctx(t), bucket)
			must(t, "GetBucket", err)
			wantEqual(t, "Policy", got.Policy, tt.doc)
		})
	}
}

// testObjects checks an object's life: put, replace, get, delete.
func testObjects(t *testing.T, m store.Meta) {
	withBucket(t, m)
	first := object("photos/é 1.jpg", "blob1")
	steps := []struct {
		name         string
		put          store.Object
		wantReplaced string
	}{
		{"new key", first, ""},
		{"same record again", first, ""},
		{"new blob", object(first.Key, "blob2"), "blob1"},
		{"no maps", store.Object{Bucket: bucket, Key: first.Key, BlobID: "blob3"}, "blob2"},
		{"same blob new metadata", object(first.Key, "blob3"), ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			res, err := m.PutObject(ctx(t), st.put, store.Expect{})
			must(t, "PutObject", err)
			wantEqual(t, "PutObject", res, store.WriteResult{Freed: st.wantReplaced})
			got, err := m.GetObject(ctx(t), bucket, first.Key)
			must(t, "GetObject", err)
			wantEqual(t, "GetObject", normObject(got), normObject(current(st.put)))
		})
	}
	last := steps[len(steps)-1].put
	res, err := m.DeleteObject(ctx(t), bucket, first.Key, store.Expect{})
	must(t, "DeleteObject", err)
	wantEqual(t, "DeleteObject removed", normObject(res.Removed), normObject(current(last)))
	wantEqual(t, "DeleteObject freed", res.Freed, last.BlobID)
	_, err = m.GetObject(ctx(t), bucket, first.Key)
	wantErr(t, "GetObject after delete", err, store.ErrNotFound)
	_, err = m.DeleteObject(ctx(t), bucket, first.Key, store.Expect{})
	wantErr(t, "DeleteObject again", err, store.ErrNotFound)
}

// testObjectMissingBucket checks object calls on a bucket that does not exist.
func testObjectMissingBucket(t *testing.T, m store.Meta) {
	withAccount(t, m)
	_, err := m.PutObject(ctx(t), object("k", "b1"), store.Expect{})
	wantErr(t, "PutObject", err, store.ErrNotFound)
	_, err = m.GetObject(ctx(t), bucket, "k")
	wantErr(t, "GetObject", err, store.ErrNotFound)
	_, err = m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
	wantErr(t, "DeleteObject", err, store.ErrNotFound)
	_, err = m.ListObjects(ctx(t), bucket, store.ListParams{MaxKeys: 10})
	wantErr(t, "ListObjects", err, store.ErrNotFound)
}

// testConcurrentPut has several goroutines put records under one key. Each
// put must replace exactly the record before it: every blob but the one
// stored last is reported replaced exactly once, and the stored record is
// one of the puts, whole.
func testConcurrentPut(t *testing.T, m store.Meta) {
	withBucket(t, m)
	const writers, puts = 6, 8
	var mu sync.Mutex
	replaced := map[string]int{} // guarded by mu
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range puts {
				o := object("hot", fmt.Sprintf("w%d-%d", w, i))
				r, err := m.PutObject(ctx(t), o, store.Expect{})
				if err != nil {
					t.Errorf("PutObject: %v", err)
					return
				}
				mu.Lock()
				replaced[r.Freed]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	got, err := m.GetObject(ctx(t), bucket, "hot")
	must(t, "GetObject", err)
	wantEqual(t, "stored record", normObject(got),
		normObject(current(object("hot", got.BlobID))))
	checkReplaceChain(t, replaced, got.BlobID, writers*puts)
}

// checkReplaceChain checks that "" and every blob but last were reported
// replaced exactly once in n puts.
func checkReplaceChain(t *testing.T, replaced map[string]int, last string, n int) {
	t.Helper()
	if replaced[""] != 1 {
		t.Errorf("%d puts replaced nothing, want 1", replaced[""])
	}
	if replaced[last] != 0 {
		t.Errorf("stored blob %s was reported replaced", last)
	}
	total := 0
	for id, c := range replaced {
		total += c
		if c != 1 && id != "" {
			t.Errorf("blob %s reported replaced %d times", id, c)
		}
	}
	if total != n {
		t.Errorf("%d puts returned, want %d", total, n)
	}
}

// testBlobIDs checks that BlobIDs visits every referenced blob once, over
// more records than one batch of a paging implementation is likely to hold.
func testBlobIDs(t *testing.T, m store.Meta) {
	withBucket(t, m)
	b2 := store.Bucket{Name: "bucket-two", Owner: other, Region: "us-east-1"}
	must(t, "CreateBucket", m.CreateBucket(ctx(t), b2))
	var want []string
	for i := range 2500 {
		o := object(fmt.Sprintf("k%05d", i), fmt.Sprintf("blob%05d", i))
		if i%2 == 1 {
			o.Bucket = b2.Name
		}
		want = append(want, o.BlobID)
		_, err := m.PutObject(ctx(t), o, store.Expect{})
		must(t, "PutObject", err)
	}
	var got []string
	must(t, "BlobIDs", m.BlobIDs(ctx(t), func(id string) error {
		got = append(got, id)
		return nil
	}))
	slices.Sort(got)
	wantEqual(t, "BlobIDs", got, want)

	stop := errors.New("stop")
	n := 0
	err := m.BlobIDs(ctx(t), func(string) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("BlobIDs with failing fn: %d calls, error %v; want 1 call, %v", n, err, stop)
	}
}
