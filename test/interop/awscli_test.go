package interop

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestAWSCLI runs the artifact workflow with the aws CLI's s3 and s3api commands at
// their default settings (8 MiB multipart threshold and parts, request checksums when
// supported), then its sync, mv and rm --recursive, and checks `aws s3 presign`.
func TestAWSCLI(t *testing.T) {
	t.Parallel()
	eachMode(t, func(t *testing.T, srv *server) {
		c := newCLI(t, srv, "aws-cli")
		workflow{srv: srv, c: c, bucket: c.bucket, refusal: refusedPrecondition}.run(t)
		t.Run("sync", func(t *testing.T) { c.checkSync(t) })
		t.Run("mv", func(t *testing.T) { c.checkMove(t) })
		t.Run("rm recursive", func(t *testing.T) { c.checkRemoveRecursive(t) })
		presignCheck{srv: srv, p: c, bucket: c.bucket}.run(t)
	})
}

// cli runs the aws command-line client against one bucket of one server.
type cli struct {
	bin      string
	endpoint string
	bucket   string
	env      []string // the whole environment of a call
}

// newCLI finds aws, failing the test if it is missing, and writes a config and a
// credentials file of its own: one profile with the test key, path-style addressing and
// no retries, so that a failing call shows trove's first answer. signature_version s3v4
// makes `aws s3 presign` sign with SigV4; for us-east-1 it would use SigV2.
func newCLI(t *testing.T, srv *server, bucket string) *cli {
	t.Helper()
	dir := t.TempDir()
	config, creds := filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	cfg := fmt.Sprintf("[profile interop]\nregion = %s\nmax_attempts = 1\n"+
		"s3 =\n    addressing_style = path\n    signature_version = s3v4\n", region)
	crd := fmt.Sprintf("[interop]\naws_access_key_id = %s\naws_secret_access_key = %s\n",
		accessKeyID, secretAccessKey)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(creds, []byte(crd), 0o600); err != nil {
		t.Fatal(err)
	}
	env := srv.clientEnv(t, append(srv.caBundleEnv(), "AWS_CONFIG_FILE="+config,
		"AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_PROFILE=interop")...)
	return &cli{bin: lookClient(t, "aws"), endpoint: srv.Endpoint, bucket: bucket, env: env}
}

// cliError is a failed aws call.
type cliError struct {
	cmdline string
	stderr  string
	err     error
}

func (e *cliError) Error() string {
	return fmt.Sprintf("%s: %v\n%s", e.cmdline, e.err, strings.TrimSpace(e.stderr))
}

// run calls aws with args and returns its standard output.
func (c *cli) run(ctx context.Context, args ...string) (string, error) {
	full := append([]string{"--endpoint-url", c.endpoint}, args...)
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Env = c.env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), &cliError{cmdline: "aws " + strings.Join(full, " "),
			stderr: stderr.String(), err: err}
	}
	return stdout.String(), nil
}

// url is the s3:// URL of key in the bucket.
func (c *cli) url(key string) string { return "s3://" + c.bucket + "/" + key }

func (c *cli) makeBucket(ctx context.Context) error {
	_, err := c.run(ctx, "s3", "mb", "s3://"+c.bucket)
	return err
}

func (c *cli) upload(ctx context.Context, key, path string) error {
	_, err := c.run(ctx, "s3", "cp", "--no-progress", path, c.url(key))
	return err
}

// list lists with s3api list-objects-v2, which pages by itself.
func (c *cli) list(ctx context.Context, prefix string) ([]string, error) {
	out, err := c.run(ctx, "s3api", "list-objects-v2", "--bucket", c.bucket, "--prefix",
		prefix, "--query", "Contents[].Key", "--output", "json")
	if err != nil {
		return nil, err
	}
	var keys []string
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		return nil, fmt.Errorf("list-objects-v2 printed %q: %w", out, err)
	}
	return keys, nil
}

func (c *cli) download(ctx context.Context, key, path string) error {
	_, err := c.run(ctx, "s3", "cp", "--no-progress", c.url(key), path)
	return err
}

// copy uses s3 cp between two s3:// URLs: CopyObject, or UploadPartCopy in 8 MiB parts
// for objects larger than that.
func (c *cli) copy(ctx context.Context, src, dst string) error {
	_, err := c.run(ctx, "s3", "cp", "--no-progress", c.url(src), c.url(dst))
	return err
}

func (c *cli) putIfAbsent(ctx context.Context, key, path string) error {
	_, err := c.run(ctx, "s3api", "put-object", "--bucket", c.bucket, "--key", key,
		"--body", path, "--if-none-match", "*")
	return err
}

// remove deletes keys with one s3api delete-objects call.
func (c *cli) remove(ctx context.Context, keys []string) error {
	type object struct{ Key string }
	req := struct{ Objects []object }{}
	for _, k := range keys {
		req.Objects = append(req.Objects, object{k})
	}
	del, err := json.Marshal(req)
	if err != nil {
		return err
	}
	out, err := c.run(ctx, "s3api", "delete-objects", "--bucket", c.bucket, "--delete",
		string(del), "--query", "Errors", "--output", "json")
	if err == nil && strings.TrimSpace(out) != "null" {
		err = fmt.Errorf("delete-objects reported errors: %s", out)
	}
	return err
}

