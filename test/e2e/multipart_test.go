package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// bigSize is the file `aws s3 cp` uploads in parts: above the CLI's 8 MiB
// multipart threshold, thirteen 8 MiB parts.
const bigSize = 100 << 20

// sparseFile creates a file of size bytes that costs almost no disk or
// time: a hole with a few marked bytes, so that parts differ.
func sparseFile(t *testing.T, path string, size int64) string {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	for off := int64(13); off < size; off += 7 << 20 {
		if _, err := f.WriteAt([]byte(fmt.Sprintf("mark@%d", off)), off); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// partsOf reads the ETag the head-object JSON printed and checks it is a
// multipart ETag of n parts.
func multipartETagOf(n int) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var info struct{ ETag string }
		if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
			t.Fatalf("parse the CLI's JSON: %v\n%v", err, r)
		}
		if !strings.HasSuffix(info.ETag, fmt.Sprintf(`-%d"`, n)) {
			t.Fatalf("ETag %s, want a multipart ETag of %d parts", info.ETag, n)
		}
	}
}

// TestMultipartCLI uploads a 100 MiB file with `aws s3 cp`, which sends
// CreateMultipartUpload, UploadPart and CompleteMultipartUpload, to the
// example's bucket, whose DenyUnEncryptedObjectUploads statement lets it
// through with --sse AES256 and refuses it without.
func TestMultipartCLI(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	dir := t.TempDir()
	big := sparseFile(t, filepath.Join(dir, "big.bin"), bigSize)
	got := filepath.Join(dir, "got.bin")
	url := bucketURL + "/big/file.bin"
	steps := []step{
		{
			name: "upload without SSE is denied", profile: "ci-publisher",
			args: []string{"s3", "cp", big, bucketURL + "/big/plain.bin"},
			want: "AccessDenied", status: 403,
		},
		{
			name: "upload with SSE", profile: "ci-publisher",
			args: []string{"s3", "cp", big, url, "--sse", "AES256"},
		},
		{
			name: "head shows SSE and parts", profile: "ci-publisher",
			args:  []string{"s3api", "head-object", "--bucket", bucket, "--key", "big/file.bin"},
			check: all(showsSSE("AES256", big), multipartETagOf(13)),
		},
		{
			name: "download is identical", profile: "ci-publisher",
			args: []string{"s3", "cp", url, got}, check: sameFile(got, big),
		},
		{
			name: "no upload is left", profile: "ci-publisher",
			args:  []string{"s3api", "list-multipart-uploads", "--bucket", bucket},
			check: lacks("UploadId"),
		},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { s.run(t, c) })
	}
	t.Run("s3api", func(t *testing.T) { multipartAPISteps(t, c, dir) })
}

// apiUpload drives one upload with `aws s3api` calls as ci-publisher.
type apiUpload struct {
	t   *testing.T
	c   *cli
	key string
	id  string
}

// call runs an s3api call on the upload, with --debug so that the status of
// a failure can be checked.
func (u *apiUpload) call(op string, args ...string) result {
	u.t.Helper()
	full := append([]string{"s3api", op, "--bucket", bucket, "--key", u.key}, args...)
	return u.c.run(u.t, "ci-publisher", true, full...)
}

// createUpload starts an upload of key with SSE-S3, as the bucket requires.
func createUpload(t *testing.T, c *cli, key string) *apiUpload {
	t.Helper()
	u := &apiUpload{t: t, c: c, key: key}
	r := u.call("create-multipart-upload", "--server-side-encryption", "AES256")
	var out struct{ UploadId string }
	if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil || out.UploadId == "" {
		t.Fatalf("create-multipart-upload:\n%v", r)
	}
	u.id = out.UploadId
	return u
}

// part uploads body as part n and returns its ETag.
func (u *apiUpload) part(n int, body string) string {
	u.t.Helper()
	r := u.call("upload-part", "--upload-id", u.id, "--part-number", fmt.Sprint(n),
		"--body", body)
	var out struct{ ETag string }
	if r.err != nil || json.Unmarshal([]byte(r.stdout), &out) != nil {
		u.t.Fatalf("upload-part %d:\n%v", n, r)
	}
	return out.ETag
}

