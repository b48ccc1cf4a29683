package notify_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/sqlite"
	"github.com/troveproject/trove/internal/webhook"
)

const (
	testBucket = "events"
	secretA    = "secret-of-webhook-a-0123456789abcdef"
)

// receiver is a webhook endpoint that answers with fail's status while it
// returns one, and records what it acknowledged.
type receiver struct {
	mu       sync.Mutex // guards the fields below
	fail     func(attempt int) int
	attempts int
	ids      map[string]int // attempts per delivery id
	keys     []string       // keys of acknowledged records, in order
	bad      int            // requests with a wrong signature
	got      chan string    // receives each acknowledged key
	srv      *httptest.Server
}

func newReceiver(t *testing.T, secret string, fail func(attempt int) int) *receiver {
	r := &receiver{fail: fail, ids: map[string]int{}, got: make(chan string, 100)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, err := webhook.ReadVerified(req, []byte(secret), 1<<20)
		r.mu.Lock()
		defer r.mu.Unlock()
		if err != nil {
			r.bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		r.attempts++
		r.ids[req.Header.Get(webhook.DeliveryHeader)]++
		if s := r.fail(r.attempts); s != 0 {
			w.WriteHeader(s)
			return
		}
		var m struct {
			Records []struct {
				S3 struct{ Object struct{ Key string } }
			}
		}
		if json.Unmarshal(body, &m) != nil || len(m.Records) != 1 {
			t.Errorf("body %s is not one event record", body)
		}
		key := m.Records[0].S3.Object.Key
		r.keys = append(r.keys, key)
		r.got <- key
	}))
	t.Cleanup(r.srv.Close)
	return r
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
	must(t, m.PutAccount(t.Context(), store.Account{ID: "111111111111", Name: "one"}))
	must(t, m.CreateBucket(t.Context(), store.Bucket{Name: testBucket, Owner: "111111111111",
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

// start runs a dispatcher for webhooks a and b until the returned stop.
func start(t *testing.T, m store.Meta, a, b *receiver) (*notify.Dispatcher, func()) {
	d := notify.New(notify.Options{Meta: m, MinBackoff: 5 * time.Millisecond,
		MaxBackoff: 20 * time.Millisecond, Poll: 50 * time.Millisecond,
		Webhooks: []notify.Webhook{
			{ID: "a", Endpoint: a.srv.URL, Secret: []byte(secretA)},
			{ID: "b", Endpoint: b.srv.URL},
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	stop := func() { cancel(); <-done }
	t.Cleanup(stop)
	return d, stop
}

func ok(int) int { return 0 }

// TestRetryUntilAcknowledged checks that a receiver answering 500 gets the
// event again, with the same delivery id and a valid signature, until it
// acknowledges it, and that the other webhook gets only its own events.
func TestRetryUntilAcknowledged(t *testing.T) {
	m := openStore(t, t.TempDir())
	a := newReceiver(t, secretA, func(n int) int {
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
	a := newReceiver(t, secretA, func(int) int { return http.StatusServiceUnavailable })
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
	a := newReceiver(t, secretA, func(int) int {
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
