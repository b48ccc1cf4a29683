package s3api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// tagDoc is a Tagging document of the pairs k1, v1, k2, v2...
func tagDoc(kv ...string) string {
	var b strings.Builder
	b.WriteString("<Tagging><TagSet>")
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(&b, "<Tag><Key>%s</Key><Value>%s</Value></Tag>", kv[i], kv[i+1])
	}
	b.WriteString("</TagSet></Tagging>")
	return b.String()
}

// manyTags is a Tagging document of n distinct tags.
func manyTags(n int) string {
	var kv []string
	for i := range n {
		kv = append(kv, fmt.Sprintf("k%d", i), "v")
	}
	return tagDoc(kv...)
}

// getTags reads the tag set of bucket/key (version "" the current) as
// "k=v" pairs in key order.
func getTags(t *testing.T, c *s3.Client, bucket, key, version string) []string {
	t.Helper()
	in := &s3.GetObjectTaggingInput{Bucket: aws.String(bucket), Key: aws.String(key)}
	if version != "" {
		in.VersionId = aws.String(version)
	}
	out, err := c.GetObjectTagging(context.Background(), in)
	if err != nil {
		t.Fatalf("GetObjectTagging: %v", err)
	}
	return tagPairs(out.TagSet)
}

func tagPairs(set []types.Tag) []string {
	var got []string
	for _, tag := range set {
		got = append(got, aws.ToString(tag.Key)+"="+aws.ToString(tag.Value))
	}
	return got
}

// TestPutObjectTaggingLimits checks the tag sets PutObjectTagging refuses
// and that a refused one leaves the stored set alone.
func TestPutObjectTaggingLimits(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	put(t, c, "dev-main", "k", "body")
	tests := []struct {
		name   string
		body   string
		status int
		code   string
	}{
		{"eleven tags", manyTags(11), 400, "InvalidTag"},
		{"key twice", tagDoc("a", "1", "a", "2"), 400, "InvalidTag"},
		{"reserved prefix", tagDoc("aws:team", "x"), 400, "InvalidTag"},
		{"empty key", tagDoc("", "x"), 400, "InvalidTag"},
		{"129-character key", tagDoc(strings.Repeat("k", 129), "x"), 400, "InvalidTag"},
		{"257-character value", tagDoc("k", strings.Repeat("v", 257)), 400, "InvalidTag"},
		{"forbidden character", tagDoc("k", "a*b"), 400, "InvalidTag"},
		{"keys differing only in case", tagDoc("Team", "a", "team", "b"), 400, "InvalidTag"},
		{"tag without value", "<Tagging><TagSet><Tag><Key>k</Key></Tag></TagSet></Tagging>",
			400, "MalformedXML"},
		{"no tag set", "<Tagging></Tagging>", 400, "MalformedXML"},
		{"not XML", "tags", 400, "MalformedXML"},
		{"ten tags", manyTags(10), 200, ""},
		{"longest key and value, allowed characters",
			tagDoc(strings.Repeat("é", 128), "a b_.:/=+-@"+strings.Repeat("v", 245)), 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := getTags(t, c, "dev-main", "k", "")
			resp, body := e.call(t, &alice, http.MethodPut, "dev-main", "k", "tagging",
				tt.body, nil)
			wantStatus(t, "PutObjectTagging", resp, body, tt.status, tt.code)
			if after := getTags(t, c, "dev-main", "k", ""); tt.status != 200 &&
				!equalStrings(after, before) {
				t.Errorf("tags after a refused put = %v, want %v", after, before)
			}
		})
	}
}

