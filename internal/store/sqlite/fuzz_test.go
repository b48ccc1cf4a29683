package sqlite

import (
	"fmt"
	"testing"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/storetest"
)

// FuzzListObjects compares ListObjects, whose parameters come straight from
// requests, with the reference lister for any prefix, delimiter, after and
// page size, valid UTF-8 or not.
func FuzzListObjects(f *testing.F) {
	db := openTest(f)
	ctx := f.Context()
	keys := append(storetest.ListKeys(), "a/", "a//b", "\xff", "\xff\xff/x", "x\x00y")
	if err := db.PutAccount(ctx, store.Account{ID: "111111111111"}); err != nil {
		f.Fatal(err)
	}
	if err := db.CreateBucket(ctx, store.Bucket{Name: "b", Owner: "111111111111"}); err != nil {
		f.Fatal(err)
	}
	for i, k := range keys {
		o := store.Object{Bucket: "b", Key: k, BlobID: fmt.Sprint(i)}
		if _, err := db.PutObject(ctx, o, store.Expect{}); err != nil {
			f.Fatal(err)
		}
	}
	f.Add("", "/", "", uint8(3))
	f.Add("a", "/", "a/", uint8(1))
	f.Add("c", "::", "", uint8(0))
	f.Add("", "\xff", "\xff", uint8(2))
	f.Add("photos/", "/", "photos/2024/jan.jpg", uint8(10))
	f.Fuzz(func(t *testing.T, prefix, delimiter, after string, maxKeys uint8) {
		p := store.ListParams{Prefix: prefix, Delimiter: delimiter, After: after,
			MaxKeys: int(maxKeys)}
		got, err := db.ListObjects(t.Context(), "b", p)
		if err != nil {
			t.Fatal(err)
		}
		storetest.CheckPage(t, got, storetest.ReferenceList(keys, p))
	})
}
