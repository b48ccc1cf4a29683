package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// putVersion puts the record of blob under key and returns the version id.
func putVersion(t *testing.T, m store.Meta, key, blob string, wantFreed string) string {
	t.Helper()
	res, err := m.PutObject(ctx(t), object(key, blob), store.Expect{})
	must(t, "PutObject "+blob, err)
	if res.Freed != wantFreed || res.DeleteMarker {
		t.Errorf("PutObject %s = %+v, want Freed %q", blob, res, wantFreed)
	}
	return res.VersionID
}

// versionsOf lists every version of the bucket as "key@blob" for objects
// and "key@marker" for delete markers, each with "*" when it is latest.
func versionsOf(t *testing.T, m store.Meta) []string {
	t.Helper()
	page, err := m.ListObjectVersions(ctx(t), bucket, store.VersionListParams{MaxKeys: 1000})
	must(t, "ListObjectVersions", err)
	var out []string
	for _, v := range page.Versions {
		s := v.Key + "@" + v.BlobID
		if v.DeleteMarker {
			s = v.Key + "@marker"
		}
		if v.IsLatest {
			s += "*"
		}
		out = append(out, s)
	}
	return out
}

// wantVersion checks one version read back by id, "" naming the current
// one, whose id is wantID.
func wantVersion(t *testing.T, m store.Meta, key, id, wantID, blob string, latest bool) {
	t.Helper()
	got, err := m.GetObjectVersion(ctx(t), bucket, key, id)
	must(t, "GetObjectVersion "+id, err)
	want := object(key, blob)
	want.VersionID, want.IsLatest = wantID, latest
	wantEqual(t, "GetObjectVersion "+id, normObject(got), normObject(want))
}

// testVersioningEnabled checks puts, delete markers and deletes by version
// id in a bucket with versioning enabled.
func testVersioningEnabled(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "SetBucketVersioning", m.SetBucketVersioning(ctx(t), bucket,
		store.VersioningEnabled))
	b, err := m.GetBucket(ctx(t), bucket)
	must(t, "GetBucket", err)
	wantEqual(t, "Versioning", b.Versioning, store.VersioningEnabled)
	v1 := putVersion(t, m, "k", "b1", "")
	v2 := putVersion(t, m, "k", "b2", "")
	if len(v1) != 32 || v1 == v2 || v1 == store.NullVersion {
		t.Errorf("version ids %q, %q: want two distinct 32-character ids", v1, v2)
	}
	wantVersion(t, m, "k", v1, v1, "b1", false)
	wantVersion(t, m, "k", v2, v2, "b2", true)
	wantVersion(t, m, "k", "", v2, "b2", true)
	wantBlobIDs(t, m, "b1", "b2")

	del, err := m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
	must(t, "DeleteObject", err)
	if !del.DeleteMarker || del.Freed != "" || len(del.VersionID) != 32 {
		t.Errorf("DeleteObject = %+v, want a new delete marker freeing nothing", del)
	}
	_, err = m.GetObject(ctx(t), bucket, "k")
	wantErr(t, "GetObject under a delete marker", err, store.ErrNotFound)
	cur, err := m.GetObjectVersion(ctx(t), bucket, "k", "")
	must(t, "GetObjectVersion current", err)
	if !cur.DeleteMarker || !cur.IsLatest || cur.VersionID != del.VersionID {
		t.Errorf("current version = %+v, want the delete marker %s", cur, del.VersionID)
	}
	wantEqual(t, "versions", versionsOf(t, m), []string{"k@marker*", "k@b2", "k@b1"})
	wantErr(t, "DeleteBucket", m.DeleteBucket(ctx(t), bucket), store.ErrBucketNotEmpty)
	deleteVersions(t, m, del.VersionID, v2, v1)
}

// deleteVersions removes the versions of "k" testVersioningEnabled left,
// newest first, checking what becomes current, then the emptied bucket.
func deleteVersions(t *testing.T, m store.Meta, marker, v2, v1 string) {
	t.Helper()
	res, err := m.DeleteObjectVersion(ctx(t), bucket, "k", marker)
	must(t, "DeleteObjectVersion marker", err)
	if !res.DeleteMarker || res.Freed != "" || res.VersionID != marker {
		t.Errorf("DeleteObjectVersion marker = %+v", res)
	}
	wantVersion(t, m, "k", "", v2, "b2", true)
	_, err = m.DeleteObjectVersion(ctx(t), bucket, "k", "no-such-version")
	wantErr(t, "DeleteObjectVersion unknown", err, store.ErrNotFound)
	res, err = m.DeleteObjectVersion(ctx(t), bucket, "k", v1)
	must(t, "DeleteObjectVersion noncurrent", err)
	wantEqual(t, "freed", res.Freed, "b1")
	wantVersion(t, m, "k", v2, v2, "b2", true)
	res, err = m.DeleteObjectVersion(ctx(t), bucket, "k", v2)
	must(t, "DeleteObjectVersion current", err)
	wantEqual(t, "freed", res.Freed, "b2")
	_, err = m.GetObjectVersion(ctx(t), bucket, "k", "")
	wantErr(t, "GetObjectVersion of an emptied key", err, store.ErrNotFound)
	wantBlobIDs(t, m)
	must(t, "DeleteBucket emptied", m.DeleteBucket(ctx(t), bucket))
}