// TestObjectTagging checks tags set on upload, replaced, read per version,
// counted on GET and HEAD, and deleted.
func TestObjectTagging(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	enableVersioning(t, e, "dev-main", "Enabled")
	first, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("dev-main"), Key: aws.String("k"), Body: strings.NewReader("1"),
		Tagging: aws.String("team=blue&env=prod")})
	if err != nil {
		t.Fatalf("PutObject with tags: %v", err)
	}
	v1 := aws.ToString(first.VersionId)
	put(t, c, "dev-main", "k", "2")
	steps := []struct {
		name    string
		method  string
		version string
		body    string
		status  int
		want    []string // the current version's tags afterwards
		wantV1  []string
	}{
		{"current has none", "", "", "", 200, nil, []string{"env=prod", "team=blue"}},
		{"tag the current", http.MethodPut, "", tagDoc("a", "1"), 200, []string{"a=1"},
			[]string{"env=prod", "team=blue"}},
		{"tag the first by id", http.MethodPut, v1, tagDoc("b", "2"), 200, []string{"a=1"},
			[]string{"b=2"}},
		{"delete the first's", http.MethodDelete, v1, "", 204, []string{"a=1"}, nil},
		{"delete the current's", http.MethodDelete, "", "", 204, nil, nil},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			if st.method != "" {
				q := "tagging"
				if st.version != "" {
					q += "&versionId=" + st.version
				}
				resp, body := e.call(t, &alice, st.method, "dev-main", "k", q, st.body, nil)
				wantStatus(t, st.method+" tagging", resp, body, st.status, "")
				if resp.Header.Get("X-Amz-Version-Id") == "" {
					t.Errorf("no x-amz-version-id in a versioned bucket's answer")
				}
			}
			if got := getTags(t, c, "dev-main", "k", ""); !equalStrings(got, st.want) {
				t.Errorf("current tags = %v, want %v", got, st.want)
			}
			if got := getTags(t, c, "dev-main", "k", v1); !equalStrings(got, st.wantV1) {
				t.Errorf("first version's tags = %v, want %v", got, st.wantV1)
			}
		})
	}
}

// TestTaggingCount checks x-amz-tagging-count: sent on GET and HEAD to who
// may read the tags, withheld from who may not.
func TestTaggingCount(t *testing.T) {
	e := newEnv(t, modes[0])
	resp, body := e.call(t, &alice, http.MethodPut, "dev-main", "k", "", "x",
		map[string]string{"X-Amz-Tagging": "a=1&b=2"})
	wantStatus(t, "PutObject", resp, body, 200, "")
	for _, tt := range []struct {
		name string
		p    principal
		want string
	}{{"owner's user", alice, "2"}, {"reader without GetObjectTagging", reader, ""}} {
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			t.Run(tt.name+" "+method, func(t *testing.T) {
				resp, body := e.call(t, &tt.p, method, "dev-main", "k", "", "", nil)
				wantStatus(t, method, resp, body, 200, "")
				if got := resp.Header.Get("X-Amz-Tagging-Count"); got != tt.want {
					t.Errorf("x-amz-tagging-count = %q, want %q", got, tt.want)
				}
			})
		}
	}
}

// TestObjectTaggingErrors checks the tagging calls on what cannot be
// tagged, and who may tag.
func TestObjectTaggingErrors(t *testing.T) {
	e := newEnv(t, modes[0])
	_, _, marker := versionedKey(t, e, e.s3(alice))
	tests := []struct {
		name   string
		p      principal
		method string
		query  string
		status int
		code   string
	}{
		{"current is a delete marker", alice, http.MethodGet, "tagging", 404, "NoSuchKey"},
		{"delete marker by id", alice, http.MethodPut, "tagging&versionId=" + marker, 405,
			"MethodNotAllowed"},
		{"missing key", alice, http.MethodGet, "tagging", 404, "NoSuchKey"},
		{"missing version", alice, http.MethodDelete,
			"tagging&versionId=" + strings.Repeat("D", 32), 404, "NoSuchVersion"},
		{"malformed version", alice, http.MethodGet, "tagging&versionId=1", 400,
			"InvalidArgument"},
		{"reader may not tag", reader, http.MethodPut, "tagging", 403, "AccessDenied"},
		{"reader may not read tags", reader, http.MethodGet, "tagging", 403, "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key := "k"
			if tt.name == "missing key" {
				key = "nothing-here"
			}
			body := ""
			if tt.method == http.MethodPut {
				body = tagDoc("a", "1")
			}
			resp, got := e.call(t, &tt.p, tt.method, "dev-main", key, tt.query, body, nil)
			wantStatus(t, tt.name, resp, got, tt.status, tt.code)
		})
	}
}

