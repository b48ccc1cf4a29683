package s3api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// condWriteCase is one conditional PutObject or DeleteObject on a key that
// holds "v1" when stored is true, and nothing otherwise. mod sets the
// conditional fields, given the stored object's ETag ("" when none).
type condWriteCase struct {
	name     string
	stored   bool
	del      bool
	put      func(in *s3.PutObjectInput, etag string)
	delete   func(in *s3.DeleteObjectInput, etag string)
	code     string // "" for success
	status   int
	wantBody string // the key's content afterwards; "" when it must not exist
}

var condWriteCases = []condWriteCase{
	{name: "create-only on a new key",
		put:      func(in *s3.PutObjectInput, _ string) { in.IfNoneMatch = aws.String("*") },
		wantBody: "v2"},
	{name: "create-only on an existing key", stored: true,
		put:  func(in *s3.PutObjectInput, _ string) { in.IfNoneMatch = aws.String("*") },
		code: "PreconditionFailed", status: http.StatusPreconditionFailed, wantBody: "v1"},
	{name: "If-Match with the current ETag", stored: true,
		put:      func(in *s3.PutObjectInput, etag string) { in.IfMatch = aws.String(etag) },
		wantBody: "v2"},
	{name: "If-Match with the current ETag unquoted", stored: true,
		put: func(in *s3.PutObjectInput, etag string) {
			in.IfMatch = aws.String(strings.Trim(etag, `"`))
		},
		wantBody: "v2"},
	{name: "If-Match with another ETag", stored: true,
		put:  func(in *s3.PutObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("v0")) },
		code: "PreconditionFailed", status: http.StatusPreconditionFailed, wantBody: "v1"},
	{name: "If-Match on a missing key",
		put:  func(in *s3.PutObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("v1")) },
		code: "NoSuchKey", status: http.StatusNotFound},
	{name: "If-Match * on an existing key", stored: true,
		put:      func(in *s3.PutObjectInput, _ string) { in.IfMatch = aws.String("*") },
		wantBody: "v2"},
	{name: "If-Match * on a missing key",
		put:  func(in *s3.PutObjectInput, _ string) { in.IfMatch = aws.String("*") },
		code: "NoSuchKey", status: http.StatusNotFound},
	{name: "If-None-Match with an ETag is not served", stored: true,
		put:  func(in *s3.PutObjectInput, etag string) { in.IfNoneMatch = aws.String(etag) },
		code: "NotImplemented", status: http.StatusNotImplemented, wantBody: "v1"},
	{name: "both headers are not served",
		put: func(in *s3.PutObjectInput, _ string) {
			in.IfNoneMatch, in.IfMatch = aws.String("*"), aws.String("*")
		},
		code: "NotImplemented", status: http.StatusNotImplemented},
	{name: "DeleteObject If-Match with the current ETag", stored: true, del: true,
		delete: func(in *s3.DeleteObjectInput, etag string) { in.IfMatch = aws.String(etag) }},
	{name: "DeleteObject If-Match with another ETag", stored: true, del: true,
		delete: func(in *s3.DeleteObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("x")) },
		code:   "PreconditionFailed", status: http.StatusPreconditionFailed, wantBody: "v1"},
	{name: "DeleteObject If-Match on a missing key", del: true,
		delete: func(in *s3.DeleteObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("x")) },
		code:   "NoSuchKey", status: http.StatusNotFound},
	{name: "DeleteObject If-Match * on an existing key", stored: true, del: true,
		delete: func(in *s3.DeleteObjectInput, _ string) { in.IfMatch = aws.String("*") }},
}

// TestConditionalWrites checks PutObject's If-None-Match and If-Match and
// DeleteObject's If-Match over real HTTP with the SDK: the write happens
// exactly when the condition holds, a failed one changes nothing, and no
// blob of a refused write is left behind.
func TestConditionalWrites(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		for i, tt := range condWriteCases {
			t.Run(tt.name, func(t *testing.T) {
				key := fmt.Sprintf("cond/%02d", i)
				etag := ""
				if tt.stored {
					etag = aws.ToString(put(t, c, "dev-main", key, "v1").ETag)
				}
				err := runCondWrite(c, key, etag, tt)
				if tt.code == "" && err != nil {
					t.Fatalf("conditional write: %v", err)
				}
				if tt.code != "" {
					wantErr(t, err, tt.code, tt.status)
				}
				checkContent(t, c, key, tt.wantBody)
			})
		}
		checkNoOrphanBlobs(t, e)
	})
}

