package e2e

import (
	"path/filepath"
	"testing"
)

// The cross-account example, as examples/cross-account/README.md walks through it.
var (
	exampleOrg = filepath.Join(repoRoot, "examples", "cross-account", "organization.yaml")
	chartsDir  = filepath.Join(repoRoot, "testdata", "charts")
)

const (
	bucket    = "devtools-artifacts"
	bucketURL = "s3://" + bucket
	chartsURL = bucketURL + "/charts/"
)

// step is one aws CLI call of the scenario and what it must do.
type step struct {
	name    string
	profile string
	args    []string
	// want is the error code the CLI must print ("AccessDenied", or "403" and "404" for
	// HeadObject, which has no body); empty means the call must succeed.
	want string
	// status, when non-zero, is the HTTP status the last response must carry; the call
	// then runs with --debug to see it.
	status int
	// check, when set, inspects a call that met want and status.
	check func(t *testing.T, r result)
}

// run makes the call and fails t with the call and its output if it misbehaves.
func (s step) run(t *testing.T, c *cli) {
	r := c.run(t, s.profile, s.status != 0, s.args...)
	switch {
	case s.want == "" && r.err != nil:
		t.Fatalf("want success, got failure:\n%v", r)
	case s.want != "" && r.err == nil:
		t.Fatalf("want error %s, got success:\n%v", s.want, r)
	case s.want != "" && r.code != s.want:
		t.Fatalf("want error %s, got error %q:\n%v", s.want, r.code, r)
	case s.status != 0 && r.status != s.status:
		t.Fatalf("want HTTP status %d, got %d:\n%v", s.status, r.status, r)
	}
	if s.check != nil {
		s.check(t, r)
	}
}

// phase is a group of steps that may run in any order and in parallel; phases run one
// after another.
type phase struct {
	name  string
	steps []step
}

// runPhases runs each phase as a subtest whose steps are parallel subtests.
func runPhases(t *testing.T, c *cli, phases []phase) {
	for _, p := range phases {
		t.Run(p.name, func(t *testing.T) {
			for _, s := range p.steps {
				t.Run(s.name, func(t *testing.T) {
					t.Parallel()
					s.run(t, c)
				})
			}
		})
	}
}

// chart is the path of the committed hello chart archive at version.
func chart(version string) string {
	return filepath.Join(chartsDir, "hello-"+version+".tgz")
}

// chartKey is the object key the scenario stores the hello chart at version under.
func chartKey(version string) string {
	return "charts/hello-" + version + ".tgz"
}

// scenario lists every call of the cross-account example and its expected outcome; dl is
// a directory for downloads.
func scenario(dl string) []phase {
	return []phase{
		{name: "publish", steps: publishSteps()},
		{name: "read", steps: readSteps(dl)},
		{name: "denied changes", steps: changeSteps()},
		{name: "unchanged", steps: unchangedSteps()},
	}
}

// publishSteps: ci-publisher uploads two charts with SSE-S3; an upload without it is
// refused by the bucket policy's DenyUnEncryptedObjectUploads.
func publishSteps() []step {
	return []step{
		{
			name: "publisher uploads 0.1.0 with SSE", profile: "ci-publisher",
			args: []string{"s3", "cp", chart("0.1.0"), chartsURL, "--sse", "AES256"},
		},
		{
			name: "publisher uploads 0.2.0 with SSE", profile: "ci-publisher",
			args: []string{"s3", "cp", chart("0.2.0"), chartsURL, "--sse", "AES256"},
		},
		{
			name: "publisher upload without SSE is denied", profile: "ci-publisher",
			args: []string{"s3", "cp", chart("1.0.0"), chartsURL},
			want: "AccessDenied", status: 403,
		},
	}
}

// readSteps covers reads: the owner's principals, prd's through the bucket policy's
// organization grant, and the partner account and anonymous callers, which it excludes.
func readSteps(dl string) []step {
	var steps []step
	steps = append(steps, ownerReadSteps(dl)...)
	steps = append(steps, delegateReadSteps(dl)...)
	return append(steps, outsiderReadSteps(dl)...)
}

