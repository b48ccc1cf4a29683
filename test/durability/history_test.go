package durability

import (
	"slices"
	"sort"
	"sync"
	"time"
)

// write is one write to a key as the client saw it: a PUT, a copy or a
// delete (whose content is absent), between start, taken before the request
// was sent, and end, taken after its answer or failure arrived. The server
// applied it, if at all, at some moment between the two.
type write struct {
	val   content
	start time.Time
	end   time.Time // zero while the request runs
	acked bool      // the server acknowledged it
	err   error     // why it was not acknowledged
}

// history is what the clients did to each key since the last check, over
// the contents that check found. It is safe for concurrent use.
type history struct {
	mu     sync.Mutex          // guards the fields below
	base   map[string]content  // what the last check read; absent when missing
	writes map[string][]*write // writes since then, in start order
	gen    int                 // last generation handed out
}

func newHistory() *history {
	return &history{base: map[string]content{}, writes: map[string][]*write{}}
}

// nextGen returns a generation no write has used yet.
func (h *history) nextGen() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.gen++
	return h.gen
}

// begin records that a write of v to key is about to be sent.
func (h *history) begin(key string, v content) *write {
	h.mu.Lock()
	defer h.mu.Unlock()
	w := &write{val: v, start: time.Now()}
	h.writes[key] = append(h.writes[key], w)
	return w
}

// finish records w's outcome: acknowledged when err is nil.
func (h *history) finish(w *write, err error) {
	now := time.Now()
	h.mu.Lock()
	defer h.mu.Unlock()
	w.end, w.acked, w.err = now, err == nil, err
}

// keys returns every key the history knows, sorted.
func (h *history) keys() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var ks []string
	for k := range h.base {
		ks = append(ks, k)
	}
	for k := range h.writes {
		if _, ok := h.base[k]; !ok {
			ks = append(ks, k)
		}
	}
	sort.Strings(ks)
	return ks
}

// known reports whether any write ever named key.
func (h *history) known(key string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	_, inBase := h.base[key]
	return inBase || len(h.writes[key]) > 0
}

// allowedFor is allowed over key's history; see allowed.
func (h *history) allowedFor(key string, cutoff time.Time) []content {
	h.mu.Lock()
	defer h.mu.Unlock()
	return allowed(h.base[key], h.writes[key], cutoff)
}

// settle makes found the base of key for the next round's writes.
func (h *history) settle(key string, found content) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.base[key] = found
	delete(h.writes, key)
}

// allowed returns the contents a key may hold once its writes ws, applied
// over base, are over; no request can take effect after cutoff, the moment
// the server was known dead (the zero time when it never died).
//
// A write X may be what is left unless an acknowledged write Y follows it:
// Y was sent after X was acknowledged, so Y took effect after X did, and a
// store that loses nothing shows Y or something later, never X. Only an
// acknowledged X has a known end; a write cut off by the crash may have
// taken effect at any moment before the crash, and so may be left whatever
// came after it. Excluded outright are writes the server refused with an
// error answer and writes sent after cutoff. base stays possible only when
// no write was acknowledged at all.
func allowed(base content, ws []*write, cutoff time.Time) []content {
	var acked []*write
	for _, w := range ws {
		if w.acked {
			acked = append(acked, w)
		}
	}
	var out []content
	if len(acked) == 0 {
		out = append(out, base)
	}
	for _, x := range ws {
		switch {
		case !x.acked && x.err != nil && isAPIError(x.err):
		case !x.acked && !cutoff.IsZero() && x.start.After(cutoff):
		case x.acked && slices.ContainsFunc(acked, func(y *write) bool {
			return y.start.After(x.end)
		}):
		default:
			out = append(out, x.val)
		}
	}
	return out
}
