package artifacts

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/url"
	"slices"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/artifacts/selector"
	"github.com/troveproject/trove/internal/webhook"
)

// DefaultInterval is the polling interval of a WatchConfig that names none.
const DefaultInterval = time.Minute

// Changes an Event reports.
const (
	ChangeNew     = "new"     // a key not in the last listing
	ChangeChanged = "changed" // a key listed before, with another ETag
)

// An Event is an artifact a Watcher found: it is written as one JSON line
// and is the body of its webhook delivery.
type Event struct {
	// ID identifies the event: the same for the same source, key, ETag and
	// last-modified time, so across retries and restarts. It is the webhook
	// delivery id.
	ID           string    `json:"id"`
	Source       string    `json:"source"`
	Bucket       string    `json:"bucket"`
	Key          string    `json:"key"`
	Version      string    `json:"version"`
	ETag         string    `json:"etag"`
	Size         int64     `json:"size"`
	LastModified time.Time `json:"lastModified"`
	// Change is ChangeNew or ChangeChanged.
	Change string `json:"change"`
	// PreviousETag is the ETag the key had before, for ChangeChanged.
	PreviousETag string `json:"previousEtag,omitempty"`
	// DetectedAt is when the listing that found it ended, to the
	// millisecond, as S3 gives LastModified.
	DetectedAt time.Time `json:"detectedAt"`
}

// WatchConfig says what a Watcher watches and where it reports.
type WatchConfig struct {
	// Sources are the named sources to poll, with distinct names.
	Sources []WatchSource
	// StatePath is the state file; required. Its lock is StatePath.lock.
	StatePath string
	// Interval is the time between two polls of a source; zero means
	// DefaultInterval.
	Interval time.Duration
	// Out receives each event as a JSON line; nil discards them.
	Out io.Writer
	// Webhook, when not empty, is the URL each event is POSTed to with
	// Sender, until acknowledged: see CheckWebhook. It appears in logs and
	// errors only as webhook.Redact gives it.
	Webhook string
	// Sender delivers to Webhook; nil means one with no secret and
	// webhook.DefaultTimeout per attempt.
	Sender *webhook.Sender
	// HintAddr, when not empty, is the address of an HTTP listener that
	// takes S3 event notifications as hints to poll at once.
	HintAddr string
	// HintSecret, when not empty, is the secret the hints must be signed
	// with (webhook.SignatureHeader); without it hints are not checked.
	HintSecret []byte
	// Log receives poll failures and dropped deliveries (warn), baselines
	// and hint requests (info); nil discards them.
	Log *slog.Logger
}

// A WatchSource is a source a Watcher polls.
type WatchSource struct {
	Name   string
	Client *Client
}

// A Watcher polls sources and reports each artifact that appears or
// changes once, keeping what it has seen in a state file. Make one with
// NewWatcher, then call Run once.
type Watcher struct {
	cfg     WatchConfig
	sources []*watched
	hints   net.Listener // nil without HintAddr
	sender  *webhook.Sender
	sem     chan struct{} // bounds concurrent deliveries
	now     func() time.Time

	mu    sync.Mutex // guards state, its file, and writes to cfg.Out
	state *stateFile
}

// HintQuiet is the shortest time between the start of a poll of a source
// and a poll of it that a hint asks for: hints coming sooner are answered
// by one poll at the end of that time, however many they are.
const HintQuiet = time.Second

// watched is a source with its hint channel.
type watched struct {
	WatchSource
	def  string
	kick chan struct{} // holds one pending hint: bursts coalesce
	// skipped holds the skipped keys already reported; only its loop uses it.
	skipped map[string]bool
}

// maxDeliveries bounds the webhook deliveries in flight.
const maxDeliveries = 4

// NewWatcher checks cfg, locks and reads the state file and opens the hint
// listener. It fails with ErrStateLocked when another watcher holds the
// state file. Call Run, or Close to give everything up.
func NewWatcher(cfg WatchConfig) (*Watcher, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	w := &Watcher{cfg: cfg, sender: cfg.Sender, sem: make(chan struct{}, maxDeliveries),
		now: time.Now}
	if w.sender == nil {
		w.sender = &webhook.Sender{}
	}
	for _, s := range cfg.Sources {
		w.sources = append(w.sources, &watched{WatchSource: s, def: definition(s.Client.src),
			kick: make(chan struct{}, 1), skipped: map[string]bool{}})
	}
	st, dropped, err := openState(cfg.StatePath)
	if err != nil {
		return nil, err
	}
	for _, d := range dropped {
		cfg.Log.Warn("dropped a pending delivery the state file holds: no valid id or no "+
			"body; it could never be delivered", "delivery", d.ID)
	}
	w.state = st
	if cfg.HintAddr != "" {
		if w.hints, err = net.Listen("tcp", cfg.HintAddr); err != nil {
			st.close()
			return nil, fmt.Errorf("artifacts: hint listener: %w", err)
		}
	}
	return w, nil
}

