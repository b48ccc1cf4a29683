package sqlite

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/storetest"
)

// versionsFixture stores, in a versioned bucket "b", one to three versions
// of each key, every third key ending with a delete marker, and returns
// every version as the whole listing names it, "key@version".
func versionsFixture(tb testing.TB, db *DB, keys []string) []string {
	tb.Helper()
	ctx := context.Background()
	if err := db.PutAccount(ctx, store.Account{ID: "111111111111"}); err != nil {
		tb.Fatal(err)
	}
	if err := db.CreateBucket(ctx, store.Bucket{Name: "b", Owner: "111111111111"}); err != nil {
		tb.Fatal(err)
	}
	if err := db.SetBucketVersioning(ctx, "b", store.VersioningEnabled); err != nil {
		tb.Fatal(err)
	}
	for i, k := range keys {
		for j := range i%3 + 1 {
			o := store.Object{Bucket: "b", Key: k, BlobID: fmt.Sprint(i, "-", j)}
			if _, err := db.PutObject(ctx, o, store.Expect{}); err != nil {
				tb.Fatal(err)
			}
		}
		if i%3 == 0 {
			if _, err := db.DeleteObject(ctx, "b", k, store.Expect{}); err != nil {
				tb.Fatal(err)
			}
		}
	}
	page, err := db.ListObjectVersions(ctx, "b", store.VersionListParams{MaxKeys: 1 << 20})
	if err != nil {
		tb.Fatal(err)
	}
	var all []string
	for _, v := range page.Versions {
		all = append(all, v.Key+"@"+v.VersionID)
	}
	return all
}

// referenceVersions is the listing a store holding all ("key@version", in
// listing order) must answer for p, the obvious way: entries under the
// prefix rolled up to their common prefix, duplicates dropped, those up to
// the markers skipped, cut at MaxKeys. Common prefixes are written as
// themselves.
func referenceVersions(all []string, p store.VersionListParams) (entries []string,
	truncated bool) {
	skipping := p.VersionIDMarker != ""
	for _, e := range all {
		key, _, _ := strings.Cut(e, "@")
		if skipping {
			skipping = e != p.KeyMarker+"@"+p.VersionIDMarker
			continue
		}
		if !strings.HasPrefix(key, p.Prefix) {
			continue
		}
		name := e
		if i := strings.Index(key[len(p.Prefix):], p.Delimiter); p.Delimiter != "" && i >= 0 {
			name = key[:len(p.Prefix)+i+len(p.Delimiter)]
		}
		if name != e && name <= p.KeyMarker || name == e && key <= p.KeyMarker &&
			p.VersionIDMarker == "" || len(entries) > 0 && entries[len(entries)-1] == name {
			continue
		}
		if len(entries) == p.MaxKeys {
			return entries, true
		}
		entries = append(entries, name)
	}
	return entries, false
}

// FuzzListObjectVersions compares ListObjectVersions, whose parameters come
// straight from requests, with the reference listing, for any prefix,
// delimiter, key marker and page size, and for a version-id marker naming
// any stored version.
func FuzzListObjectVersions(f *testing.F) {
	db := openTest(f)
	keys := append(storetest.ListKeys(), "a/", "a//b", "\xff", "x\x00y")
	all := versionsFixture(f, db, keys)
	f.Add("", "/", "", uint16(0), uint8(3))
	f.Add("a", "/", "a/", uint16(0), uint8(1))
	f.Add("", "", "", uint16(5), uint8(2))
	f.Add("photos/", "/", "photos/2024/jan.jpg", uint16(0), uint8(10))
	f.Fuzz(func(t *testing.T, prefix, delimiter, keyMarker string, at uint16, maxKeys uint8) {
		p := store.VersionListParams{Prefix: prefix, Delimiter: delimiter,
			KeyMarker: keyMarker, MaxKeys: int(maxKeys)}
		if at > 0 {
			p.KeyMarker, p.VersionIDMarker, _ = strings.Cut(all[int(at)%len(all)], "@")
		}
		page, err := db.ListObjectVersions(t.Context(), "b", p)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, v := range page.Versions {
			got = append(got, v.Key+"@"+v.VersionID)
		}
		got = append(got, page.CommonPrefixes...)
		slices.Sort(got)
		want, truncated := referenceVersions(all, p)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) || page.Truncated != truncated {
			t.Fatalf("%+v:\n got %q truncated %v\nwant %q truncated %v", p, got,
				page.Truncated, want, truncated)
		}
	})
}
