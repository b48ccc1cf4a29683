package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/webhook"
)

func TestVerify(t *testing.T) {
	secret, body := []byte("s3cret"), []byte(`{"a":1}`)
	good := webhook.Sign(secret, body)
	// HMAC-SHA256("s3cret", `{"a":1}`), computed independently with openssl.
	const want = "sha256=5910e62016ef5034272c926c27071992a465c2335cecf41851bda071577f4f6d"
	if good != want {
		t.Fatalf("Sign = %s, want %s", good, want)
	}
	for _, tc := range []struct {
		name   string
		secret []byte
		body   []byte
		header string
		want   bool
	}{
		{"good", secret, body, good, true},
		{"other body", secret, []byte(`{"a":2}`), good, false},
		{"other secret", []byte("s3cret2"), body, good, false},
		{"no secret", nil, body, good, false},
		{"no prefix", secret, body, strings.TrimPrefix(good, "sha256="), false},
		{"not hex", secret, body, "sha256=zz", false},
		{"truncated", secret, body, good[:len(good)-2], false},
		{"empty", secret, body, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := webhook.Verify(tc.secret, tc.body, tc.header); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

// receiver answers each POST with the next status of statuses (the last one
// repeating) and records what it got.
type receiver struct {
	mu       sync.Mutex
	statuses []int
	got      []*http.Request
	bodies   []string
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.got = append(rc.got, r)
	rc.bodies = append(rc.bodies, string(b))
	st := rc.statuses[min(len(rc.got), len(rc.statuses))-1]
	w.WriteHeader(st)
}

func TestDeliverRetriesUntilAcknowledged(t *testing.T) {
	rc := &receiver{statuses: []int{500, 503, 204}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	s := &webhook.Sender{Secret: []byte("k"), MinBackoff: time.Millisecond,
		MaxBackoff: 4 * time.Millisecond}
	body := []byte(`{"x":true}`)
	if err := s.Deliver(context.Background(), srv.URL, "d-1", body); err != nil {
		t.Fatalf("Deliver: %v", err)
	}
	if len(rc.got) != 3 {
		t.Fatalf("%d attempts, want 3", len(rc.got))
	}
	for i, r := range rc.got {
		sig := r.Header.Get(webhook.SignatureHeader)
		if r.Header.Get(webhook.DeliveryHeader) != "d-1" ||
			!webhook.Verify([]byte("k"), []byte(rc.bodies[i]), sig) ||
			r.Header.Get("Content-Type") != "application/json" {
			t.Errorf("attempt %d: headers %v", i, r.Header)
		}
	}
}

func TestDeliverStopsWithContext(t *testing.T) {
	rc := &receiver{statuses: []int{500}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	s := &webhook.Sender{MinBackoff: 5 * time.Millisecond, MaxBackoff: 10 * time.Millisecond}
	err := s.Deliver(ctx, srv.URL, "d-2", []byte("{}"))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Deliver = %v, want the deadline", err)
	}
	if len(rc.got) < 2 {
		t.Errorf("%d attempts before the deadline, want several", len(rc.got))
	}
	if rc.got[0].Header.Get(webhook.SignatureHeader) != "" {
		t.Error("a sender without a secret signed")
	}
}

func TestPostStatusError(t *testing.T) {
	srv := httptest.NewServer(&receiver{statuses: []int{404}})
	defer srv.Close()
	var se *webhook.StatusError
	err := (&webhook.Sender{}).Post(context.Background(), srv.URL, "d", []byte("{}"))
	if !errors.As(err, &se) || se.Status != 404 {
		t.Fatalf("Post = %v, want a StatusError 404", err)
	}
}

func TestBackoff(t *testing.T) {
	s := &webhook.Sender{MinBackoff: time.Second, MaxBackoff: 10 * time.Second}
	for _, tc := range []struct {
		n      int
		lo, hi time.Duration
	}{
		{0, 500 * time.Millisecond, time.Second},
		{1, time.Second, 2 * time.Second},
		{3, 4 * time.Second, 8 * time.Second},
		{4, 5 * time.Second, 10 * time.Second},
		{60, 5 * time.Second, 10 * time.Second},
	} {
		for range 50 {
			if d := s.Backoff(tc.n); d < tc.lo || d > tc.hi {
				t.Fatalf("Backoff(%d) = %v, want within [%v, %v]", tc.n, d, tc.lo, tc.hi)
			}
		}
	}
}

func TestReadVerified(t *testing.T) {
	secret := []byte("k")
	for _, tc := range []struct {
		name    string
		body    string
		sig     string
		secret  []byte
		wantErr bool
	}{
		{"signed", "{}", webhook.Sign(secret, []byte("{}")), secret, false},
		{"unsigned", "{}", "", secret, true},
		{"no secret needs none", "{}", "", nil, false},
		{"over limit", strings.Repeat("x", 17), "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			r.Header.Set(webhook.SignatureHeader, tc.sig)
			_, err := webhook.ReadVerified(r, tc.secret, 16)
			if (err != nil) != tc.wantErr {
				t.Errorf("ReadVerified: err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
