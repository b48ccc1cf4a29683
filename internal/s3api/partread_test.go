package s3api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// partFixture is what TestGetObjectPart reads: in dev-main, with
// versioning enabled, "single" (a PUT of ten bytes), "empty" (a PUT of
// none), "three" (a multipart upload of three parts), "empty-tail" (of
// two, the second empty) and "versioned",
// whose first version is a multipart upload of two parts and whose current
// one a PUT.
type partFixture struct {
	single, three []byte
	parts         [][]byte // three's parts
	threeETag     string
	old           [][]byte // the parts of versioned's first version
	oldID         string
}

func newPartFixture(t *testing.T, c *s3.Client) partFixture {
	t.Helper()
	_, err := c.PutBucketVersioning(context.Background(), &s3.PutBucketVersioningInput{
		Bucket: aws.String("dev-main"),
		VersioningConfiguration: &types.VersioningConfiguration{
			Status: types.BucketVersioningStatusEnabled}})
	if err != nil {
		t.Fatal(err)
	}
	f := partFixture{single: []byte("0123456789"),
		parts: [][]byte{partBytes(5*mib, 1), partBytes(5*mib, 2), partBytes(1000, 3)},
		old:   [][]byte{partBytes(5*mib, 4), partBytes(77, 5)}}
	put(t, c, "dev-main", "single", string(f.single))
	put(t, c, "dev-main", "empty", "")
	f.three = bytes.Join(f.parts, nil)
	f.threeETag = multipartUpload(t, c, "three", f.parts).etag
	multipartUpload(t, c, "empty-tail", [][]byte{f.parts[0], nil})
	f.oldID = multipartUpload(t, c, "versioned", f.old).versionID
	put(t, c, "dev-main", "versioned", "current")
	return f
}

// completed is what completing an upload answered.
type completed struct{ etag, versionID string }

// multipartUpload uploads parts as dev-main/key and completes the upload.
func multipartUpload(t *testing.T, c *s3.Client, key string, parts [][]byte) completed {
	t.Helper()
	m := createMPU(t, c, "dev-main", key)
	for i, p := range parts {
		m.mustUpload(int32(i+1), p)
	}
	res, err := m.complete(nil)
	if err != nil {
		t.Fatalf("CompleteMultipartUpload %s: %v", key, err)
	}
	return completed{aws.ToString(res.ETag), aws.ToString(res.VersionId)}
}

// partCase is one read by part number and what it must answer. An empty
// want field is not checked, but for parts and checksum, which must then
// be absent.
type partCase struct {
	name    string
	method  string
	key     string
	query   string // {old} stands for the id of versioned's first version
	headers map[string]string
	signer  *principal // nil: alice

	status   int
	code     string // the error code, for a GET that fails
	body     []byte // the body a GET must send; nil for none
	length   string // Content-Length
	crange   string // Content-Range
	parts    string // x-amz-mp-parts-count
	etag     string
	checksum bool // whether an x-amz-checksum-* header is sent
}

