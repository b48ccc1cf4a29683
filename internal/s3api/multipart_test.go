package s3api_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3api"
)

const mib = 1 << 20

// partBytes returns n bytes that differ from those of another seed.
func partBytes(n int, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// mpu drives one multipart upload with the SDK.
type mpu struct {
	t      *testing.T
	c      *s3.Client
	bucket string
	key    string
	id     string
	parts  []types.CompletedPart
}

// createMPU starts an upload of bucket/key, after mod adjusts the input.
func createMPU(t *testing.T, c *s3.Client, bucket, key string,
	mod ...func(*s3.CreateMultipartUploadInput)) *mpu {
	t.Helper()
	in := &s3.CreateMultipartUploadInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	for _, f := range mod {
		f(in)
	}
	out, err := c.CreateMultipartUpload(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateMultipartUpload %s/%s: %v", bucket, key, err)
	}
	return &mpu{t: t, c: c, bucket: bucket, key: key, id: aws.ToString(out.UploadId)}
}

// upload sends part n; it records the part for complete.
func (m *mpu) upload(n int32, body []byte) (*s3.UploadPartOutput, error) {
	out, err := m.c.UploadPart(context.Background(), &s3.UploadPartInput{
		Bucket: aws.String(m.bucket), Key: aws.String(m.key), UploadId: aws.String(m.id),
		PartNumber: aws.Int32(n), Body: bytes.NewReader(body)})
	if err == nil {
		m.parts = append(m.parts, types.CompletedPart{PartNumber: aws.Int32(n),
			ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32})
	}
	return out, err
}

// mustUpload is upload failing the test on error.
func (m *mpu) mustUpload(n int32, body []byte) *s3.UploadPartOutput {
	m.t.Helper()
	out, err := m.upload(n, body)
	if err != nil {
		m.t.Fatalf("UploadPart %d: %v", n, err)
	}
	return out
}

// complete completes the upload with parts (the recorded ones when nil).
func (m *mpu) complete(parts []types.CompletedPart,
	mod ...func(*s3.CompleteMultipartUploadInput)) (*s3.CompleteMultipartUploadOutput, error) {
	if parts == nil {
		parts = m.parts
	}
	in := &s3.CompleteMultipartUploadInput{Bucket: aws.String(m.bucket),
		Key: aws.String(m.key), UploadId: aws.String(m.id),
		MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}}
	for _, f := range mod {
		f(in)
	}
	return m.c.CompleteMultipartUpload(context.Background(), in)
}

func (m *mpu) abort() error {
	_, err := m.c.AbortMultipartUpload(context.Background(), &s3.AbortMultipartUploadInput{
		Bucket: aws.String(m.bucket), Key: aws.String(m.key), UploadId: aws.String(m.id)})
	return err
}

// multipartETag is S3's ETag of an object made of parts.
func multipartETag(parts ...[]byte) string {
	all := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		all.Write(s[:])
	}
	return fmt.Sprintf(`"%s-%d"`, hex.EncodeToString(all.Sum(nil)), len(parts))
}

func TestMultipartUpload(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		p1, p2 := partBytes(5*mib, 1), partBytes(1234, 2)
		m := createMPU(t, c, "dev-main", "big/file.bin", func(in *s3.CreateMultipartUploadInput) {
			in.ContentType = aws.String("application/x-test")
			in.Metadata = map[string]string{"color": "blue"}
			in.ServerSideEncryption = types.ServerSideEncryptionAes256
		})
		if len(m.id) < 40 {
			t.Errorf("upload id %q is too short to be unguessable", m.id)
		}
		out := m.mustUpload(2, p2)
		m.mustUpload(1, partBytes(5*mib, 9)) // replaced below
		m.parts = nil
		m.mustUpload(1, p1)
		m.mustUpload(2, p2)
		if sum := md5.Sum(p2); aws.ToString(out.ETag) != `"`+hex.EncodeToString(sum[:])+`"` {
			t.Errorf("part ETag %s, want the part's MD5", aws.ToString(out.ETag))
		}
		slices.SortFunc(m.parts, func(a, b types.CompletedPart) int {
			return int(aws.ToInt32(a.PartNumber) - aws.ToInt32(b.PartNumber))
		})
		lp, err := c.ListParts(context.Background(), &s3.ListPartsInput{
			Bucket: aws.String("dev-main"), Key: aws.String("big/file.bin"),
			UploadId: aws.String(m.id)})
		if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[0].Size) != 5*mib {
			t.Fatalf("ListParts = %+v, %v", lp, err)
		}
		res, err := m.complete(nil)
		if err != nil {
			t.Fatalf("CompleteMultipartUpload: %v", err)
		}
		if got, want := aws.ToString(res.ETag), multipartETag(p1, p2); got != want {
			t.Errorf("ETag %s, want %s", got, want)
		}
		wantObject(t, c, "dev-main", "big/file.bin", string(p1)+string(p2),
			"application/x-test", map[string]string{"color": "blue"})
		_, err = c.ListParts(context.Background(), &s3.ListPartsInput{
			Bucket: aws.String("dev-main"), Key: aws.String("big/file.bin"),
			UploadId: aws.String(m.id)})
		wantErr(t, err, "NoSuchUpload", http.StatusNotFound)
	})
}

