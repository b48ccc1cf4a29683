package s3api_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/testutil"
)

// call sends one request signed for p (nil: anonymous) to bucket/key with
// the raw query and body, and returns the response and its body.
func (e *env) call(t *testing.T, p *principal, method, bucket, key, query, body string,
	h map[string]string) (*http.Response, string) {
	t.Helper()
	u := e.objectURL(bucket, key)
	if query != "" {
		u += "?" + query
	}
	resp, b := e.do(t, signed(t, p, "us-east-1", method, u, []byte(body), h))
	return resp, string(b)
}

// wantStatus fails unless resp has status and, when code is not "", a body
// naming that error code.
func wantStatus(t *testing.T, what string, resp *http.Response, body string, status int,
	code string) {
	t.Helper()
	if resp.StatusCode != status || !strings.Contains(body, "<Code>"+code+"</Code>") &&
		code != "" {
		t.Errorf("%s: status %d, body %s; want %d %s", what, resp.StatusCode, body, status,
			code)
	}
}

// enableVersioning turns versioning on for bucket with alice's key.
func enableVersioning(t *testing.T, e *env, bucket, status string) {
	t.Helper()
	resp, body := e.call(t, &alice, http.MethodPut, bucket, "", "versioning",
		`<VersioningConfiguration><Status>`+status+`</Status></VersioningConfiguration>`, nil)
	wantStatus(t, "PutBucketVersioning", resp, body, http.StatusOK, "")
}

// TestBucketVersioningConfiguration checks PutBucketVersioning's documents
// and what GetBucketVersioning answers after each.
func TestBucketVersioningConfiguration(t *testing.T) {
	e := newEnv(t, modes[0])
	resp, body := e.call(t, &alice, http.MethodGet, "dev-main", "", "versioning", "", nil)
	wantStatus(t, "GetBucketVersioning", resp, body, http.StatusOK, "")
	if strings.Contains(body, "<Status>") {
		t.Errorf("never-versioned bucket answers %s, want no Status", body)
	}
	doc := func(inner string) string {
		return `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
			inner + `</VersioningConfiguration>`
	}
	tests := []struct {
		name   string
		p      *principal
		body   string
		status int
		code   string
		after  string // the Status GetBucketVersioning answers then
	}{
		{"not XML", &alice, "versioning please", 400, "MalformedXML", ""},
		{"unknown status", &alice, doc("<Status>Off</Status>"), 400, "MalformedXML", ""},
		{"no status", &alice, doc(""), 400, "MalformedXML", ""},
		{"MFA delete", &alice, doc("<Status>Enabled</Status><MfaDelete>Enabled</MfaDelete>"),
			501, "NotImplemented", ""},
		{"denied", &reader, doc("<Status>Enabled</Status>"), 403, "AccessDenied", ""},
		{"enable", &alice, doc("<Status>Enabled</Status><MfaDelete>Disabled</MfaDelete>"),
			200, "", "Enabled"},
		{"suspend", &alice, doc("<Status>Suspended</Status>"), 200, "", "Suspended"},
		{"enable again", &alice, doc("<Status>Enabled</Status>"), 200, "", "Enabled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.call(t, tt.p, http.MethodPut, "dev-main", "", "versioning",
				tt.body, nil)
			wantStatus(t, "PutBucketVersioning", resp, body, tt.status, tt.code)
			_, got := e.call(t, &alice, http.MethodGet, "dev-main", "", "versioning", "", nil)
			want := "<Status>" + tt.after + "</Status>"
			if tt.after == "" {
				want = `<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/` +
					`2006-03-01/"></VersioningConfiguration>`
			}
			if !strings.Contains(got, want) {
				t.Errorf("GetBucketVersioning = %s, want %s", got, want)
			}
		})
	}
}

// versionedKey stores two versions of "k" in dev-main, versioning enabled,
// then deletes it, and returns the version ids: v1, v2 and the marker's.
func versionedKey(t *testing.T, e *env, c *s3.Client) (v1, v2, marker string) {
	t.Helper()
	enableVersioning(t, e, "dev-main", "Enabled")
	v1 = aws.ToString(put(t, c, "dev-main", "k", "one").VersionId)
	v2 = aws.ToString(put(t, c, "dev-main", "k", "two").VersionId)
	out, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	if !aws.ToBool(out.DeleteMarker) || aws.ToString(out.VersionId) == "" {
		t.Fatalf("DeleteObject = %+v, want a delete marker with a version id", out)
	}
	if len(v1) != 32 || v1 == v2 {
		t.Fatalf("version ids %q and %q, want two distinct 32-character ids", v1, v2)
	}
	return v1, v2, aws.ToString(out.VersionId)
}

