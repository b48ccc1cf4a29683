package s3api_test

import (
	"context"
	"maps"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// copySrc is the x-amz-copy-source value naming bucket/key, URL-encoded.
func copySrc(bucket, key string) string {
	return (&url.URL{Path: bucket + "/" + key}).EscapedPath()
}

// copyObj copies src to bucket/key with the SDK, after mod adjusts the input.
func copyObj(c *s3.Client, src, bucket, key string, mod ...func(*s3.CopyObjectInput)) (
	*s3.CopyObjectOutput, error) {
	in := &s3.CopyObjectInput{CopySource: aws.String(src), Bucket: aws.String(bucket),
		Key: aws.String(key)}
	for _, f := range mod {
		f(in)
	}
	return c.CopyObject(context.Background(), in)
}

func TestCopyObject(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		ctx := context.Background()
		c := e.s3(alice)
		const srcKey = "dir/a b+c?.txt"
		in := &s3.PutObjectInput{Bucket: aws.String("dev-main"), Key: aws.String(srcKey),
			Body: strings.NewReader("copy me"), ContentType: aws.String("text/plain"),
			Metadata: map[string]string{"color": "blue"}}
		put, err := c.PutObject(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, dst := range []struct{ bucket, key string }{
			{"dev-main", "same/bucket"}, {"dev-shared", "other/bucket"},
		} {
			out, err := copyObj(c, copySrc("dev-main", srcKey), dst.bucket, dst.key)
			if err != nil {
				t.Fatalf("copy to %s/%s: %v", dst.bucket, dst.key, err)
			}
			r := out.CopyObjectResult
			if aws.ToString(r.ETag) != aws.ToString(put.ETag) || r.LastModified == nil {
				t.Errorf("result %+v, want ETag %s and a time", r, aws.ToString(put.ETag))
			}
			if out.ServerSideEncryption != types.ServerSideEncryptionAes256 {
				t.Errorf("SSE %q, want AES256", out.ServerSideEncryption)
			}
			wantObject(t, c, dst.bucket, dst.key, "copy me", "text/plain",
				map[string]string{"color": "blue"})
		}
	})
}

// wantObject fails unless bucket/key holds body with the content type and
// user metadata given.
func wantObject(t *testing.T, c *s3.Client, bucket, key, body, ctype string,
	meta map[string]string) {
	t.Helper()
	if got, err := get(c, bucket, key); err != nil || got != body {
		t.Fatalf("get %s/%s = %q, %v; want %q", bucket, key, got, err, body)
	}
	h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(h.ContentType) != ctype || !maps.Equal(h.Metadata, meta) {
		t.Errorf("%s/%s: content type %q, metadata %v; want %q, %v", bucket, key,
			aws.ToString(h.ContentType), h.Metadata, ctype, meta)
	}
}