// check validates a WatchConfig.
func (cfg *WatchConfig) check() error {
	switch {
	case len(cfg.Sources) == 0:
		return errors.New("artifacts: watch: no sources")
	case cfg.StatePath == "":
		return errors.New("artifacts: watch: no state file")
	case cfg.Interval < 0:
		return fmt.Errorf("artifacts: watch: negative interval %v", cfg.Interval)
	}
	if cfg.Interval == 0 {
		cfg.Interval = DefaultInterval
	}
	if err := CheckWebhook(cfg.Webhook); err != nil {
		return err
	}
	names := map[string]bool{}
	for _, s := range cfg.Sources {
		if s.Name == "" || s.Client == nil || names[s.Name] {
			return fmt.Errorf("artifacts: watch: source %q: unnamed, duplicate or without "+
				"a client", s.Name)
		}
		names[s.Name] = true
	}
	if cfg.Out == nil {
		cfg.Out = io.Discard
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return nil
}

// CheckWebhook checks a webhook URL as WatchConfig.Webhook takes it: empty,
// or an absolute http or https URL naming a host, without user information
// (a secret signs the deliveries instead; a token in the query is allowed,
// and left out of logs). Its errors show the URL as webhook.Redact does.
func CheckWebhook(raw string) error {
	if raw == "" {
		return nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		// The parser's message repeats parts of the URL, credentials and all.
		return errors.New("artifacts: the webhook URL does not parse (it is not shown: " +
			"it may hold a credential)")
	}
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("artifacts: webhook URL %s: want an http:// or https:// URL",
			webhook.Redact(raw))
	case u.User != nil:
		return fmt.Errorf("artifacts: webhook URL %s: user information (user:password@) "+
			"is refused; sign deliveries with a secret instead", webhook.Redact(raw))
	case u.Hostname() == "":
		return fmt.Errorf("artifacts: webhook URL %s names no host", webhook.Redact(raw))
	}
	return nil
}

// HintAddr returns the address the hint listener listens on, or "" when
// there is none.
func (w *Watcher) HintAddr() string {
	if w.hints == nil {
		return ""
	}
	return w.hints.Addr().String()
}

// Close releases the state file and the hint listener of a Watcher whose
// Run is not called.
func (w *Watcher) Close() error {
	if w.hints != nil {
		w.hints.Close()
	}
	return w.state.close()
}

// Run resumes the pending deliveries, then polls every source at once and
// at each interval until ctx ends, when it saves the state, releases it
// and returns nil. It returns early with an error only when it cannot
// write an event to Out or save the state; a failed poll is logged and
// retried at the next interval.
func (w *Watcher) Run(parent context.Context) error {
	defer w.Close()
	ctx, cancel := context.WithCancelCause(parent)
	defer cancel(nil)
	var wg sync.WaitGroup
	w.resume(ctx, &wg)
	if w.hints != nil {
		w.serveHints(ctx)
	}
	for _, s := range w.sources {
		wg.Go(func() {
			if err := w.loop(ctx, s, &wg); err != nil {
				cancel(err)
			}
		})
	}
	<-ctx.Done()
	wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	if parent.Err() == nil {
		return context.Cause(ctx) // a fatal error of a loop
	}
	return w.state.save()
}

// loop polls s until ctx ends, at each tick or hint.
func (w *Watcher) loop(ctx context.Context, s *watched, wg *sync.WaitGroup) error {
	t := time.NewTicker(w.cfg.Interval)
	defer t.Stop()
	for {
		start := time.Now()
		if err := w.poll(ctx, s, wg); err != nil {
			return err
		}
		if !s.next(ctx, t.C, start) {
			return nil
		}
	}
}

// next waits until s is to be polled again: at a tick, or on a hint once
// HintQuiet has passed since start, the start of the last poll. A hint
// that comes sooner schedules the poll at the end of that time, and the
// hints after it add nothing. It returns false when ctx ends.
func (s *watched) next(ctx context.Context, tick <-chan time.Time, start time.Time) bool {
	var timer *time.Timer // the poll a hint scheduled; nil when none is
	var due <-chan time.Time
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return false
		case <-tick:
			return true
		case <-due:
			return true
		case <-s.kick:
			wait := HintQuiet - time.Since(start)
			if wait <= 0 {
				return true
			}
			if timer == nil {
				timer = time.NewTimer(wait)
				due = timer.C
			}
		}
	}
}

// poll lists s once and records what it shows. A failed listing is
// logged, not returned: the next tick tries again.
func (w *Watcher) poll(ctx context.Context, s *watched, wg *sync.WaitGroup) error {
	res, err := s.Client.List(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.cfg.Log.Warn("poll failed; will retry", "source", s.Name, "err", err)
		}
		return nil
	}
	w.reportSkipped(s, res.Skipped)
	ds, err := w.record(s, res.Artifacts, w.now().UTC().Truncate(time.Millisecond))
	if err != nil {
		return err
	}
	for _, d := range ds {
		w.startDelivery(ctx, wg, d)
	}
	return nil
}