// testVersioningSuspended checks that a suspended bucket writes the null
// version, replacing the one there was, and keeps the others.
func testVersioningSuspended(t *testing.T, m store.Meta) {
	withBucket(t, m)
	if id := putVersion(t, m, "k", "b0", ""); id != "" {
		t.Errorf("unversioned PutObject returned version %q, want none", id)
	}
	must(t, "enable", m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	v1 := putVersion(t, m, "k", "b1", "")
	must(t, "suspend", m.SetBucketVersioning(ctx(t), bucket, store.VersioningSuspended))
	steps := []struct {
		name  string
		blob  string // "" deletes
		freed string
		want  []string
	}{
		{"put replaces the older null version", "b2", "b0", []string{"k@b2*", "k@b1"}},
		{"put replaces the current null version", "b3", "b2", []string{"k@b3*", "k@b1"}},
		{"delete makes a null marker", "", "b3", []string{"k@marker*", "k@b1"}},
		{"put replaces the null marker", "b4", "", []string{"k@b4*", "k@b1"}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.blob != "" {
				wantEqual(t, "version", putVersion(t, m, "k", st.blob, st.freed), "null")
			} else {
				res, err := m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
				must(t, "DeleteObject", err)
				wantEqual(t, "DeleteObject", res, store.WriteResult{VersionID: "null",
					DeleteMarker: true, Freed: st.freed})
			}
			wantEqual(t, "versions", versionsOf(t, m), st.want)
		})
	}
	wantVersion(t, m, "k", v1, v1, "b1", false)
	wantVersion(t, m, "k", "null", "null", "b4", true)
	wantBlobIDs(t, m, "b1", "b4")
}

// testVersionedConditions checks Expect and deletes of missing keys in a
// versioned bucket: a delete marker counts as no record.
func testVersionedConditions(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "enable", m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	_, err := m.DeleteObject(ctx(t), bucket, "k", store.Expect{Present: true})
	wantErr(t, "conditional delete of a missing key", err, store.ErrPrecondition)
	wantEqual(t, "versions after a failed delete", versionsOf(t, m), []string(nil))
	res, err := m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
	must(t, "DeleteObject of a missing key", err)
	if !res.DeleteMarker {
		t.Errorf("DeleteObject of a missing key = %+v, want a delete marker", res)
	}
	_, err = m.PutObject(ctx(t), object("k", "b1"), store.Expect{Absent: true})
	must(t, "create-only put over a delete marker", err)
	_, err = m.PutObject(ctx(t), object("k", "b2"), store.Expect{Absent: true})
	wantErr(t, "create-only put over an object", err, store.ErrPrecondition)
	_, err = m.PutObject(ctx(t), object("k", "b2"), store.Expect{ETag: `"etag-b1"`})
	must(t, "If-Match put", err)
	wantEqual(t, "versions", versionsOf(t, m), []string{"k@b2*", "k@b1", "k@marker"})
}

// wantBlobIDs checks that BlobIDs visits exactly want.
func wantBlobIDs(t *testing.T, m store.Meta, want ...string) {
	t.Helper()
	var got []string
	must(t, "BlobIDs", m.BlobIDs(ctx(t), func(id string) error {
		got = append(got, id)
		return nil
	}))
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("BlobIDs = %v, want %v", got, want)
	}
}

// versionKeys are the keys testListVersions stores, each put versions
// times; a negative count ends with a delete marker.
var versionKeys = []struct {
	key      string
	versions int
}{{"a", 2}, {"b/1", 1}, {"b/2", 3}, {"c", -2}, {"d/e/f", 1}, {"é", 1}}

