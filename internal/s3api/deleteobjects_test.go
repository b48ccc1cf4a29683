package s3api_test

import (
	"cmp"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/checksum"
)

// deleteKeys runs DeleteObjects on bucket for keys with the SDK, failing
// the test if the request as a whole fails.
func deleteKeys(t *testing.T, c *s3.Client, bucket string, quiet bool,
	objs ...types.ObjectIdentifier) *s3.DeleteObjectsOutput {
	t.Helper()
	out, err := c.DeleteObjects(context.Background(), &s3.DeleteObjectsInput{
		Bucket: aws.String(bucket),
		Delete: &types.Delete{Objects: objs, Quiet: aws.Bool(quiet)}})
	if err != nil {
		t.Fatalf("DeleteObjects: %v", err)
	}
	return out
}

// ids names keys for DeleteObjects.
func ids(keys ...string) []types.ObjectIdentifier {
	var out []types.ObjectIdentifier
	for _, k := range keys {
		out = append(out, types.ObjectIdentifier{Key: aws.String(k)})
	}
	return out
}

// outcome is what a DeleteObjects answer says of its keys: "deleted", or
// the error code, each after the key and its version id when one is given.
func outcome(out *s3.DeleteObjectsOutput) []string {
	var got []string
	for _, d := range out.Deleted {
		got = append(got, keyVersion(d.Key, d.VersionId)+" deleted")
	}
	for _, e := range out.Errors {
		got = append(got, keyVersion(e.Key, e.VersionId)+" "+aws.ToString(e.Code))
		if aws.ToString(e.Message) == "" {
			got = append(got, aws.ToString(e.Key)+" has an empty Message")
		}
	}
	slices.Sort(got)
	return got
}

func keyVersion(key, version *string) string {
	if version == nil {
		return aws.ToString(key)
	}
	return aws.ToString(key) + "@" + aws.ToString(version)
}

// exists reports whether bucket/key can be read by alice.
func exists(t *testing.T, e *env, bucket, key string) bool {
	t.Helper()
	_, err := get(e.s3(alice), bucket, key)
	if err != nil && errCode(err) != "NoSuchKey" {
		t.Fatalf("get %s/%s: %v", bucket, key, err)
	}
	return err == nil
}

func TestDeleteObjectsVerboseAndQuiet(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		for _, k := range []string{"a", "b/c d", "unicodé", "q", "v"} {
			put(t, c, "dev-main", k, "x")
		}
		objs := append(ids("a", "b/c d", "unicodé", "missing"),
			types.ObjectIdentifier{Key: aws.String("v"), VersionId: aws.String("null")},
			types.ObjectIdentifier{Key: aws.String("a"), VersionId: aws.String("3HL4kqtJ")})
		got := outcome(deleteKeys(t, c, "dev-main", false, objs...))
		want := []string{"a deleted", "a@3HL4kqtJ NoSuchVersion", "b/c d deleted",
			"missing deleted", "unicodé deleted", "v@null deleted"}
		if !slices.Equal(got, want) {
			t.Errorf("verbose answer %q, want %q", got, want)
		}
		quiet := deleteKeys(t, c, "dev-main", true,
			append(ids("q", "gone"), types.ObjectIdentifier{Key: aws.String("q"),
				VersionId: aws.String("nope")})...)
		if got, want := outcome(quiet), []string{"q@nope NoSuchVersion"}; !slices.Equal(got,
			want) {
			t.Errorf("quiet answer %q, want %q (errors only)", got, want)
		}
		for _, k := range []string{"a", "b/c d", "unicodé", "q", "v"} {
			if exists(t, e, "dev-main", k) {
				t.Errorf("%q survived DeleteObjects", k)
			}
		}
	})
}