func TestMultipartErrors(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	small := partBytes(100, 3)
	tests := []struct {
		name   string
		run    func(m *mpu) error
		code   string
		status int
	}{
		{"too small", func(m *mpu) error {
			m.mustUpload(1, small)
			m.mustUpload(2, small)
			_, err := m.complete(nil)
			return err
		}, "EntityTooSmall", 400},
		{"out of order", func(m *mpu) error {
			m.mustUpload(1, small)
			m.mustUpload(2, small)
			_, err := m.complete([]types.CompletedPart{m.parts[1], m.parts[0]})
			return err
		}, "InvalidPartOrder", 400},
		{"wrong ETag", func(m *mpu) error {
			m.mustUpload(1, small)
			_, err := m.complete([]types.CompletedPart{{PartNumber: aws.Int32(1),
				ETag: aws.String(`"00000000000000000000000000000000"`)}})
			return err
		}, "InvalidPart", 400},
		{"unknown part", func(m *mpu) error {
			m.mustUpload(1, small)
			_, err := m.complete([]types.CompletedPart{
				{PartNumber: aws.Int32(7), ETag: m.parts[0].ETag}})
			return err
		}, "InvalidPart", 400},
		{"no parts", func(m *mpu) error {
			_, err := m.complete([]types.CompletedPart{})
			return err
		}, "MalformedXML", 400},
		{"part number 0", func(m *mpu) error { _, err := m.upload(0, small); return err },
			"InvalidArgument", 400},
		{"part number 10001", func(m *mpu) error { _, err := m.upload(10001, small); return err },
			"InvalidArgument", 400},
		{"unknown upload: part", func(m *mpu) error {
			m.id = "0000000000000000nosuchupload"
			_, err := m.upload(1, small)
			return err
		}, "NoSuchUpload", 404},
		{"unknown upload: complete", func(m *mpu) error {
			m.mustUpload(1, small)
			m.id += "x"
			_, err := m.complete(nil)
			return err
		}, "NoSuchUpload", 404},
		{"aborted upload", func(m *mpu) error {
			m.mustUpload(1, small)
			if err := m.abort(); err != nil {
				return err
			}
			return m.abort()
		}, "NoSuchUpload", 404},
		{"SSE on a part", func(m *mpu) error {
			req := signed(t, &alice, "us-east-1", http.MethodPut,
				e.objectURL("dev-main", m.key)+"?partNumber=1&uploadId="+m.id, small,
				map[string]string{"x-amz-server-side-encryption": "AES256"})
			resp, body := e.do(t, req)
			return fmt.Errorf("%d %s", resp.StatusCode, body)
		}, "", 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := createMPU(t, c, "dev-main", fmt.Sprintf("errors/%d", i))
			err := tt.run(m)
			if tt.status == 0 {
				if !strings.Contains(err.Error(), "400") ||
					!strings.Contains(err.Error(), "<Code>InvalidArgument</Code>") {
					t.Errorf("got %v, want 400 InvalidArgument", err)
				}
				return
			}
			wantErr(t, err, tt.code, tt.status)
		})
	}
}

