package durability

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// requestTimeout bounds every request the tests send.
const requestTimeout = 20 * time.Second

// newClient returns an S3 client for the test key against endpoint: plain
// HTTP, path-style, no retries (a retry would blur which attempt a server
// acknowledged) and a transport of its own, so no shared configuration,
// AWS_CA_BUNDLE included, reaches it.
func newClient(endpoint string) *s3.Client {
	tr := &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64}
	return s3.New(s3.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(endpoint),
		Credentials:  credentials.NewStaticCredentialsProvider(keyID, secret, ""),
		UsePathStyle: true,
		HTTPClient:   &http.Client{Transport: tr},
		Retryer:      aws.NopRetryer{},
	})
}

// content names the bytes of one write: origin is "key#generation", from
// which the body is derived, so a read can be checked byte for byte.
type content struct {
	origin string // "" means absent: no object
	size   int
	// multipart is set for an object written as two parts, the first of
	// partSize bytes, which changes its ETag.
	multipart bool
}

// absent is the content of a missing or deleted object.
var absent = content{}

// sizes are the body sizes writes cycle through: empty, tiny, around the
// usual buffer sizes and a few MiB.
var sizes = []int{0, 1, 1000, 32<<10 - 1, 64 << 10, 256<<10 + 3, 1<<20 + 17, 3 << 20}

// contentFor is the content of a write of key at generation gen, its size
// chosen from sizes by the origin's hash.
func contentFor(origin string) content {
	h := sha256.Sum256([]byte(origin))
	return content{origin: origin, size: sizes[int(h[0])%len(sizes)]}
}

// partSize is the size of the first part of a multipart write: S3's least.
const partSize = 5 << 20

// multipartContentFor is the content of a multipart write of origin: one
// full part and a last one of 1 byte to a few MiB.
func multipartContentFor(origin string) content {
	c := contentFor(origin)
	return content{origin: origin, size: partSize + max(1, c.size), multipart: true}
}

// etag is the ETag c's object has, unquoted: the body's MD5, or for a
// multipart object the MD5 of its parts' MD5s and the number of parts.
func (c content) etag() string {
	if !c.multipart {
		return c.md5Hex()
	}
	b := c.body()
	p1, p2 := md5.Sum(b[:partSize]), md5.Sum(b[partSize:])
	all := md5.Sum(append(p1[:], p2[:]...))
	return hex.EncodeToString(all[:]) + "-2"
}

// body returns c's bytes: a ChaCha8 stream seeded with the origin's hash.
func (c content) body() []byte {
	b := make([]byte, c.size)
	rand.NewChaCha8(sha256.Sum256([]byte(c.origin))).Read(b)
	return b
}

// digests caches the hex MD5 of each content's body.
var digests sync.Map // origin -> string

// md5Hex returns the hex MD5 of c's body.
func (c content) md5Hex() string {
	if v, ok := digests.Load(c.origin); ok {
		return v.(string)
	}
	sum := md5.Sum(c.body())
	d := hex.EncodeToString(sum[:])
	digests.Store(c.origin, d)
	return d
}

// putContent uploads c's body under key with its origin as user metadata.
func putContent(ctx context.Context, c *s3.Client, key string, v content) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key), Body: bytes.NewReader(v.body()),
		Metadata: map[string]string{"origin": v.origin}})
	return err
}

// copyObject copies src to dst in the bucket, metadata included.
func copyObject(ctx context.Context, c *s3.Client, src, dst string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(dst), CopySource: aws.String(bucket + "/" + src)})
	return err
}

// deleteObject deletes key.
func deleteObject(ctx context.Context, c *s3.Client, key string) error {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	return err
}

// readResult is what a GET returned.
type readResult struct {
	found  bool
	body   []byte
	etag   string // unquoted
	origin string // the x-amz-meta-origin value
}

// getObject reads key whole. A missing key is found == false, not an error.
func getObject(ctx context.Context, c *s3.Client, key string) (readResult, error) {
	ctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(key)})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return readResult{}, nil
	}
	if err != nil {
		return readResult{}, err
	}
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return readResult{}, err
	}
	return readResult{found: true, body: b, etag: unquote(aws.ToString(out.ETag)),
		origin: out.Metadata["origin"]}, nil
}

// listedObject is one entry of a listing.
type listedObject struct {
	etag string // unquoted
	size int64
}

// listAll lists every key under prefix in pages of pageSize.
func listAll(ctx context.Context, c *s3.Client, prefix string, pageSize int32) (
	map[string]listedObject, error) {
	got := map[string]listedObject{}
	p := s3.NewListObjectsV2Paginator(c, &s3.ListObjectsV2Input{Bucket: aws.String(bucket),
		Prefix: aws.String(prefix), MaxKeys: aws.Int32(pageSize)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			got[aws.ToString(o.Key)] = listedObject{etag: unquote(aws.ToString(o.ETag)),
				size: aws.ToInt64(o.Size)}
		}
	}
	return got, nil
}

// isAPIError reports whether err is an answer from the server, as opposed
// to a failure to reach it or to read its answer.
func isAPIError(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae)
}

// unquote strips the quotes of an ETag.
func unquote(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return s[1 : len(s)-1]
	}
	return s
}

// checkWhole checks that r is c whole: body, ETag and origin metadata.
func checkWhole(t *testing.T, key string, r readResult, c content) {
	t.Helper()
	sum := md5.Sum(r.body)
	got := hex.EncodeToString(sum[:])
	if got != c.md5Hex() || len(r.body) != c.size {
		t.Errorf("%s: body of %d bytes (md5 %s) is not %s (%d bytes)", key, len(r.body), got,
			c.origin, c.size)
	}
	if want := c.etag(); r.etag != want {
		t.Errorf("%s: ETag %s, want %s for %s", key, r.etag, want, c.origin)
	}
	if r.origin != c.origin {
		t.Errorf("%s: metadata names %q, body is %q", key, r.origin, c.origin)
	}
}

// identify returns the candidate whose body r carries, if any; of several
// with the same body, the one r's metadata names.
func identify(r readResult, candidates []content) (content, bool) {
	if !r.found {
		for _, c := range candidates {
			if c == absent {
				return c, true
			}
		}
		return absent, false
	}
	sum := md5.Sum(r.body)
	got := hex.EncodeToString(sum[:])
	match, ok := absent, false
	for _, c := range candidates {
		if c != absent && c.size == len(r.body) && c.md5Hex() == got {
			// Equal bodies (empty ones) are told apart by the metadata.
			if !ok || c.origin == r.origin {
				match, ok = c, true
			}
		}
	}
	return match, ok
}