// complete completes the upload with the parts (number, ETag) given.
func (u *apiUpload) complete(parts ...any) result {
	u.t.Helper()
	var list []map[string]any
	for i := 0; i+1 < len(parts); i += 2 {
		list = append(list, map[string]any{"PartNumber": parts[i], "ETag": parts[i+1]})
	}
	doc, _ := json.Marshal(map[string]any{"Parts": list})
	return u.call("complete-multipart-upload", "--upload-id", u.id,
		"--multipart-upload", string(doc))
}

// wantFailure fails unless r failed with code and status.
func wantFailure(t *testing.T, what string, r result, code string, status int) {
	t.Helper()
	if r.err == nil || r.code != code || r.status != status {
		t.Fatalf("%s: want %s (%d), got code %q status %d:\n%v", what, code, status, r.code,
			r.status, r)
	}
}

// multipartAPISteps drives the multipart calls one by one, the failures
// included.
func multipartAPISteps(t *testing.T, c *cli, dir string) {
	first := sparseFile(t, filepath.Join(dir, "part1.bin"), 5<<20)
	tail := filepath.Join(dir, "tail.txt")
	if err := os.WriteFile(tail, []byte("the last part may be small"), 0o600); err != nil {
		t.Fatal(err)
	}
	u := createUpload(t, c, "api/object.bin")
	e1, e2 := u.part(1, first), u.part(2, tail)
	if r := u.call("list-parts", "--upload-id", u.id); r.err != nil ||
		strings.Count(r.stdout, `"PartNumber"`) != 2 {
		t.Fatalf("list-parts:\n%v", r)
	}
	r := c.run(t, "ci-publisher", false, "s3api", "list-multipart-uploads", "--bucket", bucket)
	if r.err != nil || !strings.Contains(r.stdout, u.id) {
		t.Fatalf("list-multipart-uploads lacks %s:\n%v", u.id, r)
	}
	wantFailure(t, "parts out of order", u.complete(2, e2, 1, e1), "InvalidPartOrder", 400)
	for _, n := range []string{"0", "10001"} {
		r := u.call("upload-part", "--upload-id", u.id, "--part-number", n, "--body", tail)
		wantFailure(t, "part number "+n, r, "InvalidArgument", 400)
	}
	small := createUpload(t, c, "api/small.bin")
	s1, s2 := small.part(1, tail), small.part(2, tail)
	wantFailure(t, "small first part", small.complete(1, s1, 2, s2), "EntityTooSmall", 400)
	if r := small.call("abort-multipart-upload", "--upload-id", small.id); r.err != nil {
		t.Fatalf("abort:\n%v", r)
	}
	wantFailure(t, "abort again", small.call("abort-multipart-upload", "--upload-id",
		small.id), "NoSuchUpload", 404)
	wantFailure(t, "parts of an aborted upload", small.call("list-parts", "--upload-id",
		small.id), "NoSuchUpload", 404)
	// A part of an upload that is gone carries no encryption key of its
	// upload for DenyUnEncryptedObjectUploads to see; a caller who may
	// abort the key's uploads learns that it is gone (docs/s3-multipart.md).
	wantFailure(t, "part of an aborted upload", small.call("upload-part", "--upload-id",
		small.id, "--part-number", "1", "--body", tail), "NoSuchUpload", 404)
	if r := u.complete(1, e1, 2, e2); r.err != nil {
		t.Fatalf("complete:\n%v", r)
	}
	got := filepath.Join(dir, "api-got.bin")
	want := filepath.Join(dir, "api-want.bin")
	concat(t, want, first, tail)
	s := step{name: "download", profile: "ci-publisher",
		args: []string{"s3", "cp", bucketURL + "/api/object.bin", got}, check: sameFile(got, want)}
	s.run(t, c)
}

// concat writes the files srcs, one after another, to dst.
func concat(t *testing.T, dst string, srcs ...string) {
	t.Helper()
	var all []byte
	for _, s := range srcs {
		b, err := os.ReadFile(s)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b...)
	}
	if err := os.WriteFile(dst, all, 0o600); err != nil {
		t.Fatal(err)
	}
}