// TestMultipartMalformedComplete sends CompleteMultipartUpload bodies by hand.
func TestMultipartMalformedComplete(t *testing.T) {
	e := newEnv(t, modes[0])
	m := createMPU(t, e.s3(alice), "dev-main", "malformed")
	m.mustUpload(1, []byte("x"))
	etag := aws.ToString(m.parts[0].ETag)
	tests := []struct {
		name, body, code string
	}{
		{"empty", "", "MalformedXML"},
		{"not XML", "parts please", "MalformedXML"},
		{"no parts", "<CompleteMultipartUpload></CompleteMultipartUpload>", "MalformedXML"},
		{"bad number", "<CompleteMultipartUpload><Part><PartNumber>one</PartNumber><ETag>" +
			etag + "</ETag></Part></CompleteMultipartUpload>", "MalformedXML"},
		{"duplicate", "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
			etag + "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>" + etag +
			"</ETag></Part></CompleteMultipartUpload>", "InvalidPartOrder"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed(t, &alice, "us-east-1", http.MethodPost,
				e.objectURL("dev-main", "malformed")+"?uploadId="+m.id, []byte(tt.body), nil)
			resp, body := e.do(t, req)
			if resp.StatusCode != 400 || !bytes.Contains(body, []byte("<Code>"+tt.code)) {
				t.Errorf("got %d %s, want 400 %s", resp.StatusCode, body, tt.code)
			}
		})
	}
}

