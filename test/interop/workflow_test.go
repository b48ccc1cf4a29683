package interop

import (
	"context"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// client is one S3 client bound to one bucket of one server, as the artifact workflow
// drives it. Keys are full object keys; paths are local files.
type client interface {
	makeBucket(ctx context.Context) error
	upload(ctx context.Context, key, path string) error
	// list returns the keys under prefix, at any depth.
	list(ctx context.Context, prefix string) ([]string, error)
	download(ctx context.Context, key, path string) error
	// copy copies src to dst within the bucket, server-side.
	copy(ctx context.Context, src, dst string) error
	// putIfAbsent uploads path to key only if key does not exist yet.
	putIfAbsent(ctx context.Context, key, path string) error
	remove(ctx context.Context, keys []string) error
	// errorCode is the S3 error code err carries, or the client's own name for the
	// refusal of a conditional write; empty when it carries neither.
	errorCode(err error) string
}

// refusedPrecondition is the code S3 answers a write with If-None-Match: * to an existing
// key with, status 412.
const refusedPrecondition = "PreconditionFailed"

// stepTimeout bounds one step of the workflow.
const stepTimeout = 2 * time.Minute

// workflow is the artifact workflow for one client against one server.
type workflow struct {
	srv    *server
	c      client
	bucket string
	// refusal is the code errorCode gives for a refused conditional overwrite.
	refusal string
}

// run makes the bucket, then runs the artifact steps for the small and the large
// artifact, each stopping at its first failed step.
func (w workflow) run(t *testing.T) {
	t.Helper()
	if !step(t, "make bucket", w.c.makeBucket) {
		return
	}
	for _, a := range []*artifact{smallArtifact, largeArtifact} {
		label := "small"
		if a.multipart {
			label = "large"
		}
		t.Run(label, func(t *testing.T) { w.artifactSteps(t, a) })
	}
}

// artifactSteps publishes a under builds/, releases it under release/1.0.0/, checks
// that the release cannot be overwritten, and deletes everything. A failed upload ends
// the steps; after any other failure they go on, so that one report shows every step.
func (w workflow) artifactSteps(t *testing.T, a *artifact) {
	build, release := "builds/"+a.name, "release/1.0.0/"+a.name
	sidecar := release + ".sig"
	steps := []struct {
		name string
		fn   func(ctx context.Context, t *testing.T)
	}{
		{"upload", func(ctx context.Context, t *testing.T) { w.upload(ctx, t, build, a) }},
		{"list", func(ctx context.Context, t *testing.T) { w.listed(ctx, t, "builds/", build) }},
		{"download", func(ctx context.Context, t *testing.T) { w.fetch(ctx, t, build, a) }},
		{"copy to release", func(ctx context.Context, t *testing.T) {
			w.release(ctx, t, build, release, a)
		}},
		{"overwrite refused", func(ctx context.Context, t *testing.T) {
			w.overwrite(ctx, t, release, a)
		}},
		{"conditional create", func(ctx context.Context, t *testing.T) {
			w.create(ctx, t, sidecar)
		}},
		{"delete", func(ctx context.Context, t *testing.T) {
			w.delete(ctx, t, build, release, sidecar)
		}},
	}
	for _, s := range steps {
		ok := t.Run(s.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
			defer cancel()
			s.fn(ctx, t)
		})
		if !ok && s.name == "upload" {
			return
		}
	}
}

// step runs fn as a subtest named name and reports whether it passed.
func step(t *testing.T, name string, fn func(ctx context.Context) error) bool {
	t.Helper()
	return t.Run(name, func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), stepTimeout)
		defer cancel()
		if err := fn(ctx); err != nil {
			t.Fatal(err)
		}
	})
}

func (w workflow) upload(ctx context.Context, t *testing.T, key string, a *artifact) {
	if err := w.c.upload(ctx, key, a.path); err != nil {
		t.Fatalf("upload %s (%d bytes): %v", key, a.size, err)
	}
	head := w.head(ctx, t, key)
	if got := aws.ToInt64(head.ContentLength); got != a.size {
		t.Errorf("HEAD %s: Content-Length %d, want %d", key, got, a.size)
	}
	if etag := aws.ToString(head.ETag); a.multipart != multipartETag.MatchString(etag) {
		t.Errorf("HEAD %s: ETag %s; want a multipart upload's ETag (ending -N): %v", key,
			etag, a.multipart)
	}
}

// multipartETag matches the ETag of an object that a multipart upload made.
var multipartETag = regexp.MustCompile(`^"[0-9a-f]{32}-[0-9]+"$`)

// head asks the server about key through aws-sdk-go-v2, whichever client is under test.
func (w workflow) head(ctx context.Context, t *testing.T, key string) *s3.HeadObjectOutput {
	t.Helper()
	out, err := newSDKClient(w.srv).HeadObject(ctx, &s3.HeadObjectInput{
		Bucket: aws.String(w.bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("HEAD %s: %v", key, err)
	}
	return out
}

// listed fails the test unless key is among the keys the client lists under prefix.
func (w workflow) listed(ctx context.Context, t *testing.T, prefix, key string) {
	t.Helper()
	keys, err := w.c.list(ctx, prefix)
	if err != nil {
		t.Fatalf("list %s: %v", prefix, err)
	}
	if !slices.Contains(keys, key) {
		t.Fatalf("list %s: %q, want %s among them", prefix, keys, key)
	}
}

// fetch downloads key and fails the test unless it holds a's bytes.
func (w workflow) fetch(ctx context.Context, t *testing.T, key string, a *artifact) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "download")
	if err := w.c.download(ctx, key, path); err != nil {
		t.Fatalf("download %s: %v", key, err)
	}
	checkFile(t, path, a)
}

func (w workflow) release(ctx context.Context, t *testing.T, build, release string,
	a *artifact) {
	if err := w.c.copy(ctx, build, release); err != nil {
		t.Fatalf("copy %s to %s: %v", build, release, err)
	}
	w.listed(ctx, t, "release/", release)
	w.fetch(ctx, t, release, a)
}

// overwrite tries to replace release conditionally and checks that the client saw the
// refusal and the release kept its bytes.
func (w workflow) overwrite(ctx context.Context, t *testing.T, release string, a *artifact) {
	err := w.c.putIfAbsent(ctx, release, rivalArtifact.path)
	if err == nil {
		t.Errorf("conditional overwrite of %s succeeded, want it refused", release)
	} else if code := w.c.errorCode(err); code != w.refusal {
		t.Errorf("conditional overwrite of %s: error code %q, want %q: %v", release, code,
			w.refusal, err)
	}
	w.fetch(ctx, t, release, a)
}

// create writes a new key conditionally, which must succeed.
func (w workflow) create(ctx context.Context, t *testing.T, key string) {
	if err := w.c.putIfAbsent(ctx, key, rivalArtifact.path); err != nil {
		t.Fatalf("conditional create of new key %s: %v", key, err)
	}
	w.fetch(ctx, t, key, rivalArtifact)
}

func (w workflow) delete(ctx context.Context, t *testing.T, keys ...string) {
	if err := w.c.remove(ctx, keys); err != nil {
		t.Fatalf("delete %q: %v", keys, err)
	}
	for _, prefix := range []string{"builds/", "release/"} {
		left, err := w.c.list(ctx, prefix)
		if err != nil {
			t.Fatalf("list %s: %v", prefix, err)
		}
		for _, k := range keys {
			if slices.Contains(left, k) {
				t.Errorf("list %s after deleting: %q still holds %s", prefix, left, k)
			}
		}
	}
}
