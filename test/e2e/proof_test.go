package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/testutil"
	"github.com/troveproject/trove/internal/testutil/helmcli"
	"github.com/troveproject/trove/internal/testutil/troveproc"
	"github.com/troveproject/trove/internal/webhook"
)

// The proof of issue 5, from the PRD side of the cross-account example: the
// delegate watches devtools-artifacts, ci-publisher publishes a new chart
// version, the watcher's webhook receiver gets exactly one event for it,
// `trove artifacts latest` names it, `pull` fetches it intact, and `helm
// pull` through trove's Helm repository view fetches the same bytes.

// hookSecret signs the watcher's deliveries; it is the test's own.
const hookSecret = "proof-webhook-secret"

// hookReceiver records the signed deliveries it acknowledges, by id.
type hookReceiver struct {
	mu     sync.Mutex // guards the fields below
	bodies map[string][]byte
	posts  int
	bad    int // deliveries without a valid signature
	// watch is the watcher whose webhook this is.
	watch *watchProc
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.ReadVerified(r, []byte(hookSecret), 1<<20)
	h.mu.Lock()
	defer h.mu.Unlock()
	h.posts++
	if err != nil {
		h.bad++
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	h.bodies[r.Header.Get(webhook.DeliveryHeader)] = body
	w.WriteHeader(http.StatusNoContent)
}

// deliveries returns the bodies received, in no order.
func (h *hookReceiver) deliveries() [][]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out [][]byte
	for _, b := range h.bodies {
		out = append(out, b)
	}
	return out
}

// watchEvent is the part of a `trove artifacts watch` event the proof reads.
type watchEvent struct {
	Source, Bucket, Key, Version, ETag, Change string
}

func TestProofDelegateWatchPullHelm(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	aws := newCLI(t, exampleOrg, srv.Endpoint)
	rcv := watchPublish(t, aws, srv.Endpoint, "--interval", "1s")
	time.Sleep(3 * time.Second) // three more polls: none may deliver again
	checkOneEvent(t, rcv)

	latest := runTrove(t, aws, "artifacts", "latest", "--endpoint", srv.Endpoint,
		"--profile", "delegate", "--bucket", bucket, "--pattern", "charts/hello-*.tgz")
	if got := strings.TrimSpace(latest); got != "1.0.0" {
		t.Fatalf("artifacts latest printed %q, want 1.0.0", got)
	}
	want, err := os.ReadFile(chart("1.0.0"))
	if err != nil {
		t.Fatal(err)
	}
	pulled := filepath.Join(t.TempDir(), "pulled.tgz")
	runTrove(t, aws, "artifacts", "pull", "--endpoint", srv.Endpoint, "--profile", "delegate",
		"--bucket", bucket, "--pattern", "charts/hello-*.tgz", "--output", pulled)
	if got, err := os.ReadFile(pulled); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("artifacts pull wrote %d bytes (%v), want the %d published", len(got), err,
			len(want))
	}
	helmPulled := helmPullDelegate(t, srv.Endpoint, "1.0.0")
	if !bytes.Equal(helmPulled, want) {
		t.Fatalf("helm pull fetched %d bytes unlike the %d published", len(helmPulled),
			len(want))
	}
}

// TestProofWatchHintedByNotification is the same watch with an hour between
// polls: it can only see the new chart in time because the bucket's
// notification, sent by trove to the watcher's hint listener, makes it list
// at once.
func TestProofWatchHintedByNotification(t *testing.T) {
	hint := fmt.Sprintf("127.0.0.1:%d", troveproc.FreePort(t))
	t.Setenv(secretEnvName, webhookSecret)
	org := webhookOrg(t, "http://"+hint+"/")
	srv := startTrove(t, t.TempDir(), org)
	aws := newCLI(t, org, srv.Endpoint)
	aws.env = append(aws.env, secretEnvName+"="+webhookSecret)
	mustRun(t, aws, "ci-publisher", "s3api", "put-bucket-notification-configuration",
		"--bucket", bucket, "--notification-configuration", notificationConfig)
	rcv := watchPublish(t, aws, srv.Endpoint, "--interval", "1h", "--events-listen", hint,
		"--events-secret-env", secretEnvName)
	checkOneEvent(t, rcv)
}