func TestUploadPartCopy(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	src := partBytes(6*mib, 5)
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("src"), Body: bytes.NewReader(src)})
	if err != nil {
		t.Fatal(err)
	}
	m := createMPU(t, c, "dev-main", "copied")
	copyPart := func(n int32, rng string) (*s3.UploadPartCopyOutput, error) {
		in := &s3.UploadPartCopyInput{Bucket: aws.String("dev-main"), Key: aws.String("copied"),
			UploadId: aws.String(m.id), PartNumber: aws.Int32(n),
			CopySource: aws.String("dev-main/src")}
		if rng != "" {
			in.CopySourceRange = aws.String(rng)
		}
		return c.UploadPartCopy(context.Background(), in)
	}
	first, err := copyPart(1, "")
	if err != nil {
		t.Fatalf("UploadPartCopy whole: %v", err)
	}
	second, err := copyPart(2, "bytes=10-19")
	if err != nil {
		t.Fatalf("UploadPartCopy range: %v", err)
	}
	_, err = copyPart(3, fmt.Sprintf("bytes=0-%d", len(src)))
	wantErr(t, err, "InvalidArgument", 400)
	res, err := m.complete([]types.CompletedPart{
		{PartNumber: aws.Int32(1), ETag: first.CopyPartResult.ETag},
		{PartNumber: aws.Int32(2), ETag: second.CopyPartResult.ETag}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(res.ETag), multipartETag(src, src[10:20]); got != want {
		t.Errorf("ETag %s, want %s", got, want)
	}
	got, err := get(c, "dev-main", "copied")
	if err != nil || got != string(src)+string(src[10:20]) {
		t.Errorf("copied object differs (%d bytes), %v", len(got), err)
	}
}

func TestListMultipartUploads(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	for _, k := range []string{"b", "a/x", "b", "a/y", "c"} {
		createMPU(t, c, "dev-main", k)
	}
	list := func(in *s3.ListMultipartUploadsInput) *s3.ListMultipartUploadsOutput {
		in.Bucket = aws.String("dev-main")
		out, err := c.ListMultipartUploads(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	keys := func(out *s3.ListMultipartUploadsOutput) []string {
		var ks []string
		for _, u := range out.Uploads {
			ks = append(ks, aws.ToString(u.Key))
		}
		for _, p := range out.CommonPrefixes {
			ks = append(ks, aws.ToString(p.Prefix)+"(prefix)")
		}
		return ks
	}
	all := list(&s3.ListMultipartUploadsInput{})
	if got := keys(all); !slices.Equal(got, []string{"a/x", "a/y", "b", "b", "c"}) {
		t.Errorf("all = %v", got)
	}
	if all.Uploads[2].Initiated.After(*all.Uploads[3].Initiated) {
		t.Errorf("uploads of b not in initiation order")
	}
	page := list(&s3.ListMultipartUploadsInput{MaxUploads: aws.Int32(3)})
	if !aws.ToBool(page.IsTruncated) || aws.ToString(page.NextKeyMarker) != "b" {
		t.Fatalf("page 1: %v truncated %v next %s", keys(page), aws.ToBool(page.IsTruncated),
			aws.ToString(page.NextKeyMarker))
	}
	rest := list(&s3.ListMultipartUploadsInput{KeyMarker: page.NextKeyMarker,
		UploadIdMarker: page.NextUploadIdMarker})
	if got := keys(rest); !slices.Equal(got, []string{"b", "c"}) {
		t.Errorf("page 2 = %v", got)
	}
	delim := list(&s3.ListMultipartUploadsInput{Delimiter: aws.String("/")})
	if got := keys(delim); !slices.Equal(got, []string{"b", "b", "c", "a/(prefix)"}) {
		t.Errorf("delimited = %v", got)
	}
	pre := list(&s3.ListMultipartUploadsInput{Prefix: aws.String("a/")})
	if got := keys(pre); !slices.Equal(got, []string{"a/x", "a/y"}) {
		t.Errorf("prefixed = %v", got)
	}
}

// TestMultipartSweepKeepsParts runs the start-up blob sweep while an upload
// is in progress: its parts must survive it.
func TestMultipartSweepKeepsParts(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	m := createMPU(t, c, "dev-main", "swept")
	m.mustUpload(1, []byte("kept through a sweep"))
	ctx := context.Background()
	known := map[string]bool{}
	if err := e.stores.Meta.BlobIDs(ctx, func(id string) error {
		known[id] = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.stores.Blobs.Sweep(ctx, func(id string) bool { return known[id] }); err != nil {
		t.Fatal(err)
	}
	if _, err := m.complete(nil); err != nil {
		t.Fatalf("complete after sweep: %v", err)
	}
	if got, err := get(c, "dev-main", "swept"); err != nil || got != "kept through a sweep" {
		t.Errorf("get = %q, %v", got, err)
	}
}

// TestMultipartConditionalComplete checks If-None-Match on completion: it
// fails on an existing key and leaves the upload to be completed otherwise.
func TestMultipartConditionalComplete(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	put(t, c, "dev-main", "exists", "old")
	m := createMPU(t, c, "dev-main", "exists")
	m.mustUpload(1, []byte("new"))
	_, err := m.complete(nil, func(in *s3.CompleteMultipartUploadInput) {
		in.IfNoneMatch = aws.String("*")
	})
	wantErr(t, err, "PreconditionFailed", http.StatusPreconditionFailed)
	if got, _ := get(c, "dev-main", "exists"); got != "old" {
		t.Errorf("object after refused completion = %q, want old", got)
	}
	if _, err := m.complete(nil); err != nil {
		t.Fatalf("complete without condition: %v", err)
	}
	if got, _ := get(c, "dev-main", "exists"); got != "new" {
		t.Errorf("object = %q, want new", got)
	}
}

// denyUnencrypted is AWS's DenyUnEncryptedObjectUploads bucket policy.
const denyUnencrypted = `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyIncorrectEncryptionHeader","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::dev-main/*",
 "Condition":{"StringNotEquals":{"s3:x-amz-server-side-encryption":"AES256"}}},
{"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::dev-main/*",
 "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}}]}`

// TestMultipartDenyUnencrypted pins the condition keys of the multipart
// calls against the DenyUnEncryptedObjectUploads policy: an upload created
// with SSE passes on every call; one created without is refused at once.
func TestMultipartDenyUnencrypted(t *testing.T) {
	e := newEnv(t, modes[0])
	var mu sync.Mutex
	seen := map[string]policy.Context{}
	s3api.ObserveContexts(e.h.(*s3api.Handler), func(op, action string, c policy.Context) {
		mu.Lock()
		defer mu.Unlock()
		seen[op] = c
	})
	c := e.s3(alice)
	setPolicy(t, c, denyUnencrypted)
	_, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{
		Bucket: aws.String("dev-main"), Key: aws.String("plain")})
	wantErr(t, err, "AccessDenied", http.StatusForbidden)
	m := createMPU(t, c, "dev-main", "sealed", func(in *s3.CreateMultipartUploadInput) {
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
	})
	m.mustUpload(1, partBytes(5*mib, 1))
	m.mustUpload(2, []byte("tail"))
	if _, err := m.complete(nil, func(in *s3.CompleteMultipartUploadInput) {
		in.IfNoneMatch = aws.String("*")
	}); err != nil {
		t.Fatalf("complete: %v", err)
	}
	want := map[string]map[string]string{
		"CreateMultipartUpload": {"s3:x-amz-server-side-encryption": "AES256",
			"s3:ObjectCreationOperation": "false", "s3:if-none-match": ""},
		"UploadPart": {"s3:x-amz-server-side-encryption": "AES256",
			"s3:ObjectCreationOperation": "false", "s3:if-none-match": ""},
		"CompleteMultipartUpload": {"s3:x-amz-server-side-encryption": "AES256",
			"s3:ObjectCreationOperation": "true", "s3:if-none-match": "*"},
	}
	if got, err := get(c, "dev-main", "sealed"); err != nil || len(got) != 5*mib+4 {
		t.Errorf("get sealed: %d bytes, %v", len(got), err)
	}
	mu.Lock()
	defer mu.Unlock()
	for op, keys := range want {
		for k, v := range keys {
			got, ok := seen[op].Get(k)
			switch {
			case v == "" && ok:
				t.Errorf("%s: %s = %v, want it missing", op, k, got)
			case v != "" && (!ok || len(got) != 1 || got[0] != v):
				t.Errorf("%s: %s = %v (present %v), want %s", op, k, got, ok, v)
			}
		}
	}
}

// compositeCRC32 is the checksum of a composite CRC32 upload of parts.
func compositeCRC32(parts ...[]byte) string {
	var all []byte
	for _, p := range parts {
		var sum [4]byte
		binary.BigEndian.PutUint32(sum[:], crc32.ChecksumIEEE(p))
		all = append(all, sum[:]...)
	}
	return fmt.Sprintf("%s-%d", crc32Of(string(all)), len(parts))
}

func TestMultipartChecksums(t *testing.T) {
	e := newEnv(t, modes[1]) // TLS: the SDK sends part checksums in a trailer
	c := e.s3(alice)
	p1, p2 := partBytes(5*mib, 4), []byte("last")
	tests := []struct {
		name string
		typ  types.ChecksumType
		want string
	}{
		{"composite", types.ChecksumTypeComposite, compositeCRC32(p1, p2)},
		{"full object", types.ChecksumTypeFullObject,
			crc32Of(string(p1) + string(p2))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "sums/" + string(tt.typ)
			m := createMPU(t, c, "dev-main", key, func(in *s3.CreateMultipartUploadInput) {
				in.ChecksumAlgorithm, in.ChecksumType = types.ChecksumAlgorithmCrc32, tt.typ
			})
			for i, p := range [][]byte{p1, p2} {
				out := m.mustUpload(int32(i+1), p)
				if got := aws.ToString(out.ChecksumCRC32); got != crc32Of(string(p)) {
					t.Errorf("part %d CRC32 %s, want %s", i+1, got, crc32Of(string(p)))
				}
			}
			res, err := m.complete(nil)
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(res.ChecksumCRC32); got != tt.want {
				t.Errorf("object CRC32 %s, want %s", got, tt.want)
			}
			h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
				Bucket: aws.String("dev-main"), Key: aws.String(key),
				ChecksumMode: types.ChecksumModeEnabled})
			if err != nil || aws.ToString(h.ChecksumCRC32) != tt.want ||
				h.ChecksumType != tt.typ {
				t.Errorf("head CRC32 %s type %q, %v; want %s and %q",
					aws.ToString(h.ChecksumCRC32), h.ChecksumType, err, tt.want, tt.typ)
			}
		})
	}
	t.Run("a copy of a composite object gets its own checksum", func(t *testing.T) {
		key := "sums/" + string(types.ChecksumTypeComposite)
		if _, err := c.CopyObject(context.Background(), &s3.CopyObjectInput{
			Bucket: aws.String("dev-main"), Key: aws.String("sums/copy"),
			CopySource: aws.String("dev-main/" + key)}); err != nil {
			t.Fatalf("CopyObject: %v", err)
		}
		h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
			Bucket: aws.String("dev-main"), Key: aws.String("sums/copy"),
			ChecksumMode: types.ChecksumModeEnabled})
		if err != nil || h.ChecksumCRC32 != nil || h.ChecksumCRC64NVME == nil ||
			h.ChecksumType != types.ChecksumTypeFullObject {
			t.Errorf("copy's head: CRC32 %v, CRC64NVME %v, type %q, %v",
				aws.ToString(h.ChecksumCRC32), aws.ToString(h.ChecksumCRC64NVME),
				h.ChecksumType, err)
		}
	})
	t.Run("other algorithm on a part", func(t *testing.T) {
		m := createMPU(t, c, "dev-main", "sums/mismatch",
			func(in *s3.CreateMultipartUploadInput) {
				in.ChecksumAlgorithm = types.ChecksumAlgorithmSha256
			})
		_, err := m.c.UploadPart(context.Background(), &s3.UploadPartInput{
			Bucket: aws.String(m.bucket), Key: aws.String(m.key), UploadId: aws.String(m.id),
			PartNumber: aws.Int32(1), Body: bytes.NewReader(p2),
			ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
		wantErr(t, err, "InvalidRequest", 400)
	})
	t.Run("wrong listed checksum", func(t *testing.T) {
		m := createMPU(t, c, "dev-main", "sums/listed",
			func(in *s3.CreateMultipartUploadInput) {
				in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
			})
		m.mustUpload(1, p2)
		m.parts[0].ChecksumCRC32 = aws.String(crc32Of(string(p1)))
		_, err := m.complete(nil)
		wantErr(t, err, "InvalidPart", 400)
	})
}

// TestMultipartObjectOptions checks that what CreateMultipartUpload names,
// tags included, is the completed object's, and that x-amz-mp-object-size
// is checked.
func TestMultipartObjectOptions(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	m := createMPU(t, c, "dev-main", "tagged", func(in *s3.CreateMultipartUploadInput) {
		in.Tagging = aws.String("team=red&tier=1")
		in.CacheControl = aws.String("no-cache")
	})
	m.mustUpload(1, []byte("tagged"))
	_, err := m.complete(nil, func(in *s3.CompleteMultipartUploadInput) {
		in.MpuObjectSize = aws.Int64(7)
	})
	wantErr(t, err, "InvalidRequest", 400)
	if _, err := m.complete(nil, func(in *s3.CompleteMultipartUploadInput) {
		in.MpuObjectSize = aws.Int64(6)
	}); err != nil {
		t.Fatal(err)
	}
	h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("tagged")})
	if err != nil || aws.ToString(h.CacheControl) != "no-cache" {
		t.Errorf("head: Cache-Control %q, %v", aws.ToString(h.CacheControl), err)
	}
	tags, err := c.GetObjectTagging(context.Background(), &s3.GetObjectTaggingInput{
		Bucket: aws.String("dev-main"), Key: aws.String("tagged")})
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	got := map[string]string{}
	for _, tag := range tags.TagSet {
		got[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	if len(got) != 2 || got["team"] != "red" || got["tier"] != "1" {
		t.Errorf("tags %v, want team=red and tier=1", got)
	}
}

// TestMultipartVersioned checks that in a versioned bucket each completed
// upload is a new version of the key, as each PutObject is.
func TestMultipartVersioned(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	ctx := context.Background()
	_, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{
		Bucket: aws.String("dev-main"),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, body := range []string{"first", "second"} {
		m := createMPU(t, c, "dev-main", "versioned")
		m.mustUpload(1, []byte(body))
		res, err := m.complete(nil)
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(res.VersionId))
	}
	if ids[0] == "" || ids[0] == ids[1] {
		t.Fatalf("version ids %q, want two distinct ones", ids)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("dev-main"),
		Key: aws.String("versioned"), VersionId: aws.String(ids[0])})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Body.Close()
	if b, _ := io.ReadAll(out.Body); string(b) != "first" {
		t.Errorf("first version holds %q", b)
	}
}

