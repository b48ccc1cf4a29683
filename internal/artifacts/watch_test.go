package artifacts_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/testutil"
	"github.com/troveproject/trove/internal/testutil/troveproc"
	"github.com/troveproject/trove/internal/webhook"
)

// waitTimeout bounds every wait for something a watcher does.
const waitTimeout = 15 * time.Second

// sink collects the JSON lines a watcher writes.
type sink struct{ events chan artifacts.Event }

func newSink() *sink { return &sink{events: make(chan artifacts.Event, 100)} }

func (s *sink) Write(p []byte) (int, error) {
	for line := range strings.Lines(string(p)) {
		var e artifacts.Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return 0, err
		}
		s.events <- e
	}
	return len(p), nil
}

// next waits for the next event.
func (s *sink) next(t *testing.T) artifacts.Event {
	t.Helper()
	select {
	case e := <-s.events:
		return e
	case <-time.After(waitTimeout):
		t.Fatal("no event")
		return artifacts.Event{}
	}
}

// none fails if an event comes within d.
func (s *sink) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case e := <-s.events:
		t.Fatalf("unexpected event %+v", e)
	case <-time.After(d):
	}
}

// watchRun is a running watcher.
type watchRun struct {
	w    *artifacts.Watcher
	out  *sink
	stop context.CancelFunc
	done chan error
	logs *troveproc.Buffer
}

// watchOptions tune startWatch.
type watchOptions struct {
	state    string
	interval time.Duration
	webhook  string
	secret   []byte
	hints    bool
	pattern  string
	as       key
}

// startWatch runs a watcher of the source "app" at tr until the test ends.
func startWatch(t *testing.T, tr *trove, o watchOptions) *watchRun {
	t.Helper()
	if o.pattern == "" {
		o.pattern = "charts/app-*.tgz"
	}
	if o.as == (key{}) {
		o.as = delegate
	}
	if o.interval == 0 {
		o.interval = 100 * time.Millisecond
	}
	r := &watchRun{out: newSink(), done: make(chan error, 1), logs: &troveproc.Buffer{}}
	cfg := artifacts.WatchConfig{
		Sources: []artifacts.WatchSource{{Name: "app",
			Client: tr.client(t, o.as, artifacts.Source{Pattern: o.pattern})}},
		StatePath: o.state, Interval: o.interval, Out: r.out, Webhook: o.webhook,
		Sender: &webhook.Sender{Secret: o.secret, MinBackoff: 20 * time.Millisecond,
			MaxBackoff: 100 * time.Millisecond},
		Log: slog.New(slog.NewTextHandler(r.logs, nil)),
	}
	if o.hints {
		cfg.HintAddr, cfg.HintSecret = "127.0.0.1:0", []byte("hint-secret")
	}
	w, err := artifacts.NewWatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r.w = w
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { r.done <- w.Run(ctx) }()
	t.Cleanup(func() { r.halt(t) })
	return r
}

// halt stops the watcher and waits for Run to return; it may be called
// more than once.
func (r *watchRun) halt(t *testing.T) {
	t.Helper()
	r.stop()
	select {
	case err, ok := <-r.done:
		if ok && err != nil {
			t.Errorf("Run: %v", err)
		}
		if ok {
			close(r.done)
		}
	case <-time.After(waitTimeout):
		t.Fatal("Run did not return")
	}
}

// waitFor polls cond until it holds or waitTimeout passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testutil.WaitFor(t, waitTimeout, what, cond)
}

// waitBaseline waits until the state file records the source "app".
func waitBaseline(t *testing.T, state string) {
	t.Helper()
	waitFor(t, "the baseline", func() bool {
		data, err := os.ReadFile(state)
		return err == nil && strings.Contains(string(data), `"app":`)
	})
}

// hook is a webhook receiver that answers with statuses in turn (the last
// repeating) and keeps each request.
type hook struct {
	mu       sync.Mutex // guards the fields below
	statuses []int
	ids      []string // delivery id of each request
	acked    []artifacts.Event
	badSig   int
	secret   []byte
}

func startHook(t *testing.T, secret []byte, statuses ...int) (*hook, string) {
	t.Helper()
	h := &hook{statuses: statuses, secret: secret}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return h, srv.URL
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	id := r.Header.Get(webhook.DeliveryHeader)
	h.ids = append(h.ids, id)
	if len(h.secret) > 0 && !webhook.Verify(h.secret, id, body, r.Header.Get(
		webhook.SignatureHeader)) {
		h.badSig++
	}
	status := http.StatusNoContent
	if len(h.statuses) > 0 {
		status = h.statuses[0]
		if len(h.statuses) > 1 {
			h.statuses = h.statuses[1:]
		}
	}
	if status/100 == 2 {
		var e artifacts.Event
		_ = json.Unmarshal(body, &e)
		h.acked = append(h.acked, e)
	}
	w.WriteHeader(status)
}