func partCases(f partFixture) []partCase {
	size := fmt.Sprint(len(f.three))
	checksumOn := map[string]string{"x-amz-checksum-mode": "ENABLED"}
	return []partCase{
		{name: "single-part object, part 1 is all of it", method: "GET", key: "single",
			query: "partNumber=1", status: 206, body: f.single, length: "10",
			crange: "bytes 0-9/10"},
		{name: "single-part object read whole sends its checksum", method: "GET",
			key: "single", query: "partNumber=1", headers: checksumOn, status: 206,
			body: f.single, crange: "bytes 0-9/10", checksum: true},
		{name: "HEAD single-part object part 1", method: "HEAD", key: "single",
			query: "partNumber=1", status: 206, length: "10", crange: "bytes 0-9/10"},
		{name: "single-part object has no part 2", method: "GET", key: "single",
			query: "partNumber=2", status: 416, code: "InvalidPartNumber"},
		{name: "HEAD single-part object part 2", method: "HEAD", key: "single",
			query: "partNumber=2", status: 416},
		{name: "empty object part 1 has no range to name", method: "GET", key: "empty",
			query: "partNumber=1", status: 200, body: []byte{}, length: "0"},
		{name: "part 2 of 3", method: "GET", key: "three", query: "partNumber=2",
			status: 206, body: f.parts[1], length: fmt.Sprint(5 * mib),
			crange: fmt.Sprintf("bytes %d-%d/%s", 5*mib, 10*mib-1, size), parts: "3",
			etag: f.threeETag},
		{name: "last part", method: "GET", key: "three", query: "partNumber=3",
			status: 206, body: f.parts[2], length: "1000",
			crange: fmt.Sprintf("bytes %d-%d/%s", 10*mib, len(f.three)-1, size), parts: "3"},
		{name: "a part of a multipart object sends no checksum", method: "GET", key: "three",
			query: "partNumber=1", headers: checksumOn, status: 206, body: f.parts[0],
			parts: "3"},
		{name: "HEAD part 1 of 3", method: "HEAD", key: "three", query: "partNumber=1",
			status: 206, length: fmt.Sprint(5 * mib),
			crange: fmt.Sprintf("bytes 0-%d/%s", 5*mib-1, size), parts: "3"},
		{name: "no part 4 of 3", method: "GET", key: "three", query: "partNumber=4",
			status: 416, code: "InvalidPartNumber"},
		{name: "HEAD no part 4 of 3", method: "HEAD", key: "three", query: "partNumber=4",
			status: 416},
		{name: "no part number: the whole object", method: "GET", key: "three",
			status: 200, body: f.three, length: size, etag: f.threeETag},
		{name: "with a range", method: "GET", key: "three", query: "partNumber=1",
			headers: map[string]string{"Range": "bytes=0-9"}, status: 400,
			code: "InvalidRequest"},
		{name: "with a malformed range", method: "GET", key: "three", query: "partNumber=1",
			headers: map[string]string{"Range": "pages=1"}, status: 400,
			code: "InvalidRequest"},
		{name: "HEAD with a range", method: "HEAD", key: "three", query: "partNumber=1",
			headers: map[string]string{"Range": "bytes=0-9"}, status: 400},
		{name: "not a number", method: "GET", key: "three", query: "partNumber=one",
			status: 400, code: "InvalidArgument"},
		{name: "empty", method: "GET", key: "three", query: "partNumber=", status: 400,
			code: "InvalidArgument"},
		{name: "zero", method: "GET", key: "three", query: "partNumber=0", status: 400,
			code: "InvalidArgument"},
		{name: "over 10000", method: "GET", key: "three", query: "partNumber=10001",
			status: 400, code: "InvalidArgument"},
		{name: "a sign", method: "GET", key: "three", query: "partNumber=%2B1", status: 400,
			code: "InvalidArgument"},
		{name: "given twice", method: "GET", key: "three", query: "partNumber=1&partNumber=2",
			status: 400, code: "InvalidArgument"},
		{name: "an empty last part sends no checksum of the whole", method: "GET",
			key: "empty-tail", query: "partNumber=2", headers: checksumOn, status: 200,
			length: "0", parts: "2"},
		{name: "HEAD an empty last part sends no checksum of the whole", method: "HEAD",
			key: "empty-tail", query: "partNumber=2", headers: checksumOn, status: 200,
			length: "0", parts: "2"},
		{name: "HEAD not a number", method: "HEAD", key: "three", query: "partNumber=x",
			status: 400},
		{name: "10000 is in range but not a part", method: "GET", key: "three",
			query: "partNumber=10000", status: 416, code: "InvalidPartNumber"},
		{name: "part 2 of a noncurrent version", method: "GET", key: "versioned",
			query: "partNumber=2&versionId={old}", status: 206, body: f.old[1],
			length: "77", crange: fmt.Sprintf("bytes %d-%d/%d", 5*mib, 5*mib+76, 5*mib+77),
			parts: "2"},
		{name: "HEAD part 1 of a noncurrent version", method: "HEAD", key: "versioned",
			query: "partNumber=1&versionId={old}", status: 206, length: fmt.Sprint(5 * mib),
			parts: "2"},
		{name: "the current version is a PUT", method: "GET", key: "versioned",
			query: "partNumber=2", status: 416, code: "InvalidPartNumber"},
		{name: "a version needs s3:GetObjectVersion", method: "GET", key: "versioned",
			query: "partNumber=1&versionId={old}", signer: &reader, status: 403,
			code: "AccessDenied"},
		{name: "s3:GetObject reads a part of the current version", method: "GET",
			key: "three", query: "partNumber=3", signer: &reader, status: 206,
			body: f.parts[2], parts: "3"},
		{name: "If-None-Match on the ETag", method: "GET", key: "three",
			query: "partNumber=2", headers: map[string]string{"If-None-Match": f.threeETag},
			status: 304, etag: f.threeETag},
		{name: "If-Match another ETag", method: "GET", key: "three", query: "partNumber=2",
			headers: map[string]string{"If-Match": `"0123"`}, status: 412,
			code: "PreconditionFailed"},
		{name: "If-Match the ETag", method: "GET", key: "three", query: "partNumber=2",
			headers: map[string]string{"If-Match": f.threeETag}, status: 206,
			body: f.parts[1], parts: "3"},
		{name: "preconditions before the part number", method: "GET",
			key: "single", query: "partNumber=2",
			headers: map[string]string{"If-Match": `"0123"`}, status: 412,
			code: "PreconditionFailed"},
	}
}

// TestGetObjectPart reads objects by part number with plain signed
// requests and checks the status, the headers and the bytes.
func TestGetObjectPart(t *testing.T) {
	e := newEnv(t, modes[0])
	f := newPartFixture(t, e.s3(alice))
	for _, tc := range partCases(f) {
		t.Run(tc.name, func(t *testing.T) {
			signer := tc.signer
			if signer == nil {
				signer = &alice
			}
			u := e.objectURL("dev-main", tc.key)
			if q := strings.ReplaceAll(tc.query, "{old}", f.oldID); q != "" {
				u += "?" + q
			}
			resp, body := e.do(t, signed(t, signer, "us-east-1", tc.method, u, nil,
				tc.headers))
			checkPartResponse(t, resp, body, tc)
		})
	}
}

