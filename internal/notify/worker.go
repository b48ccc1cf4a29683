package notify

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/webhook"
)

// MaxInFlight bounds the POSTs to one webhook at once: one first attempt
// of the oldest delivery not yet tried, and up to MaxInFlight-1 retries of
// deliveries that failed.
const MaxInFlight = 4

// retry is what a worker remembers of a delivery that failed: in memory
// only, so a restart tries every queued delivery once more at once.
type retry struct {
	failures int       // failed attempts so far
	next     time.Time // when the next attempt may start
	inFlight bool      // an attempt is running
}

// outcome is what one attempt reports to its worker.
type outcome struct {
	seq   int64
	id    string // the delivery id, for logs
	first bool   // the first attempt, of the lane that takes new deliveries
	err   error
}

// worker delivers one webhook's deliveries. One lane takes the queued
// deliveries in order, one POST at a time, so that a receiver that takes
// everything gets them in order; a delivery whose POST fails leaves that
// lane for the retry set, where each waits out its own backoff and up to
// MaxInFlight-1 are retried at once. A failed delivery thus never holds
// back the others. A delivery is removed from the store only once a 2xx
// acknowledged it (or its bucket's owner may no longer publish to the
// webhook).
type worker struct {
	d    *Dispatcher
	w    Webhook
	s    *webhook.Sender
	log  *slog.Logger
	wake <-chan struct{}
	done chan outcome // attempts report here; buffered, MaxInFlight

	// The fields below belong to the goroutine running run.
	newest    int64            // highest Seq the first lane has taken
	firstBusy bool             // the first lane has an attempt running
	retrying  int              // retries running
	retries   map[int64]*retry // failed deliveries, by Seq
}

func newWorker(d *Dispatcher, w Webhook) *worker {
	log := d.log.With("webhook", w.ID)
	return &worker{d: d, w: w, log: log, wake: d.hookWake[w.ID],
		done: make(chan outcome, MaxInFlight), retries: map[int64]*retry{},
		s: &webhook.Sender{Client: d.opt.Client, Secret: w.Secret,
			MinBackoff: d.opt.MinBackoff, MaxBackoff: d.opt.MaxBackoff}}
}

// run starts due attempts and takes their outcomes until ctx ends, then
// waits for the attempts still running.
func (k *worker) run(ctx context.Context) {
	defer k.drain()
	for {
		var pause time.Duration
		if err := k.startDue(ctx); err != nil && ctx.Err() == nil {
			k.log.Error("notify: deliver", "err", err)
			pause = min(k.d.opt.Poll, time.Second) // not a busy loop on a failing store
		}
		if !k.wait(ctx, pause) {
			return
		}
	}
}