// watchPublish publishes hello 0.1.0 and 0.2.0 as ci-publisher, starts the
// delegate's watch with args and a signed webhook to a receiver, waits for
// its baseline, publishes 1.0.0 and waits for the receiver to get a
// delivery, which it returns.
func watchPublish(t *testing.T, aws *cli, endpoint string, args ...string) *hookReceiver {
	t.Helper()
	for _, v := range []string{"0.1.0", "0.2.0"} {
		publish(t, aws, v)
	}
	rcv := &hookReceiver{bodies: map[string][]byte{}}
	hook := httptest.NewServer(rcv)
	t.Cleanup(hook.Close)
	state := filepath.Join(t.TempDir(), "watch.state")
	rcv.watch = startWatch(t, aws, endpoint, append([]string{"--state", state,
		"--webhook", hook.URL, "--webhook-secret-env", "PROOF_HOOK_SECRET"}, args...)...)
	testutil.WaitFor(t, 30*time.Second, "the watcher's baseline", func() bool {
		return strings.Contains(rcv.watch.stderr.String(), "baseline recorded")
	})
	publish(t, aws, "1.0.0")
	testutil.WaitFor(t, 30*time.Second, "the webhook delivery", func() bool {
		return len(rcv.deliveries()) > 0
	})
	return rcv
}

// publish uploads the hello chart at version as ci-publisher, with SSE-S3 as
// the bucket policy demands.
func publish(t *testing.T, aws *cli, version string) {
	t.Helper()
	r := aws.run(t, "ci-publisher", false, "s3", "cp", chart(version), chartsURL,
		"--sse", "AES256")
	if r.err != nil {
		t.Fatalf("publishing %s: %s", version, r)
	}
}

// checkOneEvent checks that the receiver acknowledged exactly one signed
// delivery, for hello 1.0.0, and that the watcher printed that one event.
func checkOneEvent(t *testing.T, rcv *hookReceiver) {
	t.Helper()
	got := rcv.deliveries()
	rcv.mu.Lock()
	posts, bad := rcv.posts, rcv.bad
	rcv.mu.Unlock()
	if len(got) != 1 || posts != 1 || bad != 0 {
		t.Fatalf("receiver got %d deliveries in %d POSTs (%d unsigned), want exactly one",
			len(got), posts, bad)
	}
	var e watchEvent
	if err := json.Unmarshal(got[0], &e); err != nil {
		t.Fatalf("delivery body %s: %v", got[0], err)
	}
	want := watchEvent{Source: e.Source, Bucket: bucket, Key: chartKey("1.0.0"),
		Version: "1.0.0", ETag: e.ETag, Change: "new"}
	if e != want || e.ETag == "" {
		t.Errorf("delivered %+v, want %+v", e, want)
	}
	stdout := rcv.watch.stdout.String()
	lines := strings.Split(strings.TrimSpace(stdout), "\n")
	if len(lines) != 1 || !json.Valid([]byte(lines[0])) ||
		!strings.Contains(lines[0], chartKey("1.0.0")) {
		t.Errorf("watch printed %q, want the one event", stdout)
	}
}

// watchProc is a running `trove artifacts watch`.
type watchProc struct {
	cmd            *exec.Cmd
	stdout, stderr troveproc.Buffer
}

// startWatch runs `trove artifacts watch` as the delegate on the example's
// charts with args, until the test ends, when it is interrupted and must
// exit cleanly.
func startWatch(t *testing.T, aws *cli, endpoint string, args ...string) *watchProc {
	t.Helper()
	w := &watchProc{}
	full := append([]string{"artifacts", "watch", "--endpoint", endpoint,
		"--profile", "delegate", "--bucket", bucket, "--pattern", "charts/hello-*.tgz"}, args...)
	w.cmd = exec.Command(troveBin, full...)
	w.cmd.Env = append(slices.Clone(aws.env), "PROOF_HOOK_SECRET="+hookSecret)
	w.cmd.Stdout, w.cmd.Stderr = &w.stdout, &w.stderr
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		w.cmd.Process.Signal(os.Interrupt)
		if err := w.cmd.Wait(); err != nil {
			t.Errorf("trove artifacts watch: %v\n%s", err, w.stderr.String())
		}
		if t.Failed() {
			t.Logf("watch stderr:\n%s", w.stderr.String())
		}
	})
	return w
}

// runTrove runs the trove binary with args and the aws CLI's environment,
// and returns its stdout; it fails the test unless trove exits 0.
func runTrove(t *testing.T, aws *cli, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, troveBin, args...)
	cmd.Env = aws.env
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("trove %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String()
}

// helmPullDelegate adds the charts prefix of devtools-artifacts as a Helm
// repository through trove's view, with the delegate's keys, and returns
// the archive `helm pull` fetches of hello at version.
func helmPullDelegate(t *testing.T, endpoint, version string) []byte {
	t.Helper()
	h := helmcli.New(t)
	k := exampleKey(t, "delegate")
	url := endpoint + "/-/helm/" + bucket + "/charts"
	r := h.RepoAdd(t, "devtools", url, "--username", k.ID, "--password", k.Secret)
	if r.Err != nil {
		t.Fatal(r)
	}
	return h.Pull(t, "devtools/hello", version)
}

// exampleKey is the access key the example's organization file gives name.
func exampleKey(t *testing.T, name string) accessKey {
	t.Helper()
	profiles, err := profilesFromOrg(exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	return profiles[name]
}
