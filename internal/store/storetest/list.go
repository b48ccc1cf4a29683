package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// listKeys are the keys the listing tests store, in UTF-8 binary order. The
// non-ASCII ones pin byte order: U+FFFD (EF BF BD) sorts before U+1F600
// (F0 9F 98 80) in UTF-8, but after it in UTF-16 order.
var listKeys = []string{
	"Z",
	"a",
	"a-b",
	"a/b",
	"a/b/c",
	"a/c",
	"b",
	"b/x/y",
	"c::d::e",
	"c::f",
	"c:g",
	"photos/2024/feb.jpg",
	"photos/2024/jan.jpg",
	"photos/2025/mar.jpg",
	"photos/readme",
	"z",
	"~tilde",
	"é",
	"ö/x",
	"中文/1",
	"\uFFFD",
	"\U0001F600",
}

// allRoot is the listing of listKeys with delimiter "/" and no prefix.
var allRoot = []string{"Z", "a", "a-b", "a/", "b", "b/", "c::d::e", "c::f", "c:g",
	"photos/", "z", "~tilde", "é", "ö/", "中文/", "\uFFFD", "\U0001F600"}

// listCase is one ListObjects call and the page it must return. Entries are
// objects and common prefixes in key order; a common prefix is the one that
// ends with the delimiter.
type listCase struct {
	name      string
	p         store.ListParams
	objects   []string
	prefixes  []string
	truncated bool
	next      string
}

// listCases pin S3 listing semantics on listKeys.
var listCases = []listCase{
	{name: "everything", p: store.ListParams{MaxKeys: 1000}, objects: listKeys,
		next: "\U0001F600"},
	{name: "root with delimiter", p: store.ListParams{Delimiter: "/", MaxKeys: 1000},
		objects: []string{"Z", "a", "a-b", "b", "c::d::e", "c::f", "c:g", "z", "~tilde", "é",
			"\uFFFD", "\U0001F600"},
		prefixes: []string{"a/", "b/", "photos/", "ö/", "中文/"}, next: "\U0001F600"},
	{name: "prefix ending in delimiter",
		p:       store.ListParams{Prefix: "photos/", Delimiter: "/", MaxKeys: 1000},
		objects: []string{"photos/readme"}, prefixes: []string{"photos/2024/", "photos/2025/"},
		next: "photos/readme"},
	{name: "prefix not ending in delimiter",
		p:       store.ListParams{Prefix: "a", Delimiter: "/", MaxKeys: 1000},
		objects: []string{"a", "a-b"}, prefixes: []string{"a/"}, next: "a/"},
	{name: "key equal to prefix-with-delimiter's stem",
		p:       store.ListParams{Prefix: "a/", Delimiter: "/", MaxKeys: 1000},
		objects: []string{"a/b", "a/c"}, prefixes: []string{"a/b/"}, next: "a/c"},
	{name: "multi-byte delimiter", p: store.ListParams{Prefix: "c", Delimiter: "::", MaxKeys: 9},
		objects: []string{"c:g"}, prefixes: []string{"c::"}, next: "c:g"},
	{name: "multi-byte delimiter below prefix",
		p:       store.ListParams{Prefix: "c::", Delimiter: "::", MaxKeys: 9},
		objects: []string{"c::f"}, prefixes: []string{"c::d::"}, next: "c::f"},
	{name: "non-ASCII prefix", p: store.ListParams{Prefix: "中", Delimiter: "/", MaxKeys: 9},
		prefixes: []string{"中文/"}, next: "中文/"},
	{name: "prefix matching nothing",
		p: store.ListParams{Prefix: "nope", Delimiter: "/", MaxKeys: 9}},
	{name: "max keys 0", p: store.ListParams{MaxKeys: 0}, truncated: true},
	{name: "max keys 0 matching nothing", p: store.ListParams{Prefix: "nope"}},
	{name: "max keys 1", p: store.ListParams{MaxKeys: 1}, objects: []string{"Z"},
		truncated: true, next: "Z"},
	{name: "max keys 2 with delimiter",
		p:       store.ListParams{Prefix: "photos/", Delimiter: "/", MaxKeys: 2},
		objects: nil, prefixes: []string{"photos/2024/", "photos/2025/"}, truncated: true,
		next: "photos/2025/"},
	{name: "max keys exactly fits",
		p:       store.ListParams{Prefix: "photos/", Delimiter: "/", MaxKeys: 3},
		objects: []string{"photos/readme"}, prefixes: []string{"photos/2024/", "photos/2025/"},
		next: "photos/readme"},
	{name: "page ending on a common prefix", p: store.ListParams{Delimiter: "/", MaxKeys: 4},
		objects: []string{"Z", "a", "a-b"}, prefixes: []string{"a/"}, truncated: true,
		next: "a/"},
	{name: "after a common prefix",
		p:       store.ListParams{Delimiter: "/", After: "a/", MaxKeys: 2},
		objects: []string{"b"}, prefixes: []string{"b/"}, truncated: true, next: "b/"},
	{name: "after a key beneath a common prefix",
		p:       store.ListParams{Delimiter: "/", After: "a/b", MaxKeys: 2},
		objects: []string{"b"}, prefixes: []string{"b/"}, truncated: true, next: "b/"},
	{name: "after without delimiter", p: store.ListParams{After: "a/b", MaxKeys: 2},
		objects: []string{"a/b/c", "a/c"}, truncated: true, next: "a/c"},
	{name: "after the last common prefix",
		p: store.ListParams{Prefix: "photos/", Delimiter: "/", After: "photos/2025/",
			MaxKeys: 1},
		objects: []string{"photos/readme"}, next: "photos/readme"},
	{name: "after a common prefix with nothing beyond",
		p: store.ListParams{Prefix: "b", Delimiter: "/", After: "b/", MaxKeys: 0}},
	{name: "after beyond the prefix", p: store.ListParams{Prefix: "a", After: "b", MaxKeys: 9}},
	{name: "after before the prefix",
		p:       store.ListParams{Prefix: "photos/", Delimiter: "/", After: "a", MaxKeys: 9},
		objects: []string{"photos/readme"}, prefixes: []string{"photos/2024/", "photos/2025/"},
		next: "photos/readme"},
	{name: "after the last key", p: store.ListParams{After: "\U0001F600", MaxKeys: 9}},
}