// runCondWrite sends tt's write of "v2" to key.
func runCondWrite(c *s3.Client, key, etag string, tt condWriteCase) error {
	ctx := context.Background()
	if tt.del {
		in := &s3.DeleteObjectInput{Bucket: aws.String("dev-main"), Key: aws.String(key)}
		tt.delete(in, etag)
		_, err := c.DeleteObject(ctx, in)
		return err
	}
	in := &s3.PutObjectInput{Bucket: aws.String("dev-main"), Key: aws.String(key),
		Body: strings.NewReader("v2")}
	tt.put(in, etag)
	_, err := c.PutObject(ctx, in)
	return err
}

// checkContent checks that key holds want, or does not exist when want is "".
func checkContent(t *testing.T, c *s3.Client, key, want string) {
	t.Helper()
	got, err := get(c, "dev-main", key)
	if want == "" {
		wantErr(t, err, "NoSuchKey", http.StatusNotFound)
		return
	}
	if err != nil || got != want {
		t.Errorf("%s holds %q (err %v), want %q", key, got, err, want)
	}
}

// checkNoOrphanBlobs checks that every blob is referenced by a record: the
// blob of a write refused by its condition is removed, as is a replaced one.
func checkNoOrphanBlobs(t *testing.T, e *env) {
	t.Helper()
	known := map[string]bool{}
	err := e.stores.Meta.BlobIDs(t.Context(), func(id string) error {
		known[id] = true
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := e.stores.Blobs.Sweep(t.Context(), func(id string) bool { return known[id] })
	if err != nil || n != 0 {
		t.Errorf("sweep removed %d unreferenced blobs (err %v), want 0", n, err)
	}
}

// TestConcurrentCreateOnly races writers putting one key with
// If-None-Match: *: exactly one wins, every other gets 412
// PreconditionFailed, and the object holds the winner's bytes.
func TestConcurrentCreateOnly(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	const writers = 12
	var mu sync.Mutex
	var winners []string // guarded by mu
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			body := fmt.Sprintf("writer %d", w)
			_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
				Bucket: aws.String("dev-main"), Key: aws.String("release/v1.0.0.tar.gz"),
				Body: strings.NewReader(body), IfNoneMatch: aws.String("*")})
			if err != nil {
				if errCode(err) != "PreconditionFailed" ||
					errStatus(err) != http.StatusPreconditionFailed {
					t.Errorf("writer %d: %v, want success or 412 PreconditionFailed", w, err)
				}
				return
			}
			mu.Lock()
			winners = append(winners, body)
			mu.Unlock()
		})
	}
	wg.Wait()
	if len(winners) != 1 {
		t.Fatalf("%d create-only writers won (%q), want 1", len(winners), winners)
	}
	checkContent(t, c, "release/v1.0.0.tar.gz", winners[0])
	checkNoOrphanBlobs(t, e)
}

// TestConditionalCopy checks CopyObject's If-None-Match and If-Match on the
// destination: the copy lands exactly when the condition holds, and a
// refused one changes nothing and leaves no blob.
func TestConditionalCopy(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	put(t, c, "dev-main", "copy-src", "v2")
	tests := []struct {
		name     string
		stored   bool
		set      func(in *s3.CopyObjectInput, etag string)
		code     string
		status   int
		wantBody string
	}{
		{"create-only on a new key", false,
			func(in *s3.CopyObjectInput, _ string) { in.IfNoneMatch = aws.String("*") },
			"", 0, "v2"},
		{"create-only on an existing key", true,
			func(in *s3.CopyObjectInput, _ string) { in.IfNoneMatch = aws.String("*") },
			"PreconditionFailed", http.StatusPreconditionFailed, "v1"},
		{"If-Match with the destination's ETag", true,
			func(in *s3.CopyObjectInput, etag string) { in.IfMatch = aws.String(etag) },
			"", 0, "v2"},
		{"If-Match with another ETag", true,
			func(in *s3.CopyObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("v0")) },
			"PreconditionFailed", http.StatusPreconditionFailed, "v1"},
		{"If-Match on a missing key", false,
			func(in *s3.CopyObjectInput, _ string) { in.IfMatch = aws.String(md5ETag("v1")) },
			"NoSuchKey", http.StatusNotFound, ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := fmt.Sprintf("condcopy/%02d", i)
			etag := ""
			if tt.stored {
				etag = aws.ToString(put(t, c, "dev-main", key, "v1").ETag)
			}
			in := &s3.CopyObjectInput{Bucket: aws.String("dev-main"), Key: aws.String(key),
				CopySource: aws.String("dev-main/copy-src")}
			tt.set(in, etag)
			_, err := c.CopyObject(context.Background(), in)
			if tt.code == "" && err != nil {
				t.Fatalf("conditional copy: %v", err)
			}
			if tt.code != "" {
				wantErr(t, err, tt.code, tt.status)
			}
			checkContent(t, c, key, tt.wantBody)
		})
	}
	checkNoOrphanBlobs(t, e)
}
