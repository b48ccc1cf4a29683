package e2e

import (
	"errors"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"gopkg.in/ini.v1"
)

// These tests check the harness and the example's files; they need no server.

func TestNewResult(t *testing.T) {
	tests := []struct {
		name       string
		stderr     string
		wantCode   string
		wantStatus int
	}{
		{name: "success", stderr: ""},
		{
			name: "s3 cp upload",
			stderr: "upload failed: ./a.tgz to s3://b/a.tgz An error occurred (AccessDenied) " +
				"when calling the PutObject operation: Access Denied\n",
			wantCode: "AccessDenied",
		},
		{
			name:     "head-object",
			stderr:   "An error occurred (404) when calling the HeadObject operation: Not Found\n",
			wantCode: "404",
		},
		{
			name: "debug",
			stderr: `2026-01-01 00:00:00,000 - MainThread - urllib3.connectionpool - DEBUG - ` +
				`http://127.0.0.1:9000 "PUT /devtools-artifacts HTTP/1.1" 409 88
botocore.errorfactory.BucketAlreadyExists: An error occurred (BucketAlreadyExists) ` +
				`when calling the CreateBucket operation: m

An error occurred (BucketAlreadyOwnedByYou) when calling the CreateBucket operation: m
`,
			wantCode: "BucketAlreadyOwnedByYou", wantStatus: 409,
		},
		{
			name: "last response counts",
			stderr: `x - DEBUG - http://127.0.0.1:1 "HEAD /b/k HTTP/1.1" 200 0
x - DEBUG - http://127.0.0.1:1 "GET /b/k HTTP/1.1" 403 120
`,
			wantStatus: 403,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newResult("aws", "", tt.stderr, errors.New("exit status 1"))
			if r.code != tt.wantCode || r.status != tt.wantStatus {
				t.Fatalf("code %q status %d, want %q and %d", r.code, r.status, tt.wantCode,
					tt.wantStatus)
			}
		})
	}
}

func TestListed(t *testing.T) {
	tests := []struct {
		name   string
		stdout string
		want   []string
	}{
		{name: "empty", stdout: "", want: nil},
		{
			name:   "buckets",
			stdout: "2026-01-01 10:00:00 devtools-artifacts\n",
			want:   []string{"devtools-artifacts"},
		},
		{
			name: "objects and prefixes",
			stdout: "                           PRE old/\n" +
				"2026-01-01 10:00:00        479 hello-0.2.0.tgz\n" +
				"2026-01-01 10:00:00        479 hello-0.1.0.tgz\n",
			want: []string{"hello-0.1.0.tgz", "hello-0.2.0.tgz", "old/"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := listed(tt.stdout); !slices.Equal(got, tt.want) {
				t.Fatalf("listed %q, want %q", got, tt.want)
			}
		})
	}
}

var (
	exampleDir   = filepath.Dir(exampleOrg)
	accessKeyRE  = regexp.MustCompile(`^AKIA[A-Z0-9]{16}$`)
	wantProfiles = []string{
		"ci-publisher", "delegate", "devtools-root", "intruder", "management-root", "prd-root",
	}
)

// TestExampleKeys checks that the organization file gives every principal of the
// scenario a key, and that every key looks like an AWS example key.
func TestExampleKeys(t *testing.T) {
	profiles, err := profilesFromOrg(exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(maps.Keys(profiles)); !slices.Equal(got, wantProfiles) {
		t.Fatalf("principals with keys %q, want %q", got, wantProfiles)
	}
	for name, k := range profiles {
		if !accessKeyRE.MatchString(k.ID) || len(k.Secret) != 40 {
			t.Errorf("%s: key %q with a %d-character secret, want AKIA and 16 upper-case "+
				"letters or digits, and 40 characters", name, k.ID, len(k.Secret))
		}
	}
}

// TestExampleAWSFiles checks that the aws-config and aws-credentials files shipped with
// the example hold exactly the organization file's keys, and the example's region for every
// profile and the anonymous one.
func TestExampleAWSFiles(t *testing.T) {
	profiles, err := profilesFromOrg(exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	creds := loadINI(t, filepath.Join(exampleDir, "aws-credentials"))
	if got := slices.Sorted(slices.Values(sectionNames(creds))); !slices.Equal(got, wantProfiles) {
		t.Fatalf("aws-credentials has profiles %q, want %q", got, wantProfiles)
	}
	for name, k := range profiles {
		s := creds.Section(name)
		id, secret := s.Key("aws_access_key_id").String(), s.Key("aws_secret_access_key").String()
		if id != k.ID || secret != k.Secret {
			t.Errorf("aws-credentials [%s] has key %q/%q, organization.yaml %q/%q",
				name, id, secret, k.ID, k.Secret)
		}
	}
	config := loadINI(t, filepath.Join(exampleDir, "aws-config"))
	for _, name := range append(slices.Clone(wantProfiles), anonymousProfile) {
		if got := config.Section("profile " + name).Key("region").String(); got != region {
			t.Errorf("aws-config [profile %s] region %q, want %q", name, got, region)
		}
	}
}

// loadINI parses the AWS CLI file at path.
func loadINI(t *testing.T, path string) *ini.File {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	f, err := ini.Load(data)
	if err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
	return f
}

// sectionNames lists f's sections other than the unnamed default one.
func sectionNames(f *ini.File) []string {
	var names []string
	for _, s := range f.Sections() {
		if s.Name() != ini.DefaultSection {
			names = append(names, s.Name())
		}
	}
	return names
}
