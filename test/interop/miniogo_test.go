package interop

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// TestMinioGo runs the artifact workflow with minio-go and checks its presigned URLs:
// at its default settings (16 MiB parts; aws-chunked bodies with signed chunks over
// HTTP, unsigned payloads over HTTPS), and with TrailingHeaders, which sends checksums
// in aws-chunked trailers.
func TestMinioGo(t *testing.T) {
	t.Parallel()
	for _, v := range []struct {
		name     string
		trailing bool
	}{{"defaults", false}, {"trailing headers", true}} {
		t.Run(v.name, func(t *testing.T) {
			t.Parallel()
			eachMode(t, func(t *testing.T, srv *server) {
				mc, err := newMinioClient(srv, v.trailing)
				if err != nil {
					t.Fatal(err)
				}
				c := &minioClient{mc: mc, bucket: "minio-go"}
				workflow{srv: srv, c: c, bucket: c.bucket, refusal: refusedPrecondition}.run(t)
				presignCheck{srv: srv, p: c, bucket: c.bucket}.run(t)
			})
		})
	}
}

// newMinioClient returns a minio-go client for srv with static credentials, path-style
// addressing and the server's region (so that it asks no bucket for its location);
// over HTTPS its transport trusts srv's certificate alone. trailing sets TrailingHeaders.
func newMinioClient(srv *server, trailing bool) (*minio.Client, error) {
	tr, err := minio.DefaultTransport(srv.mode == modeHTTPS)
	if err != nil {
		return nil, err
	}
	tr.Proxy = nil
	if cfg := srv.tlsConfig(); cfg != nil {
		tr.TLSClientConfig = cfg
	}
	return minio.New(srv.host, &minio.Options{
		Creds:           credentials.NewStaticV4(accessKeyID, secretAccessKey, ""),
		Secure:          srv.mode == modeHTTPS,
		Transport:       tr,
		Region:          region,
		BucketLookup:    minio.BucketLookupPath,
		MaxRetries:      1,
		TrailingHeaders: trailing,
	})
}

// minioClient drives minio-go.
type minioClient struct {
	mc     *minio.Client
	bucket string
}

func (c *minioClient) makeBucket(ctx context.Context) error {
	return c.mc.MakeBucket(ctx, c.bucket, minio.MakeBucketOptions{})
}

func (c *minioClient) upload(ctx context.Context, key, path string) error {
	_, err := c.mc.FPutObject(ctx, c.bucket, key, path, minio.PutObjectOptions{})
	return err
}

func (c *minioClient) list(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	for o := range c.mc.ListObjects(ctx, c.bucket, minio.ListObjectsOptions{
		Prefix: prefix, Recursive: true}) {
		if o.Err != nil {
			return nil, o.Err
		}
		keys = append(keys, o.Key)
	}
	return keys, nil
}

func (c *minioClient) download(ctx context.Context, key, path string) error {
	return c.mc.FGetObject(ctx, c.bucket, key, path, minio.GetObjectOptions{})
}

func (c *minioClient) copy(ctx context.Context, src, dst string) error {
	_, err := c.mc.CopyObject(ctx, minio.CopyDestOptions{Bucket: c.bucket, Object: dst},
		minio.CopySrcOptions{Bucket: c.bucket, Object: src})
	return err
}

// putIfAbsent sends If-None-Match: * through SetMatchETagExcept("*").
func (c *minioClient) putIfAbsent(ctx context.Context, key, path string) error {
	opts := minio.PutObjectOptions{}
	opts.SetMatchETagExcept("*")
	_, err := c.mc.FPutObject(ctx, c.bucket, key, path, opts)
	return err
}

func (c *minioClient) remove(ctx context.Context, keys []string) error {
	objects := make(chan minio.ObjectInfo, len(keys))
	for _, k := range keys {
		objects <- minio.ObjectInfo{Key: k}
	}
	close(objects)
	var errs []error
	for e := range c.mc.RemoveObjects(ctx, c.bucket, objects, minio.RemoveObjectsOptions{}) {
		errs = append(errs, e.Err)
	}
	return errors.Join(errs...)
}

func (c *minioClient) errorCode(err error) string {
	return minio.ToErrorResponse(err).Code
}

func (c *minioClient) presignGet(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	u, err := c.mc.PresignedGetObject(ctx, c.bucket, key, expires, url.Values{})
	if err != nil {
		return "", nil, err
	}
	return u.String(), nil, nil
}

func (c *minioClient) presignPut(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	u, err := c.mc.PresignedPutObject(ctx, c.bucket, key, expires)
	if err != nil {
		return "", nil, err
	}
	return u.String(), nil, nil
}
