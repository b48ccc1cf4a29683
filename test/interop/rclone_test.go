package interop

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	pathpkg "path"
	"path/filepath"
	"strings"
	"testing"
)

// TestRclone runs the artifact workflow with rclone from Debian's packages, configured
// through environment variables alone, with an 8 MiB upload cutoff so that the large
// artifact goes up in rclone's 5 MiB parts. rclone cannot send If-None-Match, so its
// overwrite check is --immutable, which refuses on the client's side.
func TestRclone(t *testing.T) {
	t.Parallel()
	eachMode(t, func(t *testing.T, srv *server) {
		c := newRclone(t, srv, "rclone")
		workflow{srv: srv, c: c, bucket: c.bucket, refusal: rcloneImmutable}.run(t)
	})
}

// rcloneImmutable is what errorCode names rclone's --immutable refusal.
const rcloneImmutable = "immutable file modified"

// rclone runs the rclone command against one bucket of one server, as remote "trove".
type rclone struct {
	bin    string
	bucket string
	args   []string // flags of every call
	env    []string // the whole environment of a call
}

// newRclone finds rclone, failing the test if it is missing, and configures remote
// "trove" in the environment: an empty config file of its own, static keys, the loopback
// endpoint with path-style addressing, and over HTTPS the server's certificate as the only
// CA, given with --ca-cert. AWS_CA_BUNDLE stays unset: the AWS SDK inside rclone 1.60
// cannot apply it to rclone's transport and fails every call when it is set. Retries are
// off, so that a failing call shows trove's first answer.
func newRclone(t *testing.T, srv *server, bucket string) *rclone {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	env := srv.clientEnv(t,
		"RCLONE_CONFIG="+conf,
		"RCLONE_CONFIG_TROVE_TYPE=s3",
		"RCLONE_CONFIG_TROVE_PROVIDER=Other",
		"RCLONE_CONFIG_TROVE_ENV_AUTH=false",
		"RCLONE_CONFIG_TROVE_ACCESS_KEY_ID="+accessKeyID,
		"RCLONE_CONFIG_TROVE_SECRET_ACCESS_KEY="+secretAccessKey,
		"RCLONE_CONFIG_TROVE_REGION="+region,
		"RCLONE_CONFIG_TROVE_ENDPOINT="+srv.Endpoint,
		"RCLONE_CONFIG_TROVE_FORCE_PATH_STYLE=true",
		"RCLONE_CONFIG_TROVE_UPLOAD_CUTOFF=8M",
	)
	args := []string{"--retries", "1", "--low-level-retries", "1", "-v"}
	if srv.caFile != "" {
		args = append(args, "--ca-cert", srv.caFile)
	}
	return &rclone{bin: lookClient(t, "rclone"), bucket: bucket, args: args, env: env}
}

// rcloneError is a failed rclone call.
type rcloneError struct {
	cmdline string
	stderr  string
	err     error
}

func (e *rcloneError) Error() string {
	return fmt.Sprintf("%s: %v\n%s", e.cmdline, e.err, strings.TrimSpace(e.stderr))
}

// run calls rclone with args and returns its standard output and error.
func (c *rclone) run(ctx context.Context, args ...string) (stdout, stderr string, err error) {
	full := append(append([]string{}, c.args...), args...)
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Env = c.env
	var out, errOut strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), errOut.String(), &rcloneError{
			cmdline: "rclone " + strings.Join(full, " "), stderr: errOut.String(), err: err}
	}
	return out.String(), errOut.String(), nil
}

// remote is the rclone path of key in the bucket.
func (c *rclone) remote(key string) string { return "trove:" + c.bucket + "/" + key }

func (c *rclone) makeBucket(ctx context.Context) error {
	_, _, err := c.run(ctx, "mkdir", "trove:"+c.bucket)
	return err
}

func (c *rclone) upload(ctx context.Context, key, path string) error {
	_, _, err := c.run(ctx, "copyto", path, c.remote(key))
	return err
}

// list runs lsf on the prefix as a directory; rclone calls a prefix with no keys a
// directory that is not found.
func (c *rclone) list(ctx context.Context, prefix string) ([]string, error) {
	out, _, err := c.run(ctx, "lsf", "-R", "--files-only", c.remote(prefix))
	if err != nil {
		if strings.Contains(err.Error(), "directory not found") {
			return nil, nil
		}
		return nil, err
	}
	var keys []string
	for name := range strings.Lines(out) {
		keys = append(keys, prefix+strings.TrimSuffix(name, "\n"))
	}
	return keys, nil
}

func (c *rclone) download(ctx context.Context, key, path string) error {
	_, _, err := c.run(ctx, "copyto", c.remote(key), path)
	return err
}

// copy runs copyto between two paths of the remote and checks that rclone copied
// server-side rather than through the client.
func (c *rclone) copy(ctx context.Context, src, dst string) error {
	_, stderr, err := c.run(ctx, "copyto", c.remote(src), c.remote(dst))
	if err == nil && !strings.Contains(stderr, "server-side copy") {
		err = fmt.Errorf("rclone copyto %s %s did not copy server-side:\n%s", src, dst, stderr)
	}
	return err
}

// putIfAbsent copies a directory holding only the file, named as the key's last segment,
// with copy --immutable: rclone looks at the key first and refuses to replace an object
// that differs from the file. (rclone 1.60's copyto ignores --immutable and overwrites.)
func (c *rclone) putIfAbsent(ctx context.Context, key, path string) error {
	body, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "rclone-immutable-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, pathpkg.Base(key)), body, 0o600); err != nil {
		return err
	}
	_, _, err = c.run(ctx, "copy", "--immutable", dir, c.remote(pathpkg.Dir(key)+"/"))
	return err
}

func (c *rclone) remove(ctx context.Context, keys []string) error {
	var errs []error
	for _, k := range keys {
		_, _, err := c.run(ctx, "deletefile", c.remote(k))
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// errorCode recognizes the --immutable refusal only: rclone prints S3 error codes in
// free text.
func (c *rclone) errorCode(err error) string {
	if strings.Contains(err.Error(), rcloneImmutable) {
		return rcloneImmutable
	}
	return ""
}
