package e2e

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/testutil/troveproc"
	"github.com/troveproject/trove/internal/webhook"
)

// The secret the receiver verifies, passed to trove in secretEnvName.
const (
	webhookSecret = "e2e-webhook-secret-0123456789abcdef0123"
	secretEnvName = "TROVE_E2E_WEBHOOK_SECRET"
	eventTimeout  = 30 * time.Second
)

// receiver is a loopback webhook receiver. It verifies every signature,
// answers as its mode says, and records acknowledged events as
// "eventName key".
type receiver struct {
	srv *httptest.Server
	got chan string // acknowledged events

	mu       sync.Mutex    // guards the fields below
	failures int           // requests still to answer 500
	hang     chan struct{} // when not nil, requests wait for it to close
	attempts map[string]int
	bad      int // requests with a missing or wrong signature
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{got: make(chan string, 100), attempts: map[string]int{}}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.release()
		r.srv.Close()
	})
	return r
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, err := webhook.ReadVerified(req, []byte(webhookSecret), 1<<20)
	r.mu.Lock()
	hang := r.hang
	r.mu.Unlock()
	if hang != nil {
		<-hang
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil {
		r.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	r.attempts[req.Header.Get(webhook.DeliveryHeader)]++
	if r.failures > 0 {
		r.failures--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var m struct {
		Records []struct {
			EventName string `json:"eventName"`
			S3        struct {
				Object struct{ Key string } `json:"object"`
			} `json:"s3"`
		}
	}
	if json.Unmarshal(body, &m) != nil || len(m.Records) != 1 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.got <- m.Records[0].EventName + " " + m.Records[0].S3.Object.Key
}

// fail makes the next n requests answer 500.
func (r *receiver) fail(n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = n
}

// block makes requests wait until release.
func (r *receiver) block() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.hang = make(chan struct{})
}

// release lets waiting and later requests through.
func (r *receiver) release() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.hang != nil {
		close(r.hang)
		r.hang = nil
	}
}

// await returns the next n acknowledged events, in order.
func (r *receiver) await(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for range n {
		select {
		case ev := <-r.got:
			out = append(out, ev)
		case <-time.After(eventTimeout):
			t.Fatalf("received %q, want %d events", out, n)
		}
	}
	return out
}

// quiet fails if an event arrives within a moment: filters left it out.
func (r *receiver) quiet(t *testing.T) {
	t.Helper()
	select {
	case ev := <-r.got:
		t.Fatalf("unexpected event %q", ev)
	case <-time.After(500 * time.Millisecond):
	}
}

// retried reports whether one delivery id was attempted more than once.
func (r *receiver) retried() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, n := range r.attempts {
		if n > 1 {
			return true
		}
	}
	return false
}

