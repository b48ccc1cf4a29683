package notify_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/sqlite"
	"github.com/troveproject/trove/internal/webhook"
)

const (
	testBucket = "events"
	owner      = "111111111111" // testBucket's owner
	secretA    = "secret-of-webhook-a-0123456789abcdef"
)

// receiver is a webhook endpoint that answers with fail's status while it
// returns one (given the record's key and the receiver's attempt count),
// and records what it acknowledged.
type receiver struct {
	mu       sync.Mutex // guards the fields below
	fail     func(key string, attempt int) int
	attempts int
	ids      map[string]int // attempts per delivery id
	keyTries map[string]int // attempts per key
	keys     []string       // keys of acknowledged records, in order
	bad      int            // requests with a wrong signature
	got      chan string    // receives each acknowledged key
	srv      *httptest.Server
}

func newReceiver(t *testing.T, secret string, fail func(key string, attempt int) int) *receiver {
	r := &receiver{fail: fail, ids: map[string]int{}, keyTries: map[string]int{},
		got: make(chan string, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := webhook.ReadVerified(req, []byte(secret), 1<<20)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		var m struct {
			Records []struct {
				S3 struct{ Object struct{ Key string } }
			}
		}
		if json.Unmarshal(body, &m) != nil || len(m.Records) != 1 {
			t.Errorf("body %s is not one event record", body)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		key := m.Records[0].S3.Object.Key
		r.attempts++
		r.ids[req.Header.Get(webhook.DeliveryHeader)]++
		r.keyTries[key]++
		if s := r.fail(key, r.attempts); s != 0 {
			w.WriteHeader(s)
			return
		}
		r.keys = append(r.keys, key)
		r.got <- key
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// tries returns how many times key was attempted.
func (r *receiver) tries(key string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.keyTries[key]
}

// await waits for n acknowledged keys and returns them.
func (r *receiver) await(t *testing.T, n int) []string {
	t.Helper()
	var keys []string
	for range n {
		select {
		case k := <-r.got:
			keys = append(keys, k)
		case <-time.After(10 * time.Second):
			t.Fatalf("received %v, want %d events", keys, n)
		}
	}
	return keys
}

// openStore opens the store in dir with the bucket, configured to send
// keys under a/ to webhook "a" and keys under b/ to webhook "b".
func openStore(t *testing.T, dir string) store.Meta {
	m, err := sqlite.Open(t.Context(), filepath.Join(dir, "meta.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if _, err := m.GetBucket(t.Context(), testBucket); err == nil {
		return m
	}
	must(t, m.PutAccount(t.Context(), store.Account{ID: owner, Name: "one"}))
	must(t, m.CreateBucket(t.Context(), store.Bucket{Name: testBucket, Owner: owner,
		Region: "us-east-1"}))
	c := notify.Config{Queues: []notify.Queue{
		{ID: "to-a", ARN: notify.ARN("a"), Events: []string{"s3:ObjectCreated:*"},
			Filter: &notify.Filter{Rules: []notify.FilterRule{{Name: "prefix", Value: "a/"}}}},
		{ID: "to-b", ARN: notify.ARN("b"), Events: []string{"s3:ObjectCreated:*"},
			Filter: &notify.Filter{Rules: []notify.FilterRule{{Name: "prefix", Value: "b/"}}}},
	}}
	must(t, c.Check(func(string) bool { return true }))
	doc, err := c.Marshal()
	must(t, err)
	must(t, m.PutBucketNotification(t.Context(), testBucket, doc))
	return m
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// putKeys writes each key with an event, as the S3 API does.
func putKeys(t *testing.T, m store.Meta, keys ...string) {
	t.Helper()
	for _, k := range keys {
		ctx := store.WithEvent(t.Context(), store.Event{Name: "ObjectCreated:Put",
			Time: time.Now()})
		_, err := m.PutObject(ctx, store.Object{Bucket: testBucket, Key: k, BlobID: k,
			ETag: `"e"`}, store.Expect{})
		must(t, err)
	}
}

// start runs a dispatcher for webhooks a and b, both open to testBucket's
// owner, until the returned stop.
func start(t *testing.T, m store.Meta, a, b *receiver) (*notify.Dispatcher, func()) {
	return startWith(t, m, nil, []notify.Webhook{
		{ID: "a", Endpoint: a.srv.URL, Secret: []byte(secretA), Accounts: []string{owner}},
		{ID: "b", Endpoint: b.srv.URL, Accounts: []string{owner}},
	})
}

// startWith runs a dispatcher for hooks, logging to log (nil discards),
// until the returned stop.
func startWith(t *testing.T, m store.Meta, log *slog.Logger, hooks []notify.Webhook) (
	*notify.Dispatcher, func()) {
	d := notify.New(notify.Options{Meta: m, MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond, Poll: 50 * time.Millisecond, Log: log,
		Webhooks: hooks})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return d, stop
}

func ok(string, int) int { return 0 }

// TestRetryUntilAcknowledged checks that a receiver answering 500 gets the
// event again, with the same delivery id and a valid signature, until it
// acknowledges it, and that the other webhook gets only its own events.
func TestRetryUntilAcknowledged(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, func(_ string, n int) int {
		if n <= 2 {
			return http.StatusInternalServerError
		}
		return 0
	})
	b := newReceiver(t, "", ok)
	d, _ := start(t, m, a, b)
	putKeys(t, m, "a/1", "b/1", "c/ignored")
	d.Wake()
	if got := a.await(t, 1); got[0] != "a/1" {
		t.Errorf("a got %v", got)
	}
	if got := b.await(t, 1); got[0] != "b/1" {
		t.Errorf("b got %v", got)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.attempts != 3 || len(a.ids) != 1 || a.bad != 0 {
		t.Errorf("a: %d attempts, ids %v, %d badly signed; want 3 attempts of one id",
			a.attempts, a.ids, a.bad)
	}
}

// TestDeadReceiverBlocksOnlyItself checks that a webhook that never
// acknowledges holds back only its own deliveries.
func TestDeadReceiverBlocksOnlyItself(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, func(string, int) int { return http.StatusServiceUnavailable })
	b := newReceiver(t, "", ok)
	d, _ := start(t, m, a, b)
	putKeys(t, m, "a/1", "b/1", "a/2", "b/2", "b/3")
	d.Wake()
	if got := b.await(t, 3); got[0] != "b/1" || got[1] != "b/2" || got[2] != "b/3" {
		t.Errorf("b got %v, want b/1 b/2 b/3 in order", got)
	}
	pending, err := m.Deliveries(t.Context(), "a", 0, 10)
	must(t, err)
	if len(pending) != 2 {
		t.Errorf("deliveries pending for a: %d, want 2", len(pending))
	}
}

// TestPendingSurviveRestart checks that deliveries a stopped dispatcher
// left are sent by the next one, under the same delivery id.
func TestPendingSurviveRestart(t *testing.T) {
	dir := t.TempDir()
	m := openStore(t, dir)
	down := true
	var mu sync.Mutex
	a := newReceiver(t, secretA, func(string, int) int {
		mu.Lock()
		defer mu.Unlock()
		if down {
			return http.StatusBadGateway
		}
		return 0
	})
	b := newReceiver(t, "", ok)
	d, stop := start(t, m, a, b)
	putKeys(t, m, "a/kept")
	d.Wake()
	waitFor(t, func() bool { a.mu.Lock(); defer a.mu.Unlock(); return a.attempts > 0 })
	stop()
	must(t, m.Close())
	mu.Lock()
	down = false
	mu.Unlock()
	m = openStore(t, dir)
	start(t, m, a, b)
	if got := a.await(t, 1); got[0] != "a/kept" {
		t.Errorf("after restart a got %v", got)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if len(a.ids) != 1 {
		t.Errorf("delivery ids %v, want one across the restart", a.ids)
	}
}

// waitFor polls cond for up to ten seconds.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		if cond() {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatal("condition not met within 10s")
}

// TestRefusedDeliveryDoesNotBlock checks that a delivery its receiver
// refuses holds back none of the later ones to the same webhook, keeps
// being retried, and is delivered once the receiver takes it.
func TestRefusedDeliveryDoesNotBlock(t *testing.T) {
	m := openStore(t, t.TempDir())
	var mu sync.Mutex
	refuse := true
	a := newReceiver(t, secretA, func(key string, _ int) int {
		mu.Lock()
		defer mu.Unlock()
		if key == "a/refused" && refuse {
			return http.StatusForbidden
		}
		return 0
	})
	d, _ := start(t, m, a, newReceiver(t, "", ok))
	putKeys(t, m, "a/refused", "a/1", "a/2", "a/3")
	d.Wake()
	got := a.await(t, 3)
	slices.Sort(got)
	if want := []string{"a/1", "a/2", "a/3"}; !slices.Equal(got, want) {
		t.Fatalf("a got %v, want %v", got, want)
	}
	waitFor(t, func() bool { return a.tries("a/refused") >= 3 })
	mu.Lock()
	refuse = false
	mu.Unlock()
	if got := a.await(t, 1); got[0] != "a/refused" {
		t.Errorf("a got %v, want a/refused", got)
	}
	waitFor(t, func() bool {
		pending, err := m.Deliveries(t.Context(), "a", 0, 10)
		return err == nil && len(pending) == 0
	})
}

// logBuffer collects log lines; it is safe for concurrent use.
type logBuffer struct {
	mu sync.Mutex // guards b
	b  strings.Builder
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// TestDeclared pins which webhooks a bucket owner's configuration may name.
func TestDeclared(t *testing.T) {
	d := notify.New(notify.Options{Webhooks: []notify.Webhook{
		{ID: "open", Endpoint: "http://127.0.0.1:1/", Accounts: []string{owner,
			"222222222222"}},
		{ID: "closed", Endpoint: "http://127.0.0.1:1/"},
	}})
	tests := []struct {
		name, id, account string
		want              bool
	}{
		{"listed account", "open", owner, true},
		{"other listed account", "open", "222222222222", true},
		{"account not listed", "open", "333333333333", false},
		{"no account", "open", "", false},
		{"webhook without accounts", "closed", owner, false},
		{"webhook not declared", "nope", owner, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := d.Declared(tt.id, tt.account); got != tt.want {
				t.Errorf("Declared(%q, %q) = %v, want %v", tt.id, tt.account, got, tt.want)
			}
		})
	}
}

// TestFanOutChecksAccounts checks that an event of a bucket whose owner a
// webhook does not list is dropped with a warning at fan-out, even though
// the bucket's configuration names the webhook.
func TestFanOutChecksAccounts(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, ok)
	b := newReceiver(t, "", ok)
	var logs logBuffer
	d, _ := startWith(t, m, logs.logger(), []notify.Webhook{
		{ID: "a", Endpoint: a.srv.URL, Secret: []byte(secretA),
			Accounts: []string{"222222222222"}},
		{ID: "b", Endpoint: b.srv.URL, Accounts: []string{owner}},
	})
	putKeys(t, m, "a/1", "b/1")
	d.Wake()
	if got := b.await(t, 1); got[0] != "b/1" {
		t.Errorf("b got %v", got)
	}
	waitFor(t, func() bool { return strings.Contains(logs.String(), "owner is not in") })
	pending, err := m.Deliveries(t.Context(), "a", 0, 10)
	must(t, err)
	if n := a.tries("a/1"); n != 0 || len(pending) != 0 {
		t.Errorf("a: %d attempts, %d pending; want the event dropped", n, len(pending))
	}
}

// TestDeliveryChecksAccounts checks that a delivery queued while the
// bucket's owner was listed is dropped, not sent, by a dispatcher whose
// webhook no longer lists it.
func TestDeliveryChecksAccounts(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, func(string, int) int { return http.StatusBadGateway })
	d, stop := start(t, m, a, newReceiver(t, "", ok))
	putKeys(t, m, "a/queued")
	d.Wake()
	waitFor(t, func() bool { return a.tries("a/queued") > 0 })
	stop()
	later := newReceiver(t, secretA, ok) // a's endpoint after the change
	var logs logBuffer
	startWith(t, m, logs.logger(), []notify.Webhook{{ID: "a", Endpoint: later.srv.URL,
		Secret: []byte(secretA), Accounts: []string{"222222222222"}}})
	waitFor(t, func() bool {
		pending, err := m.Deliveries(t.Context(), "a", 0, 10)
		return err == nil && len(pending) == 0
	})
	if n := later.tries("a/queued"); n != 0 {
		t.Errorf("a/queued attempted %d times after the change, want none", n)
	}
	if !strings.Contains(logs.String(), "delivery dropped") {
		t.Errorf("no warning in %q", logs.String())
	}
}

// TestInFlightBounded checks that failed deliveries are retried side by
// side, beside the first attempt of a new one, never more than
// MaxInFlight at once, and that due retries waiting for a slot do not spin.
func TestInFlightBounded(t *testing.T) {
	m := openStore(t, t.TempDir())
	var mu sync.Mutex
	var now, most int
	mode := "fail"
	tried := map[string]bool{} // delivery ids
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tried[r.Header.Get(webhook.DeliveryHeader)] = true
		now++
		most = max(most, now)
		cur := mode
		mu.Unlock()
		if cur == "hang" {
			<-release
		}
		mu.Lock()
		defer mu.Unlock()
		now--
		if cur == "fail" {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	reads := &countingMeta{Meta: m}
	d, _ := startWith(t, reads, nil, []notify.Webhook{{ID: "a", Endpoint: srv.URL,
		Accounts: []string{owner}}})
	keys := []string{"a/0", "a/1", "a/2", "a/3", "a/4", "a/5", "a/6", "a/7"}
	putKeys(t, m, keys...)
	d.Wake()
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return len(tried) == len(keys) })
	mu.Lock()
	mode = "hang"
	mu.Unlock()
	inFlight := func(n int) func() bool {
		return func() bool { mu.Lock(); defer mu.Unlock(); return now == n }
	}
	waitFor(t, inFlight(notify.MaxInFlight-1)) // retries hang; the first lane is idle
	before := reads.deliveries.Load()
	time.Sleep(200 * time.Millisecond) // four polls, while due retries wait for a slot
	if n := reads.deliveries.Load() - before; n > 20 {
		t.Errorf("%d reads of deliveries in 200ms with the retries busy: a busy loop", n)
	}
	putKeys(t, m, "a/new")
	d.Wake()
	waitFor(t, inFlight(notify.MaxInFlight))
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if most != notify.MaxInFlight {
		t.Errorf("at most %d POSTs at once, want %d", most, notify.MaxInFlight)
	}
}

// countingMeta counts the reads of deliveries.
type countingMeta struct {
	store.Meta
	deliveries atomic.Int64
}

func (c *countingMeta) Deliveries(ctx context.Context, dest string, after int64, limit int) (
	[]store.Delivery, error) {
	c.deliveries.Add(1)
	return c.Meta.Deliveries(ctx, dest, after, limit)
}

// TestLogsKeepSecrets checks that neither the secret nor the endpoint's
// query reaches the log: not when the webhook is logged, not in the
// warnings of failed and dropped deliveries.
func TestLogsKeepSecrets(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, func(string, int) int { return http.StatusForbidden })
	var logs logBuffer
	hooks := []notify.Webhook{
		{ID: "a", Endpoint: a.srv.URL + "/h?token=query-secret", Secret: []byte(secretA),
			Accounts: []string{owner}},
		{ID: "b", Endpoint: "http://127.0.0.1:1/h?token=query-secret", Secret: []byte(secretA),
			Accounts: []string{"222222222222"}},
	}
	logs.logger().Info("declared", "webhook", hooks[0])
	d, stop := startWith(t, m, logs.logger(), hooks)
	putKeys(t, m, "a/1", "b/1")
	d.Wake()
	waitFor(t, func() bool { return a.tries("a/1") >= 2 })
	waitFor(t, func() bool { return strings.Contains(logs.String(), "owner is not in") })
	stop()
	out := logs.String()
	for _, want := range []string{"delivery failed; will retry", "403 Forbidden",
		"webhook.id=a", "webhook.endpoint=" + a.srv.URL + "/h "} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	for _, secret := range []string{secretA, "query-secret"} {
		if strings.Contains(out, secret) {
			t.Errorf("log shows %q:\n%s", secret, out)
		}
	}
}
