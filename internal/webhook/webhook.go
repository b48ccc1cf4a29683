// Package webhook signs, verifies and delivers the JSON documents trove POSTs
// to HTTP receivers: the server's bucket notifications and the events of
// `trove artifacts watch`.
//
// A delivery is one POST of a JSON body with three headers: Content-Type
// application/json, DeliveryHeader with an id that stays the same across
// the retries of one delivery (receivers deduplicate on it, since delivery
// is at least once), and, when the sender has a secret, SignatureHeader:
// "sha256=" followed by the lower-case hex HMAC-SHA256, under the secret, of
// the delivery id, a line feed, and the body. Signing the id with the body
// means a captured delivery replayed under a new id fails verification,
// and replayed under its own id is a duplicate the receiver drops. An id is
// printable ASCII without spaces, so the line feed ends it unambiguously.
// Any 2xx status acknowledges a delivery; anything else, including a
// transport error, is retried with exponential backoff and jitter until
// acknowledged or the context ends.
//
// URLs appear in errors and logs without their user information and query,
// which may hold credentials.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	neturl "net/url"
	"strings"
	"time"
)

// Header names of a delivery.
const (
	SignatureHeader = "X-Trove-Signature-256"
	DeliveryHeader  = "X-Trove-Delivery"
)

const sigPrefix = "sha256="

// Sign returns the SignatureHeader value of delivery id with body under
// secret.
func Sign(secret []byte, id string, body []byte) string {
	return sigPrefix + hex.EncodeToString(mac(secret, id, body))
}

// mac is the HMAC-SHA256 of id, a line feed and body under secret.
func mac(secret []byte, id string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(id))
	m.Write([]byte{'\n'})
	m.Write(body)
	return m.Sum(nil)
}

// Verify reports whether header is the signature of delivery id with body
// under secret. It compares in constant time, and is false for an empty
// secret or an id that is not valid.
func Verify(secret []byte, id string, body []byte, header string) bool {
	if len(secret) == 0 || CheckID(id) != nil || !strings.HasPrefix(header, sigPrefix) {
		return false
	}
	got, err := hex.DecodeString(header[len(sigPrefix):])
	if err != nil {
		return false
	}
	return hmac.Equal(got, mac(secret, id, body))
}

// maxID bounds a delivery id's length.
const maxID = 128

// ErrBadID is CheckID's error, and Post's and Deliver's for a delivery id
// that is not valid; Deliver does not retry it.
var ErrBadID = errors.New("webhook: a delivery id is 1 to 128 printable ASCII " +
	"characters without spaces")

// CheckID returns ErrBadID unless id is a valid delivery id.
func CheckID(id string) error {
	if id == "" || len(id) > maxID {
		return ErrBadID
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return ErrBadID
		}
	}
	return nil
}

// Redact returns raw without user information, query and fragment, for
// errors and logs. A URL that does not parse becomes "(unparsable URL)",
// and one without a host "(URL without a host)": their text may hold a
// credential anywhere.
func Redact(raw string) string {
	u, err := neturl.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	if u.Host == "" || u.Opaque != "" {
		return "(URL without a host)"
	}
	u.User, u.RawQuery, u.ForceQuery, u.Fragment, u.RawFragment = nil, "", false, "", ""
	return u.String()
}

// Sender POSTs deliveries. The zero value is usable: a client that gives up
// on an attempt after DefaultTimeout, no signature, backoff from one second
// up to five minutes, no logging.
type Sender struct {
	// Client sends the POSTs; nil means defaultClient. A client without a
	// timeout lets a receiver that never answers stall a delivery forever.
	Client *http.Client
	// Secret signs every body when not empty.
	Secret []byte
	// MinBackoff is the wait before the first retry; MaxBackoff caps the
	// wait, which doubles after each failure. Each wait is drawn at random
	// between half of it and all of it.
	MinBackoff, MaxBackoff time.Duration
	// Log receives one warning per failed attempt; nil discards them. It
	// never receives the secret or the body.
	Log *slog.Logger
}

// DefaultTimeout bounds one attempt of a Sender without a Client.
const DefaultTimeout = 30 * time.Second

// defaultClient does not follow redirects: a 3xx is no acknowledgement, and
// a receiver cannot send a signed body on to another address.
var defaultClient = &http.Client{Timeout: DefaultTimeout,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// StatusError is Post's error for a response that is not 2xx.
type StatusError struct {
	URL    string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("webhook: %s answered %d %s", Redact(e.URL), e.Status,
		http.StatusText(e.Status))
}

// maxDrain bounds how much of a response body Post reads so that the
// connection can be reused.
const maxDrain = 64 << 10

// Post sends body to url once, as delivery id, and returns nil when the
// receiver acknowledged it with a 2xx status.
func (s *Sender) Post(ctx context.Context, url, id string, body []byte) error {
	if err := CheckID(id); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("webhook: POST %s: %w", Redact(url), errors.Unwrap(err))
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "trove-webhook")
	req.Header.Set(DeliveryHeader, id)
	if len(s.Secret) > 0 {
		req.Header.Set(SignatureHeader, Sign(s.Secret, id, body))
	}
	client := s.Client
	if client == nil {
		client = defaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		// The client's *url.Error repeats the URL; keep only its cause.
		var ue *neturl.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return fmt.Errorf("webhook: POST %s: %w", Redact(url), err)
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxDrain))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return &StatusError{URL: url, Status: resp.StatusCode}
	}
	return nil
}

// Deliver posts body to url until the receiver acknowledges it, waiting
// between attempts as Sender's backoff says. It returns nil once
// acknowledged, or ctx's error when ctx ends first.
func (s *Sender) Deliver(ctx context.Context, url, id string, body []byte) error {
	for attempt := 0; ; attempt++ {
		err := s.Post(ctx, url, id, body)
		if err == nil || errors.Is(err, ErrBadID) {
			return err
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		wait := s.Backoff(attempt)
		if s.Log != nil {
			s.Log.Warn("webhook delivery failed; will retry", "delivery", id,
				"attempt", attempt+1, "retry_in", wait, "err", err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// Backoff returns the wait after the failed attempt number n (0 for the
// first): MinBackoff doubled n times, capped at MaxBackoff, then drawn at
// random between half of that and all of it.
func (s *Sender) Backoff(n int) time.Duration {
	lo, hi := s.MinBackoff, s.MaxBackoff
	if lo <= 0 {
		lo = time.Second
	}
	if hi <= 0 {
		hi = 5 * time.Minute
	}
	hi = max(hi, lo)
	d := lo
	for i := 0; i < n && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	half := d / 2
	return half + rand.N(d-half+1)
}

// ErrUnsigned is what ReadVerified returns for a request without a valid
// signature.
var ErrUnsigned = errors.New("webhook: missing or wrong " + SignatureHeader)

// ReadVerified reads r's body, at most limit bytes, and checks its signature
// with r's delivery id under secret; with an empty secret it checks nothing. It returns the body,
// or ErrUnsigned, or an error for a body over limit or unreadable.
func ReadVerified(r *http.Request, secret []byte, limit int64) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("webhook: reading body: %w", err)
	}
	if int64(len(body)) > limit {
		return nil, fmt.Errorf("webhook: body over %d bytes", limit)
	}
	id := r.Header.Get(DeliveryHeader)
	if len(secret) > 0 && !Verify(secret, id, body, r.Header.Get(SignatureHeader)) {
		return nil, ErrUnsigned
	}
	return body, nil
}
