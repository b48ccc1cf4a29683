package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// awkwardKeys are keys that trip up escaping, path cleaning and signing.
var awkwardKeys = []struct{ name, key string }{
	{"plain", "plain.txt"},
	{"spaces", "with spaces/and more  spaces.txt"},
	{"unicode", "unicodé/日本語/ключ.bin"},
	{"plus", "a+b+c.tgz"},
	{"percent", "100%/%2F%41.txt"},
	{"double slash", "dir//file"},
	{"leading slash", "/leading"},
	{"dot segments", "a/../b"},
	{"dot", "./x/."},
	{"query chars", "q?x=1&y=2#frag"},
	{"tilde and star", "~user/*.txt"},
	{"max length", strings.Repeat("k", 1024)},
	{"max length multibyte", strings.Repeat("é", 512)},
}

func TestObjectRoundTrip(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		ctx := context.Background()
		for _, tt := range awkwardKeys {
			t.Run(tt.name, func(t *testing.T) {
				body := "body of " + tt.name
				put(t, c, "dev-main", tt.key, body)
				got, err := get(c, "dev-main", tt.key)
				if err != nil || got != body {
					t.Fatalf("get = %q, %v; want %q", got, err, body)
				}
				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dev-main"),
					Key: aws.String(tt.key)})
				if err != nil {
					t.Fatalf("head: %v", err)
				}
				if n := aws.ToInt64(head.ContentLength); n != int64(len(body)) {
					t.Errorf("head Content-Length %d, want %d", n, len(body))
				}
				if !listed(t, c, "dev-main", tt.key) {
					t.Errorf("key %q not listed", tt.key)
				}
				_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("dev-main"),
					Key: aws.String(tt.key)})
				if err != nil {
					t.Fatalf("delete: %v", err)
				}
				_, err = get(c, "dev-main", tt.key)
				wantErr(t, err, "NoSuchKey", http.StatusNotFound)
				_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("dev-main"),
					Key: aws.String(tt.key)})
				if err != nil {
					t.Errorf("deleting a missing key: %v, want 204", err)
				}
			})
		}
	})
}

// listed reports whether a V2 listing with the key as prefix shows the key.
func listed(t *testing.T, c *s3.Client, bucket, key string) bool {
	t.Helper()
	out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	for _, o := range out.Contents {
		if aws.ToString(o.Key) == key {
			return true
		}
	}
	return false
}

func TestKeyTooLong(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		tests := []struct{ name, key string }{
			{"1025 ascii", strings.Repeat("k", 1025)},
			{"1026 bytes multibyte", strings.Repeat("é", 513)},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := e.s3(alice).PutObject(context.Background(), &s3.PutObjectInput{
					Bucket: aws.String("dev-main"), Key: aws.String(tt.key),
					Body: strings.NewReader("x")})
				wantErr(t, err, "KeyTooLongError", http.StatusBadRequest)
			})
		}
	})
}

func TestMetadataRoundTrip(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		ctx := context.Background()
		meta := map[string]string{"color": "blue", "build-id": "42", "note": "two words"}
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("meta.json"), Body: strings.NewReader(`{"a":1}`),
			ContentType: aws.String("application/json"), Metadata: meta,
			CacheControl: aws.String("max-age=60"), ContentDisposition: aws.String("inline"),
			ContentEncoding: aws.String("identity"), ContentLanguage: aws.String("en-GB"),
			Expires:              aws.Time(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)),
			ServerSideEncryption: types.ServerSideEncryptionAes256})
		if err != nil {
			t.Fatal(err)
		}
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("put SSE %q, want AES256", out.ServerSideEncryption)
		}
		if etag, want := aws.ToString(out.ETag), md5ETag(`{"a":1}`); etag != want {
			t.Errorf("put ETag %s, want %s", etag, want)
		}
		head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("meta.json")})
		if err != nil {
			t.Fatal(err)
		}
		checks := []struct{ name, got, want string }{
			{"Content-Type", aws.ToString(head.ContentType), "application/json"},
			{"Cache-Control", aws.ToString(head.CacheControl), "max-age=60"},
			{"Content-Disposition", aws.ToString(head.ContentDisposition), "inline"},
			{"Content-Encoding", aws.ToString(head.ContentEncoding), "identity"},
			{"Content-Language", aws.ToString(head.ContentLanguage), "en-GB"},
			{"Expires", aws.ToString(head.ExpiresString), "Wed, 02 Jan 2030 03:04:05 GMT"},
			{"SSE", string(head.ServerSideEncryption), "AES256"},
			{"ETag", aws.ToString(head.ETag), aws.ToString(out.ETag)},
		}
		for k, v := range meta {
			checks = append(checks, struct{ name, got, want string }{"meta " + k,
				head.Metadata[k], v})
		}
		for _, ck := range checks {
			if ck.got != ck.want {
				t.Errorf("%s = %q, want %q", ck.name, ck.got, ck.want)
			}
		}
		if len(head.Metadata) != len(meta) {
			t.Errorf("metadata %v, want %v", head.Metadata, meta)
		}
	})
}