// drain waits for the running attempts, whose ctx has ended.
func (k *worker) drain() {
	for n := k.retrying + boolInt(k.firstBusy); n > 0; n-- {
		<-k.done
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// wait returns false when ctx ends, else true once an attempt finished,
// new deliveries were signalled, or the earliest retry is due (but not
// before pause) or Poll passed.
func (k *worker) wait(ctx context.Context, pause time.Duration) bool {
	t := time.NewTimer(max(k.untilDue(), pause))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case o := <-k.done:
		k.finish(ctx, o)
	case <-k.wake:
	case <-t.C:
	}
	return true
}

// untilDue is how long until the earliest waiting retry is due, at most
// Poll; Poll when no more retries may start.
func (k *worker) untilDue() time.Duration {
	wait := k.d.opt.Poll
	if k.retrying >= MaxInFlight-1 {
		return wait // a finished attempt wakes wait
	}
	now := time.Now()
	for _, r := range k.retries {
		if !r.inFlight {
			wait = min(wait, max(r.next.Sub(now), 0))
		}
	}
	return wait
}

// startDue starts the first lane's next delivery, when it is free, and
// the due retries that fit in MaxInFlight.
func (k *worker) startDue(ctx context.Context) error {
	if !k.firstBusy {
		if err := k.startFirst(ctx); err != nil {
			return err
		}
	}
	for _, seq := range k.dueRetries() {
		if k.retrying >= MaxInFlight-1 {
			return nil
		}
		if err := k.startRetry(ctx, seq); err != nil {
			return err
		}
	}
	return nil
}

// dueRetries returns the Seqs of the retries due now and not running,
// oldest first.
func (k *worker) dueRetries() []int64 {
	now := time.Now()
	var due []int64
	for seq, r := range k.retries {
		if !r.inFlight && !r.next.After(now) {
			due = append(due, seq)
		}
	}
	slices.Sort(due)
	return due
}

// startFirst starts the first attempt of the oldest delivery the first
// lane has not taken yet, if any.
func (k *worker) startFirst(ctx context.Context) error {
	for {
		ds, err := k.d.opt.Meta.Deliveries(ctx, k.w.ID, k.newest, 1)
		if err != nil || len(ds) == 0 {
			return err
		}
		k.newest = ds[0].Seq
		if started, err := k.start(ctx, ds[0], true); started || err != nil {
			return err
		}
	}
}

// startRetry starts another attempt of the failed delivery seq; one no
// longer queued is forgotten.
func (k *worker) startRetry(ctx context.Context, seq int64) error {
	ds, err := k.d.opt.Meta.Deliveries(ctx, k.w.ID, seq-1, 1)
	if err != nil {
		return err
	}
	if len(ds) == 0 || ds[0].Seq != seq {
		delete(k.retries, seq)
		return nil
	}
	_, err = k.start(ctx, ds[0], false)
	return err
}

// start POSTs dl in its own goroutine, which reports to done, and returns
// true; or, when dl's bucket owner may no longer publish to the webhook,
// removes dl and returns false.
func (k *worker) start(ctx context.Context, dl store.Delivery, first bool) (bool, error) {
	if owner, ok := bodyOwner(dl.Body); !ok || !k.w.allows(owner) {
		k.log.Warn("notify: delivery dropped: its bucket's owner is not in the "+
			"webhook's accounts", "delivery", dl.ID, "owner", owner)
		if err := k.d.deleteDelivery(ctx, dl.Seq); err != nil {
			k.setAside(dl.Seq, dl.ID, err) // to be dropped at its retry
			return false, err
		}
		delete(k.retries, dl.Seq)
		return false, nil
	}
	if first {
		k.firstBusy = true
	} else {
		k.retries[dl.Seq].inFlight = true
		k.retrying++
	}
	go func() {
		err := k.s.Post(ctx, k.w.Endpoint, dl.ID, dl.Body)
		k.done <- outcome{seq: dl.Seq, id: dl.ID, first: first, err: err}
	}()
	return true, nil
}

// finish records an attempt's outcome: an acknowledged delivery is
// removed from the store, a failed one waits out its backoff.
func (k *worker) finish(ctx context.Context, o outcome) {
	if o.first {
		k.firstBusy = false
	} else {
		k.retrying--
	}
	err := o.err
	if err == nil {
		if err = k.d.deleteDelivery(ctx, o.seq); err == nil {
			delete(k.retries, o.seq)
			return
		}
	}
	if ctx.Err() != nil {
		return // abandoned: the next Run sends it again
	}
	k.setAside(o.seq, o.id, err)
}

// setAside records a failed attempt of delivery seq and when to retry it.
func (k *worker) setAside(seq int64, id string, err error) {
	r := k.retries[seq]
	if r == nil {
		r = &retry{}
		k.retries[seq] = r
	}
	wait := k.s.Backoff(r.failures)
	r.failures++
	r.next, r.inFlight = time.Now().Add(wait), false
	k.log.Warn("notify: delivery failed; will retry", "delivery", id,
		"attempt", r.failures, "retry_in", wait, "err", err)
}

// deleteDelivery removes an acknowledged or dropped delivery.
func (d *Dispatcher) deleteDelivery(ctx context.Context, seq int64) error {
	if err := d.opt.Meta.DeleteDelivery(ctx, seq); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	return nil
}
