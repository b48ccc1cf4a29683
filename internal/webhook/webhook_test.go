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
	good := webhook.Sign(secret, "d-1", body)
	// HMAC-SHA256("s3cret", "d-1\n" + `{"a":1}`), computed independently with openssl.
	const want = "sha256=e6872313b0b1788396367ceebb1f727b4145181edfde364a91fa9e2e3cc3e84f"
	if good != want {
		t.Fatalf("Sign = %s, want %s", good, want)
	}
	for _, tc := range []struct {
		name   string
		secret []byte
		id     string
		body   []byte
		header string
		want   bool
	}{
		{"good", secret, "d-1", body, good, true},
		{"other body", secret, "d-1", []byte(`{"a":2}`), good, false},
		{"other id", secret, "d-2", body, good, false},
		{"id bytes moved into the body", secret, "d-", []byte("1\n" + string(body)), good,
			false},
		{"id with a line feed", secret, "d-1\n", body, good, false},
		{"other secret", []byte("s3cret2"), "d-1", body, good, false},
		{"no secret", nil, "d-1", body, good, false},
		{"no prefix", secret, "d-1", body, strings.TrimPrefix(good, "sha256="), false},
		{"not hex", secret, "d-1", body, "sha256=zz", false},
		{"truncated", secret, "d-1", body, good[:len(good)-2], false},
		{"empty", secret, "d-1", body, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := webhook.Verify(tc.secret, tc.id, tc.body, tc.header); got != tc.want {
				t.Errorf("Verify = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestCheckID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{"d-1", true}, {strings.Repeat("a", 128), true}, {"", false},
		{strings.Repeat("a", 129), false}, {"a b", false}, {"a\nb", false},
		{"a\x7f", false}, {"é", false},
	} {
		if err := webhook.CheckID(tc.id); (err == nil) != tc.ok {
			t.Errorf("CheckID(%q) = %v, want ok %v", tc.id, err, tc.ok)
		}
	}
}

func TestRedact(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"http://user:pw@127.0.0.1:9/w?token=t#f", "http://127.0.0.1:9/w"},
		{"https://127.0.0.1/hook", "https://127.0.0.1/hook"},
		{"http://127.0.0.1:9/%zz", "(unparsable URL)"},
		{"http:user:hunter2@127.0.0.1/h", "(URL without a host)"},
		{`http:/\user:hunter2@127.0.0.1:9/h`, "(URL without a host)"},
		{"http://127.0.0.1:9@user:hunter2/h", "(unparsable URL)"},
	} {
		if got := webhook.Redact(tc.in); got != tc.want {
			t.Errorf("Redact(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPostKeepsSecretsOutOfErrors(t *testing.T) {
	srv := httptest.NewServer(&receiver{statuses: []int{500}})
	defer srv.Close()
	u := strings.Replace(srv.URL, "http://", "http://user:PASSW0RD@", 1) + "/w?token=T0KEN"
	dead := "http://user:PASSW0RD@127.0.0.1:1/w?token=T0KEN"
	for _, target := range []string{u, dead} {
		err := (&webhook.Sender{}).Post(context.Background(), target, "d", []byte("{}"))
		if err == nil || strings.Contains(err.Error(), "PASSW0RD") ||
			strings.Contains(err.Error(), "T0KEN") {
			t.Errorf("Post(%s) = %v, want an error without the credentials", target, err)
		}
	}
}

func TestDeliverRefusesBadIDs(t *testing.T) {
	rc := &receiver{statuses: []int{204}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	err := (&webhook.Sender{}).Deliver(context.Background(), srv.URL, "a\nb", []byte("{}"))
	if !errors.Is(err, webhook.ErrBadID) || len(rc.got) != 0 {
		t.Fatalf("Deliver = %v after %d POSTs, want ErrBadID and none", err, len(rc.got))
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
			!webhook.Verify([]byte("k"), "d-1", []byte(rc.bodies[i]), sig) ||
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
		{"signed", "{}", webhook.Sign(secret, "d-9", []byte("{}")), secret, false},
		{"unsigned", "{}", "", secret, true},
		{"no secret needs none", "{}", "", nil, false},
		{"over limit", strings.Repeat("x", 17), "", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(tc.body))
			r.Header.Set(webhook.SignatureHeader, tc.sig)
			r.Header.Set(webhook.DeliveryHeader, "d-9")
			_, err := webhook.ReadVerified(r, tc.secret, 16)
			if (err != nil) != tc.wantErr {
				t.Errorf("ReadVerified: err = %v, want error %v", err, tc.wantErr)
			}
		})
	}
}
