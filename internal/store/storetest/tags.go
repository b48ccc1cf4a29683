package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// testBucketTags checks setting, replacing and removing a bucket's tag set.
func testBucketTags(t *testing.T, m store.Meta) {
	withBucket(t, m)
	err := m.SetBucketTags(ctx(t), "no-such-bucket", map[string]string{"a": "1"})
	wantErr(t, "SetBucketTags on a missing bucket", err, store.ErrNotFound)
	steps := []struct {
		name string
		set  map[string]string
		want map[string]string
	}{
		{"set", map[string]string{"team": "blue", "cost": ""},
			map[string]string{"team": "blue", "cost": ""}},
		{"replace", map[string]string{"env": "prod"}, map[string]string{"env": "prod"}},
		{"empty removes", map[string]string{}, nil},
		{"set again", map[string]string{"x": "y"}, map[string]string{"x": "y"}},
		{"nil removes", nil, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			must(t, "SetBucketTags", m.SetBucketTags(ctx(t), bucket, st.set))
			b, err := m.GetBucket(ctx(t), bucket)
			must(t, "GetBucket", err)
			wantEqual(t, "Tags", b.Tags, st.want)
		})
	}
}

// testObjectTags checks tags stored by PutObject and replaced by
// SetObjectTags, on the current version and on a named one.
func testObjectTags(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "enable", m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	o := object("k", "b1")
	o.Tags = map[string]string{"a": "1"}
	first, err := m.PutObject(ctx(t), o, store.Expect{})
	must(t, "PutObject", err)
	got, err := m.GetObject(ctx(t), bucket, "k")
	must(t, "GetObject", err)
	wantEqual(t, "stored tags", got.Tags, o.Tags)
	second := putVersion(t, m, "k", "b2", "")

	tests := []struct {
		name    string
		version string
		tags    map[string]string
		wantID  string
	}{
		{"current", "", map[string]string{"b": "2"}, second},
		{"noncurrent by id", first.VersionID, map[string]string{"c": "3"}, first.VersionID},
		{"current by id", second, nil, second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := m.SetObjectTags(ctx(t), bucket, "k", tt.version, tt.tags)
			must(t, "SetObjectTags", err)
			wantEqual(t, "version tagged", id, tt.wantID)
			v, err := m.GetObjectVersion(ctx(t), bucket, "k", tt.wantID)
			must(t, "GetObjectVersion", err)
			wantEqual(t, "tags", normObject(v).Tags, tt.tags)
		})
	}
	marker, err := m.DeleteObject(ctx(t), bucket, "k", store.Expect{})
	must(t, "DeleteObject", err)
	for name, version := range map[string]string{"current delete marker": "",
		"delete marker by id": marker.VersionID, "unknown version": "nope"} {
		_, err := m.SetObjectTags(ctx(t), bucket, "k", version, map[string]string{"a": "b"})
		wantErr(t, "SetObjectTags on a "+name, err, store.ErrNotFound)
	}
	_, err = m.SetObjectTags(ctx(t), "no-such-bucket", "k", "", nil)
	wantErr(t, "SetObjectTags on a missing bucket", err, store.ErrNotFound)
}
