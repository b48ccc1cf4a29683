package storetest

import (
	"fmt"
	"slices"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// upload returns an upload of key with every field set.
func upload(key, id string) store.Upload {
	return store.Upload{
		Bucket: bucket, Key: key, ID: id, Initiated: at(int64(len(id)), 42),
		Owner: account, Initiator: "arn:aws:iam::" + account + ":user/alice",
		Headers:           map[string]string{"Content-Type": "text/plain"},
		UserMeta:          map[string]string{"color": "blue"},
		Tags:              map[string]string{"team": "a"},
		ChecksumAlgorithm: "CRC32",
		ChecksumType:      "COMPOSITE",
		KeyHeaders:        map[string]string{"X-Amz-Server-Side-Encryption": "AES256"},
	}
}

// part returns part n stored in blob.
func part(n int, blob string) store.Part {
	return store.Part{Number: n, BlobID: blob, Size: int64(n) * 100,
		ETag: fmt.Sprintf(`"etag-%s"`, blob), LastModified: at(int64(n), 7),
		Checksums: map[string]string{"CRC32": "AAAAAA=="}}
}

// normUpload returns u with times in UTC and empty maps nil.
func normUpload(u store.Upload) store.Upload {
	u.Initiated = utc(u.Initiated)
	for _, m := range []*map[string]string{&u.Headers, &u.UserMeta, &u.Tags, &u.KeyHeaders} {
		if len(*m) == 0 {
			*m = nil
		}
	}
	return u
}

// normParts returns ps with times in UTC and empty maps nil.
func normParts(ps []store.Part) []store.Part {
	out := make([]store.Part, 0, len(ps))
	for _, p := range ps {
		p.LastModified = utc(p.LastModified)
		if len(p.Checksums) == 0 {
			p.Checksums = nil
		}
		out = append(out, p)
	}
	return out
}

// testUploads checks creating, reading and deleting uploads, and that
// every call naming a missing upload is ErrNotFound.
func testUploads(t *testing.T, m store.Meta) {
	u := upload("dir/k", "id-1")
	wantErr(t, "CreateUpload without bucket", m.CreateUpload(ctx(t), u), store.ErrNotFound)
	withBucket(t, m)
	must(t, "CreateUpload", m.CreateUpload(ctx(t), u))
	got, err := m.GetUpload(ctx(t), bucket, "dir/k", "id-1")
	must(t, "GetUpload", err)
	wantEqual(t, "GetUpload", normUpload(got), u)
	missingCalls := []struct {
		name          string
		key, uploadID string
	}{
		{"other id", "dir/k", "id-2"},
		{"other key", "dir/x", "id-1"},
	}
	for _, tt := range missingCalls {
		_, err := m.GetUpload(ctx(t), bucket, tt.key, tt.uploadID)
		wantErr(t, tt.name+": GetUpload", err, store.ErrNotFound)
		_, err = m.PutPart(ctx(t), bucket, tt.key, tt.uploadID, part(1, "b"))
		wantErr(t, tt.name+": PutPart", err, store.ErrNotFound)
		_, err = m.ListParts(ctx(t), bucket, tt.key, tt.uploadID, 0, 10)
		wantErr(t, tt.name+": ListParts", err, store.ErrNotFound)
		_, err = m.DeleteUpload(ctx(t), bucket, tt.key, tt.uploadID)
		wantErr(t, tt.name+": DeleteUpload", err, store.ErrNotFound)
	}
	_, err = m.PutPart(ctx(t), bucket, "dir/k", "id-1", part(2, "b2"))
	must(t, "PutPart", err)
	blobs, err := m.DeleteUpload(ctx(t), bucket, "dir/k", "id-1")
	must(t, "DeleteUpload", err)
	wantEqual(t, "DeleteUpload blobs", blobs, []string{"b2"})
	_, err = m.GetUpload(ctx(t), bucket, "dir/k", "id-1")
	wantErr(t, "GetUpload after delete", err, store.ErrNotFound)
	_, err = m.DeleteUpload(ctx(t), bucket, "dir/k", "id-1")
	wantErr(t, "DeleteUpload again", err, store.ErrNotFound)
}

// testCompleteUpload checks that completing an upload stores the object
// and removes the upload at once, that a failed condition changes neither,
// and that a second completion finds no upload and stores nothing.
func testCompleteUpload(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "CreateUpload", m.CreateUpload(ctx(t), upload("k", "u1")))
	for n, b := range []string{"p1", "p2"} {
		_, err := m.PutPart(ctx(t), bucket, "k", "u1", part(n+1, b))
		must(t, "PutPart", err)
	}
	_, err := m.PutObject(ctx(t), object("k", "before"), store.Expect{})
	must(t, "PutObject", err)
	_, _, err = m.CompleteUpload(ctx(t), "u1", object("k", "joined"),
		store.Expect{Absent: true})
	wantErr(t, "CompleteUpload over an existing key", err, store.ErrPrecondition)
	_, err = m.GetUpload(ctx(t), bucket, "k", "u1")
	must(t, "GetUpload after a failed condition", err)
	res, blobs, err := m.CompleteUpload(ctx(t), "u1", object("k", "joined"),
		store.Expect{ETag: object("k", "before").ETag})
	must(t, "CompleteUpload", err)
	wantEqual(t, "CompleteUpload blobs", blobs, []string{"p1", "p2"})
	wantEqual(t, "CompleteUpload freed", res.Freed, "before")
	_, err = m.GetUpload(ctx(t), bucket, "k", "u1")
	wantErr(t, "GetUpload after completion", err, store.ErrNotFound)
	_, _, err = m.CompleteUpload(ctx(t), "u1", object("k", "again"), store.Expect{})
	wantErr(t, "CompleteUpload again", err, store.ErrNotFound)
	got, err := m.GetObject(ctx(t), bucket, "k")
	must(t, "GetObject", err)
	wantEqual(t, "object's blob", got.BlobID, "joined")
}

