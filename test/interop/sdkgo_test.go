package interop

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
)

// TestSDKGoV2 runs the artifact workflow with aws-sdk-go-v2 at its default settings
// (request checksums when supported, so aws-chunked bodies with checksum trailers over
// HTTPS) and its transfer manager for uploads and downloads, and checks its presigned
// URLs.
func TestSDKGoV2(t *testing.T) {
	t.Parallel()
	eachMode(t, func(t *testing.T, srv *server) {
		wire := &wireLog{}
		c := &sdkClient{s3: newSDKClient(srv, wire.record), bucket: "sdk-go-v2"}
		c.tm = transfermanager.New(c.s3)
		workflow{srv: srv, c: c, bucket: c.bucket, refusal: refusedPrecondition}.run(t)
		t.Run("body encoding", func(t *testing.T) { wire.check(t, srv.mode) })
		presignCheck{srv: srv, p: c, bucket: c.bucket}.run(t)
	})
}

// newSDKClient returns an aws-sdk-go-v2 S3 client for srv with static credentials and
// path-style addressing. It is built without config.LoadDefaultConfig, so no shared
// file, environment variable or instance metadata is consulted; over HTTPS it trusts
// srv's certificate alone. Each observe function sees every request before it is sent.
// The checksum settings are spelled out as LoadDefaultConfig would set them: a bare
// aws.Config leaves them unset, which computes request checksums only when required.
func newSDKClient(srv *server, observe ...func(*http.Request)) *s3.Client {
	httpClient := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.Proxy = nil
		if cfg := srv.tlsConfig(); cfg != nil {
			tr.TLSClientConfig = cfg
		} else {
			tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
		}
	})
	cfg := aws.Config{
		Region:       region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		HTTPClient:   observedClient{next: httpClient, observe: observe},
		BaseEndpoint: aws.String(srv.Endpoint),

		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenSupported,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenSupported,
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
}

// observedClient shows each request to its observers, then sends it.
type observedClient struct {
	next    aws.HTTPClient
	observe []func(*http.Request)
}

func (c observedClient) Do(r *http.Request) (*http.Response, error) {
	for _, fn := range c.observe {
		fn(r)
	}
	return c.next.Do(r)
}

// wireLog records how the SDK encoded the bodies of its uploads.
type wireLog struct {
	mu      sync.Mutex // guards uploads
	uploads []upload
}

// upload is what a PutObject or UploadPart request said of its body.
type upload struct {
	Target   string `json:"target"`   // method and URL
	SHA256   string `json:"sha256"`   // X-Amz-Content-Sha256
	Encoding string `json:"encoding"` // Content-Encoding
	Trailer  string `json:"trailer"`  // X-Amz-Trailer
	Checksum bool   `json:"checksum"` // whether an x-amz-checksum-* header came along
}

// record notes r if it uploads object bytes: a PUT to a key, neither a copy nor tags.
func (l *wireLog) record(r *http.Request) {
	_, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	if r.Method != http.MethodPut || key == "" || r.Header.Get("X-Amz-Copy-Source") != "" ||
		r.URL.Query().Has("tagging") {
		return
	}
	u := upload{Target: r.Method + " " + r.URL.RequestURI(),
		SHA256: r.Header.Get("X-Amz-Content-Sha256"), Encoding: r.Header.Get("Content-Encoding"),
		Trailer: r.Header.Get("X-Amz-Trailer")}
	for name := range r.Header {
		u.Checksum = u.Checksum || strings.HasPrefix(strings.ToLower(name), "x-amz-checksum-")
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.uploads = append(l.uploads, u)
}

// check fails the test unless every upload the SDK sent carried a checksum as the
// SDKs send it by default in mode m; see checkUploads.
func (l *wireLog) check(t *testing.T, m mode) {
	l.mu.Lock()
	defer l.mu.Unlock()
	checkUploads(t, m, l.uploads)
}

// checkUploads fails the test unless there are uploads and each carried a checksum:
// over HTTPS in an aws-chunked body's trailer, unsigned; over HTTP in a header, with the
// payload signed.
func checkUploads(t *testing.T, m mode, uploads []upload) {
	t.Helper()
	if len(uploads) == 0 {
		t.Fatal("the client sent no uploads")
	}
	for _, u := range uploads {
		var ok bool
		if m == modeHTTPS {
			ok = u.SHA256 == "STREAMING-UNSIGNED-PAYLOAD-TRAILER" &&
				strings.Contains(u.Encoding, "aws-chunked") &&
				strings.HasPrefix(u.Trailer, "x-amz-checksum-") && !u.Checksum
		} else {
			ok = len(u.SHA256) == 64 && u.Trailer == "" && u.Checksum
		}
		if !ok {
			t.Errorf("%s over %s: X-Amz-Content-Sha256 %q, Content-Encoding %q, "+
				"X-Amz-Trailer %q, checksum header %v", u.Target, m, u.SHA256, u.Encoding,
				u.Trailer, u.Checksum)
		}
	}
}

// sdkClient drives aws-sdk-go-v2: the transfer manager moves files, the S3 client does
// the rest.
type sdkClient struct {
	s3     *s3.Client
	tm     *transfermanager.Client
	bucket string
}

func (c *sdkClient) makeBucket(ctx context.Context) error {
	_, err := c.s3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(c.bucket)})
	return err
}