// snapshot returns copies of the ids seen and the events acknowledged.
func (h *hook) snapshot() ([]string, []artifacts.Event, int) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.ids...), append([]artifacts.Event(nil), h.acked...),
		h.badSig
}

func TestWatchEmitsEachChangeOnce(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one"),
		"charts/app-1.1.0.tgz": []byte("one-one")})
	secret := []byte("hook-secret")
	h, url := startHook(t, secret)
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state, webhook: url, secret: secret})
	waitBaseline(t, state)
	r.out.none(t, 300*time.Millisecond)

	tr.put(t, map[string][]byte{"charts/app-2.0.0.tgz": []byte("two")})
	e := r.out.next(t)
	if e.Change != artifacts.ChangeNew || e.Key != "charts/app-2.0.0.tgz" ||
		e.Version != "2.0.0" || e.Size != 3 || e.Source != "app" || e.Bucket != bucket ||
		e.ETag == "" || e.ID == "" || e.LastModified.IsZero() || e.DetectedAt.IsZero() {
		t.Errorf("event %+v, want app-2.0.0 new with every field", e)
	}
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one, rebuilt")})
	c := r.out.next(t)
	if c.Change != artifacts.ChangeChanged || c.Key != "charts/app-1.0.0.tgz" ||
		c.PreviousETag == "" || c.PreviousETag == c.ETag {
		t.Errorf("event %+v, want app-1.0.0 changed with its previous ETag", c)
	}
	r.out.none(t, 400*time.Millisecond)
	waitFor(t, "two acknowledged deliveries", func() bool {
		_, acked, _ := h.snapshot()
		return len(acked) >= 2
	})
	time.Sleep(200 * time.Millisecond)
	ids, acked, bad := h.snapshot()
	got := map[string]string{}
	for i, a := range acked {
		got[ids[i]] = a.Key
	}
	if len(ids) != 2 || bad != 0 || got[e.ID] != e.Key || got[c.ID] != c.Key {
		t.Errorf("hook got ids %q (%d badly signed), acked %+v; want %s and %s once, signed",
			ids, bad, acked, e.ID, c.ID)
	}
}

func TestWatchRetriesUntilAcknowledged(t *testing.T) {
	tr := startTrove(t)
	h, url := startHook(t, nil, 500, 500, 204)
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state, webhook: url})
	waitBaseline(t, state)
	tr.put(t, map[string][]byte{"charts/app-3.0.0.tgz": []byte("three")})
	e := r.out.next(t)
	waitFor(t, "the acknowledgement", func() bool {
		_, acked, _ := h.snapshot()
		return len(acked) == 1
	})
	waitFor(t, "no pending delivery in the state", func() bool {
		return pendingIDs(t, state) == ""
	})
	ids, _, _ := h.snapshot()
	if strings.Join(ids, " ") != strings.Repeat(e.ID+" ", 2)+e.ID {
		t.Errorf("delivery ids %q, want %s three times", ids, e.ID)
	}
}