// TestBucketTagging checks Put, Get and DeleteBucketTagging.
func TestBucketTagging(t *testing.T) {
	e := newEnv(t, modes[0])
	steps := []struct {
		name   string
		p      principal
		method string
		body   string
		status int
		code   string
	}{
		{"none yet", alice, http.MethodGet, "", 404, "NoSuchTagSet"},
		{"fifty-one tags", alice, http.MethodPut, manyTags(51), 400, "InvalidTag"},
		{"reserved prefix", alice, http.MethodPut, tagDoc("aws:x", "y"), 400, "InvalidTag"},
		{"reader may not tag", reader, http.MethodPut, tagDoc("a", "b"), 403, "AccessDenied"},
		{"fifty tags", alice, http.MethodPut, manyTags(50), 204, ""},
		{"replace", alice, http.MethodPut, tagDoc("cost-centre", "42"), 204, ""},
		{"read", alice, http.MethodGet, "", 200, ""},
		{"reader may not read", reader, http.MethodGet, "", 403, "AccessDenied"},
		{"delete", alice, http.MethodDelete, "", 204, ""},
		{"none again", alice, http.MethodGet, "", 404, "NoSuchTagSet"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			resp, body := e.call(t, &st.p, st.method, "dev-main", "", "tagging", st.body, nil)
			wantStatus(t, st.name, resp, body, st.status, st.code)
			if st.name == "read" && !strings.Contains(body,
				"<TagSet><Tag><Key>cost-centre</Key><Value>42</Value></Tag></TagSet>") {
				t.Errorf("GetBucketTagging = %s", body)
			}
		})
	}
}

// TestExistingObjectTagPolicy checks that a bucket policy can allow and
// deny reads by an object's tags, and that a caller the policy does not
// let read learns nothing: not the object, not whether it exists.
func TestExistingObjectTagPolicy(t *testing.T) {
	e := newEnv(t, modes[0])
	owner := e.s3(alice)
	doc := `{"Version":"2012-10-17","Statement":[` +
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:user/named"},` +
		`"Action":["s3:GetObject","s3:GetObjectTagging"],"Resource":"arn:aws:s3:::dev-main/*",` +
		`"Condition":{"StringEquals":{"s3:ExistingObjectTag/share":"yes"}}},` +
		`{"Effect":"Deny","Principal":"*","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::dev-main/*",` +
		`"Condition":{"StringEquals":{"s3:ExistingObjectTag/secret":"true"}}}]}`
	setPolicy(t, owner, doc)
	for key, tags := range map[string]string{"shared": "share=yes", "private": "",
		"secret": "secret=true", "shared-secret": "share=yes&secret=true"} {
		resp, body := e.call(t, &alice, http.MethodPut, "dev-main", key, "", key,
			map[string]string{"X-Amz-Tagging": tags})
		wantStatus(t, "PutObject "+key, resp, body, 200, "")
	}
	tests := []struct {
		name   string
		p      principal
		key    string
		query  string
		status int
	}{
		{"tagged object", named, "shared", "", 200},
		{"its tags", named, "shared", "tagging", 200},
		{"untagged object", named, "private", "", 403},
		{"missing key", named, "nothing", "", 403},
		{"explicit deny by tag", named, "shared-secret", "", 403},
		{"deny applies to the owner's user", alice, "secret", "", 403},
		{"owner's user reads the rest", alice, "private", "", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.call(t, &tt.p, http.MethodGet, "dev-main", tt.key, tt.query, "", nil)
			wantStatus(t, tt.name, resp, body, tt.status, "")
			if tt.status == 403 && (strings.Contains(body, "yes") ||
				resp.Header.Get("X-Amz-Tagging-Count") != "") {
				t.Errorf("a denied read reveals tags: %v %s", resp.Header, body)
			}
		})
	}
}

