package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/testutil"
)

// artifactCharts are the objects ci-publisher uploads for the artifacts tests.
var artifactCharts = map[string]string{
	"charts/app-1.0.0.tgz":       "one",
	"charts/app-1.10.0.tgz":      "one-ten",
	"charts/app-1.10.0-rc.1.tgz": "one-ten-rc",
	"charts/app-1.2.0.tgz":       "one-two",
	"charts/app-latest.tgz":      "not a version",
}

// startArtifactsTrove serves the cross-account example on 127.0.0.1 with
// artifactCharts published, and leaves the AWS credential chain only the
// environment's static keys: empty shared files, no profile, no instance
// metadata.
func startArtifactsTrove(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"config", "credentials"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(dir, "config"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(dir, "credentials"))
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	for _, v := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN"} {
		t.Setenv(v, "")
	}
	srv := testutil.Start(t, exampleOrg)
	c := s3.New(s3.Options{Region: "eu-central-1", BaseEndpoint: aws.String(srv.URL),
		UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider(
			"AKIAEXAMPLEPUBLISHER", "EXAMPLE/ci-publisher/notARealSecret00000", "")})
	for k, body := range artifactCharts {
		_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
			Bucket: aws.String("devtools-artifacts"), Key: aws.String(k),
			Body: strings.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256})
		if err != nil {
			t.Fatal(err)
		}
	}
	return srv.URL
}

// useKey puts an example access key in the environment.
func useKey(t *testing.T, id, secret string) {
	t.Setenv("AWS_ACCESS_KEY_ID", id)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
}

func TestArtifacts(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	out := filepath.Join(t.TempDir(), "app.tgz")
	source := func(cmd string, args ...string) []string {
		return append([]string{"artifacts", cmd, "--endpoint", endpoint, "--region",
			"eu-central-1", "--bucket", "devtools-artifacts", "--pattern", "charts/app-*.tgz"},
			args...)
	}
	tests := []struct {
		name     string
		intruder bool
		args     []string
		wantCode int
		wantOut  []string // in stdout, in order
		wantErr  string   // in stderr
	}{
		{name: "list table", args: source("list"), wantOut: []string{
			"VERSION", "1.10.0 ", "1.10.0-rc.1 ", "1.2.0 ", "1.0.0 "},
			wantErr: "skipped charts/app-latest.tgz: "},
		{name: "latest", args: source("latest"), wantOut: []string{"1.10.0\n"}},
		{name: "latest with a constraint", args: source("latest", "--constraint", "<1.10"),
			wantOut: []string{"1.2.0\n"}},
		{name: "pull a version", args: source("pull", "--version", "1.2.0", "--output", out),
			wantOut: []string{"pulled s3://devtools-artifacts/charts/app-1.2.0.tgz (version " +
				"1.2.0, 7 bytes, checked by "}},
		{name: "outsider", intruder: true, args: source("list"), wantCode: 1,
			wantErr: "trove: artifacts: ListObjectsV2 on s3://devtools-artifacts/charts/app- " +
				"denied (AccessDenied): "},
		{name: "unknown version", args: source("pull", "--version", "9.9.9"), wantCode: 1,
			wantErr: `no version "9.9.9"`},
		{name: "bad order", args: source("list", "--order", "age"), wantCode: exitUsage,
			wantErr: `--order "age"`},
		{name: "bad pattern", args: source("list", "--regexp"), wantCode: exitUsage,
			wantErr: "version"},
		{name: "bucket with a path", args: source("list", "--bucket", "../x"),
			wantCode: exitUsage, wantErr: `--bucket: artifacts: bad source: bucket "../x": ` +
				"want lower-case letters"},
		{name: "no bucket", args: []string{"artifacts", "list", "--pattern", "a-*"},
			wantCode: exitUsage, wantErr: "--bucket is required"},
		{name: "endpoint with a path", args: source("list", "--endpoint", "http://127.0.0.1:1/x"),
			wantCode: exitUsage, wantErr: "without a path"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
			if tc.intruder {
				useKey(t, "AKIAEXAMPLEINTRUDER1", "EXAMPLE/intruder/notARealSecret000000000")
			}
			code, stdout, stderr := run(tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d, stderr with %q", code, stderr,
					tc.wantCode, tc.wantErr)
			}
			rest := stdout
			for _, w := range tc.wantOut {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("stdout lacks %q (in order):\n%s", w, stdout)
				}
				rest = rest[i+len(w):]
			}
		})
	}
	if got, err := os.ReadFile(out); err != nil || string(got) != "one-two" {
		t.Errorf("pulled file holds %q, %v", got, err)
	}
}

func TestArtifactsListJSON(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
	// The bucket and pattern come from TROVE_ variables, the rest from flags.
	t.Setenv("TROVE_BUCKET", "devtools-artifacts")
	t.Setenv("TROVE_PATTERN", "charts/app-*.tgz")
	var out, errs bytes.Buffer
	root := NewRoot(Streams{Out: &out, Err: &errs})
	root.SetArgs([]string{"artifacts", "list", "--endpoint", endpoint, "--region",
		"eu-central-1", "--json"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("%v: %s", err, errs.String())
	}
	var doc listJSON
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("%v:\n%s", err, out.String())
	}
	var versions []string
	for _, a := range doc.Artifacts {
		versions = append(versions, a.Version)
		if a.Size != int64(len(artifactCharts[a.Key])) || a.ETag == "" ||
			a.LastModified.IsZero() {
			t.Errorf("artifact %+v lacks its size, ETag or time", a)
		}
	}
	want := []string{"1.10.0", "1.10.0-rc.1", "1.2.0", "1.0.0"}
	if !slices.Equal(versions, want) || doc.Prefix != "charts/app-" ||
		doc.Bucket != "devtools-artifacts" {
		t.Errorf("bucket %q, prefix %q, versions %q; want devtools-artifacts, charts/app-, %q",
			doc.Bucket, doc.Prefix, versions, want)
	}
	if len(doc.Skipped) != 1 || doc.Skipped[0].Key != "charts/app-latest.tgz" ||
		!strings.HasPrefix(errs.String(), "skipped charts/app-latest.tgz: ") {
		t.Errorf("skipped %+v, stderr %q; want charts/app-latest.tgz in both", doc.Skipped,
			errs.String())
	}
}