// cliErrorCode matches the line in which the CLI reports an S3 error.
var cliErrorCode = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling`)

func (c *cli) errorCode(err error) string {
	m := cliErrorCode.FindAllStringSubmatch(err.Error(), -1)
	if m == nil {
		return ""
	}
	return m[len(m)-1][1]
}

// presignGet runs aws s3 presign. The CLI prints the URL without checking its length.
func (c *cli) presignGet(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	out, err := c.run(ctx, "s3", "presign", c.url(key), "--expires-in",
		strconv.Itoa(int(expires.Seconds())))
	return strings.TrimSpace(out), nil, err
}

// presignPut reports errNoPresignPut: aws s3 presign makes GET URLs only.
func (c *cli) presignPut(context.Context, string, time.Duration) (string, http.Header, error) {
	return "", nil, errNoPresignPut
}

// siteFiles are the files of the directory the sync check mirrors, by relative path.
var siteFiles = map[string]string{
	"index.yaml":           "apiVersion: v1\nentries: {}\n",
	"charts/app-1.0.0.tgz": "chart one",
	"charts/app-1.1.0.tgz": "chart two",
}

// checkSync syncs a directory up, changes it, syncs again with --delete, and syncs the
// bucket's copy down into a fresh directory.
func (c *cli) checkSync(t *testing.T) {
	ctx, dir := t.Context(), t.TempDir()
	for name, body := range siteFiles {
		writeFile(t, filepath.Join(dir, name), body)
	}
	c.mustRun(t, "s3", "sync", "--no-progress", dir, c.url("site/"))
	c.wantKeys(t, "site/", "site/charts/app-1.0.0.tgz", "site/charts/app-1.1.0.tgz",
		"site/index.yaml")
	writeFile(t, filepath.Join(dir, "index.yaml"), "apiVersion: v1\nentries: {app: []}\n")
	if err := os.Remove(filepath.Join(dir, "charts", "app-1.0.0.tgz")); err != nil {
		t.Fatal(err)
	}
	c.mustRun(t, "s3", "sync", "--no-progress", "--delete", dir, c.url("site/"))
	c.wantKeys(t, "site/", "site/charts/app-1.1.0.tgz", "site/index.yaml")
	down := t.TempDir()
	c.mustRun(t, "s3", "sync", "--no-progress", c.url("site/"), down)
	for _, name := range []string{"index.yaml", "charts/app-1.1.0.tgz"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(filepath.Join(down, name)); err != nil ||
			string(got) != string(want) {
			t.Errorf("synced down %s: %q (%v), want %q", name, got, err, want)
		}
	}
	if _, err := c.run(ctx, "s3", "rm", "--recursive", c.url("site/")); err != nil {
		t.Fatal(err)
	}
}

// checkMove moves a local file into the bucket, then within it, and back out.
func (c *cli) checkMove(t *testing.T) {
	dir := t.TempDir()
	local := filepath.Join(dir, "notes.txt")
	writeFile(t, local, "release notes\n")
	c.mustRun(t, "s3", "mv", "--no-progress", local, c.url("staging/notes.txt"))
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("s3 mv to the bucket left %s behind (%v)", local, err)
	}
	c.mustRun(t, "s3", "mv", "--no-progress", c.url("staging/notes.txt"),
		c.url("release/notes.txt"))
	c.wantKeys(t, "staging/")
	back := filepath.Join(dir, "back.txt")
	c.mustRun(t, "s3", "mv", "--no-progress", c.url("release/notes.txt"), back)
	c.wantKeys(t, "release/")
	if got, err := os.ReadFile(back); err != nil || string(got) != "release notes\n" {
		t.Errorf("moved back: %q (%v), want the notes", got, err)
	}
}

// checkRemoveRecursive removes a prefix and checks that only it went.
func (c *cli) checkRemoveRecursive(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.tgz", "nested/b.tgz", "nested/deeper/c.tgz"} {
		writeFile(t, filepath.Join(dir, name), name)
	}
	c.mustRun(t, "s3", "cp", "--no-progress", "--recursive", dir, c.url("tmp/"))
	c.mustRun(t, "s3", "cp", "--no-progress", filepath.Join(dir, "a.tgz"), c.url("keep.tgz"))
	c.wantKeys(t, "tmp/", "tmp/a.tgz", "tmp/nested/b.tgz", "tmp/nested/deeper/c.tgz")
	c.mustRun(t, "s3", "rm", "--recursive", c.url("tmp/"))
	c.wantKeys(t, "tmp/")
	c.wantKeys(t, "keep.tgz", "keep.tgz")
	c.mustRun(t, "s3", "rm", c.url("keep.tgz"))
}

// mustRun runs aws with args and fails the test if it fails.
func (c *cli) mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := c.run(t.Context(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// wantKeys fails the test unless the keys under prefix are exactly want, in order.
func (c *cli) wantKeys(t *testing.T, prefix string, want ...string) {
	t.Helper()
	got, err := c.list(t.Context(), prefix)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("keys under %s: %q, want %q", prefix, got, want)
	}
}

// writeFile writes body into a new file at path, making its directory.
func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}