// withListKeys stores listKeys in the fixture bucket.
func withListKeys(t *testing.T, m store.Meta) {
	t.Helper()
	withBucket(t, m)
	for i, k := range listKeys {
		_, err := m.PutObject(ctx(t), object(k, fmt.Sprintf("blob%02d", i)), store.Expect{})
		must(t, "PutObject", err)
	}
}

// testListObjects runs listCases.
func testListObjects(t *testing.T, m store.Meta) {
	withListKeys(t, m)
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			page, err := m.ListObjects(ctx(t), bucket, tc.p)
			must(t, "ListObjects", err)
			got := pageKeys(page)
			if !slices.Equal(got, tc.objects) {
				t.Errorf("objects:\n got %q\nwant %q", got, tc.objects)
			}
			if !slices.Equal(page.CommonPrefixes, tc.prefixes) {
				t.Errorf("common prefixes:\n got %q\nwant %q", page.CommonPrefixes, tc.prefixes)
			}
			if page.Truncated != tc.truncated || page.NextAfter != tc.next {
				t.Errorf("Truncated, NextAfter = %v, %q; want %v, %q",
					page.Truncated, page.NextAfter, tc.truncated, tc.next)
			}
		})
	}
	t.Run("records carry what a listing shows", func(t *testing.T) {
		page, err := m.ListObjects(ctx(t), bucket, store.ListParams{Prefix: "é", MaxKeys: 1})
		must(t, "ListObjects", err)
		o := current(object("é", "blob17"))
		want := []store.Object{normObject(store.Object{Bucket: o.Bucket, Key: o.Key,
			Size: o.Size, ETag: o.ETag, LastModified: o.LastModified, VersionID: o.VersionID,
			IsLatest: true})}
		for i := range page.Objects {
			page.Objects[i] = normObject(page.Objects[i])
		}
		wantEqual(t, "Objects", page.Objects, want)
	})
}

// testListPaging checks that pages of every size stitch together into the
// full listing, for several prefixes and delimiters.
func testListPaging(t *testing.T, m store.Meta) {
	withListKeys(t, m)
	views := []store.ListParams{
		{}, {Delimiter: "/"}, {Prefix: "a", Delimiter: "/"}, {Prefix: "photos/"},
		{Prefix: "photos/", Delimiter: "/"}, {Delimiter: "::"}, {Prefix: "c", Delimiter: ":"},
	}
	for _, v := range views {
		want := entryNames(reference(listKeys, v))
		for _, size := range []int{1, 2, 3, 1000} {
			name := fmt.Sprintf("prefix %q delimiter %q max %d", v.Prefix, v.Delimiter, size)
			t.Run(name, func(t *testing.T) {
				v.MaxKeys = size
				got := listAll(t, m, v)
				if !slices.Equal(got, want) {
					t.Errorf("stitched pages:\n got %q\nwant %q", got, want)
				}
			})
		}
	}
}