// checkPartResponse checks one answer against tc.
func checkPartResponse(t *testing.T, resp *http.Response, body []byte, tc partCase) {
	t.Helper()
	if resp.StatusCode != tc.status {
		t.Fatalf("status %d, want %d; body %.300s", resp.StatusCode, tc.status, body)
	}
	if tc.code != "" && !bytes.Contains(body, []byte("<Code>"+tc.code+"</Code>")) {
		t.Errorf("body %.300s, want error code %s", body, tc.code)
	}
	if tc.body != nil && !bytes.Equal(body, tc.body) {
		t.Errorf("body of %d bytes, want %d (equal lengths: contents differ)", len(body),
			len(tc.body))
	}
	if tc.method == "HEAD" && len(body) != 0 {
		t.Errorf("HEAD sent %d body bytes", len(body))
	}
	hd := resp.Header
	for _, c := range []struct{ name, want string }{{"Content-Length", tc.length},
		{"Content-Range", tc.crange}, {"ETag", tc.etag}} {
		if got := hd.Get(c.name); c.want != "" && got != c.want {
			t.Errorf("%s %q, want %q", c.name, got, c.want)
		}
	}
	if tc.crange == "" && tc.status == 200 && hd.Get("Content-Range") != "" {
		t.Errorf("Content-Range %q on a 200", hd.Get("Content-Range"))
	}
	if got := hd.Get("x-amz-mp-parts-count"); got != tc.parts {
		t.Errorf("x-amz-mp-parts-count %q, want %q", got, tc.parts)
	}
	if got := hasChecksum(hd); got != tc.checksum {
		t.Errorf("checksum header sent: %v, want %v (%v)", got, tc.checksum, hd)
	}
}

// hasChecksum reports whether h carries an x-amz-checksum-<algorithm>.
func hasChecksum(h http.Header) bool {
	for name := range h {
		n := strings.ToLower(name)
		if strings.HasPrefix(n, "x-amz-checksum-") && n != "x-amz-checksum-type" {
			return true
		}
	}
	return false
}

// TestGetObjectPartRouting checks that partNumber on a GET leaves the
// operation another subresource selects alone.
func TestGetObjectPartRouting(t *testing.T) {
	e := newEnv(t, modes[0])
	put(t, e.s3(alice), "dev-main", "k", "body")
	resp, body := e.do(t, signed(t, &alice, "us-east-1", "GET",
		e.objectURL("dev-main", "k")+"?tagging&partNumber=1", nil, nil))
	if resp.StatusCode != http.StatusOK || !bytes.Contains(body, []byte("<Tagging")) {
		t.Errorf("GET ?tagging&partNumber=1 = %d %s, want GetObjectTagging's answer",
			resp.StatusCode, body)
	}
}

// TestTransferManagerDownload downloads with aws-sdk-go-v2's transfer
// manager, which reads every object by part number by default: GetObject
// starts with HEAD ?partNumber=1, DownloadObject with GET ?partNumber=1.
func TestTransferManagerDownload(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	parts := [][]byte{partBytes(5*mib, 6), partBytes(5*mib, 7), partBytes(4321, 8)}
	multipartUpload(t, c, "tm/three", parts)
	put(t, c, "dev-main", "tm/single", "a single-part object")
	put(t, c, "dev-main", "tm/empty", "")
	tm := transfermanager.New(c, func(o *transfermanager.Options) {
		o.GetObjectType = tmtypes.GetObjectParts
	})
	for key, want := range map[string][]byte{"tm/three": bytes.Join(parts, nil),
		"tm/single": []byte("a single-part object"), "tm/empty": {}} {
		t.Run(key, func(t *testing.T) {
			out, err := tm.GetObject(context.Background(), &transfermanager.GetObjectInput{
				Bucket: aws.String("dev-main"), Key: aws.String(key)})
			if err != nil {
				t.Fatalf("GetObject: %v", err)
			}
			got, err := io.ReadAll(out.Body)
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("GetObject read %d bytes, %v; want %d bytes", len(got), err,
					len(want))
			}
			dst, err := os.Create(filepath.Join(t.TempDir(), "download"))
			if err != nil {
				t.Fatal(err)
			}
			defer dst.Close()
			_, err = tm.DownloadObject(context.Background(),
				&transfermanager.DownloadObjectInput{Bucket: aws.String("dev-main"),
					Key: aws.String(key), WriterAt: dst})
			if err != nil {
				t.Fatalf("DownloadObject: %v", err)
			}
			if got, err := os.ReadFile(dst.Name()); err != nil || !bytes.Equal(got, want) {
				t.Errorf("DownloadObject wrote %d bytes, %v; want %d bytes", len(got), err,
					len(want))
			}
		})
	}
}