// reportSkipped logs the skipped keys not logged before in this run.
func (w *Watcher) reportSkipped(s *watched, skipped []selector.Skipped) {
	for _, sk := range skipped {
		if !s.skipped[sk.Key] {
			s.skipped[sk.Key] = true
			w.cfg.Log.Warn("skipped", "source", s.Name, "key", sk.Key, "reason", sk.Reason)
		}
	}
}

// record compares a listing of s with the state, writes the events to Out,
// then saves the state with the listing as seen and the events' deliveries
// pending, and returns those deliveries. Writing first and saving after
// means a crash between the two writes the events again after a restart
// rather than never; the deliveries start only once saved, so a crash
// never loses one.
func (w *Watcher) record(s *watched, as []selector.Artifact, now time.Time) (
	[]delivery, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	prev := w.state.doc.Sources[s.Name]
	next := &sourceState{Definition: s.def, Seen: make(map[string]string, len(as))}
	for _, a := range as {
		next.Seen[a.Key] = a.ETag
	}
	if prev == nil || prev.Definition != s.def {
		w.cfg.Log.Info("baseline recorded", "source", s.Name, "artifacts", len(as),
			"redefined", prev != nil)
		w.state.doc.Sources[s.Name] = next
		return nil, w.state.save()
	}
	events := diff(s, prev.Seen, as, now)
	if len(events) == 0 && maps.Equal(prev.Seen, next.Seen) {
		return nil, nil
	}
	ds, err := w.emit(events)
	if err != nil {
		return nil, err
	}
	w.state.doc.Sources[s.Name] = next
	if w.cfg.Webhook != "" {
		w.state.doc.Pending = append(w.state.doc.Pending, ds...)
	} else {
		ds = nil
	}
	return ds, w.state.save()
}

// emit writes events to Out as JSON lines and returns their deliveries.
func (w *Watcher) emit(events []Event) ([]delivery, error) {
	var ds []delivery
	for _, e := range events {
		body, err := json.Marshal(e)
		if err != nil {
			return nil, fmt.Errorf("artifacts: watch: %w", err)
		}
		if _, err := w.cfg.Out.Write(append(body, '\n')); err != nil {
			return nil, fmt.Errorf("artifacts: watch: writing an event: %w", err)
		}
		ds = append(ds, delivery{ID: e.ID, Body: body})
	}
	return ds, nil
}

// diff returns the events of the artifacts as that seen lacks or has with
// another ETag, oldest first (as is newest first). Removed keys make no
// event.
func diff(s *watched, seen map[string]string, as []selector.Artifact, now time.Time) []Event {
	var events []Event
	for _, a := range slices.Backward(as) {
		old, ok := seen[a.Key]
		if ok && old == a.ETag {
			continue
		}
		e := Event{Source: s.Name, Bucket: s.Client.src.Bucket, Key: a.Key,
			Version: a.Version, ETag: a.ETag, Size: a.Size, LastModified: a.LastModified.UTC(),
			Change: ChangeNew, DetectedAt: now}
		if ok {
			e.Change, e.PreviousETag = ChangeChanged, old
		}
		e.ID = eventID(e)
		events = append(events, e)
	}
	return events
}

// eventID derives an event's id from its source, bucket, key, ETag and
// last-modified time, so that finding the same object again, after a
// crash, gives the same id, and a re-upload of the same bytes another.
func eventID(e Event) string {
	h := sha256.New()
	for _, f := range []string{e.Source, e.Bucket, e.Key, e.ETag,
		e.LastModified.Format(time.RFC3339Nano)} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}

// resume starts the deliveries the state file holds as pending.
func (w *Watcher) resume(ctx context.Context, wg *sync.WaitGroup) {
	w.mu.Lock()
	pending := slices.Clone(w.state.doc.Pending)
	w.mu.Unlock()
	if len(pending) > 0 && w.cfg.Webhook == "" {
		w.cfg.Log.Warn("pending deliveries kept until a webhook is given",
			"deliveries", len(pending))
		return
	}
	for _, d := range pending {
		w.startDelivery(ctx, wg, d)
	}
}

// startDelivery delivers d in a goroutine of its own, so that a slow or
// failing receiver never holds up a poll, and forgets it once acknowledged,
// or at once when its id is one the webhook refuses (webhook.ErrBadID),
// which no retry would change. When ctx ends first, d stays pending in the
// state.
func (w *Watcher) startDelivery(ctx context.Context, wg *sync.WaitGroup, d delivery) {
	wg.Go(func() {
		select {
		case w.sem <- struct{}{}:
		case <-ctx.Done():
			return
		}
		err := w.sender.Deliver(ctx, w.cfg.Webhook, d.ID, d.Body)
		<-w.sem
		if errors.Is(err, webhook.ErrBadID) {
			w.cfg.Log.Warn("dropped a delivery whose id the webhook refuses; it could never "+
				"be delivered", "delivery", d.ID, "err", err)
		} else if err != nil {
			return
		}
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.state.ack(d.ID) {
			if err := w.state.save(); err != nil {
				w.cfg.Log.Warn("saving an acknowledgement", "delivery", d.ID, "err", err)
			}
		}
	})
}