// TestMultipartRacingCompletions completes one upload from several clients
// at once: exactly one succeeds, the others get NoSuchUpload, and the
// object is the upload's.
func TestMultipartRacingCompletions(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	body := partBytes(1000, 3)
	m := createMPU(t, c, "dev-main", "race.bin")
	m.mustUpload(1, body)
	const racers = 4
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() { _, errs[i] = m.complete(nil) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		if err == nil {
			won++
			continue
		}
		wantErr(t, err, "NoSuchUpload", http.StatusNotFound)
	}
	if won != 1 {
		t.Fatalf("%d completions succeeded, want exactly 1", won)
	}
	wantObject(t, c, "dev-main", "race.bin", string(body), "binary/octet-stream", nil)
}

// TestMultipartCompleteChecksumHeader checks the whole object's checksum a
// client may send on CompleteMultipartUpload: left to the handler by sigv4,
// compared with the completed object's, with or without the composite
// "-<parts>" suffix.
func TestMultipartCompleteChecksumHeader(t *testing.T) {
	e := newEnv(t, modes[1]) // TLS: the SDK sends part checksums in a trailer
	c := e.s3(alice)
	p1, p2 := partBytes(5*mib, 5), []byte("tail")
	want := compositeCRC32(p1, p2)
	base, _, _ := strings.Cut(want, "-")
	tests := []struct {
		name   string
		set    func(*s3.CompleteMultipartUploadInput)
		code   string
		status int
	}{
		{"composite without the suffix", func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC32 = aws.String(base)
		}, "", 0},
		{"composite with the suffix", func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC32 = aws.String(want)
		}, "", 0},
		{"wrong value", func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumCRC32 = aws.String(crc32Of("something else"))
		}, "BadDigest", http.StatusBadRequest},
		{"other algorithm", func(in *s3.CompleteMultipartUploadInput) {
			in.ChecksumSHA256 = aws.String("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
		}, "InvalidRequest", http.StatusBadRequest},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := createMPU(t, c, "dev-main", fmt.Sprintf("sums/header-%d", i),
				func(in *s3.CreateMultipartUploadInput) {
					in.ChecksumAlgorithm = types.ChecksumAlgorithmCrc32
				})
			m.mustUpload(1, p1)
			m.mustUpload(2, p2)
			_, err := m.complete(nil, tt.set)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("CompleteMultipartUpload: %v", err)
				}
				return
			}
			wantErr(t, err, tt.code, tt.status)
		})
	}
}