func TestCopyObjectMetadataDirective(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("m"), Body: strings.NewReader("x"),
		ContentType: aws.String("text/plain"), Metadata: map[string]string{"old": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	newMeta := func(in *s3.CopyObjectInput) {
		in.ContentType = aws.String("application/json")
		in.Metadata = map[string]string{"new": "2"}
	}
	cases := []struct {
		name      string
		directive types.MetadataDirective
		ctype     string
		meta      map[string]string
	}{
		{"default copies", "", "text/plain", map[string]string{"old": "1"}},
		{"COPY ignores the request's", types.MetadataDirectiveCopy, "text/plain",
			map[string]string{"old": "1"}},
		{"REPLACE takes the request's", types.MetadataDirectiveReplace, "application/json",
			map[string]string{"new": "2"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := "m-" + string(rune('a'+i))
			_, err := copyObj(c, "dev-main/m", "dev-main", key, newMeta,
				func(in *s3.CopyObjectInput) { in.MetadataDirective = tc.directive })
			if err != nil {
				t.Fatal(err)
			}
			wantObject(t, c, "dev-main", key, "x", tc.ctype, tc.meta)
		})
	}
}

func TestCopyObjectErrors(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	put(t, c, "dev-main", "src", "data")
	h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("src")})
	if err != nil {
		t.Fatal(err)
	}
	etag, mod := aws.ToString(h.ETag), aws.ToTime(h.LastModified)
	past, future := mod.Add(-time.Hour), mod.Add(time.Hour)
	cases := []struct {
		name   string
		src    string
		key    string
		mod    func(*s3.CopyObjectInput)
		code   string
		status int
	}{
		{name: "leading slash", src: "/dev-main/src"},
		{name: "no such bucket", src: "dev-nowhere/src", code: "NoSuchBucket", status: 404},
		{name: "no such key", src: "dev-main/absent", code: "NoSuchKey", status: 404},
		{name: "no key", src: "dev-main", code: "InvalidArgument", status: 400},
		{name: "empty key", src: "dev-main/", code: "InvalidArgument", status: 400},
		{name: "bad encoding", src: "dev-main/%zz", code: "InvalidArgument", status: 400},
		{name: "versionId null", src: "dev-main/src?versionId=null"},
		{name: "malformed version", src: "dev-main/src?versionId=abc",
			code: "InvalidArgument", status: 400},
		{name: "unknown version", src: "dev-main/src?versionId=" + strings.Repeat("A", 32),
			code: "NoSuchVersion", status: 404},
		{name: "onto itself", src: "dev-main/src", key: "src", code: "InvalidRequest",
			status: 400},
		{name: "onto itself with REPLACE", src: "dev-main/src", key: "src",
			mod: func(in *s3.CopyObjectInput) {
				in.MetadataDirective = types.MetadataDirectiveReplace
			}},
		{name: "onto itself with SSE", src: "dev-main/src", key: "src",
			mod: func(in *s3.CopyObjectInput) {
				in.ServerSideEncryption = types.ServerSideEncryptionAes256
			}},
		{name: "unknown directive", src: "dev-main/src", code: "InvalidArgument", status: 400,
			mod: func(in *s3.CopyObjectInput) { in.MetadataDirective = "MOVE" }},
		{name: "tagging directive", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) {
				in.TaggingDirective = types.TaggingDirectiveCopy
			}},
		{name: "unknown tagging directive", src: "dev-main/src", code: "InvalidArgument",
			status: 400, mod: func(in *s3.CopyObjectInput) { in.TaggingDirective = "MOVE" }},
		{name: "tagging", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) { in.Tagging = aws.String("a=b") }},
		{name: "KMS", src: "dev-main/src", code: "NotImplemented", status: 501,
			mod: func(in *s3.CopyObjectInput) {
				in.ServerSideEncryption = types.ServerSideEncryptionAwsKms
			}},
		{name: "if-match true", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(etag) }},
		{name: "if-match false", src: "dev-main/src", code: "PreconditionFailed", status: 412,
			mod: func(in *s3.CopyObjectInput) { in.CopySourceIfMatch = aws.String(`"x"`) }},
		{name: "if-none-match matches", src: "dev-main/src", code: "PreconditionFailed",
			status: 412,
			mod:    func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(etag) }},
		{name: "if-none-match other", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) { in.CopySourceIfNoneMatch = aws.String(`"x"`) }},
		{name: "if-modified-since future", src: "dev-main/src", code: "PreconditionFailed",
			status: 412,
			mod:    func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = &future }},
		{name: "if-modified-since past", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) { in.CopySourceIfModifiedSince = &past }},
		{name: "if-unmodified-since past", src: "dev-main/src", code: "PreconditionFailed",
			status: 412,
			mod:    func(in *s3.CopyObjectInput) { in.CopySourceIfUnmodifiedSince = &past }},
		{name: "true if-match overrides if-unmodified-since", src: "dev-main/src",
			mod: func(in *s3.CopyObjectInput) {
				in.CopySourceIfMatch, in.CopySourceIfUnmodifiedSince = aws.String(etag), &past
			}},
		{name: "false if-none-match beats if-modified-since", src: "dev-main/src",
			code: "PreconditionFailed", status: 412,
			mod: func(in *s3.CopyObjectInput) {
				in.CopySourceIfNoneMatch, in.CopySourceIfModifiedSince = aws.String(etag), &past
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "" {
				key = "dst/" + tc.name
			}
			mod := func(*s3.CopyObjectInput) {}
			if tc.mod != nil {
				mod = tc.mod
			}
			_, err := copyObj(c, tc.src, "dev-main", key, mod)
			if tc.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got, err := get(c, "dev-main", key); err != nil || got != "data" {
					t.Fatalf("copy holds %q, %v", got, err)
				}
				return
			}
			wantErr(t, err, tc.code, tc.status)
			if tc.key == "" {
				if _, err := get(c, "dev-main", key); errCode(err) != "NoSuchKey" {
					t.Errorf("failed copy left an object (err %v)", err)
				}
			}
		})
	}
}

