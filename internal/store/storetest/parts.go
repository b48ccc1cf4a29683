package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// multipartObject returns object(key, blob) as a completed multipart upload
// of parts of the given sizes records it.
func multipartObject(key, blob string, sizes ...int64) store.Object {
	o := object(key, blob)
	o.Size = 0
	for _, n := range sizes {
		o.Size += n
	}
	o.PartSizes = sizes
	return o
}

// wantPartSizes checks the part sizes of one version read back by id, ""
// naming the current one.
func wantPartSizes(t *testing.T, m store.Meta, key, id string, want []int64) {
	t.Helper()
	got, err := m.GetObjectVersion(ctx(t), bucket, key, id)
	must(t, "GetObjectVersion "+id, err)
	wantEqual(t, "PartSizes of version "+id, normObject(got).PartSizes, want)
}

// testPartSizes checks that a record's part sizes are kept as written:
// through a replace that changes nothing else, a move to the noncurrent
// versions and back, and next to records that have none.
func testPartSizes(t *testing.T, m store.Meta) {
	withBucket(t, m)
	sizes := []int64{5 << 20, 5 << 20, 7}
	mp := multipartObject("mp", "b1", sizes...)
	_, err := m.PutObject(ctx(t), mp, store.Expect{})
	must(t, "PutObject multipart", err)
	got, err := m.GetObject(ctx(t), bucket, "mp")
	must(t, "GetObject multipart", err)
	wantEqual(t, "GetObject multipart", normObject(got), normObject(current(mp)))

	resized := multipartObject("mp", "b1", 5<<20, 5<<20+7)
	_, err = m.PutObject(ctx(t), resized, store.Expect{})
	must(t, "PutObject with other part sizes only", err)
	got, err = m.GetObject(ctx(t), bucket, "mp")
	must(t, "GetObject after resize", err)
	wantEqual(t, "PartSizes after resize", got.PartSizes, resized.PartSizes)
	_, err = m.PutObject(ctx(t), mp, store.Expect{})
	must(t, "PutObject multipart again", err)

	must(t, "SetBucketVersioning", m.SetBucketVersioning(ctx(t), bucket,
		store.VersioningEnabled))
	v2 := putVersion(t, m, "mp", "b2", "")
	wantPartSizes(t, m, "mp", store.NullVersion, sizes) // demoted to object_versions
	wantPartSizes(t, m, "mp", v2, nil)
	wantPartSizes(t, m, "mp", "", nil)

	v3 := multipartObject("mp", "b3", 5<<20, 1)
	res, err := m.PutObject(ctx(t), v3, store.Expect{})
	must(t, "PutObject multipart version", err)
	wantPartSizes(t, m, "mp", v2, nil)
	wantPartSizes(t, m, "mp", res.VersionID, v3.PartSizes)

	_, err = m.DeleteObjectVersion(ctx(t), bucket, "mp", res.VersionID)
	must(t, "DeleteObjectVersion newest", err)
	_, err = m.DeleteObjectVersion(ctx(t), bucket, "mp", v2)
	must(t, "DeleteObjectVersion v2", err)
	got, err = m.GetObject(ctx(t), bucket, "mp") // the null version, promoted back
	must(t, "GetObject promoted", err)
	wantEqual(t, "PartSizes promoted", got.PartSizes, sizes)
}