// deletePolicy denies every deletion under keep/ and lets the partner
// account's outsider delete under shared/.
const deletePolicy = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "KeepKeep", "Effect": "Deny", "Principal": "*",
     "Action": ["s3:DeleteObject", "s3:DeleteObjectVersion"],
     "Resource": "arn:aws:s3:::dev-main/keep/*"},
    {"Sid": "PartnerShared", "Effect": "Allow",
     "Principal": {"AWS": "arn:aws:iam::333333333333:user/outsider"},
     "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::dev-main/shared/*"}
  ]
}`

func TestDeleteObjectsPerKeyAuthorization(t *testing.T) {
	tests := []struct {
		name   string
		caller principal
		keys   []string
		want   []string
		kept   []string
	}{
		{name: "deny keep prefix", caller: alice, keys: []string{"keep/1", "tmp/1", "shared/1"},
			want: []string{"keep/1 AccessDenied", "shared/1 deleted", "tmp/1 deleted"},
			kept: []string{"keep/1"}},
		{name: "cross-account shared prefix", caller: outsider,
			keys: []string{"shared/1", "tmp/1", "keep/1"},
			want: []string{"keep/1 AccessDenied", "shared/1 deleted", "tmp/1 AccessDenied"},
			kept: []string{"keep/1", "tmp/1"}},
		{name: "user without delete", caller: reader, keys: []string{"tmp/1", "shared/1"},
			want: []string{"shared/1 AccessDenied", "tmp/1 AccessDenied"},
			kept: []string{"tmp/1", "shared/1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, modes[0])
			_, err := e.s3(devRoot).PutBucketPolicy(context.Background(),
				&s3.PutBucketPolicyInput{Bucket: aws.String("dev-main"),
					Policy: aws.String(deletePolicy)})
			if err != nil {
				t.Fatalf("put policy: %v", err)
			}
			for _, k := range tt.keys {
				put(t, e.s3(alice), "dev-main", k, "x")
			}
			out := deleteKeys(t, e.s3(tt.caller), "dev-main", false, ids(tt.keys...)...)
			if got := outcome(out); !slices.Equal(got, tt.want) {
				t.Errorf("answer %q, want %q", got, tt.want)
			}
			for _, k := range tt.keys {
				if got, want := exists(t, e, "dev-main", k), slices.Contains(tt.kept, k); got !=
					want {
					t.Errorf("%q exists: %v, want %v", k, got, want)
				}
			}
		})
	}
}

func TestDeleteObjectsTooManyKeys(t *testing.T) {
	e := newEnv(t, modes[0])
	keys := make([]string, 1001)
	for i := range keys {
		keys[i] = fmt.Sprintf("k%04d", i)
	}
	c := e.s3(alice)
	_, err := c.DeleteObjects(context.Background(), &s3.DeleteObjectsInput{
		Bucket: aws.String("dev-main"), Delete: &types.Delete{Objects: ids(keys...)}})
	wantErr(t, err, "MalformedXML", http.StatusBadRequest)
	out := deleteKeys(t, c, "dev-main", false, ids(keys[:1000]...)...)
	if len(out.Deleted) != 1000 || len(out.Errors) != 0 {
		t.Errorf("1000 keys: %d deleted, %d errors", len(out.Deleted), len(out.Errors))
	}
}

// deleteDoc is a Delete document for keys.
func deleteDoc(keys ...string) string {
	var b strings.Builder
	b.WriteString(`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
	for _, k := range keys {
		b.WriteString("<Object><Key>" + k + "</Key></Object>")
	}
	return b.String() + "</Delete>"
}

func crc32Of(body string) string {
	h := checksum.CRC32.New()
	h.Write([]byte(body))
	return checksum.Encode(h.Sum(nil))
}

func contentMD5(body string) string {
	sum := md5.Sum([]byte(body))
	return base64.StdEncoding.EncodeToString(sum[:])
}