// testUploadsOfDeletedBucket checks that deleting a bucket, which uploads
// in progress do not keep from being deleted, deletes them, and that their
// part blobs are no longer visited by BlobIDs (a start-up sweep frees them).
func testUploadsOfDeletedBucket(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "CreateUpload", m.CreateUpload(ctx(t), upload("k", "u1")))
	_, err := m.PutPart(ctx(t), bucket, "k", "u1", part(1, "orphan"))
	must(t, "PutPart", err)
	must(t, "DeleteBucket", m.DeleteBucket(ctx(t), bucket))
	withBucket(t, m)
	_, err = m.GetUpload(ctx(t), bucket, "k", "u1")
	wantErr(t, "GetUpload in the new bucket", err, store.ErrNotFound)
	must(t, "BlobIDs", m.BlobIDs(ctx(t), func(id string) error {
		t.Errorf("BlobIDs visits %s", id)
		return nil
	}))
}

// testParts checks recording, replacing and paging through parts.
func testParts(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "CreateUpload", m.CreateUpload(ctx(t), upload("k", "u1")))
	for _, n := range []int{3, 1, 10000, 2} {
		old, err := m.PutPart(ctx(t), bucket, "k", "u1", part(n, fmt.Sprint("b", n)))
		must(t, "PutPart", err)
		wantEqual(t, "PutPart new part replaced", old, "")
	}
	old, err := m.PutPart(ctx(t), bucket, "k", "u1", part(2, "b2-new"))
	must(t, "PutPart again", err)
	wantEqual(t, "PutPart replaced", old, "b2")
	old, err = m.PutPart(ctx(t), bucket, "k", "u1", part(2, "b2-new"))
	must(t, "PutPart same blob", err)
	wantEqual(t, "PutPart same blob replaced", old, "")
	all := []store.Part{part(1, "b1"), part(2, "b2-new"), part(3, "b3"),
		part(10000, "b10000")}
	tests := []struct {
		name         string
		after, limit int
		want         []store.Part
		truncated    bool
	}{
		{"all", 0, 1000, all, false},
		{"exactly all", 0, 4, all, false},
		{"first two", 0, 2, all[:2], true},
		{"after 2", 2, 1, all[2:3], true},
		{"after 3", 3, 5, all[3:], false},
		{"after last", 10000, 5, nil, false},
		{"none asked", 0, 0, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := m.ListParts(ctx(t), bucket, "k", "u1", tt.after, tt.limit)
			must(t, "ListParts", err)
			var want []store.Part
			if tt.want != nil {
				want = normParts(tt.want)
			}
			got := normParts(page.Parts)
			if len(got) == 0 {
				got = nil
			}
			wantEqual(t, "parts", got, want)
			wantEqual(t, "truncated", page.Truncated, tt.truncated)
		})
	}
}