// TestDefaultEncryption checks that an object uploaded without asking for
// encryption still reports SSE-S3, as S3 has done since January 2023.
func TestDefaultEncryption(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		out := put(t, c, "dev-main", "plain", "x")
		if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("put SSE %q, want AES256", out.ServerSideEncryption)
		}
		g, err := c.GetObject(context.Background(), &s3.GetObjectInput{
			Bucket: aws.String("dev-main"), Key: aws.String("plain")})
		if err != nil {
			t.Fatal(err)
		}
		g.Body.Close()
		if g.ServerSideEncryption != types.ServerSideEncryptionAes256 {
			t.Errorf("get SSE %q, want AES256", g.ServerSideEncryption)
		}
	})
}

// TestChecksumRoundTrip covers the SDK's default upload path: over TLS it
// sends an aws-chunked body with a CRC32 trailer; over HTTP a CRC32 header.
// The checksum must come back when asked for.
func TestChecksumRoundTrip(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		rec := &recorder{rt: e.roundTripper()}
		c := e.s3(alice, func(o *s3.Options) { o.HTTPClient = &http.Client{Transport: rec} })
		ctx := context.Background()
		body := bytes.Repeat([]byte("0123456789abcdef"), 40000) // 640 KB, several chunks
		out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("big.bin"), Body: bytes.NewReader(body)})
		if err != nil {
			t.Fatal(err)
		}
		if aws.ToString(out.ChecksumCRC32) == "" {
			t.Errorf("put returned no CRC32 checksum")
		}
		wantPayload := "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
		if !e.mode.tls {
			wantPayload = sha256Hex(body)
		}
		if p := rec.puts(); len(p) != 1 || p[0] != wantPayload {
			t.Errorf("SDK sent x-amz-content-sha256 %q, want [%s]", p, wantPayload)
		}
		g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("big.bin"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(g.Body)
		g.Body.Close()
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("get: %d bytes, %v; want %d bytes", len(got), err, len(body))
		}
		if a, b := aws.ToString(g.ChecksumCRC32), aws.ToString(out.ChecksumCRC32); a != b {
			t.Errorf("get CRC32 %q, want %q", a, b)
		}
	})
}

func TestRangeRead(t *testing.T) {
	const body = "0123456789"
	tests := []struct {
		name, rng    string
		want         string
		contentRange string
	}{
		{"first bytes", "bytes=0-3", "0123", "bytes 0-3/10"},
		{"middle", "bytes=4-6", "456", "bytes 4-6/10"},
		{"suffix", "bytes=-3", "789", "bytes 7-9/10"},
		{"suffix longer than object", "bytes=-50", body, "bytes 0-9/10"},
		{"open ended", "bytes=7-", "789", "bytes 7-9/10"},
		{"end past object", "bytes=8-100", "89", "bytes 8-9/10"},
		{"last byte", "bytes=9-9", "9", "bytes 9-9/10"},
	}
	forModes(t, func(t *testing.T, e *env) {
		// Range semantics only: TestRangeReadOfChecksummedObject covers
		// the SDK's checksum validation of ranged reads.
		c := e.s3(alice, func(o *s3.Options) {
			o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
		})
		put(t, c, "dev-main", "digits", body)
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				out, err := c.GetObject(context.Background(), &s3.GetObjectInput{
					Bucket: aws.String("dev-main"), Key: aws.String("digits"),
					Range: aws.String(tt.rng)})
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(out.Body)
				out.Body.Close()
				if err != nil || string(got) != tt.want {
					t.Fatalf("body %q, %v; want %q", got, err, tt.want)
				}
				if cr := aws.ToString(out.ContentRange); cr != tt.contentRange {
					t.Errorf("Content-Range %q, want %q", cr, tt.contentRange)
				}
				if n := aws.ToInt64(out.ContentLength); n != int64(len(tt.want)) {
					t.Errorf("Content-Length %d, want %d", n, len(tt.want))
				}
			})
		}
		for _, rng := range []string{"bytes=10-", "bytes=100-200"} {
			t.Run("beyond end "+rng, func(t *testing.T) {
				_, err := c.GetObject(context.Background(), &s3.GetObjectInput{
					Bucket: aws.String("dev-main"), Key: aws.String("digits"),
					Range: aws.String(rng)})
				wantErr(t, err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
			})
		}
	})
}