// testListVersions checks ListObjectVersions against the whole listing,
// and that paging through it with every page size visits the same entries.
func testListVersions(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "enable", m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	for _, k := range versionKeys {
		for i := range max(k.versions, -k.versions) {
			putVersion(t, m, k.key, fmt.Sprintf("%s-%d", k.key, i), "")
		}
		if k.versions < 0 {
			_, err := m.DeleteObject(ctx(t), bucket, k.key, store.Expect{})
			must(t, "DeleteObject", err)
		}
	}
	tests := []struct {
		name string
		p    store.VersionListParams
		want []string
	}{
		{"all", store.VersionListParams{},
			[]string{"a@a-1*", "a@a-0", "b/1@b/1-0*", "b/2@b/2-2*", "b/2@b/2-1", "b/2@b/2-0",
				"c@marker*", "c@c-1", "c@c-0", "d/e/f@d/e/f-0*", "é@é-0*"}},
		{"prefix", store.VersionListParams{Prefix: "b/"},
			[]string{"b/1@b/1-0*", "b/2@b/2-2*", "b/2@b/2-1", "b/2@b/2-0"}},
		{"delimiter", store.VersionListParams{Delimiter: "/"},
			[]string{"a@a-1*", "a@a-0", "b/", "c@marker*", "c@c-1", "c@c-0", "d/", "é@é-0*"}},
		{"prefix and delimiter", store.VersionListParams{Prefix: "d/", Delimiter: "/"},
			[]string{"d/e/"}},
		{"key marker", store.VersionListParams{KeyMarker: "b/2"},
			[]string{"c@marker*", "c@c-1", "c@c-0", "d/e/f@d/e/f-0*", "é@é-0*"}},
		{"key marker is a common prefix", store.VersionListParams{KeyMarker: "b/",
			Delimiter: "/"}, []string{"c@marker*", "c@c-1", "c@c-0", "d/", "é@é-0*"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for size := 1; size <= len(tt.want)+1; size++ {
				got := pageVersions(t, m, tt.p, size)
				wantEqual(t, fmt.Sprintf("entries in pages of %d", size), got, tt.want)
			}
		})
	}
	p := store.VersionListParams{KeyMarker: "a", VersionIDMarker: "no-such", MaxKeys: 5}
	_, err := m.ListObjectVersions(ctx(t), bucket, p)
	wantErr(t, "unknown version-id marker", err, store.ErrNotFound)
	_, err = m.ListObjectVersions(ctx(t), "no-such-bucket", store.VersionListParams{})
	wantErr(t, "missing bucket", err, store.ErrNotFound)
}

// pageVersions lists with p in pages of size entries, following the next
// markers, and returns the entries as versionsOf writes them, common
// prefixes as themselves.
func pageVersions(t *testing.T, m store.Meta, p store.VersionListParams, size int) []string {
	t.Helper()
	p.MaxKeys = size
	var out []string
	for range 100 {
		page, err := m.ListObjectVersions(ctx(t), bucket, p)
		must(t, "ListObjectVersions", err)
		if n := len(page.Versions) + len(page.CommonPrefixes); n > size {
			t.Fatalf("page of %d entries, want at most %d", n, size)
		}
		out = append(out, pageEntries(page)...)
		if !page.Truncated {
			return out
		}
		p.KeyMarker, p.VersionIDMarker = page.NextKeyMarker, page.NextVersionIDMarker
	}
	t.Fatal("ListObjectVersions did not finish in 100 pages")
	return nil
}

// pageEntries merges a page's versions and common prefixes in key order.
func pageEntries(page store.VersionPage) []string {
	var out []string
	vs, cps := page.Versions, page.CommonPrefixes
	for len(vs) > 0 || len(cps) > 0 {
		if len(cps) > 0 && (len(vs) == 0 || cps[0] < vs[0].Key) {
			out, cps = append(out, cps[0]), cps[1:]
			continue
		}
		v := vs[0]
		s := v.Key + "@" + v.BlobID
		if v.DeleteMarker {
			s = v.Key + "@marker"
		}
		if v.IsLatest {
			s += "*"
		}
		out, vs = append(out, s), vs[1:]
	}
	return out
}

// testVersionMissingBucket checks the version calls on a missing bucket.
func testVersionMissingBucket(t *testing.T, m store.Meta) {
	withAccount(t, m)
	err := m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled)
	wantErr(t, "SetBucketVersioning", err, store.ErrNotFound)
	_, err = m.GetObjectVersion(ctx(t), bucket, "k", "")
	wantErr(t, "GetObjectVersion", err, store.ErrNotFound)
	_, err = m.DeleteObjectVersion(ctx(t), bucket, "k", "null")
	wantErr(t, "DeleteObjectVersion", err, store.ErrNotFound)
	if errors.Is(err, store.ErrPrecondition) {
		t.Errorf("DeleteObjectVersion: %v is a precondition failure", err)
	}
}

// testConcurrentVersionedPut has several goroutines put versions of one key
// in an enabled bucket: every put must keep its own version, under an id no
// other put got, and free nothing.
func testConcurrentVersionedPut(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "enable", m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	const writers, puts = 4, 5
	ids := make(chan string, writers*puts)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := range puts {
				res, err := m.PutObject(ctx(t), object("hot", fmt.Sprintf("w%d-%d", w, i)),
					store.Expect{})
				if err != nil || res.Freed != "" {
					t.Errorf("PutObject = %+v, %v; want a version freeing nothing", res, err)
					return
				}
				ids <- res.VersionID
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		seen[id] = true
	}
	versions := versionsOf(t, m)
	latest := 0
	for _, v := range versions {
		if strings.HasSuffix(v, "*") {
			latest++
		}
	}
	if len(seen) != writers*puts || len(versions) != writers*puts || latest != 1 {
		t.Errorf("%d distinct ids, %d versions, %d latest; want %d, %d, 1", len(seen),
			len(versions), latest, writers*puts, writers*puts)
	}
}
