package durability

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const (
	hotWriters = 8 // concurrent writers of the hot key
	hotWrites  = 6 // writes per writer, each of a body of its own
	hotReaders = 4 // concurrent readers of the hot key
	hotKey     = "hot/key"
)

// TestHotKey has hotWriters clients write distinct bodies to one key while
// hotReaders clients read it, and checks:
//
//   - every read is one whole write: its body is one written body, its ETag
//     that body's MD5 and its metadata that write's; a read sent after the
//     first write was acknowledged finds the key;
//   - every write is acknowledged;
//   - the body left is that of a write W no other write follows: no write
//     was sent after W was acknowledged. When writes do not overlap, that is
//     the last one; when they do, it is one of the last to overlap. A store
//     whose reads lag, or whose writes may land out of order, leaves a
//     write that another followed.
func TestHotKey(t *testing.T) {
	dataDir := t.TempDir()
	p := startTrove(t, dataDir)
	c := newClient(p.Endpoint)
	h := newHistory()
	bodies := map[string]content{} // MD5 -> the write
	for w := range hotWriters {
		for i := range hotWrites {
			v := hotContent(w, i)
			bodies[v.md5Hex()] = v
		}
	}
	var firstAck atomic.Pointer[time.Time]
	var writers, readers sync.WaitGroup
	for w := range hotWriters {
		writers.Go(func() { hotWrite(t, c, h, w, &firstAck) })
	}
	var done atomic.Bool
	var reads atomic.Int64
	for range hotReaders {
		readers.Go(func() {
			for !done.Load() {
				hotRead(t, c, bodies, &firstAck)
				reads.Add(1)
			}
		})
	}
	writers.Wait()
	done.Store(true)
	readers.Wait()
	checkHotFinal(t, c, h)
	t.Logf("%d writes and %d reads", hotWriters*hotWrites, reads.Load())
	p.Stop(t)
}

// hotContent is writer w's i-th body: 64 KiB to 816 KiB, no two alike.
func hotContent(w, i int) content {
	return content{origin: fmt.Sprintf("%s#w%d-%d", hotKey, w, i),
		size: (64 << 10) + (w*hotWrites+i)*(16<<10)}
}

// hotWrite sends writer w's writes in turn, recording each in h.
func hotWrite(t *testing.T, c *s3.Client, h *history, w int,
	firstAck *atomic.Pointer[time.Time]) {
	for i := range hotWrites {
		v := hotContent(w, i)
		wr := h.begin(hotKey, v)
		err := putContent(context.Background(), c, hotKey, v)
		h.finish(wr, err)
		if err != nil {
			t.Errorf("put %s: %v", v.origin, err)
			continue
		}
		end := wr.end
		firstAck.CompareAndSwap(nil, &end)
	}
}

// hotRead reads the hot key once and checks that it is one whole write.
func hotRead(t *testing.T, c *s3.Client, bodies map[string]content,
	firstAck *atomic.Pointer[time.Time]) {
	start := time.Now()
	r, err := getObject(context.Background(), c, hotKey)
	if err != nil {
		t.Errorf("get %s: %v", hotKey, err)
		return
	}
	if !r.found {
		if ack := firstAck.Load(); ack != nil && start.After(*ack) {
			t.Errorf("a read sent after a write was acknowledged found no %s", hotKey)
		}
		return
	}
	sum := md5.Sum(r.body)
	v, ok := bodies[hex.EncodeToString(sum[:])]
	if !ok {
		t.Errorf("read %d bytes that no writer wrote whole (metadata %q)", len(r.body), r.origin)
		return
	}
	checkWhole(t, hotKey, r, v)
}

// checkHotFinal checks that the hot key holds a write no other write
// follows, and that the listing agrees.
func checkHotFinal(t *testing.T, c *s3.Client, h *history) {
	t.Helper()
	r, err := getObject(context.Background(), c, hotKey)
	if err != nil {
		t.Fatalf("final get: %v", err)
	}
	cands := h.allowedFor(hotKey, time.Time{})
	got, ok := identify(r, cands)
	if !ok {
		t.Fatalf("%s holds %s; only %s may be left, no other write followed them", hotKey,
			describe(r), describeAll(cands))
	}
	checkWhole(t, hotKey, r, got)
	listed, err := listAll(context.Background(), c, "hot/", 1000)
	if err != nil {
		t.Fatal(err)
	}
	if l := listed[hotKey]; len(listed) != 1 || l.etag != got.etag() {
		t.Errorf("listing %v disagrees with the read of %s", listed, got.origin)
	}
	t.Logf("%s holds %s, one of %d writes no other followed", hotKey, got.origin, len(cands))
}