// TestRangeReadOfChecksummedObject reads part of an object uploaded with the
// SDK's default CRC32. The SDK validates any checksum it gets back against
// the bytes it got, so, as S3 does, a server must not send the whole
// object's checksum with a part.
func TestRangeReadOfChecksummedObject(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		put(t, c, "dev-main", "digits", "0123456789")
		out, err := c.GetObject(context.Background(), &s3.GetObjectInput{
			Bucket: aws.String("dev-main"), Key: aws.String("digits"),
			Range: aws.String("bytes=2-4"), ChecksumMode: types.ChecksumModeEnabled})
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(out.Body)
		out.Body.Close()
		if err != nil || string(got) != "234" {
			t.Fatalf("body %q, %v; want %q", got, err, "234")
		}
	})
}

func TestConditionalGet(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		etag := aws.ToString(put(t, c, "dev-main", "cond", "v1").ETag)
		future := time.Now().Add(time.Hour)
		past := time.Now().Add(-time.Hour)
		tests := []struct {
			name   string
			in     s3.GetObjectInput
			status int // 0: success
		}{
			{"if-none-match hit", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, 304},
			{"if-none-match star", s3.GetObjectInput{IfNoneMatch: aws.String("*")}, 304},
			{"if-none-match miss", s3.GetObjectInput{IfNoneMatch: aws.String(`"abc"`)}, 0},
			{"if-match hit", s3.GetObjectInput{IfMatch: aws.String(etag)}, 0},
			{"if-match mismatch", s3.GetObjectInput{IfMatch: aws.String(`"abc"`)}, 412},
			{"if-modified-since future", s3.GetObjectInput{IfModifiedSince: &future}, 304},
			{"if-modified-since past", s3.GetObjectInput{IfModifiedSince: &past}, 0},
			{"if-unmodified-since past", s3.GetObjectInput{IfUnmodifiedSince: &past}, 412},
			{"if-match beats if-unmodified-since", s3.GetObjectInput{IfMatch: aws.String(etag),
				IfUnmodifiedSince: &past}, 0},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				in := tt.in
				in.Bucket, in.Key = aws.String("dev-main"), aws.String("cond")
				out, err := c.GetObject(context.Background(), &in)
				switch tt.status {
				case 0:
					if err != nil {
						t.Fatal(err)
					}
					out.Body.Close()
				case 412:
					wantErr(t, err, "PreconditionFailed", 412)
				default:
					wantErr(t, err, "", tt.status)
				}
			})
		}
	})
}

// TestNotModifiedHeaders checks that a 304 carries the validators a 200
// would have, as RFC 9110 requires and S3 does.
func TestNotModifiedHeaders(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		etag := aws.ToString(put(t, e.s3(alice), "dev-main", "cond", "v1").ETag)
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(method, func(t *testing.T) {
				req := signed(t, &alice, "us-east-1", method, e.objectURL("dev-main", "cond"),
					nil, map[string]string{"If-None-Match": etag})
				resp, b := e.do(t, req)
				if resp.StatusCode != http.StatusNotModified || len(b) != 0 {
					t.Fatalf("%s, body %q; want 304 and no body", resp.Status, b)
				}
				if got := resp.Header.Get("ETag"); got != etag {
					t.Errorf("304 ETag %q, want %q", got, etag)
				}
				if resp.Header.Get("Last-Modified") == "" {
					t.Errorf("304 without Last-Modified")
				}
			})
		}
	})
}

