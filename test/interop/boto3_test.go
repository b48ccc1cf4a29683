package interop

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// TestBoto3 runs the artifact workflow with boto3 under the machine's python3, through
// testdata/workflow.py: upload_file, download_file and the managed copy at their default
// 8 MiB threshold and parts, put_object with IfNoneMatch, delete_objects; and checks
// generate_presigned_url for GET and PUT, and how botocore encoded its uploads.
func TestBoto3(t *testing.T) {
	t.Parallel()
	eachMode(t, func(t *testing.T, srv *server) {
		c := startBoto3(t, srv, "boto3")
		workflow{srv: srv, c: c, bucket: c.bucket, refusal: refusedPrecondition}.run(t)
		t.Run("body encoding", func(t *testing.T) {
			a, err := c.call(t.Context(), map[string]any{"op": "uploads"})
			if err != nil {
				t.Fatal(err)
			}
			checkUploads(t, srv.mode, a.Uploads)
		})
		presignCheck{srv: srv, p: c, bucket: c.bucket}.run(t)
	})
}

// boto3 talks to one testdata/workflow.py process bound to one bucket.
type boto3 struct {
	bucket  string
	mu      sync.Mutex // guards stdin, replies and broken: one request at a time
	stdin   io.WriteCloser
	replies chan []byte   // the script's answers, one a line
	broken  error         // set once a call went unanswered
	dead    chan struct{} // closed when the process has exited
}

// startBoto3 starts workflow.py for bucket of srv, failing the test if python3 is
// missing, and stops it when the test ends.
func startBoto3(t *testing.T, srv *server, bucket string) *boto3 {
	t.Helper()
	args := []string{filepath.Join("testdata", "workflow.py"), srv.Endpoint, bucket}
	if srv.caFile != "" {
		args = append(args, srv.caFile)
	}
	cmd := exec.Command(lookClient(t, "python3"), args...)
	// No AWS file: the script takes its key from these variables alone.
	cmd.Env = srv.clientEnv(t, append(srv.caBundleEnv(), "TROVE_INTEROP_KEY_ID="+accessKeyID,
		"TROVE_INTEROP_SECRET="+secretAccessKey, "TROVE_INTEROP_REGION="+region,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")...)
	stderr := &troveproc.Buffer{}
	cmd.Stderr = stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start workflow.py: %v", err)
	}
	b := &boto3{bucket: bucket, stdin: stdin, replies: make(chan []byte, 1),
		dead: make(chan struct{})}
	go b.readReplies(stdout)
	go func() {
		_ = cmd.Wait()
		close(b.dead)
	}()
	t.Cleanup(func() { b.stop(t, cmd, stderr) })
	return b
}

// stop closes the script's input, which ends it, and shows its stderr if the test failed.
func (b *boto3) stop(t *testing.T, cmd *exec.Cmd, stderr *troveproc.Buffer) {
	b.stdin.Close()
	select {
	case <-b.dead:
	case <-time.After(troveproc.StopTimeout):
		_ = cmd.Process.Kill()
		<-b.dead
	}
	if t.Failed() && stderr.String() != "" {
		t.Logf("workflow.py printed on stderr:\n%s", tail(stderr.String(), logTail))
	}
}

// boto3Error is an error workflow.py reported.
type boto3Error struct {
	Code    string `json:"code"`
	Status  int    `json:"status"`
	Message string `json:"message"`
}

func (e *boto3Error) Error() string {
	return fmt.Sprintf("boto3: %s (HTTP %d)", e.Message, e.Status)
}

// answer is workflow.py's reply to one request.
type answer struct {
	OK    bool        `json:"ok"`
	Error *boto3Error `json:"error"`
	Keys  []string    `json:"keys"`
	URL   string      `json:"url"`
	// Uploads says how botocore encoded each PutObject and UploadPart it sent.
	Uploads []upload `json:"uploads"`
}

// call sends req and waits for the answer, at most callTimeout. After a call that got
// no answer, every later call fails: a late answer would be taken for the next one's.
func (b *boto3) call(ctx context.Context, req map[string]any) (answer, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.broken != nil {
		return answer{}, b.broken
	}
	line, err := json.Marshal(req)
	if err != nil {
		return answer{}, err
	}
	if _, err := b.stdin.Write(append(line, '\n')); err != nil {
		return answer{}, fmt.Errorf("boto3: send %s: %w", line, err)
	}
	ctx, cancel := context.WithTimeout(ctx, callTimeout)
	defer cancel()
	var reply []byte
	select {
	case reply = <-b.replies:
	case <-b.dead:
		b.broken = fmt.Errorf("boto3: workflow.py exited instead of answering %s", line)
		return answer{}, b.broken
	case <-ctx.Done():
		b.broken = fmt.Errorf("boto3: no answer to %s: %w", line, ctx.Err())
		return answer{}, b.broken
	}
	var a answer
	if err := json.Unmarshal(reply, &a); err != nil {
		return answer{}, fmt.Errorf("boto3: answer %q to %s: %w", reply, line, err)
	}
	if !a.OK {
		return a, a.Error
	}
	return a, nil
}

// readReplies passes each line the script prints to b.replies until it stops printing.
func (b *boto3) readReplies(stdout io.Reader) {
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 64<<10), 16<<20)
	for lines.Scan() {
		b.replies <- bytes.Clone(lines.Bytes())
	}
}

// do sends a request that answers nothing but success or an error.
func (b *boto3) do(ctx context.Context, req map[string]any) error {
	_, err := b.call(ctx, req)
	return err
}

func (b *boto3) makeBucket(ctx context.Context) error {
	return b.do(ctx, map[string]any{"op": "make_bucket"})
}

func (b *boto3) upload(ctx context.Context, key, path string) error {
	return b.do(ctx, map[string]any{"op": "upload", "key": key, "path": path})
}

func (b *boto3) list(ctx context.Context, prefix string) ([]string, error) {
	a, err := b.call(ctx, map[string]any{"op": "list", "prefix": prefix})
	return a.Keys, err
}

func (b *boto3) download(ctx context.Context, key, path string) error {
	return b.do(ctx, map[string]any{"op": "download", "key": key, "path": path})
}

func (b *boto3) copy(ctx context.Context, src, dst string) error {
	return b.do(ctx, map[string]any{"op": "copy", "src": src, "dst": dst})
}

func (b *boto3) putIfAbsent(ctx context.Context, key, path string) error {
	return b.do(ctx, map[string]any{"op": "put_if_absent", "key": key, "path": path})
}

func (b *boto3) remove(ctx context.Context, keys []string) error {
	return b.do(ctx, map[string]any{"op": "remove", "keys": keys})
}

func (b *boto3) errorCode(err error) string {
	var e *boto3Error
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

func (b *boto3) presign(ctx context.Context, method, key string,
	expires time.Duration) (string, http.Header, error) {
	a, err := b.call(ctx, map[string]any{"op": "presign", "method": method, "key": key,
		"expires": int(expires.Seconds())})
	return a.URL, nil, err
}

func (b *boto3) presignGet(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	return b.presign(ctx, http.MethodGet, key, expires)
}

func (b *boto3) presignPut(ctx context.Context, key string,
	expires time.Duration) (string, http.Header, error) {
	return b.presign(ctx, http.MethodPut, key, expires)
}