// TestDeleteObjectsRequest checks the request as a whole, sent by hand:
// the integrity header S3 requires, the document, and the body check.
func TestDeleteObjectsRequest(t *testing.T) {
	ok := deleteDoc("x")
	tests := []struct {
		name    string
		body    string
		headers map[string]string
		code    string // "" for 200
		status  int
		message string
	}{
		{name: "content-md5", body: ok,
			headers: map[string]string{"Content-MD5": contentMD5(ok)}, status: http.StatusOK},
		{name: "crc32 header", body: ok,
			headers: map[string]string{"X-Amz-Checksum-Crc32": crc32Of(ok)},
			status:  http.StatusOK},
		{name: "no namespace", body: "<Delete><Object><Key>x</Key></Object></Delete>",
			headers: map[string]string{"Content-MD5": contentMD5(
				"<Delete><Object><Key>x</Key></Object></Delete>")}, status: http.StatusOK},
		{name: "missing integrity header", body: ok, code: "InvalidRequest",
			status:  http.StatusBadRequest,
			message: "Missing required header for this request: Content-MD5 OR x-amz-checksum-*"},
		{name: "wrong content-md5", body: ok, code: "BadDigest", status: http.StatusBadRequest,
			headers: map[string]string{"Content-MD5": contentMD5("other")}},
		{name: "malformed xml", body: "<Delete><Object><Key>x</Key></Delete>",
			headers: map[string]string{"Content-MD5": contentMD5(
				"<Delete><Object><Key>x</Key></Delete>")},
			code: "MalformedXML", status: http.StatusBadRequest},
		{name: "no objects", body: deleteDoc(),
			headers: map[string]string{"Content-MD5": contentMD5(deleteDoc())},
			code:    "MalformedXML", status: http.StatusBadRequest},
		{name: "empty key", body: deleteDoc(""),
			headers: map[string]string{"Content-MD5": contentMD5(deleteDoc(""))},
			code:    "MalformedXML", status: http.StatusBadRequest},
		{name: "other root element", body: "<Remove/>",
			headers: map[string]string{"Content-MD5": contentMD5("<Remove/>")},
			code:    "MalformedXML", status: http.StatusBadRequest},
	}
	e := newEnv(t, modes[0])
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := signed(t, &alice, "us-east-1", http.MethodPost,
				e.objectURL("dev-main", "")+"?delete", []byte(tt.body), tt.headers)
			resp, b := e.do(t, req)
			if tt.code == "" {
				checkDeleteResult(t, resp, b)
				return
			}
			checkErrorBody(t, resp, b, tt.code, tt.status)
			if tt.message != "" && !strings.Contains(string(b), tt.message) {
				t.Errorf("body %s lacks message %q", b, tt.message)
			}
		})
	}
}

// checkDeleteResult wants a 200 DeleteResult in S3's namespace.
func checkDeleteResult(t *testing.T, resp *http.Response, body []byte) {
	t.Helper()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", resp.StatusCode, body)
	}
	var doc struct {
		XMLName xml.Name
		Deleted []struct{ Key string }
	}
	if err := xml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("answer is not XML: %v: %s", err, body)
	}
	if doc.XMLName.Local != "DeleteResult" ||
		doc.XMLName.Space != "http://s3.amazonaws.com/doc/2006-03-01/" {
		t.Errorf("root element %v, want S3's DeleteResult", doc.XMLName)
	}
	if len(doc.Deleted) != 1 || doc.Deleted[0].Key != "x" {
		t.Errorf("Deleted %+v, want x", doc.Deleted)
	}
}