// TestMultipartMissingUpload checks the answer to a part or completion of
// an upload that is gone, under DenyUnEncryptedObjectUploads, whose keys
// such a call cannot carry: NoSuchUpload to a caller who may abort the
// key's uploads, AccessDenied to one who may not.
func TestMultipartMissingUpload(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	setPolicy(t, c, denyUnencrypted)
	m := createMPU(t, c, "dev-main", "gone", func(in *s3.CreateMultipartUploadInput) {
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
	})
	m.mustUpload(1, []byte("only"))
	if err := m.abort(); err != nil {
		t.Fatal(err)
	}
	_, err := m.upload(2, []byte("late"))
	wantErr(t, err, "NoSuchUpload", http.StatusNotFound)
	_, err = m.complete(nil)
	wantErr(t, err, "NoSuchUpload", http.StatusNotFound)
	doc := strings.Replace(denyUnencrypted, `"Statement":[`, `"Statement":[
{"Effect":"Deny","Principal":"*","Action":"s3:AbortMultipartUpload",
 "Resource":"arn:aws:s3:::dev-main/*"},`, 1)
	setPolicy(t, c, doc)
	_, err = m.upload(2, []byte("late"))
	wantErr(t, err, "AccessDenied", http.StatusForbidden)
}

// TestCopyChecksumAlgorithm checks x-amz-checksum-algorithm on CopyObject:
// the copy gets that checksum, computed as its bytes are written, and the
// answer names it; an unknown algorithm is refused.
func TestCopyChecksumAlgorithm(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	put(t, c, "dev-main", "sum-src", "some bytes")
	out, err := c.CopyObject(context.Background(), &s3.CopyObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("sum-copy"),
		CopySource:        aws.String("dev-main/sum-src"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	sum := sha256.Sum256([]byte("some bytes"))
	want := base64.StdEncoding.EncodeToString(sum[:])
	if got := aws.ToString(out.CopyObjectResult.ChecksumSHA256); got != want {
		t.Errorf("CopyObjectResult SHA256 %q, want %q", got, want)
	}
	h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("sum-copy"),
		ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(h.ChecksumSHA256) != want || h.ChecksumCRC64NVME != nil {
		t.Errorf("head: SHA256 %q CRC64NVME %v, %v; want only SHA256 %q",
			aws.ToString(h.ChecksumSHA256), aws.ToString(h.ChecksumCRC64NVME), err, want)
	}
	resp, body := e.call(t, &alice, http.MethodPut, "dev-main", "sum-bogus", "", "",
		map[string]string{"X-Amz-Copy-Source": "dev-main/sum-src",
			"X-Amz-Checksum-Algorithm": "BOGUS"})
	wantStatus(t, "copy with an unknown algorithm", resp, body, http.StatusBadRequest,
		"InvalidRequest")
}