func TestPresigned(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		ps := s3.NewPresignClient(e.s3(alice))
		pput, err := ps.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("pre signed+key")}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		resp, b := e.do(t, presigned(t, pput.Method, pput.URL, pput.SignedHeader, "payload"))
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("presigned PUT: %s %s", resp.Status, b)
		}
		pget, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dev-main"),
			Key: aws.String("pre signed+key")}, s3.WithPresignExpires(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		resp, b = e.do(t, presigned(t, pget.Method, pget.URL, pget.SignedHeader, ""))
		if resp.StatusCode != http.StatusOK || string(b) != "payload" {
			t.Fatalf("presigned GET: %s %q", resp.Status, b)
		}
		e.skew.Store(int64(2 * time.Minute))
		defer e.skew.Store(0)
		resp, b = e.do(t, presigned(t, pget.Method, pget.URL, pget.SignedHeader, ""))
		checkErrorBody(t, resp, b, "AccessDenied", http.StatusForbidden)
	})
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// md5ETag is the ETag S3 gives a single-part upload of body.
func md5ETag(body string) string {
	sum := md5.Sum([]byte(body))
	return `"` + hex.EncodeToString(sum[:]) + `"`
}

func presigned(t *testing.T, method, rawURL string, h http.Header, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range h {
		if !strings.EqualFold(k, "Host") {
			req.Header[k] = vs
		}
	}
	return req
}

// TestMinio drives the handler with minio-go, which signs plain-HTTP
// uploads with streaming chunk signatures.
func TestMinio(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		rec := &recorder{rt: e.roundTripper()}
		mc := e.minio(t, alice, rec)
		for _, tt := range awkwardKeys[:6] {
			t.Run(tt.name, func(t *testing.T) {
				body := bytes.Repeat([]byte(tt.name), 20000)
				info, err := mc.PutObject(ctx, "dev-main", tt.key, bytes.NewReader(body),
					int64(len(body)), minio.PutObjectOptions{ContentType: "text/plain",
						UserMetadata: map[string]string{"origin": "minio"}})
				if err != nil {
					t.Fatalf("put: %v", err)
				}
				p := rec.puts()
				if !e.mode.tls && !strings.HasPrefix(p[len(p)-1], "STREAMING-AWS4-HMAC-SHA256") {
					t.Errorf("minio-go sent x-amz-content-sha256 %q, want signed chunks", p)
				}
				if info.Size != int64(len(body)) {
					t.Errorf("put size %d, want %d", info.Size, len(body))
				}
				st, err := mc.StatObject(ctx, "dev-main", tt.key, minio.StatObjectOptions{})
				if err != nil {
					t.Fatalf("stat: %v", err)
				}
				if st.Size != int64(len(body)) || st.ContentType != "text/plain" ||
					st.UserMetadata["Origin"] != "minio" {
					t.Errorf("stat: size %d type %q meta %v", st.Size, st.ContentType,
						st.UserMetadata)
				}
				obj, err := mc.GetObject(ctx, "dev-main", tt.key, minio.GetObjectOptions{})
				if err != nil {
					t.Fatalf("get: %v", err)
				}
				got, err := io.ReadAll(obj)
				obj.Close()
				if err != nil || !bytes.Equal(got, body) {
					t.Fatalf("get: %d bytes, %v; want %d", len(got), err, len(body))
				}
				found := false
				for o := range mc.ListObjects(ctx, "dev-main", minio.ListObjectsOptions{
					Prefix: tt.key, Recursive: true}) {
					if o.Err != nil {
						t.Fatalf("list: %v", o.Err)
					}
					found = found || o.Key == tt.key
				}
				if !found {
					t.Errorf("list does not show %q", tt.key)
				}
				if err := mc.RemoveObject(ctx, "dev-main", tt.key,
					minio.RemoveObjectOptions{}); err != nil {
					t.Fatalf("remove: %v", err)
				}
				_, err = mc.StatObject(ctx, "dev-main", tt.key, minio.StatObjectOptions{})
				var me minio.ErrorResponse
				if !errors.As(err, &me) || me.StatusCode != http.StatusNotFound {
					t.Errorf("stat after remove: %v, want 404", err)
				}
			})
		}
	})
}