// TestVersionedReads checks GET and HEAD of versions, delete markers,
// unknown and malformed version ids, and who learns what.
func TestVersionedReads(t *testing.T) {
	e := newEnv(t, modes[0])
	v1, v2, marker := versionedKey(t, e, e.s3(alice))
	unknown := strings.Repeat("A", 32)
	tests := []struct {
		name    string
		p       principal
		query   string
		status  int
		code    string
		body    string            // GET's body, when 200
		headers map[string]string // expected response headers
	}{
		{name: "first version", p: alice, query: "versionId=" + v1, status: 200, body: "one",
			headers: map[string]string{"X-Amz-Version-Id": v1}},
		{name: "second version", p: alice, query: "versionId=" + v2, status: 200, body: "two",
			headers: map[string]string{"X-Amz-Version-Id": v2}},
		{name: "current is a delete marker", p: alice, status: 404, code: "NoSuchKey",
			headers: map[string]string{"X-Amz-Delete-Marker": "true",
				"X-Amz-Version-Id": marker}},
		{name: "delete marker by id", p: alice, query: "versionId=" + marker, status: 405,
			code: "MethodNotAllowed", headers: map[string]string{
				"X-Amz-Delete-Marker": "true", "X-Amz-Version-Id": marker}},
		{name: "unknown version", p: alice, query: "versionId=" + unknown, status: 404,
			code: "NoSuchVersion"},
		{name: "malformed version", p: alice, query: "versionId=abc", status: 400,
			code: "InvalidArgument"},
		{name: "empty version", p: alice, query: "versionId=", status: 400,
			code: "InvalidArgument"},
		{name: "no version right", p: reader, query: "versionId=" + v1, status: 403,
			code: "AccessDenied"},
		{name: "marker hidden from who cannot list", p: reader, status: 403,
			code: "AccessDenied", headers: map[string]string{"X-Amz-Delete-Marker": ""}},
	}
	for _, tt := range tests {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				resp, body := e.call(t, &tt.p, method, "dev-main", "k", tt.query, "", nil)
				code, want := tt.code, tt.body
				if method == http.MethodHead {
					code, want = "", ""
				}
				wantStatus(t, method, resp, body, tt.status, code)
				if tt.status == 200 && body != want {
					t.Errorf("body %q, want %q", body, want)
				}
				for k, v := range tt.headers {
					if got := resp.Header.Get(k); got != v {
						t.Errorf("header %s = %q, want %q", k, got, v)
					}
				}
			})
		}
	}
}

// TestVersionedDeletes checks deletes by version id: the newest remaining
// version becomes current, a missing version is deleted already, and the
// bucket empties only when every version and marker is gone.
func TestVersionedDeletes(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	v1, v2, marker := versionedKey(t, e, c)
	steps := []struct {
		name    string
		version string
		marker  bool   // x-amz-delete-marker in the answer
		current string // GET's body afterwards; "" for NoSuchKey
	}{
		{"the delete marker", marker, true, "two"},
		{"an unknown version", strings.Repeat("B", 32), false, "two"},
		{"the current version", v2, false, "one"},
		{"the last version", v1, false, ""},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			resp, body := e.call(t, &alice, http.MethodDelete, "dev-main", "k",
				"versionId="+st.version, "", nil)
			wantStatus(t, "DeleteObject", resp, body, http.StatusNoContent, "")
			if got := resp.Header.Get("X-Amz-Version-Id"); got != st.version {
				t.Errorf("x-amz-version-id = %q, want %q", got, st.version)
			}
			if got := resp.Header.Get("X-Amz-Delete-Marker") == "true"; got != st.marker {
				t.Errorf("x-amz-delete-marker sent: %v, want %v", got, st.marker)
			}
			got, err := get(c, "dev-main", "k")
			if st.current == "" {
				wantErr(t, err, "NoSuchKey", http.StatusNotFound)
			} else if err != nil || got != st.current {
				t.Errorf("GET after delete = %q, %v; want %q", got, err, st.current)
			}
		})
	}
	resp, body := e.call(t, &alice, http.MethodDelete, "dev-main", "k", "versionId=x", "", nil)
	wantStatus(t, "malformed version", resp, body, http.StatusBadRequest, "InvalidArgument")
	resp, body = e.call(t, &reader, http.MethodDelete, "dev-main", "k", "versionId=null", "",
		nil)
	wantStatus(t, "denied", resp, body, http.StatusForbidden, "AccessDenied")
}

