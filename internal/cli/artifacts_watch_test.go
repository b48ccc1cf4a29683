package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/troveproject/trove/internal/testutil"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// writeSources writes a sources file for the trove at endpoint: "app" for
// the releases of charts/app, "rc" for its 1.10 pre-releases.
func writeSources(t *testing.T, endpoint string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "sources.yaml")
	doc := "defaults:\n  endpoint: " + endpoint + "\n  region: eu-central-1\n" +
		"sources:\n" +
		"  - name: app\n    bucket: devtools-artifacts\n    pattern: charts/app-*.tgz\n" +
		"  - name: rc\n    bucket: devtools-artifacts\n    pattern: charts/app-*.tgz\n" +
		"    constraint: \">=1.10.0-0, <1.10.0\"\n"
	if err := os.WriteFile(f, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestArtifactsSourcesFile(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
	file := writeSources(t, endpoint)
	out := filepath.Join(t.TempDir(), "rc.tgz")
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  []string // in stdout, in order
		wantErr  string
	}{
		{name: "list all", args: []string{"list", "--sources", file}, wantOut: []string{
			"SOURCE", "app ", "1.10.0 ", "app ", "1.0.0 ", "rc ", "1.10.0-rc.1 "},
			wantErr: "source app: skipped charts/app-latest.tgz: "},
		{name: "latest of each", args: []string{"latest", "--sources", file},
			wantOut: []string{"app\t1.10.0\n", "rc\t1.10.0-rc.1\n"}},
		{name: "latest of one", args: []string{"latest", "--sources", file, "--source", "rc"},
			wantOut: []string{"1.10.0-rc.1\n"}},
		{name: "latest json", args: []string{"latest", "--sources", file, "--json"},
			wantOut: []string{`"source": "app"`, `"version": "1.10.0"`, `"source": "rc"`}},
		{name: "list json", args: []string{"list", "--sources", file, "--source", "rc",
			"--json"}, wantOut: []string{"[", `"source": "rc"`, `"bucket": "devtools-artifacts"`,
			`"version": "1.10.0-rc.1"`}},
		{name: "pull one", args: []string{"pull", "--sources", file, "--source", "rc",
			"--output", out}, wantOut: []string{"pulled s3://devtools-artifacts/" +
			"charts/app-1.10.0-rc.1.tgz"}},
		{name: "pull needs a source", args: []string{"pull", "--sources", file},
			wantCode: exitUsage, wantErr: "choose it with --source (the file has app, rc)"},
		{name: "unknown source", args: []string{"list", "--sources", file, "--source", "x"},
			wantCode: exitUsage, wantErr: `--source "x": ` + file + ` defines no such source`},
		{name: "flag beside the file", args: []string{"list", "--sources", file, "--bucket",
			"b"}, wantCode: exitUsage, wantErr: "--bucket (or TROVE_BUCKET) cannot be combined"},
		{name: "source without a file", args: []string{"list", "--source", "app", "--bucket",
			"b", "--pattern", "a-*"}, wantCode: exitUsage, wantErr: "give --sources FILE too"},
		{name: "bad file", args: []string{"list", "--sources", "testdata/partner-policy.json"},
			wantCode: exitUsage, wantErr: `partner-policy.json:2: unknown field "Version"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := run(append([]string{"artifacts"}, tc.args...)...)
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
}

func TestArtifactsWatchUsage(t *testing.T) {
	t.Setenv("EMPTY_SECRET", "")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	// Should a case be taken, the watch polls a closed port of loopback,
	// keeps its state in a directory of the test's own, and is stopped.
	const ep = "http://127.0.0.1:1"
	state := filepath.Join(t.TempDir(), "watch.state")
	src := []string{"artifacts", "watch", "--endpoint", ep, "--bucket", "bkt", "--pattern",
		"a-*"}
	tests := []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no state", src, "--state FILE is required"},
		{"short interval", append(src, "--state", state, "--interval", "10ms"),
			"--interval 10ms: want at least 1s"},
		{"empty secret", append(src, "--state", state, "--webhook", "http://127.0.0.1:1/",
			"--webhook-secret-env", "EMPTY_SECRET"), "EMPTY_SECRET: the variable is unset"},
		{"secret without webhook", append(src, "--state", state, "--webhook-secret-env", "X"),
			"--webhook-secret-env needs --webhook"},
		{"bad webhook", append(src, "--state", state, "--webhook", "ftp://x"),
			"--webhook: artifacts: webhook URL ftp://x: want an http:// or https:// URL"},
		{"webhook with credentials", append(src, "--state", state, "--webhook",
			"http://user:PASSW0RD@127.0.0.1:19599/w?token=TOKEN123"),
			"webhook URL http://127.0.0.1:19599/w: user information (user:password@) is " +
				"refused"},
		{"webhook without a host", append(src, "--state", state, "--webhook",
			"http:///w?token=TOKEN123"), "webhook URL (URL without a host) names no host"},
		{"relative webhook", append(src, "--state", state, "--webhook", "localhost/w"),
			"want an http:// or https:// URL"},
		{"unparsable webhook", append(src, "--state", state, "--webhook",
			"http://user:PASSW0RD@127.0.0.1:x/w"),
			"the webhook URL does not parse (it is not shown"},
		{"bad bucket", []string{"artifacts", "watch", "--endpoint", ep, "--state", state,
			"--bucket", "../x", "--pattern", "a-*"},
			`--bucket: artifacts: bad source: bucket "../x"`},
		{"unsigned events off loopback", append(src, "--state", state, "--events-listen",
			"0.0.0.0:8089"), "loopback address only"},
		{"events address", append(src, "--state", state, "--events-listen", "8089"),
			"want host:port"},
		{"no pattern", []string{"artifacts", "watch", "--endpoint", ep, "--state", state,
			"--bucket", "bkt"},
			"--pattern is required"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			var stdout, stderrBuf bytes.Buffer
			code := Execute(ctx, tc.args, Streams{Out: &stdout, Err: &stderrBuf})
			stderr := stderrBuf.String()
			if code != exitUsage || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d with %q", code, stderr, exitUsage,
					tc.wantErr)
			}
			if strings.Contains(stderr, "PASSW0RD") || strings.Contains(stderr, "TOKEN123") {
				t.Errorf("stderr shows a secret of the URL: %q", stderr)
			}
		})
	}
}

func TestArtifactsWatch(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
	state := filepath.Join(t.TempDir(), "watch.state")
	var stdout, stderr troveproc.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan int, 1)
	go func() {
		done <- Execute(ctx, []string{"artifacts", "watch", "--sources",
			writeSources(t, endpoint), "--source", "app", "--state", state, "--interval", "1s"},
			Streams{Out: &stdout, Err: &stderr})
	}()
	testutil.WaitFor(t, 20*time.Second, "the baseline", func() bool {
		data, err := os.ReadFile(state)
		return err == nil && strings.Contains(string(data), `"app"`)
	})
	publish(t, endpoint, "charts/app-2.0.0.tgz", "two")
	testutil.WaitFor(t, 20*time.Second, "the event", func() bool { return stdout.String() != "" })
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatal("watch did not stop")
	}
	var e struct{ Source, Key, Version, Change string }
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 1 || json.Unmarshal([]byte(lines[0]), &e) != nil ||
		e != (struct{ Source, Key, Version, Change string }{"app", "charts/app-2.0.0.tgz",
			"2.0.0", "new"}) {
		t.Errorf("stdout %q, want one line: app-2.0.0 new from app", stdout.String())
	}
}

// publish uploads one object as ci-publisher.
func publish(t *testing.T, endpoint, key, body string) {
	t.Helper()
	c := s3.New(s3.Options{Region: "eu-central-1", BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider(
			"AKIAEXAMPLEPUBLISHER", "EXAMPLE/ci-publisher/notARealSecret00000", "")})
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("devtools-artifacts"), Key: aws.String(key),
		Body: strings.NewReader(body), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatal(err)
	}
}
