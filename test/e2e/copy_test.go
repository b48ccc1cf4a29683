package e2e

import (
	"path/filepath"
	"testing"
)

// releaseURL is where TestCopyObjectCLI copies chart 0.1.0 to, in the same bucket.
var releaseURL = bucketURL + "/release/" + chartKey("0.1.0")

// copySteps copy a published chart within the bucket with `aws s3 cp s3://... s3://...`,
// which sends CopyObject: with --sse it is allowed; without, DenyUnEncryptedObjectUploads
// refuses it as it refuses an unencrypted upload. dl is a directory for downloads.
func copySteps(dl string) []step {
	src := bucketURL + "/" + chartKey("0.1.0")
	got := filepath.Join(dl, "release-0.1.0.tgz")
	return []step{
		{
			name: "publisher copy without SSE is denied", profile: "ci-publisher",
			args: []string{"s3", "cp", src, bucketURL + "/unencrypted/hello.tgz"},
			want: "AccessDenied", status: 403,
		},
		{
			name: "publisher copies 0.1.0 to release/", profile: "ci-publisher",
			args: []string{"s3", "cp", src, releaseURL, "--sse", "AES256"},
		},
		{
			name: "delegate downloads the copy", profile: "delegate",
			args: []string{"s3", "cp", releaseURL, got}, check: sameFile(got, chart("0.1.0")),
		},
		{
			name: "delegate cannot copy into the bucket", profile: "delegate",
			args: []string{"s3", "cp", src, bucketURL + "/release/mine.tgz", "--sse", "AES256"},
			want: "AccessDenied", status: 403,
		},
	}
}

// TestCopyObjectCLI publishes the charts, then copies one with the aws CLI.
func TestCopyObjectCLI(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	runPhases(t, c, []phase{{name: "publish", steps: publishSteps()}})
	for _, s := range copySteps(t.TempDir()) {
		t.Run(s.name, func(t *testing.T) { s.run(t, c) })
	}
}