// TestSuspendedVersioning checks that a suspended bucket writes the null
// version and says so in x-amz-version-id.
func TestSuspendedVersioning(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	if id := put(t, c, "dev-main", "k", "zero").VersionId; id != nil {
		t.Errorf("unversioned PUT answered version %q, want none", *id)
	}
	enableVersioning(t, e, "dev-main", "Enabled")
	v1 := aws.ToString(put(t, c, "dev-main", "k", "one").VersionId)
	enableVersioning(t, e, "dev-main", "Suspended")
	if id := aws.ToString(put(t, c, "dev-main", "k", "two").VersionId); id != "null" {
		t.Errorf("suspended PUT answered version %q, want null", id)
	}
	list := listVersions(t, c, "dev-main", "")
	want := []string{"k@null*", "k@" + v1}
	if !equalStrings(list, want) {
		t.Errorf("versions = %v, want %v", list, want)
	}
}

// listVersions lists every version of bucket under prefix with the SDK, as
// "key@version", "*" marking the latest and "!" a delete marker.
func listVersions(t *testing.T, c *s3.Client, bucket, prefix string) []string {
	t.Helper()
	out, err := c.ListObjectVersions(context.Background(), &s3.ListObjectVersionsInput{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		t.Fatalf("ListObjectVersions: %v", err)
	}
	var got []string
	for _, v := range out.Versions {
		got = append(got, versionName(v.Key, v.VersionId, v.IsLatest, ""))
	}
	for _, m := range out.DeleteMarkers {
		got = append(got, versionName(m.Key, m.VersionId, m.IsLatest, "!"))
	}
	return got
}

func versionName(key, id *string, latest *bool, mark string) string {
	s := aws.ToString(key) + "@" + aws.ToString(id) + mark
	if aws.ToBool(latest) {
		s += "*"
	}
	return s
}

func equalStrings(a, b []string) bool {
	return strings.Join(a, "\n") == strings.Join(b, "\n")
}

// TestListObjectVersionsGolden pins the ListVersionsResult document, with
// version ids and times replaced by stable names, for a listing with a
// delimiter, URL encoding and a page boundary.
func TestListObjectVersionsGolden(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	v1, v2, marker := versionedKey(t, e, c)
	put(t, c, "dev-main", "dir/a b", "x")
	names := map[string]string{v1: "V1", v2: "V2", marker: "MARKER"}
	var out strings.Builder
	for _, q := range []string{"versions", "versions&delimiter=/&encoding-type=url",
		"versions&max-keys=2", "versions&prefix=dir/&encoding-type=url"} {
		resp, body := e.call(t, &alice, http.MethodGet, "dev-main", "", q, "", nil)
		wantStatus(t, q, resp, body, http.StatusOK, "")
		fmt.Fprintf(&out, "## GET ?%s\n%s\n", q, stableVersions(body, names))
	}
	testutil.Golden(t, "testdata/list-object-versions.golden", out.String(), *update)
}

var (
	versionIDRe    = regexp.MustCompile(`(VersionId(?:Marker)?>)([A-Za-z0-9_-]{32})<`)
	lastModifiedRe = regexp.MustCompile(`<LastModified>[^<]*</LastModified>`)
	emptyElementRe = regexp.MustCompile(`<(\w+)>\n</`)
)

// stableVersions names the version ids of body after names (others "V?")
// and replaces times, so that the document is the same in every run.
func stableVersions(body string, names map[string]string) string {
	body = versionIDRe.ReplaceAllStringFunc(body, func(m string) string {
		parts := versionIDRe.FindStringSubmatch(m)
		name, ok := names[parts[2]]
		if !ok {
			name = "V?"
		}
		return parts[1] + name + "<"
	})
	body = lastModifiedRe.ReplaceAllString(body, "<LastModified>TIME</LastModified>")
	return emptyElementRe.ReplaceAllString(strings.ReplaceAll(body, "><", ">\n<"), "<$1></")
}

// TestListObjectVersionsArgs checks the arguments ListObjectVersions
// refuses and its authorization as s3:ListBucketVersions.
func TestListObjectVersionsArgs(t *testing.T) {
	e := newEnv(t, modes[0])
	tests := []struct {
		name   string
		p      principal
		query  string
		status int
		code   string
	}{
		{"version marker without key marker", alice, "versions&version-id-marker=null", 400,
			"InvalidArgument"},
		{"malformed version marker", alice, "versions&key-marker=k&version-id-marker=zz",
			400, "InvalidArgument"},
		{"unknown version marker", alice,
			"versions&key-marker=k&version-id-marker=" + strings.Repeat("C", 32), 400,
			"InvalidArgument"},
		{"negative max-keys", alice, "versions&max-keys=-1", 400, "InvalidArgument"},
		{"unknown encoding", alice, "versions&encoding-type=base64", 400, "InvalidArgument"},
		{"reader may not list versions", reader, "versions", 403, "AccessDenied"},
		{"empty bucket", alice, "versions", 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.call(t, &tt.p, http.MethodGet, "dev-main", "", tt.query, "", nil)
			wantStatus(t, tt.query, resp, body, tt.status, tt.code)
		})
	}
}

