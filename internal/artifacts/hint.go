package artifacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/webhook"
)

// MaxHintBody bounds the body of an event notification the hint listener
// reads; a longer one is refused with 400.
const MaxHintBody = 1 << 20

// ErrBadEvent is wrapped by ParseEventNotification's errors.
var ErrBadEvent = errors.New("artifacts: bad event notification")

// An ObjectRef names an object an event notification is about.
type ObjectRef struct {
	Bucket string
	Key    string
}

// eventMessage is the part of an S3 event notification the hint reads.
type eventMessage struct {
	Records []struct {
		EventName string `json:"eventName"`
		S3        struct {
			Bucket struct {
				Name string `json:"name"`
			} `json:"bucket"`
			Object struct {
				Key string `json:"key"`
			} `json:"object"`
		} `json:"s3"`
	} `json:"Records"`
}

// ParseEventNotification returns the objects that the records of an S3
// event notification say were created (event names "ObjectCreated:..."),
// with their keys URL-decoded as S3 encodes them ('+' for a space). Other
// records, such as removals, are left out, and a message without records,
// such as S3's test event, gives none. A body that is no JSON object, or a
// created record without a bucket or with a key that does not decode, is an
// error wrapping ErrBadEvent.
func ParseEventNotification(body []byte) ([]ObjectRef, error) {
	var msg eventMessage
	if err := json.Unmarshal(body, &msg); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadEvent, err)
	}
	var refs []ObjectRef
	for i, r := range msg.Records {
		if !strings.HasPrefix(r.EventName, "ObjectCreated:") {
			continue
		}
		key, err := url.QueryUnescape(r.S3.Object.Key)
		if err != nil {
			return nil, fmt.Errorf("%w: record %d: key: %w", ErrBadEvent, i, err)
		}
		if r.S3.Bucket.Name == "" || key == "" {
			return nil, fmt.Errorf("%w: record %d: no bucket or key", ErrBadEvent, i)
		}
		refs = append(refs, ObjectRef{Bucket: r.S3.Bucket.Name, Key: key})
	}
	return refs, nil
}

// Hint asks for a poll of every source whose bucket is bucket and whose
// pattern matches key, and returns how many it asked. It never waits. A
// source polls once for all the hints it got during a poll, and at most
// once every HintQuiet for hints: a hint coming sooner after the start of
// its last poll makes it poll when that time has passed.
func (w *Watcher) Hint(bucket, key string) int {
	return len(w.hint([]ObjectRef{{Bucket: bucket, Key: key}}))
}

// hint asks for a poll of every source that one of refs concerns, and
// returns the names of those sources.
func (w *Watcher) hint(refs []ObjectRef) []string {
	var kicked []string
	for _, s := range w.sources {
		if !slices.ContainsFunc(refs, s.concerns) {
			continue
		}
		kicked = append(kicked, s.Name)
		select {
		case s.kick <- struct{}{}:
		default:
		}
	}
	return kicked
}

// concerns reports whether ref is in s's bucket and matches its pattern.
func (s *watched) concerns(ref ObjectRef) bool {
	if s.Client.src.Bucket != ref.Bucket {
		return false
	}
	_, ok := s.Client.pattern.Match(ref.Key)
	return ok
}

// maxLoggedBuckets bounds the bucket names a hint request's log line gives.
const maxLoggedBuckets = 4

// bucketsOf returns the distinct buckets of refs in order of appearance,
// at most maxLoggedBuckets of them, and how many there are. Names that
// break S3's rules, which no source can have, are counted but not
// returned: the body is untrusted, and such a name may be a megabyte long.
func bucketsOf(refs []ObjectRef) ([]string, int) {
	var names []string
	seen := map[string]bool{}
	for _, r := range refs {
		if seen[r.Bucket] {
			continue
		}
		seen[r.Bucket] = true
		if len(names) < maxLoggedBuckets && CheckBucket(r.Bucket) == nil {
			names = append(names, r.Bucket)
		}
	}
	return names, len(seen)
}

// HintHandler returns the handler of the hint listener: it takes POSTs of
// S3 event notifications, signed under the config's HintSecret when there
// is one, hints the watcher of each created object, and answers 204 at
// once. An unsigned or wrongly signed body gets 401, a body too long or
// that does not parse 400, another method 405.
func (w *Watcher) HintHandler() http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			rw.Header().Set("Allow", http.MethodPost)
			http.Error(rw, "POST an S3 event notification", http.StatusMethodNotAllowed)
			return
		}
		body, err := webhook.ReadVerified(r, w.cfg.HintSecret, MaxHintBody)
		if errors.Is(err, webhook.ErrUnsigned) {
			http.Error(rw, "missing or wrong "+webhook.SignatureHeader, http.StatusUnauthorized)
			return
		}
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		refs, err := ParseEventNotification(body)
		if err != nil {
			http.Error(rw, err.Error(), http.StatusBadRequest)
			return
		}
		w.logHint(refs, w.hint(refs))
		rw.WriteHeader(http.StatusNoContent)
	})
}

// logHint logs one line for a hint request, however many records it has:
// its buckets (the first few), how many created objects it named, and the
// sources it asked to poll.
func (w *Watcher) logHint(refs []ObjectRef, kicked []string) {
	buckets, n := bucketsOf(refs)
	w.cfg.Log.Info("hint", "buckets", strings.Join(buckets, ","), "bucketCount", n,
		"records", len(refs), "sources", strings.Join(kicked, ","))
}

// serveHints serves HintHandler on the hint listener until ctx ends.
func (w *Watcher) serveHints(ctx context.Context) {
	srv := &http.Server{Handler: w.HintHandler(), ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout: 30 * time.Second, MaxHeaderBytes: 64 << 10}
	go func() {
		err := srv.Serve(w.hints)
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			w.cfg.Log.Warn("hint listener stopped", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
}