// TestDeleteObjectsReadsWholeBodyFirst checks that no key is deleted
// before the whole body is read and its digest checked: a wrong
// Content-MD5, or junk after a valid document, deletes nothing.
func TestDeleteObjectsReadsWholeBodyFirst(t *testing.T) {
	doc := deleteDoc("keep")
	junk := doc + "<junk/>"
	badCRC := map[string]string{"x-amz-checksum-crc32": crc32Of(doc + " ")}
	tests := []struct {
		name, body, md5, code string
		query                 string            // more parameters
		headers               map[string]string // instead of Content-MD5
	}{
		{name: "wrong content-md5", body: doc, md5: contentMD5(doc + " "), code: "BadDigest"},
		{name: "trailing element", body: junk, md5: contentMD5(junk), code: "MalformedXML"},
		{name: "1001 keys", body: deleteDoc(append([]string{"keep"}, make1000("k")...)...),
			code: "MalformedXML"},
		{name: "wrong checksum", body: doc, headers: badCRC, code: "BadDigest"},
		// Only CompleteMultipartUpload's checksum header is left to the
		// operation; an uploadId does not make this request one.
		{name: "wrong checksum with an uploadId", body: doc, query: "&uploadId=x",
			headers: badCRC, code: "BadDigest"},
	}
	e := newEnv(t, modes[0])
	put(t, e.s3(alice), "dev-main", "keep", "data")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := tt.headers
			if h == nil {
				h = map[string]string{"Content-MD5": cmp.Or(tt.md5, contentMD5(tt.body))}
			}
			req := signed(t, &alice, "us-east-1", http.MethodPost,
				e.objectURL("dev-main", "")+"?delete"+tt.query, []byte(tt.body), h)
			resp, b := e.do(t, req)
			checkErrorBody(t, resp, b, tt.code, http.StatusBadRequest)
			if !exists(t, e, "dev-main", "keep") {
				t.Fatal("keep was deleted")
			}
		})
	}
}

// make1000 is 1000 distinct keys with prefix.
func make1000(prefix string) []string {
	keys := make([]string, 1000)
	for i := range keys {
		keys[i] = fmt.Sprintf("%s%04d", prefix, i)
	}
	return keys
}

// TestDeleteObjectsETag checks a key's ETag in a DeleteObjects body: the
// key is deleted only when its current ETag is that one (quoted or not),
// as If-Match on DeleteObject; otherwise its entry is the error.
func TestDeleteObjectsETag(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	etag := aws.ToString(put(t, c, "dev-main", "same", "x").ETag)
	put(t, c, "dev-main", "other", "x")
	put(t, c, "dev-main", "any", "x")
	out := deleteKeys(t, c, "dev-main", false,
		types.ObjectIdentifier{Key: aws.String("same"), ETag: aws.String(etag)},
		types.ObjectIdentifier{Key: aws.String("other"), ETag: aws.String(`"` + etag + `"`)},
		types.ObjectIdentifier{Key: aws.String("any"), ETag: aws.String("*")},
		types.ObjectIdentifier{Key: aws.String("other"), ETag: aws.String(md5ETag("y"))},
		types.ObjectIdentifier{Key: aws.String("absent"), ETag: aws.String(md5ETag("y"))},
		types.ObjectIdentifier{Key: aws.String("other"), ETag: aws.String(etag),
			VersionId: aws.String("null")})
	want := []string{"absent NoSuchKey", "any deleted", "other PreconditionFailed",
		"other PreconditionFailed", "other@null NotImplemented", "same deleted"}
	if got := outcome(out); !slices.Equal(got, want) {
		t.Errorf("answer %q, want %q", got, want)
	}
	if exists(t, e, "dev-main", "same") || !exists(t, e, "dev-main", "other") {
		t.Errorf("same must be gone and other kept")
	}
}

// TestConditionalDeleteNeedsRead checks that a delete conditional on the
// object's ETag, which tells whether a guessed ETag is right, also needs
// s3:GetObject, as in S3; a plain delete does not.
func TestConditionalDeleteNeedsRead(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
		`"Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/unread/*"}]}`
	setPolicy(t, c, doc)
	etag := aws.ToString(put(t, c, "dev-main", "unread/pin", "1234").ETag)
	_, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("unread/pin"), IfMatch: &etag})
	wantErr(t, err, "AccessDenied", http.StatusForbidden)
	out := deleteKeys(t, c, "dev-main", false,
		types.ObjectIdentifier{Key: aws.String("unread/pin"), ETag: &etag})
	if got, want := outcome(out), []string{"unread/pin AccessDenied"}; !slices.Equal(got,
		want) {
		t.Errorf("DeleteObjects with an ETag: %q, want %q", got, want)
	}
	out = deleteKeys(t, c, "dev-main", false, ids("unread/pin")...)
	if got, want := outcome(out), []string{"unread/pin deleted"}; !slices.Equal(got, want) {
		t.Errorf("DeleteObjects without an ETag: %q, want %q", got, want)
	}
}