// TestCopyFromVersion checks CopyObject from a named source version and
// the version headers of its answer.
func TestCopyFromVersion(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	v1, _, marker := versionedKey(t, e, c)
	out, err := c.CopyObject(context.Background(), &s3.CopyObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("copy"),
		CopySource: aws.String("dev-main/k?versionId=" + v1)})
	if err != nil {
		t.Fatalf("CopyObject: %v", err)
	}
	if aws.ToString(out.CopySourceVersionId) != v1 || len(aws.ToString(out.VersionId)) != 32 {
		t.Errorf("CopyObject = source %q, version %q; want %q and a new id",
			aws.ToString(out.CopySourceVersionId), aws.ToString(out.VersionId), v1)
	}
	if got, err := get(c, "dev-main", "copy"); err != nil || got != "one" {
		t.Errorf("copy = %q, %v; want one", got, err)
	}
	for name, src := range map[string]string{"current delete marker": "dev-main/k",
		"delete marker by id": "dev-main/k?versionId=" + marker} {
		_, err := c.CopyObject(context.Background(), &s3.CopyObjectInput{
			Bucket: aws.String("dev-main"), Key: aws.String("copy2"), CopySource: &src})
		code, status := "NoSuchKey", http.StatusNotFound
		if strings.Contains(src, "versionId") {
			code, status = "InvalidRequest", http.StatusBadRequest
		}
		t.Run(name, func(t *testing.T) { wantErr(t, err, code, status) })
	}
	// S3's user guide restores a previous version by copying it onto its key.
	if _, err := c.CopyObject(context.Background(), &s3.CopyObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("k"),
		CopySource: aws.String("dev-main/k?versionId=" + v1)}); err != nil {
		t.Fatalf("restore by CopyObject onto the key: %v", err)
	}
	if got, err := get(c, "dev-main", "k"); err != nil || got != "one" {
		t.Errorf("restored k = %q, %v; want one", got, err)
	}
}

// TestDeleteObjectsVersions checks DeleteObjects with version ids and the
// delete markers its answer names.
func TestDeleteObjectsVersions(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	v1, _, marker := versionedKey(t, e, c)
	out := deleteKeys(t, c, "dev-main", false,
		types.ObjectIdentifier{Key: aws.String("k"), VersionId: aws.String(marker)},
		types.ObjectIdentifier{Key: aws.String("k"), VersionId: aws.String(v1)},
		types.ObjectIdentifier{Key: aws.String("k"), VersionId: aws.String("bad")},
		types.ObjectIdentifier{Key: aws.String("other")})
	var got []string
	for _, d := range out.Deleted {
		s := aws.ToString(d.Key) + "@" + aws.ToString(d.VersionId)
		if aws.ToBool(d.DeleteMarker) {
			s += " marker " + aws.ToString(d.DeleteMarkerVersionId)
		}
		got = append(got, s)
	}
	for _, er := range out.Errors {
		got = append(got, aws.ToString(er.Key)+"@"+aws.ToString(er.VersionId)+" "+
			aws.ToString(er.Code))
	}
	newMarker := ""
	for _, d := range out.Deleted {
		if aws.ToString(d.Key) == "other" {
			newMarker = aws.ToString(d.DeleteMarkerVersionId)
		}
	}
	want := []string{"k@" + marker + " marker " + marker, "k@" + v1,
		"other@ marker " + newMarker, "k@bad NoSuchVersion"}
	if !equalStrings(got, want) || len(newMarker) != 32 {
		t.Errorf("DeleteObjects:\n got %v\nwant %v", got, want)
	}
	if body, err := get(c, "dev-main", "k"); err != nil || body != "two" {
		t.Errorf("GET k = %q, %v; want two", body, err)
	}
}