// listAll lists every entry of the view page by page, checking each page.
func listAll(t *testing.T, m store.Meta, p store.ListParams) []string {
	t.Helper()
	var all []string
	for range len(listKeys) + 2 {
		page, err := m.ListObjects(ctx(t), bucket, p)
		must(t, "ListObjects", err)
		entries := mergeEntries(page)
		all = append(all, entries...)
		if len(entries) > p.MaxKeys || (page.Truncated && len(entries) != p.MaxKeys) {
			t.Fatalf("page after %q has %d entries, max %d, truncated %v",
				p.After, len(entries), p.MaxKeys, page.Truncated)
		}
		if len(entries) > 0 && page.NextAfter != entries[len(entries)-1] {
			t.Fatalf("NextAfter %q, want last entry %q", page.NextAfter, entries[len(entries)-1])
		}
		if !page.Truncated {
			return all
		}
		p.After = page.NextAfter
	}
	t.Fatalf("listing never ended")
	return nil
}

// mergeEntries returns a page's objects and common prefixes in key order.
func mergeEntries(page store.ListPage) []string {
	entries := append(pageKeys(page), page.CommonPrefixes...)
	slices.Sort(entries)
	return entries
}

// pageKeys returns the keys of a page's objects.
func pageKeys(page store.ListPage) []string {
	var keys []string
	for _, o := range page.Objects {
		keys = append(keys, o.Key)
	}
	return keys
}

// ListKeys returns the keys the listing tests store, in UTF-8 binary order.
func ListKeys() []string { return slices.Clone(listKeys) }

// ReferenceList computes the page a store holding keys (and nothing else)
// must return for p, the obvious way: roll every key under the prefix up to
// its common prefix, drop duplicates and every entry up to p.After, and cut
// at p.MaxKeys. Objects in the page carry only their keys.
func ReferenceList(keys []string, p store.ListParams) store.ListPage {
	sorted := slices.Clone(keys)
	slices.Sort(sorted)
	var page store.ListPage
	n := 0
	for _, e := range reference(sorted, p) {
		if p.After != "" && e.name <= p.After {
			continue
		}
		if n == max(p.MaxKeys, 0) {
			page.Truncated = true
			break
		}
		n++
		page.NextAfter = e.name
		if e.prefix {
			page.CommonPrefixes = append(page.CommonPrefixes, e.name)
		} else {
			page.Objects = append(page.Objects, store.Object{Key: e.name})
		}
	}
	return page
}

// entry is a key or a common prefix in a listing.
type entry struct {
	name   string
	prefix bool // a common prefix
}

// reference lists sorted keys under p.Prefix, each rolled up to its common
// prefix, duplicates dropped.
func reference(keys []string, p store.ListParams) []entry {
	var out []entry
	for _, k := range keys {
		if !strings.HasPrefix(k, p.Prefix) {
			continue
		}
		e := entry{name: k}
		rest := k[len(p.Prefix):]
		if i := strings.Index(rest, p.Delimiter); p.Delimiter != "" && i >= 0 {
			e = entry{name: p.Prefix + rest[:i+len(p.Delimiter)], prefix: true}
		}
		if len(out) == 0 || out[len(out)-1] != e {
			out = append(out, e)
		}
	}
	return out
}

// entryNames returns the names of entries.
func entryNames(entries []entry) []string {
	var names []string
	for _, e := range entries {
		names = append(names, e.name)
	}
	return names
}

// CheckPage fails the test unless got lists the same keys, common prefixes,
// Truncated and NextAfter as want.
func CheckPage(t testing.TB, got, want store.ListPage) {
	t.Helper()
	if !slices.Equal(pageKeys(got), pageKeys(want)) ||
		!slices.Equal(got.CommonPrefixes, want.CommonPrefixes) ||
		got.Truncated != want.Truncated || got.NextAfter != want.NextAfter {
		t.Errorf("page:\n got keys %q prefixes %q truncated %v next %q\n"+
			"want keys %q prefixes %q truncated %v next %q",
			pageKeys(got), got.CommonPrefixes, got.Truncated, got.NextAfter,
			pageKeys(want), want.CommonPrefixes, want.Truncated, want.NextAfter)
	}
}