func ownerReadSteps(dl string) []step {
	return []step{
		headStep("publisher head 0.1.0 shows SSE", "ci-publisher", "0.1.0"),
		headStep("publisher head 0.2.0 shows SSE", "ci-publisher", "0.2.0"),
		{
			name: "publisher get-object 0.2.0", profile: "ci-publisher",
			args: []string{"s3api", "get-object", "--bucket", bucket,
				"--key", chartKey("0.2.0"), filepath.Join(dl, "publisher-0.2.0.tgz")},
			check: all(showsSSE("AES256", chart("0.2.0")),
				sameFile(filepath.Join(dl, "publisher-0.2.0.tgz"), chart("0.2.0"))),
		},
		{
			name: "refused upload left no object", profile: "ci-publisher",
			args: []string{"s3api", "head-object", "--bucket", bucket, "--key", chartKey("1.0.0")},
			want: "404", status: 404,
		},
		{
			name: "devtools root lists exactly its bucket", profile: "devtools-root",
			args: []string{"s3", "ls"}, check: listsExactly(bucket),
		},
		{
			name: "prd root lists no bucket", profile: "prd-root",
			args: []string{"s3", "ls"}, check: listsExactly(),
		},
	}
}

func delegateReadSteps(dl string) []step {
	return []step{
		{
			// ListBuckets needs s3:ListAllMyBuckets, which delegate's policy lacks; and
			// it would list prd's buckets only.
			name: "delegate s3 ls is denied", profile: "delegate",
			args: []string{"s3", "ls"}, want: "AccessDenied", status: 403,
			check: lacks(bucket),
		},
		{
			name: "delegate lists the charts", profile: "delegate",
			args:  []string{"s3", "ls", chartsURL},
			check: listsExactly("hello-0.1.0.tgz", "hello-0.2.0.tgz"),
		},
		{
			name: "delegate downloads 0.1.0", profile: "delegate",
			args: []string{"s3", "cp", bucketURL + "/" + chartKey("0.1.0"),
				filepath.Join(dl, "delegate-0.1.0.tgz")},
			check: sameFile(filepath.Join(dl, "delegate-0.1.0.tgz"), chart("0.1.0")),
		},
		headStep("delegate head 0.2.0 shows SSE", "delegate", "0.2.0"),
	}
}

func outsiderReadSteps(dl string) []step {
	return []step{
		{
			name: "intruder list is denied", profile: "intruder",
			args: []string{"s3", "ls", chartsURL}, want: "AccessDenied", status: 403,
		},
		{
			name: "intruder download is denied", profile: "intruder",
			args: []string{"s3", "cp", bucketURL + "/" + chartKey("0.1.0"),
				filepath.Join(dl, "intruder-0.1.0.tgz")},
			want: "403", status: 403, check: noFile(filepath.Join(dl, "intruder-0.1.0.tgz")),
		},
		{
			name: "intruder head is denied", profile: "intruder",
			args: []string{"s3api", "head-object", "--bucket", bucket, "--key", chartKey("0.1.0")},
			want: "403", status: 403,
		},
		{
			name: "intruder get-object is denied", profile: "intruder",
			args: []string{"s3api", "get-object", "--bucket", bucket,
				"--key", chartKey("0.1.0"), filepath.Join(dl, "intruder-get.tgz")},
			want: "AccessDenied", status: 403,
		},
		{
			name: "anonymous list is denied", profile: anonymousProfile,
			args: []string{"s3", "ls", chartsURL, "--no-sign-request"},
			want: "AccessDenied", status: 403,
		},
		{
			name: "anonymous get-object is denied", profile: anonymousProfile,
			args: []string{"s3api", "get-object", "--bucket", bucket, "--key", chartKey("0.1.0"),
				filepath.Join(dl, "anonymous-get.tgz"), "--no-sign-request"},
			want: "AccessDenied", status: 403,
		},
	}
}

