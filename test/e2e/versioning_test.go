package e2e

import (
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// versionedKey is the key the versioning scenario writes in the example bucket.
const versionedKey = "versioned/hello.tgz"

// tagPolicy replaces the example's bucket policy for the versioning scenario: uploads
// still need SSE, and the organization may read only objects tagged release=public.
const tagPolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*",
 "Action":"s3:PutObject","Resource":"arn:aws:s3:::devtools-artifacts/*",
 "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
{"Sid":"ListFromTheOrg","Effect":"Allow","Principal":"*","Action":"s3:ListBucket",
 "Resource":"arn:aws:s3:::devtools-artifacts",
 "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg"}}},
{"Sid":"ReadPublicReleases","Effect":"Allow","Principal":"*","Action":"s3:GetObject",
 "Resource":"arn:aws:s3:::devtools-artifacts/*",
 "Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-exampleorg",
  "s3:ExistingObjectTag/release":"public"}}}]}`

// versions holds the version ids the scenario learns as it goes.
type versions struct{ v1, v2, marker string }

// versionStep is a step whose arguments may name versions learned by earlier steps.
type versionStep struct {
	name    string
	profile string
	args    func(v *versions) []string
	want    string
	status  int
	check   func(t *testing.T, r result, v *versions)
}

// field reads one string field of the JSON a call printed.
func field(t *testing.T, r result, name string) string {
	t.Helper()
	var out map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("the CLI's output is not JSON: %v\n%v", err, r)
	}
	s, _ := out[name].(string)
	return s
}

// fieldIs checks that the JSON a call printed has name set to want.
func fieldIs(name, want string) func(*testing.T, result, *versions) {
	return func(t *testing.T, r result, _ *versions) {
		t.Helper()
		if got := field(t, r, name); got != want {
			t.Fatalf("%s = %q, want %q:\n%v", name, got, want, r)
		}
	}
}

// s3api is `aws s3api <op> --bucket devtools-artifacts` followed by args.
func s3api(op string, args ...string) []string {
	return append([]string{"s3api", op, "--bucket", bucket}, args...)
}

// fixed is an argument list that needs no version.
func fixed(args []string) func(*versions) []string {
	return func(*versions) []string { return args }
}

// versionSteps drive versioning and tagging with the aws CLI; dl is a directory for
// downloads.
func versionSteps(dl string) []versionStep {
	got := filepath.Join(dl, "v1.tgz")
	key := []string{"--key", versionedKey}
	put := func(version, tags string) []string {
		return s3api("put-object", "--key", versionedKey, "--body", chart(version),
			"--server-side-encryption", "AES256", "--tagging", tags)
	}
	return []versionStep{
		{name: "publisher enables versioning", profile: "ci-publisher",
			args: fixed(s3api("put-bucket-versioning",
				"--versioning-configuration", "Status=Enabled"))},
		{name: "versioning reads back", profile: "ci-publisher",
			args: fixed(s3api("get-bucket-versioning")), check: fieldIs("Status", "Enabled")},
		{name: "publisher sets the tag policy", profile: "ci-publisher",
			args: fixed(s3api("put-bucket-policy", "--policy", tagPolicy))},
		{name: "publisher puts 0.1.0, public", profile: "ci-publisher",
			args:  fixed(put("0.1.0", "release=public")),
			check: func(t *testing.T, r result, v *versions) { v.v1 = field(t, r, "VersionId") }},
		{name: "publisher puts 0.2.0, internal", profile: "ci-publisher",
			args:  fixed(put("0.2.0", "release=internal")),
			check: func(t *testing.T, r result, v *versions) { v.v2 = field(t, r, "VersionId") }},
		{name: "both versions are listed", profile: "ci-publisher",
			args:  fixed(s3api("list-object-versions", "--prefix", "versioned/")),
			check: listsVersions},
		{name: "publisher downloads the first version", profile: "ci-publisher",
			args: func(v *versions) []string {
				return s3api("get-object", "--key", versionedKey, "--version-id", v.v1, got)
			},
			check: func(t *testing.T, r result, _ *versions) {
				sameFile(got, chart("0.1.0"))(t, r)
			}},
		{name: "delegate may not read the internal release", profile: "delegate",
			args: fixed(s3api("head-object", key...)), want: "403", status: 403},
		{name: "publisher tags it public", profile: "ci-publisher",
			args: fixed(s3api("put-object-tagging", "--key", versionedKey,
				"--tagging", "TagSet=[{Key=release,Value=public}]"))},
		{name: "the tag reads back", profile: "ci-publisher",
			args:  fixed(s3api("get-object-tagging", key...)),
			check: taggedPublic},
		{name: "delegate reads the public release", profile: "delegate",
			args: fixed(s3api("head-object", key...))},
		{name: "publisher deletes the key", profile: "ci-publisher",
			args: fixed(s3api("delete-object", key...)),
			check: func(t *testing.T, r result, v *versions) {
				if !strings.Contains(r.stdout, `"DeleteMarker": true`) {
					t.Fatalf("no delete marker:\n%v", r)
				}
				v.marker = field(t, r, "VersionId")
			}},
		{name: "the key is gone", profile: "ci-publisher",
			args: fixed(s3api("head-object", key...)), want: "404", status: 404},
		{name: "the delete marker cannot be read", profile: "ci-publisher",
			args: func(v *versions) []string {
				return s3api("head-object", "--key", versionedKey, "--version-id", v.marker)
			},
			want: "405", status: 405},
		{name: "publisher removes the delete marker", profile: "ci-publisher",
			args: func(v *versions) []string {
				return s3api("delete-object", "--key", versionedKey, "--version-id", v.marker)
			}},
		{name: "the second version is back", profile: "ci-publisher",
			args: fixed(s3api("head-object", key...)),
			check: func(t *testing.T, r result, v *versions) {
				fieldIs("VersionId", v.v2)(t, r, v)
			}},
		{name: "a malformed version id is refused", profile: "ci-publisher",
			args: fixed(s3api("get-object", "--key", versionedKey, "--version-id", "nope",
				filepath.Join(dl, "nope"))), want: "InvalidArgument", status: 400},
	}
}

// listsVersions checks that list-object-versions printed the two versions, the second
// one latest.
func listsVersions(t *testing.T, r result, v *versions) {
	t.Helper()
	var out struct {
		Versions []struct {
			Key, VersionId string
			IsLatest       bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
		t.Fatalf("list-object-versions output is not JSON: %v\n%v", err, r)
	}
	var got []string
	for _, x := range out.Versions {
		got = append(got, x.Key+"@"+x.VersionId+" latest="+map[bool]string{true: "yes",
			false: "no"}[x.IsLatest])
	}
	want := []string{versionedKey + "@" + v.v2 + " latest=yes",
		versionedKey + "@" + v.v1 + " latest=no"}
	if !slices.Equal(got, want) || len(v.v1) != 32 || v.v1 == v.v2 {
		t.Fatalf("versions %q, want %q:\n%v", got, want, r)
	}
}

// taggedPublic checks that get-object-tagging printed exactly release=public.
func taggedPublic(t *testing.T, r result, _ *versions) {
	t.Helper()
	if !strings.Contains(r.stdout, `"Key": "release"`) ||
		!strings.Contains(r.stdout, `"Value": "public"`) || strings.Count(r.stdout, `"Key"`) != 1 {
		t.Fatalf("tag set is not exactly release=public:\n%v", r)
	}
}

// TestVersioningCLI drives bucket versioning, versions, delete markers, object tags and
// a bucket policy on s3:ExistingObjectTag with the aws CLI, step by step in order.
func TestVersioningCLI(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	v := &versions{}
	for _, s := range versionSteps(t.TempDir()) {
		ok := t.Run(s.name, func(t *testing.T) {
			st := step{name: s.name, profile: s.profile, args: s.args(v), want: s.want,
				status: s.status}
			if s.check != nil {
				st.check = func(t *testing.T, r result) { s.check(t, r, v) }
			}
			st.run(t, c)
		})
		if !ok {
			t.FailNow() // later steps need what this one left
		}
	}
}
