package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// TestReferenceList pins the reference lister, which fuzz targets use as
// their oracle, to the hand-written listing cases.
func TestReferenceList(t *testing.T) {
	for _, tc := range listCases {
		t.Run(tc.name, func(t *testing.T) {
			want := store.ListPage{CommonPrefixes: tc.prefixes, Truncated: tc.truncated,
				NextAfter: tc.next}
			for _, k := range tc.objects {
				want.Objects = append(want.Objects, store.Object{Key: k})
			}
			CheckPage(t, ReferenceList(listKeys, tc.p), want)
		})
	}
}
