package notify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/webhook"
)

// Webhook is a declared destination: its id (named by queue ARNs), the
// URL deliveries are POSTed to, the secret that signs them (none when
// empty), and the accounts whose buckets may publish to it, as a queue's
// resource policy says who may send to it in AWS. No accounts means no
// bucket may: access is denied by default.
type Webhook struct {
	ID       string
	Endpoint string
	Secret   []byte
	Accounts []string // 12-digit account ids
}

// LogValue leaves the secret, and the endpoint's query, out of logs.
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID),
		slog.String("endpoint", webhook.Redact(w.Endpoint)),
		slog.Any("accounts", w.Accounts))
}

// allows reports whether buckets owned by account may publish to w.
func (w Webhook) allows(account string) bool {
	return account != "" && slices.Contains(w.Accounts, account)
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

// Declared reports whether id names a declared webhook that buckets owned
// by account may publish to. PutBucketNotificationConfiguration refuses a
// webhook for which it is false exactly as one not declared, so that ids
// cannot be discovered by trying them.
func (d *Dispatcher) Declared(id, account string) bool {
	w, ok := d.hooks[id]
	return ok && w.allows(account)
}

// declared reports whether id names a declared webhook.
func (d *Dispatcher) declared(id string) bool {
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
	for _, w := range d.hooks {
		wg.Go(func() { newWorker(d, w).run(ctx) })
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
		if !d.declared(id) {
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
// it and names a declared webhook that the bucket's owner may publish to;
// none when the bucket or its configuration is gone.
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
		if !d.publishes(t, b) {
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

// publishes reports whether an event of bucket b goes to target t's
// webhook: it is declared and b's owner may publish to it. It warns of
// each event it drops.
func (d *Dispatcher) publishes(t Target, b store.Bucket) bool {
	w, ok := d.hooks[t.Webhook]
	switch {
	case !ok:
		d.log.Warn("notify: event dropped: its webhook is not declared",
			"webhook", t.Webhook, "bucket", b.Name, "configuration", t.ConfigID)
	case !w.allows(b.Owner):
		d.log.Warn("notify: event dropped: the bucket's owner is not in the webhook's "+
			"accounts", "webhook", t.Webhook, "bucket", b.Name, "owner", b.Owner,
			"configuration", t.ConfigID)
		ok = false
	}
	return ok
}

// newDeliveryID draws the id a delivery keeps across its retries.
func newDeliveryID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}