// webhookOrg writes the example organization file with a webhook to
// endpoint declared, open to the devtools account (which owns the bucket),
// and returns its path.
func webhookOrg(t *testing.T, endpoint string) string {
	t.Helper()
	data, err := os.ReadFile(exampleOrg)
	if err != nil {
		t.Fatal(err)
	}
	policy, err := filepath.Abs(filepath.Join(filepath.Dir(exampleOrg), "bucket-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), "policyFile: bucket-policy.json",
		"policyFile: "+policy, 1)
	text += "\nwebhooks:\n  - id: artifact-events\n    endpoint: " + endpoint +
		"\n    accounts: [\"111111111111\"]\n    secretEnv: " + secretEnvName + "\n"
	path := filepath.Join(t.TempDir(), "organization.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// notificationConfig is the configuration the tests set: created charts
// (.tgz under charts/) and every removal under charts/.
const notificationConfig = `{"QueueConfigurations": [
 {"Id": "charts-created", "QueueArn": "arn:trove:sqs::artifact-events:webhook",
  "Events": ["s3:ObjectCreated:*"], "Filter": {"Key": {"FilterRules": [
   {"Name": "prefix", "Value": "charts/"}, {"Name": "suffix", "Value": ".tgz"}]}}},
 {"Id": "charts-removed", "QueueArn": "arn:trove:sqs::artifact-events:webhook",
  "Events": ["s3:ObjectRemoved:*"], "Filter": {"Key": {"FilterRules": [
   {"Name": "prefix", "Value": "charts/"}]}}}]}`

// notifySetup starts trove with the webhook declared and the bucket
// configured, and returns the server, the CLI and the receiver.
func notifySetup(t *testing.T, dataDir string) (*troveproc.Server, *cli, *receiver, string) {
	t.Helper()
	t.Setenv(secretEnvName, webhookSecret)
	rcv := newReceiver(t)
	org := webhookOrg(t, rcv.srv.URL)
	srv := startTrove(t, dataDir, org)
	c := newCLI(t, org, srv.Endpoint)
	mustRun(t, c, "ci-publisher", "s3api", "put-bucket-notification-configuration",
		"--bucket", bucket, "--notification-configuration", notificationConfig)
	return srv, c, rcv, org
}

// mustRun runs the aws CLI and fails the test unless it succeeds.
func mustRun(t *testing.T, c *cli, profile string, args ...string) result {
	t.Helper()
	r := c.run(t, profile, false, args...)
	if r.err != nil {
		t.Fatalf("%v", r)
	}
	return r
}

// putChart uploads a small file as key, encrypted as the bucket policy
// requires.
func putChart(t *testing.T, c *cli, key string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "chart")
	if err := os.WriteFile(path, []byte("chart bytes of "+key), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, c, "ci-publisher", "s3api", "put-object", "--bucket", bucket, "--key", key,
		"--body", path, "--server-side-encryption", "AES256")
}

// TestNotificationConfiguration sets and reads a configuration with the
// aws CLI, and pins the refusals of bad ones: code, status and message.
func TestNotificationConfiguration(t *testing.T) {
	_, c, _, _ := notifySetup(t, t.TempDir())
	r := mustRun(t, c, "ci-publisher", "s3api", "get-bucket-notification-configuration",
		"--bucket", bucket)
	var got struct {
		QueueConfigurations []struct {
			ID       string `json:"Id"`
			QueueArn string
			Events   []string
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
		t.Fatalf("%v: %v", err, r)
	}
	if len(got.QueueConfigurations) != 2 || got.QueueConfigurations[0].ID != "charts-created" ||
		got.QueueConfigurations[1].QueueArn != "arn:trove:sqs::artifact-events:webhook" {
		t.Errorf("get-bucket-notification-configuration = %s", r.stdout)
	}
	queue := func(arn, event, prefix string) string {
		return `{"QueueArn": "` + arn + `", "Events": ["` + event + `"], "Filter": {"Key": ` +
			`{"FilterRules": [{"Name": "prefix", "Value": "` + prefix + `"}]}}}`
	}
	hook := "arn:trove:sqs::artifact-events:webhook"
	tests := []struct{ name, config, msg string }{
		{"unknown webhook", `{"QueueConfigurations": [` +
			queue("arn:trove:sqs::nope:webhook", "s3:ObjectCreated:*", "a/") + `]}`,
			"Unable to validate the following destination configurations"},
		{"topic", `{"TopicConfigurations": [{"TopicArn": "arn:aws:sns:eu-central-1:1:t",` +
			` "Events": ["s3:ObjectCreated:*"]}]}`,
			"Unable to validate the following destination configurations"},
		{"unknown event", `{"QueueConfigurations": [` +
			queue(hook, "s3:ObjectCreated:Patch", "a/") + `]}`,
			"The event is not supported for notifications: s3:ObjectCreated:Patch"},
		{"overlapping filters", `{"QueueConfigurations": [` +
			queue(hook, "s3:ObjectCreated:Put", "charts/") + `, ` +
			queue(hook, "s3:ObjectCreated:*", "charts/app-") + `]}`,
			"Configuration is ambiguously defined. Cannot have overlapping suffixes in " +
				"two rules if the prefixes are overlapping for the same event type."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := c.run(t, "ci-publisher", true, "s3api",
				"put-bucket-notification-configuration", "--bucket", bucket,
				"--notification-configuration", tt.config)
			if r.err == nil || r.code != "InvalidArgument" || r.status != 400 ||
				!strings.Contains(r.stderr, "operation: "+tt.msg) {
				t.Errorf("want InvalidArgument 400 %q, got:\n%v", tt.msg, r)
			}
		})
	}
}

// TestNotificationOtherAccount checks that an account the webhook does not
// list, here one outside the organization, cannot point its own bucket's
// configuration at the webhook, and learns nothing from the refusal: it is
// the one for a webhook that does not exist.
func TestNotificationOtherAccount(t *testing.T) {
	_, c, rcv, _ := notifySetup(t, t.TempDir())
	const own = "intruder-events"
	mustRun(t, c, "intruder", "s3api", "create-bucket", "--bucket", own,
		"--create-bucket-configuration", "LocationConstraint="+region)
	tests := []struct{ name, webhook string }{
		{"declared webhook", "artifact-events"},
		{"webhook not declared", "nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn := "arn:trove:sqs::" + tt.webhook + ":webhook"
			config := `{"QueueConfigurations": [{"QueueArn": "` + arn +
				`", "Events": ["s3:ObjectCreated:*"]}]}`
			r := c.run(t, "intruder", true, "s3api", "put-bucket-notification-configuration",
				"--bucket", own, "--notification-configuration", config)
			if r.err == nil || r.code != "InvalidArgument" || r.status != 400 ||
				!strings.Contains(r.stderr, "operation: Unable to validate the following "+
					"destination configurations") ||
				!strings.Contains(r.stderr, "<ArgumentName1>"+arn+"</ArgumentName1>") {
				t.Errorf("want the refusal of an unknown webhook, got:\n%v", r)
			}
		})
	}
	path := filepath.Join(t.TempDir(), "chart")
	if err := os.WriteFile(path, []byte("not for the webhook"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, c, "intruder", "s3api", "put-object", "--bucket", own, "--key",
		"charts/x.tgz", "--body", path)
	rcv.quiet(t)
}

// TestNotificationEvents checks one signed event per PUT, copy, multipart
// upload, delete and DeleteObjects key that the filters select, and none
// for the keys they leave out.
func TestNotificationEvents(t *testing.T) {
	_, c, rcv, _ := notifySetup(t, t.TempDir())
	putChart(t, c, "charts/app 1.0.0.tgz")
	putChart(t, c, "charts/app.json")
	putChart(t, c, "docs/app.tgz")
	mustRun(t, c, "ci-publisher", "s3api", "copy-object", "--bucket", bucket,
		"--key", "charts/copy.tgz", "--copy-source", bucket+"/charts/app 1.0.0.tgz",
		"--server-side-encryption", "AES256")
	big := filepath.Join(t.TempDir(), "big")
	if err := os.WriteFile(big, make([]byte, 9<<20), 0o600); err != nil {
		t.Fatal(err)
	}
	// Over the CLI's 8 MB threshold, s3 cp uploads in parts.
	mustRun(t, c, "ci-publisher", "s3", "cp", big, "s3://"+bucket+"/charts/big.tgz",
		"--sse", "AES256")
	mustRun(t, c, "ci-publisher", "s3api", "delete-object", "--bucket", bucket,
		"--key", "charts/app 1.0.0.tgz")
	want := []string{"ObjectCreated:Put charts/app+1.0.0.tgz",
		"ObjectCreated:Copy charts/copy.tgz",
		"ObjectCreated:CompleteMultipartUpload charts/big.tgz",
		"ObjectRemoved:Delete charts/app+1.0.0.tgz"}
	if got := rcv.await(t, len(want)); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	mustRun(t, c, "ci-publisher", "s3api", "delete-objects", "--bucket", bucket, "--delete",
		`{"Objects": [{"Key": "charts/copy.tgz"}, {"Key": "charts/big.tgz"},`+
			` {"Key": "docs/app.tgz"}]}`)
	got := rcv.await(t, 2)
	slices.Sort(got)
	want = []string{"ObjectRemoved:Delete charts/big.tgz", "ObjectRemoved:Delete charts/copy.tgz"}
	if !slices.Equal(got, want) {
		t.Errorf("delete-objects events %q, want %q", got, want)
	}
	rcv.quiet(t)
}

// TestNotificationRetryAndHang checks that a receiver answering 500 gets
// the event again, under the same delivery id, once it recovers, and that
// a receiver that hangs does not hold up a PUT.
func TestNotificationRetryAndHang(t *testing.T) {
	_, c, rcv, _ := notifySetup(t, t.TempDir())
	rcv.fail(2)
	putChart(t, c, "charts/retried.tgz")
	if got := rcv.await(t, 1); got[0] != "ObjectCreated:Put charts/retried.tgz" {
		t.Errorf("event %q", got)
	}
	if !rcv.retried() {
		t.Error("no delivery was attempted twice")
	}
	rcv.block()
	putChart(t, c, "charts/while-hung.tgz") // returns although the receiver hangs
	rcv.release()
	if got := rcv.await(t, 1); got[0] != "ObjectCreated:Put charts/while-hung.tgz" {
		t.Errorf("event %q", got)
	}
}

// TestNotificationSurvivesRestart checks that events queued while the
// receiver was down are delivered by the next trove after a SIGKILL.
func TestNotificationSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	srv, c, rcv, org := notifySetup(t, dir)
	rcv.fail(1 << 30)
	putChart(t, c, "charts/one.tgz")
	putChart(t, c, "charts/two.tgz")
	srv.Kill(t)
	rcv.fail(0)
	startTrove(t, dir, org)
	want := []string{"ObjectCreated:Put charts/one.tgz", "ObjectCreated:Put charts/two.tgz"}
	if got := rcv.await(t, 2); !slices.Equal(got, want) {
		t.Errorf("events after restart %q, want %q", got, want)
	}
}