// pendingIDs returns the ids of the pending deliveries of a state file,
// separated by spaces.
func pendingIDs(t *testing.T, state string) string {
	t.Helper()
	data, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Pending []struct{ ID string } `json:"pending"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, d := range doc.Pending {
		ids = append(ids, d.ID)
	}
	return strings.Join(ids, " ")
}

func TestWatchRestart(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one")})
	state := filepath.Join(t.TempDir(), "watch.state")
	down, downURL := startHook(t, nil, 503)
	r := startWatch(t, tr, watchOptions{state: state, webhook: downURL})
	waitBaseline(t, state)
	tr.put(t, map[string][]byte{"charts/app-1.1.0.tgz": []byte("one-one")})
	first := r.out.next(t)
	waitFor(t, "a failed attempt", func() bool {
		ids, _, _ := down.snapshot()
		return len(ids) > 0
	})
	r.halt(t)
	if got := pendingIDs(t, state); got != first.ID {
		t.Fatalf("pending %q after the stop, want %s", got, first.ID)
	}

	tr.put(t, map[string][]byte{"charts/app-1.2.0.tgz": []byte("one-two")})
	up, upURL := startHook(t, nil)
	r2 := startWatch(t, tr, watchOptions{state: state, webhook: upURL})
	second := r2.out.next(t)
	if second.Key != "charts/app-1.2.0.tgz" || second.Change != artifacts.ChangeNew {
		t.Errorf("after the restart: %+v, want charts/app-1.2.0.tgz new", second)
	}
	r2.out.none(t, 400*time.Millisecond)
	waitFor(t, "both deliveries", func() bool {
		_, acked, _ := up.snapshot()
		return len(acked) == 2
	})
	ids, _, _ := up.snapshot()
	got := map[string]bool{}
	for _, id := range ids {
		got[id] = true
	}
	if len(ids) != 2 || !got[first.ID] || !got[second.ID] {
		t.Errorf("deliveries %q, want the resumed %s and the new %s once each", ids, first.ID,
			second.ID)
	}
}

func TestWatchStateLocked(t *testing.T) {
	tr := startTrove(t)
	state := filepath.Join(t.TempDir(), "watch.state")
	startWatch(t, tr, watchOptions{state: state})
	_, err := artifacts.NewWatcher(artifacts.WatchConfig{StatePath: state,
		Sources: []artifacts.WatchSource{{Name: "app",
			Client: tr.client(t, delegate, artifacts.Source{Pattern: "a-*"})}}})
	if !errors.Is(err, artifacts.ErrStateLocked) {
		t.Errorf("second watcher: %v, want ErrStateLocked", err)
	}
}

func TestWatchRedefinedSourceBaselines(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one"),
		"charts/app-1.0.0.zip": []byte("zipped")})
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state})
	waitBaseline(t, state)
	r.halt(t)
	r2 := startWatch(t, tr, watchOptions{state: state, pattern: "charts/app-*.zip"})
	waitFor(t, "a second baseline", func() bool {
		return strings.Contains(r2.logs.String(), "redefined=true")
	})
	r2.out.none(t, 300*time.Millisecond)
}

func TestWatchReportsFailedPolls(t *testing.T) {
	tr := startTrove(t)
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state, as: intruder})
	want := "ListObjectsV2 on s3://devtools-artifacts/charts/app- denied (AccessDenied)"
	waitFor(t, "two failed polls", func() bool {
		return strings.Count(r.logs.String(), want) >= 2
	})
}

func TestWatchHint(t *testing.T) {
	tr := startTrove(t)
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state, hints: true, interval: time.Hour})
	waitBaseline(t, state)
	url := "http://" + r.w.HintAddr()
	body := []byte(`{"Records":[{"eventName":"ObjectCreated:Put","s3":{"bucket":` +
		`{"name":"devtools-artifacts"},"object":{"key":"charts/app-4.0.0%2Bbuild.tgz"}}}]}`)
	tests := []struct {
		name   string
		method string
		sig    string
		body   []byte
		want   int
	}{
		{"unsigned", http.MethodPost, "", body, http.StatusUnauthorized},
		{"wrong secret", http.MethodPost, webhook.Sign([]byte("other"), hintID, body), body,
			http.StatusUnauthorized},
		{"garbled", http.MethodPost, webhook.Sign([]byte("hint-secret"), hintID, []byte("{")),
			[]byte("{"), http.StatusBadRequest},
		{"oversized", http.MethodPost, "", make([]byte, artifacts.MaxHintBody+1),
			http.StatusBadRequest},
		{"get", http.MethodGet, "", nil, http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := postHint(t, tc.method, url, tc.sig, tc.body); got != tc.want {
				t.Errorf("status %d, want %d", got, tc.want)
			}
		})
	}
	tr.put(t, map[string][]byte{"charts/app-4.0.0+build.tgz": []byte("four")})
	r.out.none(t, 200*time.Millisecond) // the interval is an hour: no poll without a hint
	if got := postHint(t, http.MethodPost, url, webhook.Sign([]byte("hint-secret"), hintID, body),
		body); got != http.StatusNoContent {
		t.Fatalf("signed event: status %d, want 204", got)
	}
	if e := r.out.next(t); e.Key != "charts/app-4.0.0+build.tgz" {
		t.Errorf("after the hint: %+v, want charts/app-4.0.0+build.tgz", e)
	}
}

// hintID is the delivery id of the hints the tests sign.
const hintID = "hint-1"

func postHint(t *testing.T, method, url, sig string, body []byte) int {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if sig != "" {
		req.Header.Set(webhook.SignatureHeader, sig)
		req.Header.Set(webhook.DeliveryHeader, hintID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestWatchHintsCoalesce checks that a stream of hints makes at most one
// listing a second, the last one after the quiet time, and one log line a
// request however many records it holds.
func TestWatchHintsCoalesce(t *testing.T) {
	tr := startTrove(t)
	state := filepath.Join(t.TempDir(), "watch.state")
	r := startWatch(t, tr, watchOptions{state: state, hints: true, interval: time.Hour})
	waitBaseline(t, state)
	tr.put(t, map[string][]byte{"charts/app-5.0.0.tgz": []byte("five")})
	tr.rec.reset()
	const requests, records = 12, 50
	var recs []string
	for i := range records - 1 {
		recs = append(recs, rec("ObjectCreated:Put", bucket, fmt.Sprintf("other/%d", i)))
	}
	recs = append(recs, rec("ObjectCreated:Put", bucket, "charts/app-5.0.0.tgz"))
	body := []byte(`{"Records":[` + strings.Join(recs, ",") + `]}`)
	url := "http://" + r.w.HintAddr()
	start := time.Now()
	for range requests {
		sig := webhook.Sign([]byte("hint-secret"), hintID, body)
		if got := postHint(t, http.MethodPost, url, sig, body); got != http.StatusNoContent {
			t.Fatalf("status %d, want 204", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if e := r.out.next(t); e.Key != "charts/app-5.0.0.tgz" {
		t.Errorf("event %+v, want charts/app-5.0.0.tgz", e)
	}
	time.Sleep(artifacts.HintQuiet + 300*time.Millisecond) // the last scheduled poll
	elapsed := time.Since(start)
	lists := 0
	for _, req := range tr.rec.requests() {
		if strings.Contains(req, "list-type=2") {
			lists++
		}
	}
	if most := int(elapsed/artifacts.HintQuiet) + 1; lists < 1 || lists > most {
		t.Errorf("%d listings for %d hints in %v; want 1 to %d", lists, requests, elapsed, most)
	}
	logs := r.logs.String()
	want := fmt.Sprintf("records=%d sources=app", records)
	if n := strings.Count(logs, "msg=hint "); n != requests || strings.Count(logs, want) !=
		requests {
		t.Errorf("%d hint log lines, want %d with %q:\n%s", n, requests, want, logs)
	}
}

// TestWatchDropsUndeliverablePending checks that a pending delivery whose
// id can never be sent is dropped at start, and the others delivered.
func TestWatchDropsUndeliverablePending(t *testing.T) {
	tr := startTrove(t)
	h, url := startHook(t, nil)
	state := filepath.Join(t.TempDir(), "watch.state")
	doc := `{"version":1,"sources":{},"pending":[{"id":"bad\nid","body":{"k":1}},` +
		`{"id":"good","body":{"k":2}}]}`
	if err := os.WriteFile(state, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	r := startWatch(t, tr, watchOptions{state: state, webhook: url})
	waitFor(t, "the good delivery, and no pending one", func() bool {
		ids, _, _ := h.snapshot()
		return len(ids) == 1 && pendingIDs(t, state) == ""
	})
	if ids, _, _ := h.snapshot(); ids[0] != "good" {
		t.Errorf("delivered %q, want good", ids)
	}
	if !strings.Contains(r.logs.String(), `dropped a pending delivery`) {
		t.Errorf("no warning for the dropped delivery:\n%s", r.logs.String())
	}
}

func TestNewWatcherChecksWebhook(t *testing.T) {
	c, err := artifacts.New(aws.Config{}, artifacts.Source{Endpoint: "http://127.0.0.1:1",
		Bucket: bucket, Pattern: "charts/app-*.tgz"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, url, want string
	}{
		{"user information", "http://user:PASSW0RD@127.0.0.1:19599/w?token=TOKEN123",
			"user information"},
		{"user alone", "https://user@127.0.0.1/w", "user information"},
		{"another scheme", "ftp://127.0.0.1/w", "want an http:// or https:// URL"},
		{"relative", "/w", "want an http:// or https:// URL"},
		{"no host", "http:///w?token=TOKEN123", "names no host"},
		{"opaque", "http:127.0.0.1", "names no host"},
		{"port alone", "http://:8080/w", "names no host"},
		{"unparsable", "http://user:PASSW0RD@127.0.0.1:x/w", "does not parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := artifacts.NewWatcher(artifacts.WatchConfig{
				Sources:   []artifacts.WatchSource{{Name: "app", Client: c}},
				StatePath: filepath.Join(t.TempDir(), "watch.state"), Webhook: tc.url})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v; want one saying %q", err, tc.want)
			}
			for _, secret := range []string{"PASSW0RD", "TOKEN123"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error %q shows %s", err, secret)
				}
			}
		})
	}
	if err := artifacts.CheckWebhook("https://hooks.example.test/w?token=x"); err != nil {
		t.Errorf("a URL with a token in its query: %v, want it taken", err)
	}
}
