package s3api

import (
	"container/list"
	"context"
	"sync"

	"github.com/troveproject/trove/internal/helmrepo"
)

// helmCacheBudget bounds the memory the Helm view's chart cache holds, in
// the estimated bytes of helmCost.
const helmCacheBudget = 16 << 20

// helmCache remembers, by blob id, what reading a chart archive gave: the
// chart or the reason it is not one. Blob ids name immutable bytes and are
// never reused, so an entry never goes stale; the least recently used go
// when the budget is spent. The zero value is an empty cache, safe for
// concurrent use.
type helmCache struct {
	mu      sync.Mutex               // guards the fields below
	entries map[string]*list.Element // of *helmCached, by blob id
	order   list.List                // most recently used first
	cost    int                      // the sum of the entries' costs
	reading map[string]*helmRead     // reads in progress, by blob id
}

// helmRead is one read of a chart archive that concurrent requests for the
// same blob wait for instead of reading it again.
type helmRead struct {
	done  chan struct{} // closed once chart and err are set
	chart helmrepo.Chart
	err   error
}

// read returns the chart of blob from fn, calling fn once however many
// requests ask for the blob at the same time: the others wait for that
// call, or for their own ctx. first reports whether this call ran fn. It
// caches nothing; the caller puts what it wants kept.
func (c *helmCache) read(ctx context.Context, blob string,
	fn func() (helmrepo.Chart, error)) (chart helmrepo.Chart, err error, first bool) {
	c.mu.Lock()
	if r, ok := c.reading[blob]; ok {
		c.mu.Unlock()
		select {
		case <-r.done:
			return r.chart, r.err, false
		case <-ctx.Done():
			return helmrepo.Chart{}, ctx.Err(), false
		}
	}
	if c.reading == nil {
		c.reading = map[string]*helmRead{}
	}
	r := &helmRead{done: make(chan struct{})}
	c.reading[blob] = r
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.reading, blob)
		c.mu.Unlock()
		close(r.done)
	}()
	r.chart, r.err = fn()
	return r.chart, r.err, true
}

// helmCached is one cache entry.
type helmCached struct {
	blob  string
	chart helmrepo.Chart
	err   error // a helmrepo.ErrInvalid error, or nil
	cost  int
}

// get returns what reading blob gave, and whether the cache holds it.
func (c *helmCache) get(blob string) (helmrepo.Chart, error, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[blob]
	if !ok {
		return helmrepo.Chart{}, nil, false
	}
	c.order.MoveToFront(el)
	e := el.Value.(*helmCached)
	return e.chart, e.err, true
}

// put records what reading blob gave, then evicts the least recently used
// entries beyond the budget.
func (c *helmCache) put(blob string, chart helmrepo.Chart, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil {
		c.entries = map[string]*list.Element{}
	}
	if _, ok := c.entries[blob]; ok {
		return
	}
	e := &helmCached{blob: blob, chart: chart, err: err, cost: helmCost(blob, chart, err)}
	c.entries[blob] = c.order.PushFront(e)
	c.cost += e.cost
	for c.cost > helmCacheBudget && c.order.Len() > 1 {
		old := c.order.Remove(c.order.Back()).(*helmCached)
		delete(c.entries, old.blob)
		c.cost -= old.cost
	}
}

// len is the number of entries, for tests.
func (c *helmCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

// helmCost estimates an entry's memory: its strings plus a fixed overhead.
func helmCost(blob string, chart helmrepo.Chart, err error) int {
	const overhead = 512
	n := overhead + len(blob) + len(chart.Digest)
	if err != nil {
		n += len(err.Error())
	}
	return n + chart.Metadata.Footprint()
}
