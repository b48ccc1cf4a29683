package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// condCase is one conditional write against a key that holds the record
// of blob "b1" (ETag "etag-b1") when stored is true, and nothing otherwise.
type condCase struct {
	name   string
	stored bool
	want   store.Expect
	errs   []error // every error the write must match; none means success
}

// condCases are the outcomes of an Expect against a stored or missing key.
var condCases = []condCase{
	{name: "zero, missing", want: store.Expect{}},
	{name: "zero, stored", stored: true, want: store.Expect{}},
	{name: "absent, missing", want: store.Expect{Absent: true}},
	{name: "absent, stored", stored: true, want: store.Expect{Absent: true},
		errs: []error{store.ErrPrecondition}},
	{name: "present, stored", stored: true, want: store.Expect{Present: true}},
	{name: "present, missing", want: store.Expect{Present: true},
		errs: []error{store.ErrPrecondition, store.ErrNotFound}},
	{name: "etag, stored, equal", stored: true, want: store.Expect{ETag: `"etag-b1"`}},
	{name: "etag, stored, different", stored: true, want: store.Expect{ETag: `"etag-b9"`},
		errs: []error{store.ErrPrecondition}},
	{name: "etag unquoted is not equal", stored: true, want: store.Expect{ETag: "etag-b1"},
		errs: []error{store.ErrPrecondition}},
	{name: "etag, missing", want: store.Expect{ETag: `"etag-b1"`},
		errs: []error{store.ErrPrecondition, store.ErrNotFound}},
}

// checkCondErr checks a conditional write's error against tt.
func checkCondErr(t *testing.T, what string, err error, tt condCase) {
	t.Helper()
	if len(tt.errs) == 0 {
		must(t, what, err)
		return
	}
	for _, target := range tt.errs {
		wantErr(t, what, err, target)
	}
	if !slices.Contains(tt.errs, store.ErrNotFound) && errors.Is(err, store.ErrNotFound) {
		t.Errorf("%s: error %v is also ErrNotFound, want only a precondition failure", what, err)
	}
}

// testConditionalPut checks that PutObject stores o only when the record
// under the key meets the Expect, and changes nothing otherwise.
func testConditionalPut(t *testing.T, m store.Meta) {
	withBucket(t, m)
	for i, tt := range condCases {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("put-%02d", i)
			var before store.Object
			if tt.stored {
				before = object(key, "b1")
				_, err := m.PutObject(ctx(t), before, store.Expect{})
				must(t, "PutObject", err)
			}
			next := object(key, "b2")
			res, err := m.PutObject(ctx(t), next, tt.want)
			checkCondErr(t, "conditional PutObject", err, tt)
			got, gerr := m.GetObject(ctx(t), bucket, key)
			switch {
			case err == nil:
				must(t, "GetObject", gerr)
				wantEqual(t, "stored record", normObject(got), normObject(current(next)))
				wantEqual(t, "replaced blob", res.Freed, before.BlobID)
			case tt.stored:
				must(t, "GetObject", gerr)
				wantEqual(t, "record after a failed put", normObject(got),
					normObject(current(before)))
				wantEqual(t, "result of a failed put", res, store.WriteResult{})
			default:
				wantErr(t, "GetObject after a failed put", gerr, store.ErrNotFound)
			}
		})
	}
	t.Run("missing bucket", func(t *testing.T) {
		o := object("k", "b1")
		o.Bucket = "no-such-bucket"
		_, err := m.PutObject(ctx(t), o, store.Expect{Absent: true})
		wantErr(t, "PutObject", err, store.ErrNotFound)
		if errors.Is(err, store.ErrPrecondition) {
			t.Errorf("PutObject to a missing bucket: %v is a precondition failure", err)
		}
	})
}

// testConditionalDelete checks that DeleteObject removes the record only
// when it meets the Expect. A delete of a missing key is ErrNotFound
// whatever the Expect, and also ErrPrecondition when the Expect needs a
// record.
func testConditionalDelete(t *testing.T, m store.Meta) {
	withBucket(t, m)
	for i, tt := range condCases {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("del-%02d", i)
			var before store.Object
			if tt.stored {
				before = object(key, "b1")
				_, err := m.PutObject(ctx(t), before, store.Expect{})
				must(t, "PutObject", err)
			}
			got, err := m.DeleteObject(ctx(t), bucket, key, tt.want)
			_, gerr := m.GetObject(ctx(t), bucket, key)
			switch {
			case !tt.stored:
				wantErr(t, "DeleteObject of a missing key", err, store.ErrNotFound)
				checkCondErr(t, "DeleteObject of a missing key", unlessOnlyMissing(err), tt)
			case len(tt.errs) == 0:
				must(t, "DeleteObject", err)
				wantEqual(t, "deleted record", normObject(got.Removed),
					normObject(current(before)))
				wantErr(t, "GetObject after delete", gerr, store.ErrNotFound)
			default:
				checkCondErr(t, "DeleteObject", err, tt)
				must(t, "GetObject after a failed delete", gerr)
			}
		})
	}
}

// unlessOnlyMissing returns nil for an error that is ErrNotFound and not a
// precondition failure, and err otherwise, so that a delete of a missing
// key can be checked against the cases of PutObject.
func unlessOnlyMissing(err error) error {
	if errors.Is(err, store.ErrNotFound) && !errors.Is(err, store.ErrPrecondition) {
		return nil
	}
	return err
}

// testConcurrentCreateOnly has several goroutines race to create one key
// with Expect{Absent: true}: exactly one wins, the others fail with
// ErrPrecondition, and the stored record is the winner's.
func testConcurrentCreateOnly(t *testing.T, m store.Meta) {
	withBucket(t, m)
	const writers = 8
	var mu sync.Mutex
	var winners []string // guarded by mu
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			o := object("once", fmt.Sprintf("w%d", w))
			_, err := m.PutObject(ctx(t), o, store.Expect{Absent: true})
			switch {
			case err == nil:
				mu.Lock()
				winners = append(winners, o.BlobID)
				mu.Unlock()
			case !errors.Is(err, store.ErrPrecondition):
				t.Errorf("PutObject: %v, want success or %v", err, store.ErrPrecondition)
			}
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d create-only puts succeeded (%v), want 1", len(winners), winners)
	}
	got, err := m.GetObject(ctx(t), bucket, "once")
	must(t, "GetObject", err)
	wantEqual(t, "stored record", normObject(got), normObject(current(object("once", winners[0]))))
}
