package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/webhook"
)

// Webhook is a declared destination: its id (named by queue ARNs), the
// URL deliveries are POSTed to, and the secret that signs them (none when
// empty).
type Webhook struct {
	ID       string
	Endpoint string
	Secret   []byte
}

// LogValue leaves the secret, and the endpoint's query, out of logs.
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID),
		slog.String("endpoint", webhook.Redact(w.Endpoint)))
}

// Options configure a Dispatcher. Meta is required; the zero value of the
// rest works.
type Options struct {
	Meta     store.Meta
	Webhooks []Webhook
	// Client sends the POSTs; nil means a client whose requests time out
	// after webhook.DefaultTimeout, so that a receiver that hangs is retried.
	Client *http.Client
	// MinBackoff and MaxBackoff bound the waits between attempts, as in
	// webhook.Sender: one second and five minutes by default.
	MinBackoff, MaxBackoff time.Duration
	// Poll is how often the queues are read when nothing signals new
	// events (Wake); default 10 seconds.
	Poll time.Duration
	// Log receives failures and dropped events; nil discards.
	Log *slog.Logger
}

// batch is how many events or deliveries one read takes.
const batch = 100

// Dispatcher fans queued events out to deliveries and delivers them. Its
// methods are safe for concurrent use.
type Dispatcher struct {
	opt      Options
	log      *slog.Logger
	hooks    map[string]Webhook
	fanWake  chan struct{}            // signals the fan-out loop; buffered, never blocks
	hookWake map[string]chan struct{} // signals each webhook's worker; likewise
}

// New returns a Dispatcher for opt; Run starts it.
func New(opt Options) *Dispatcher {
	if opt.Poll <= 0 {
		opt.Poll = 10 * time.Second
	}
	d := &Dispatcher{opt: opt, log: opt.Log, hooks: map[string]Webhook{},
		fanWake: make(chan struct{}, 1), hookWake: map[string]chan struct{}{}}
	if d.log == nil {
		d.log = slog.New(slog.DiscardHandler)
	}
	for _, w := range opt.Webhooks {
		d.hooks[w.ID] = w
		d.hookWake[w.ID] = make(chan struct{}, 1)
	}
	return d
}

// Declared reports whether id names a declared webhook.
func (d *Dispatcher) Declared(id string) bool {
	_, ok := d.hooks[id]
	return ok
}

// Wake tells the Dispatcher that events may have been queued. It never
// blocks.
func (d *Dispatcher) Wake() { signal(d.fanWake) }

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// Run fans out and delivers until ctx ends, then waits for its workers and
// returns. Deliveries in flight are abandoned, to be sent again by the
// next Run.
func (d *Dispatcher) Run(ctx context.Context) {
	d.reportOrphans(ctx)
	var wg sync.WaitGroup
	for id := range d.hooks {
		wg.Go(func() { d.deliverLoop(ctx, d.hooks[id]) })
	}
	d.fanOutLoop(ctx)
	wg.Wait()
}

// reportOrphans warns of deliveries queued for webhooks not declared.
func (d *Dispatcher) reportOrphans(ctx context.Context) {
	dests, err := d.opt.Meta.DeliveryDestinations(ctx)
	if err != nil {
		d.log.Error("notify: list delivery destinations", "err", err)
		return
	}
	for _, id := range dests {
		if !d.Declared(id) {
			d.log.Warn("notify: deliveries wait for a webhook that is not declared",
				"webhook", id)
		}
	}
}

// wait returns false when ctx ends, else true once c signals or Poll
// passes.
func (d *Dispatcher) wait(ctx context.Context, c <-chan struct{}) bool {
	t := time.NewTimer(d.opt.Poll)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-c:
	case <-t.C:
	}
	return true
}

// fanOutLoop fans out every queued event, then waits for more.
func (d *Dispatcher) fanOutLoop(ctx context.Context) {
	for {
		if err := d.fanOutAll(ctx); err != nil && ctx.Err() == nil {
			d.log.Error("notify: fan out events", "err", err)
		}
		if !d.wait(ctx, d.fanWake) {
			return
		}
	}
}

// fanOutAll fans out the events queued now, in order. An event that fails
// stays queued for the next pass.
func (d *Dispatcher) fanOutAll(ctx context.Context) error {
	var after int64
	for {
		evs, err := d.opt.Meta.QueuedEvents(ctx, after, batch)
		if err != nil {
			return err
		}
		for _, e := range evs {
			after = e.Seq
			if err := d.fanOut(ctx, e); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				d.log.Error("notify: fan out event", "seq", e.Seq, "err", err)
			}
		}
		if len(evs) < batch {
			return nil
		}
	}
}

// fanOut replaces e by its deliveries and wakes their webhooks' workers.
func (d *Dispatcher) fanOut(ctx context.Context, e store.Event) error {
	ds, err := d.deliveries(ctx, e)
	if err != nil {
		return err
	}
	if err := d.opt.Meta.FanOut(ctx, e.Seq, ds); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	for _, dl := range ds {
		signal(d.hookWake[dl.Destination])
	}
	return nil
}

// deliveries renders e for each configuration of its bucket that selects
// it and names a declared webhook; none when the bucket or its
// configuration is gone.
func (d *Dispatcher) deliveries(ctx context.Context, e store.Event) ([]store.Delivery, error) {
	b, err := d.opt.Meta.GetBucket(ctx, e.Bucket)
	if errors.Is(err, store.ErrNotFound) || (err == nil && b.Notification == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("notify: %w", err)
	}
	c, err := Parse(b.Notification)
	if err != nil {
		return nil, err
	}
	var ds []store.Delivery
	for _, t := range c.Match(e.Name, e.Key) {
		if !d.Declared(t.Webhook) {
			d.log.Warn("notify: event dropped: its webhook is not declared",
				"webhook", t.Webhook, "bucket", e.Bucket, "configuration", t.ConfigID)
			continue
		}
		body, err := Body(e, t.ConfigID)
		if err != nil {
			return nil, err
		}
		ds = append(ds, store.Delivery{ID: newDeliveryID(), Destination: t.Webhook,
			Body: body})
	}
	return ds, nil
}

// newDeliveryID draws the id a delivery keeps across its retries.
func newDeliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// deliverLoop delivers w's deliveries in order, then waits for more.
func (d *Dispatcher) deliverLoop(ctx context.Context, w Webhook) {
	s := &webhook.Sender{Client: d.opt.Client, Secret: w.Secret, MinBackoff: d.opt.MinBackoff,
		MaxBackoff: d.opt.MaxBackoff, Log: d.log.With("webhook", w.ID)}
	for {
		if err := d.deliverAll(ctx, s, w); err != nil && ctx.Err() == nil {
			d.log.Error("notify: deliver", "webhook", w.ID, "err", err)
		}
		if !d.wait(ctx, d.hookWake[w.ID]) {
			return
		}
	}
}

// deliverAll sends w's queued deliveries, each until acknowledged, and
// removes them.
func (d *Dispatcher) deliverAll(ctx context.Context, s *webhook.Sender, w Webhook) error {
	for {
		ds, err := d.opt.Meta.Deliveries(ctx, w.ID, 0, batch)
		if err != nil || len(ds) == 0 {
			return err
		}
		for _, dl := range ds {
			if err := s.Deliver(ctx, w.Endpoint, dl.ID, dl.Body); err != nil {
				return err
			}
			if err := d.opt.Meta.DeleteDelivery(ctx, dl.Seq); err != nil {
				return fmt.Errorf("notify: %w", err)
			}
		}
	}
}