// TestUploadTagsNeedPutObjectTagging checks that PutObject and CopyObject
// that set tags also need s3:PutObjectTagging, as in S3, and that the
// tagging directive picks the copy's tags.
func TestUploadTagsNeedPutObjectTagging(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
		`"Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},` +
		`"Action":"s3:PutObjectTagging","Resource":"arn:aws:s3:::dev-main/no-tags/*"}]}`
	setPolicy(t, c, doc)
	resp, body := e.call(t, &alice, http.MethodPut, "dev-main", "src", "", "x",
		map[string]string{"X-Amz-Tagging": "a=1"})
	wantStatus(t, "PutObject src", resp, body, 200, "")
	tests := []struct {
		name   string
		key    string
		h      map[string]string
		status int
		want   []string // the new object's tags
	}{
		{"put with tags denied", "no-tags/put", map[string]string{"X-Amz-Tagging": "a=1"},
			403, nil},
		{"put without tags", "no-tags/plain", nil, 200, nil},
		{"put with an empty tag set", "no-tags/empty", map[string]string{"X-Amz-Tagging": ""},
			200, nil},
		{"copy keeps the source's tags", "copy", map[string]string{
			"X-Amz-Copy-Source": "dev-main/src"}, 200, []string{"a=1"}},
		{"copy replaces them", "copy-replace", map[string]string{
			"X-Amz-Copy-Source": "dev-main/src", "X-Amz-Tagging-Directive": "REPLACE",
			"X-Amz-Tagging": "b=2"}, 200, []string{"b=2"}},
		{"copy drops them", "copy-none", map[string]string{
			"X-Amz-Copy-Source": "dev-main/src", "X-Amz-Tagging-Directive": "REPLACE"},
			200, nil},
		{"copy with tags denied", "no-tags/copy", map[string]string{
			"X-Amz-Copy-Source": "dev-main/src"}, 403, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := e.call(t, &alice, http.MethodPut, "dev-main", tt.key, "", "", tt.h)
			wantStatus(t, tt.name, resp, body, tt.status, "")
			if tt.status == 200 {
				if got := getTags(t, c, "dev-main", tt.key, ""); !equalStrings(got, tt.want) {
					t.Errorf("tags = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestMultipartTagsNeedPutObjectTagging checks that an upload created with
// tags needs s3:PutObjectTagging as PutObject does, and that one created
// without tags does not.
func TestMultipartTagsNeedPutObjectTagging(t *testing.T) {
	e := newEnv(t, modes[0])
	c := e.s3(alice)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
		`"Principal":{"AWS":"arn:aws:iam::111111111111:user/alice"},` +
		`"Action":"s3:PutObjectTagging","Resource":"arn:aws:s3:::dev-main/no-tags/*"}]}`
	setPolicy(t, c, doc)
	tests := []struct {
		name, key, tagging string
		status             int
	}{
		{"tags denied", "no-tags/mp", "owner=evil", http.StatusForbidden},
		{"no tags", "no-tags/mp", "", http.StatusOK},
		{"tags allowed elsewhere", "tagged/mp", "owner=ci", http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := map[string]string{}
			if tt.tagging != "" {
				h["X-Amz-Tagging"] = tt.tagging
			}
			resp, body := e.call(t, &alice, http.MethodPost, "dev-main", tt.key, "uploads", "",
				h)
			wantStatus(t, tt.name, resp, body, tt.status, "")
		})
	}
}

// TestGetObjectTaggingEmpty checks that an object without tags answers an
// empty TagSet element, as S3 does.
func TestGetObjectTaggingEmpty(t *testing.T) {
	e := newEnv(t, modes[0])
	put(t, e.s3(alice), "dev-main", "k", "x")
	resp, body := e.call(t, &alice, http.MethodGet, "dev-main", "k", "tagging", "", nil)
	wantStatus(t, "GetObjectTagging", resp, body, http.StatusOK, "")
	if !strings.Contains(body, "<TagSet></TagSet>") {
		t.Errorf("GetObjectTagging = %s, want an empty TagSet", body)
	}
}
