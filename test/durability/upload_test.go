package durability

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// upload is a multipart write as the client saw it.
type upload struct {
	key   string
	val   content
	id    string                // "" until CreateMultipartUpload was acknowledged
	parts []types.CompletedPart // the parts acknowledged, in order
	// completing is set once CompleteMultipartUpload was sent; completed
	// once it was acknowledged.
	completing, completed bool
}

// uploads are the multipart writes of a round. It is safe for concurrent
// use.
type uploads struct {
	mu   sync.Mutex // guards list and the uploads in it
	list []*upload
}

// add starts tracking a multipart write of v to key.
func (us *uploads) add(key string, v content) *upload {
	us.mu.Lock()
	defer us.mu.Unlock()
	u := &upload{key: key, val: v}
	us.list = append(us.list, u)
	return u
}

// update changes u under the lock.
func (us *uploads) update(u *upload, f func(u *upload)) {
	us.mu.Lock()
	defer us.mu.Unlock()
	f(u)
}

// take returns the uploads and forgets them.
func (us *uploads) take() []*upload {
	us.mu.Lock()
	defer us.mu.Unlock()
	l := us.list
	us.list = nil
	return l
}

// writeMultipart writes v to key in two parts and records the write in h
// from the moment CompleteMultipartUpload is sent, the only step that can
// change the key.
func writeMultipart(c *s3.Client, h *history, us *uploads, key string, v content) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*requestTimeout)
	defer cancel()
	u := us.add(key, v)
	out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key),
		Metadata: map[string]string{"origin": v.origin}})
	if err != nil {
		return
	}
	us.update(u, func(u *upload) { u.id = aws.ToString(out.UploadId) })
	body := v.body()
	for i, part := range [][]byte{body[:partSize], body[partSize:]} {
		n := aws.Int32(int32(i + 1))
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String(bucket),
			Key: aws.String(key), UploadId: out.UploadId, PartNumber: n,
			Body: bytes.NewReader(part)})
		if err != nil {
			return
		}
		us.update(u, func(u *upload) {
			u.parts = append(u.parts, types.CompletedPart{ETag: p.ETag, PartNumber: n})
		})
	}
	us.update(u, func(u *upload) { u.completing = true })
	w := h.begin(key, v)
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String(bucket), Key: aws.String(key), UploadId: out.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
	h.finish(w, err)
	us.update(u, func(u *upload) { u.completed = err == nil })
}

// resumeUploads checks, after a restart, every multipart write the crash
// cut off once its upload existed: the upload must still hold every part
// acknowledged, with its ETag, unless a CompleteMultipartUpload was under
// way, which may have finished it. An upload with both parts is then
// completed, a write checked with the next round's; any other is aborted.
// It returns how many uploads it completed.
func resumeUploads(t *testing.T, c *s3.Client, h *history, list []*upload) int {
	t.Helper()
	done := 0
	for _, u := range list {
		if u.id == "" || u.completed {
			continue
		}
		parts, err := listParts(c, u)
		var ae smithy.APIError
		switch {
		case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchUpload" && u.completing:
			continue
		case err != nil:
			t.Errorf("%s: upload %s of %s (%d parts acknowledged) after restart: %v", u.key,
				u.id, u.val.origin, len(u.parts), err)
			continue
		}
		checkParts(t, u, parts)
		if len(u.parts) == 2 {
			w := h.begin(u.key, u.val)
			_, err = c.CompleteMultipartUpload(context.Background(),
				&s3.CompleteMultipartUploadInput{Bucket: aws.String(bucket),
					Key: aws.String(u.key), UploadId: aws.String(u.id),
					MultipartUpload: &types.CompletedMultipartUpload{Parts: u.parts}})
			h.finish(w, err)
			if err != nil {
				t.Errorf("%s: complete upload %s after restart: %v", u.key, u.id, err)
			}
			done++
			continue
		}
		_, err = c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{
			Bucket: aws.String(bucket), Key: aws.String(u.key), UploadId: aws.String(u.id)})
		if err != nil {
			t.Errorf("%s: abort upload %s: %v", u.key, u.id, err)
		}
	}
	return done
}

// listParts returns the ETag of each part of u's upload by part number.
func listParts(c *s3.Client, u *upload) (map[int32]string, error) {
	out, err := c.ListParts(context.Background(), &s3.ListPartsInput{Bucket: aws.String(bucket),
		Key: aws.String(u.key), UploadId: aws.String(u.id)})
	if err != nil {
		return nil, err
	}
	parts := map[int32]string{}
	for _, p := range out.Parts {
		parts[aws.ToInt32(p.PartNumber)] = aws.ToString(p.ETag)
	}
	return parts, nil
}

// checkParts checks that every part of u acknowledged is listed with its
// ETag.
func checkParts(t *testing.T, u *upload, listed map[int32]string) {
	t.Helper()
	for _, p := range u.parts {
		n := aws.ToInt32(p.PartNumber)
		if got := listed[n]; got != aws.ToString(p.ETag) {
			t.Errorf("%s: upload %s lost part %d across the crash: listed ETag %q, want %q",
				u.key, u.id, n, got, aws.ToString(p.ETag))
		}
	}
}