// testUploadBlobIDs checks that BlobIDs visits the part blobs of uploads in
// progress, so that a start-up sweep keeps them, and no longer visits them
// once the upload is deleted.
func testUploadBlobIDs(t *testing.T, m store.Meta) {
	withBucket(t, m)
	for i := range 3 {
		id := fmt.Sprint("u", i)
		must(t, "CreateUpload", m.CreateUpload(ctx(t), upload("k", id)))
		for n := 1; n <= 2; n++ {
			_, err := m.PutPart(ctx(t), bucket, "k", id, part(n, fmt.Sprintf("p%d-%d", i, n)))
			must(t, "PutPart", err)
		}
	}
	_, err := m.DeleteUpload(ctx(t), bucket, "k", "u1")
	must(t, "DeleteUpload", err)
	var got []string
	must(t, "BlobIDs", m.BlobIDs(ctx(t), func(id string) error {
		got = append(got, id)
		return nil
	}))
	slices.Sort(got)
	wantEqual(t, "BlobIDs", got, []string{"p0-1", "p0-2", "p2-1", "p2-2"})
}

// testListUploads checks the order, markers, prefixes and delimiters of
// ListUploads.
func testListUploads(t *testing.T, m store.Meta) {
	withBucket(t, m)
	_, err := m.ListUploads(ctx(t), "no-such-bucket", store.UploadListParams{MaxUploads: 5})
	wantErr(t, "ListUploads without bucket", err, store.ErrNotFound)
	for _, ku := range [][2]string{{"b", "b2"}, {"a/x", "ax"}, {"b", "b1"}, {"a/y", "ay"},
		{"c", "c"}, {"a/x/z", "axz"}} {
		must(t, "CreateUpload", m.CreateUpload(ctx(t), upload(ku[0], ku[1])))
	}
	tests := []struct {
		name        string
		p           store.UploadListParams
		uploads     []string // key#id
		prefixes    []string
		truncated   bool
		nextKey, id string
	}{
		{"all", store.UploadListParams{MaxUploads: 100},
			[]string{"a/x#ax", "a/x/z#axz", "a/y#ay", "b#b1", "b#b2", "c#c"}, nil, false, "c", "c"},
		{"page", store.UploadListParams{MaxUploads: 4},
			[]string{"a/x#ax", "a/x/z#axz", "a/y#ay", "b#b1"}, nil, true, "b", "b1"},
		{"key and id marker", store.UploadListParams{KeyMarker: "b", UploadIDMarker: "b1",
			MaxUploads: 4}, []string{"b#b2", "c#c"}, nil, false, "c", "c"},
		{"key marker only", store.UploadListParams{KeyMarker: "b", MaxUploads: 4},
			[]string{"c#c"}, nil, false, "c", "c"},
		{"prefix", store.UploadListParams{Prefix: "a/x", MaxUploads: 9},
			[]string{"a/x#ax", "a/x/z#axz"}, nil, false, "a/x/z", "axz"},
		{"delimiter", store.UploadListParams{Delimiter: "/", MaxUploads: 9},
			[]string{"b#b1", "b#b2", "c#c"}, []string{"a/"}, false, "c", "c"},
		{"delimiter page", store.UploadListParams{Delimiter: "/", MaxUploads: 1},
			nil, []string{"a/"}, true, "a/", ""},
		{"after prefix", store.UploadListParams{Delimiter: "/", KeyMarker: "a/",
			MaxUploads: 9}, []string{"b#b1", "b#b2", "c#c"}, nil, false, "c", "c"},
		{"prefix and delimiter", store.UploadListParams{Prefix: "a/", Delimiter: "/",
			MaxUploads: 9}, []string{"a/x#ax", "a/y#ay"}, []string{"a/x/"}, false, "a/y", "ay"},
		{"none asked", store.UploadListParams{}, nil, nil, true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			page, err := m.ListUploads(ctx(t), bucket, tt.p)
			must(t, "ListUploads", err)
			var got []string
			for _, u := range page.Uploads {
				got = append(got, u.Key+"#"+u.ID)
			}
			wantEqual(t, "uploads", got, tt.uploads)
			wantEqual(t, "prefixes", page.CommonPrefixes, tt.prefixes)
			wantEqual(t, "truncated", page.Truncated, tt.truncated)
			wantEqual(t, "next", [2]string{page.NextKeyMarker, page.NextUploadIDMarker},
				[2]string{tt.nextKey, tt.id})
		})
	}
}