func (c *sdkClient) upload(ctx context.Context, key, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.tm.UploadObject(ctx, &transfermanager.UploadObjectInput{
		Bucket: aws.String(c.bucket), Key: aws.String(key), Body: f})
	return err
}

func (c *sdkClient) list(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(c.s3, &s3.ListObjectsV2Input{
		Bucket: aws.String(c.bucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}

func (c *sdkClient) download(ctx context.Context, key, path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	_, err = c.tm.DownloadObject(ctx, &transfermanager.DownloadObjectInput{
		Bucket: aws.String(c.bucket), Key: aws.String(key), WriterAt: f})
	return errors.Join(err, f.Close())
}

func (c *sdkClient) copy(ctx context.Context, src, dst string) error {
	_, err := c.s3.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String(c.bucket),
		Key: aws.String(dst), CopySource: aws.String(c.bucket + "/" + src)})
	return err
}

func (c *sdkClient) putIfAbsent(ctx context.Context, key, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = c.s3.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(c.bucket),
		Key: aws.String(key), Body: f, IfNoneMatch: aws.String("*")})
	return err
}

func (c *sdkClient) remove(ctx context.Context, keys []string) error {
	ids := make([]types.ObjectIdentifier, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, types.ObjectIdentifier{Key: aws.String(k)})
	}
	out, err := c.s3.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String(c.bucket),
		Delete: &types.Delete{Objects: ids}})
	if err != nil {
		return err
	}
	if len(out.Errors) > 0 {
		e := out.Errors[0]
		return fmt.Errorf("DeleteObjects: %d errors, first %s: %s %s", len(out.Errors),
			aws.ToString(e.Key), aws.ToString(e.Code), aws.ToString(e.Message))
	}
	deleted := make([]string, 0, len(out.Deleted))
	for _, d := range out.Deleted {
		deleted = append(deleted, aws.ToString(d.Key))
	}
	slices.Sort(deleted)
	if want := slices.Sorted(slices.Values(keys)); !slices.Equal(deleted, want) {
		return fmt.Errorf("DeleteObjects deleted %q, want %q", deleted, want)
	}
	return nil
}

func (c *sdkClient) errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func (c *sdkClient) presignGet(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	req, err := s3.NewPresignClient(c.s3).PresignGetObject(ctx, &s3.GetObjectInput{
		Bucket: aws.String(c.bucket), Key: aws.String(key)}, s3.WithPresignExpires(expires))
	if err != nil {
		return "", nil, err
	}
	return req.URL, req.SignedHeader, nil
}

func (c *sdkClient) presignPut(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	req, err := s3.NewPresignClient(c.s3).PresignPutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(c.bucket), Key: aws.String(key)}, s3.WithPresignExpires(expires))
	if err != nil {
		return "", nil, err
	}
	return req.URL, req.SignedHeader, nil
}