// changeSteps are writes that must all be refused; they run after the reads so that a
// wrongly accepted one cannot disturb them.
func changeSteps() []step {
	return []step{
		{
			name: "delegate upload is denied", profile: "delegate",
			args: []string{"s3", "cp", chart("1.0.0"), chartsURL, "--sse", "AES256"},
			want: "AccessDenied", status: 403,
		},
		{
			name: "delegate delete is denied", profile: "delegate",
			args: []string{"s3", "rm", bucketURL + "/" + chartKey("0.1.0")},
			want: "AccessDenied", status: 403,
		},
		{
			name: "intruder upload is denied", profile: "intruder",
			args: []string{"s3", "cp", chart("1.0.0"), chartsURL, "--sse", "AES256"},
			want: "AccessDenied", status: 403,
		},
		deleteBucketStep("ci-publisher"),
		deleteBucketStep("devtools-root"),
		deleteBucketStep("management-root"),
		{
			name: "prd root create-bucket finds it taken", profile: "prd-root",
			args: []string{"s3api", "create-bucket", "--bucket", bucket},
			want: "BucketAlreadyExists", status: 409,
		},
		{
			name: "devtools root create-bucket finds it owned", profile: "devtools-root",
			args: []string{"s3api", "create-bucket", "--bucket", bucket},
			want: "BucketAlreadyOwnedByYou", status: 409,
		},
	}
}

// unchangedSteps check that the refused changes left the bucket as it was.
func unchangedSteps() []step {
	return []step{
		{
			name: "charts are unchanged", profile: "ci-publisher",
			args:  []string{"s3", "ls", chartsURL},
			check: listsExactly("hello-0.1.0.tgz", "hello-0.2.0.tgz"),
		},
		{
			name: "bucket still exists", profile: "devtools-root",
			args: []string{"s3", "ls"}, check: listsExactly(bucket),
		},
	}
}

// headStep is a head-object of the chart at version that must show SSE-S3 and its size.
func headStep(name, profile, version string) step {
	return step{
		name: name, profile: profile,
		args:  []string{"s3api", "head-object", "--bucket", bucket, "--key", chartKey(version)},
		check: showsSSE("AES256", chart(version)),
	}
}

// deleteBucketStep is a delete-bucket by profile, refused by DenyBucketDeletion.
func deleteBucketStep(profile string) step {
	return step{
		name: profile + " delete-bucket is denied", profile: profile,
		args: []string{"s3api", "delete-bucket", "--bucket", bucket},
		want: "AccessDenied", status: 403,
	}
}

// TestCrossAccount runs the cross-account example against a fresh server.
func TestCrossAccount(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	runPhases(t, newCLI(t, exampleOrg, srv.Endpoint), scenario(t.TempDir()))
}

// TestReloadOrganizationFile starts the server twice on one data directory with the same
// organization file. The first run publishes the charts; the second load must change
// nothing, so the charts keep their encryption, devtools still owns exactly one bucket,
// and the whole scenario holds as on a fresh server.
func TestReloadOrganizationFile(t *testing.T) {
	data := t.TempDir()
	first := startTrove(t, data, exampleOrg)
	t.Run("first load", func(t *testing.T) {
		runPhases(t, newCLI(t, exampleOrg, first.Endpoint),
			[]phase{{name: "publish", steps: publishSteps()}})
	})
	first.Stop(t)
	second := startTrove(t, data, exampleOrg)
	t.Run("second load", func(t *testing.T) {
		c := newCLI(t, exampleOrg, second.Endpoint)
		runPhases(t, c, []phase{{name: "kept", steps: reloadSteps()}})
		runPhases(t, c, scenario(t.TempDir()))
	})
}

// reloadSteps check, before anything is written again, that the second load kept the
// first run's objects, their encryption, and the single bucket.
func reloadSteps() []step {
	return []step{
		headStep("0.1.0 survived with SSE", "ci-publisher", "0.1.0"),
		headStep("0.2.0 survived with SSE", "delegate", "0.2.0"),
		{
			name: "devtools root lists exactly its bucket", profile: "devtools-root",
			args: []string{"s3", "ls"}, check: listsExactly(bucket),
		},
	}
}