// crossAccountPolicies are the bucket policies of TestCopyObjectCrossAccount:
// dev-main (devtools) lets prd read open/ but not closed/; prd-data (prd)
// lets devtools write only encrypted copies from dev-main/open/.
const (
	devMainPolicy = `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":{"AWS":"222222222222"},"Action":"s3:GetObject",
 "Resource":"arn:aws:s3:::dev-main/*"},
{"Sid":"ClosedToPrd","Effect":"Deny","Principal":{"AWS":"222222222222"},
 "Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/closed/*"}]}`
	prdDataPolicy = `{"Version":"2012-10-17","Statement":[
{"Effect":"Allow","Principal":{"AWS":"111111111111"},"Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::prd-data/*"},
{"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*",
 "Action":"s3:PutObject","Resource":"arn:aws:s3:::prd-data/*",
 "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
{"Sid":"OnlyFromOpen","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::prd-data/from-dev/*",
 "Condition":{"StringNotLike":{"s3:x-amz-copy-source":"dev-main/open/*"}}},
{"Sid":"NoReplace","Effect":"Deny","Principal":"*","Action":"s3:PutObject",
 "Resource":"arn:aws:s3:::prd-data/from-dev/*",
 "Condition":{"StringEquals":{"s3:x-amz-metadata-directive":"REPLACE"}}}]}`
)

// crossCase is one copy into prd-data of TestCopyObjectCrossAccount.
type crossCase struct {
	name     string
	c        *s3.Client
	src, dst string // dst is a key in prd-data
	mod      []func(*s3.CopyObjectInput)
	denied   bool
	// inMsg is the action a denial's message must name, when set.
	inMsg string
}

func TestCopyObjectCrossAccount(t *testing.T) {
	e := newEnv(t, modes[0])
	ctx := context.Background()
	dev, prd := e.s3(alice), e.s3(prdRoot)
	put(t, dev, "dev-main", "open/a", "open data")
	put(t, dev, "dev-main", "closed/a", "closed data")
	setPolicy := func(c *s3.Client, bucket, p string) {
		_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(bucket),
			Policy: aws.String(p)})
		if err != nil {
			t.Fatal(err)
		}
	}
	sse := func(in *s3.CopyObjectInput) {
		in.ServerSideEncryption = types.ServerSideEncryptionAes256
	}
	replace := func(in *s3.CopyObjectInput) {
		in.MetadataDirective = types.MetadataDirectiveReplace
	}
	type mods = []func(*s3.CopyObjectInput)
	before := []crossCase{
		{name: "source without grant denies", c: prd, src: "dev-main/open/a", dst: "x",
			denied: true, inMsg: "s3:GetObject"},
		{name: "destination without grant denies", c: dev, src: "dev-main/open/a",
			dst: "y", mod: mods{sse}, denied: true, inMsg: "s3:PutObject"},
	}
	after := []crossCase{
		{name: "prd reads open via the source policy", c: prd, src: "dev-main/open/a",
			dst: "copied", mod: mods{sse}},
		{name: "source policy denies closed", c: prd, src: "dev-main/closed/a", dst: "no1",
			mod: mods{sse}, denied: true, inMsg: "s3:GetObject"},
		{name: "destination policy allows devtools with SSE", c: dev, src: "dev-main/open/a",
			dst: "from-dev/a", mod: mods{sse}},
		{name: "DenyUnEncryptedObjectUploads", c: dev, src: "dev-main/open/a",
			dst: "from-dev/b", denied: true, inMsg: "s3:PutObject"},
		{name: "s3:x-amz-copy-source outside open/", c: dev, src: "dev-main/closed/a",
			dst: "from-dev/c", mod: mods{sse}, denied: true, inMsg: "s3:PutObject"},
		{name: "s3:x-amz-metadata-directive REPLACE", c: dev, src: "dev-main/open/a",
			dst: "from-dev/d", mod: mods{sse, replace}, denied: true, inMsg: "s3:PutObject"},
		{name: "outsider has neither side", c: e.s3(outsider), src: "dev-main/open/a",
			dst: "z", denied: true},
	}
	for _, tc := range before {
		t.Run(tc.name, func(t *testing.T) { runCrossCopy(t, prd, tc) })
	}
	setPolicy(dev, "dev-main", devMainPolicy)
	setPolicy(prd, "prd-data", prdDataPolicy)
	for _, tc := range after {
		t.Run(tc.name, func(t *testing.T) { runCrossCopy(t, prd, tc) })
	}
}

// runCrossCopy makes tc's copy and checks the outcome with prd, which owns
// prd-data.
func runCrossCopy(t *testing.T, prd *s3.Client, tc crossCase) {
	t.Helper()
	_, err := copyObj(tc.c, tc.src, "prd-data", tc.dst, tc.mod...)
	if !tc.denied {
		if err != nil {
			t.Fatal(err)
		}
		if got, err := get(prd, "prd-data", tc.dst); err != nil || got != "open data" {
			t.Fatalf("copy holds %q, %v", got, err)
		}
		return
	}
	wantErr(t, err, "AccessDenied", 403)
	if err != nil && !strings.Contains(err.Error(), tc.inMsg) {
		t.Errorf("error %v does not name %s", err, tc.inMsg)
	}
	if _, err := get(prd, "prd-data", tc.dst); errCode(err) != "NoSuchKey" {
		t.Errorf("denied copy left an object (err %v)", err)
	}
}
