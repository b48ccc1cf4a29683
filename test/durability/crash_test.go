package durability

import (
	"github.com/troveproject/trove/internal/testutil/troveproc"

	"context"
	"flag"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/store/sqlite"
)

var (
	rounds = flag.Int("rounds", 12, "crash rounds TestCrashRecovery runs (3 with -short)")
	seed   = flag.Uint64("seed", 0, "seed of TestCrashRecovery's choices; 0 picks one")
)

const (
	numKeys    = 16 // keys the workers write, obj/00 to obj/15
	numSources = 6  // keys copies read from, src/0 to src/5, written once
	numWorkers = 6  // concurrent clients
	maxUptime  = 500 * time.Millisecond
)

// TestCrashRecovery kills trove with SIGKILL at a random moment while
// clients upload, copy, overwrite and delete, restarts it on the same data
// directory and checks what survived; then again, for -rounds rounds.
func TestCrashRecovery(t *testing.T) {
	n, s := *rounds, *seed
	if testing.Short() {
		n = min(n, 3)
	}
	if s == 0 {
		s = uint64(time.Now().UnixNano())
	}
	t.Logf("seed %d (rerun with -seed %d)", s, s)
	rng := rand.New(rand.NewPCG(s, 0))
	dataDir := t.TempDir()
	h, us := newHistory(), &uploads{}
	p := startTrove(t, dataDir)
	writeSources(t, newClient(p.Endpoint), h)
	for round := 1; round <= n && !t.Failed(); round++ {
		uptime := time.Duration(rng.Int64N(int64(maxUptime)))
		cutoff := crashRound(t, p, h, us, rng.Uint64(), uptime)
		p = startTrove(t, dataDir)
		swept := sweptCount(p.Output())
		checkBlobs(t, dataDir)
		c := newClient(p.Endpoint)
		st := verify(t, c, h, cutoff)
		resumed := resumeUploads(t, c, h, us.take())
		t.Logf("round %d: killed after %v; %d writes acknowledged, %d cut off; "+
			"%d objects; sweep removed %d files; %d uploads completed after restart", round,
			uptime.Round(time.Millisecond), st.acked, st.cut, st.objects, swept, resumed)
	}
	p.Stop(t)
}

// srcKey is the key of copy source i.
func srcKey(i int) string { return fmt.Sprintf("src/%d", i) }

// writeSources uploads the copy sources, which are never written again.
func writeSources(t *testing.T, c *s3.Client, h *history) {
	t.Helper()
	for i := range numSources {
		v := contentFor(srcKey(i) + "#0")
		w := h.begin(srcKey(i), v)
		err := putContent(context.Background(), c, srcKey(i), v)
		h.finish(w, err)
		if err != nil {
			t.Fatalf("put %s: %v", srcKey(i), err)
		}
	}
}

// crashRound runs the workers against p for uptime, kills p and returns
// the moment it was reaped, once every worker has stopped.
func crashRound(t *testing.T, p *troveproc.Server, h *history, us *uploads, seed uint64,
	uptime time.Duration) time.Time {
	t.Helper()
	c := newClient(p.Endpoint)
	var stop atomic.Bool
	var wg sync.WaitGroup
	for w := range numWorkers {
		rng := rand.New(rand.NewPCG(seed, uint64(w)))
		wg.Go(func() {
			for !stop.Load() {
				writeOne(c, h, us, rng)
			}
		})
	}
	time.Sleep(uptime)
	p.Kill(t)
	cutoff := time.Now()
	stop.Store(true)
	wg.Wait()
	return cutoff
}

// writeOne sends one random write and records it: a PUT (half of them),
// a copy from a source, a multipart upload or a delete.
func writeOne(c *s3.Client, h *history, us *uploads, rng *rand.Rand) {
	ctx := context.Background()
	key := fmt.Sprintf("obj/%02d", rng.IntN(numKeys))
	origin := key + "#" + strconv.Itoa(h.nextGen())
	switch x := rng.IntN(20); {
	case x < 10:
		v := contentFor(origin)
		w := h.begin(key, v)
		h.finish(w, putContent(ctx, c, key, v))
	case x < 12:
		writeMultipart(c, h, us, key, multipartContentFor(origin))
	case x < 17:
		src := srcKey(rng.IntN(numSources))
		w := h.begin(key, contentFor(src+"#0"))
		h.finish(w, copyObject(ctx, c, src, key))
	default:
		w := h.begin(key, absent)
		h.finish(w, deleteObject(ctx, c, key))
	}
}

// roundStats counts what a round did and what its check found.
type roundStats struct{ acked, cut, objects int }

// verify reads every key the history knows and every key listed, checks
// each against what the history allows, and settles the history on what
// it found. No request may have taken effect after cutoff.
func verify(t *testing.T, c *s3.Client, h *history, cutoff time.Time) roundStats {
	t.Helper()
	ctx := context.Background()
	listed, err := listAll(ctx, c, "", 7)
	if err != nil {
		t.Fatalf("list after restart: %v", err)
	}
	for key := range listed {
		if !h.known(key) {
			t.Errorf("listing shows %s, which no client ever wrote", key)
		}
	}
	st := countWrites(t, h, cutoff)
	for _, key := range h.keys() {
		found := verifyKey(t, c, h, key, listed, cutoff)
		if found != absent {
			st.objects++
		}
		h.settle(key, found)
	}
	return st
}

// countWrites counts the round's writes, those sent after cutoff aside, and
// reports any the server refused: nothing the clients send should be.
func countWrites(t *testing.T, h *history, cutoff time.Time) roundStats {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var st roundStats
	for key, ws := range h.writes {
		for _, w := range ws {
			switch {
			case w.acked:
				st.acked++
			case isAPIError(w.err):
				t.Errorf("%s: write of %q refused: %v", key, w.val.origin, w.err)
			case w.start.Before(cutoff):
				st.cut++
			}
		}
	}
	return st
}

// verifyKey reads key and checks it against the history and the listing;
// it returns the content found.
func verifyKey(t *testing.T, c *s3.Client, h *history, key string,
	listed map[string]listedObject, cutoff time.Time) content {
	t.Helper()
	r, err := getObject(context.Background(), c, key)
	if err != nil {
		t.Errorf("get %s after restart: %v", key, err)
		return absent
	}
	cands := h.allowedFor(key, cutoff)
	got, ok := identify(r, cands)
	if !ok {
		t.Errorf("%s: read %s, which is none of the allowed %s", key, describe(r),
			describeAll(cands))
		return absent
	}
	l, inList := listed[key]
	switch {
	case r.found != inList:
		t.Errorf("%s: GET found it: %v; the listing shows it: %v", key, r.found, inList)
	case r.found && (l.etag != r.etag || l.size != int64(len(r.body))):
		t.Errorf("%s: listed as %s (%d bytes), read as %s (%d bytes)", key, l.etag, l.size,
			r.etag, len(r.body))
	}
	if r.found {
		checkWhole(t, key, r, got)
	}
	return got
}

// describe says what a read found, for failure messages.
func describe(r readResult) string {
	if !r.found {
		return "nothing"
	}
	return fmt.Sprintf("%d bytes with metadata origin %q", len(r.body), r.origin)
}

// describeAll lists contents, for failure messages.
func describeAll(cs []content) string {
	var parts []string
	for _, c := range cs {
		if c == absent {
			parts = append(parts, "absent")
			continue
		}
		parts = append(parts, fmt.Sprintf("%s (%d bytes)", c.origin, c.size))
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// checkBlobs checks, on a server that has just started and served nothing,
// that the blob directory holds exactly one file per blob a record names:
// no unfinished write in tmp/, no orphan, no record without its file.
func checkBlobs(t *testing.T, dataDir string) {
	t.Helper()
	ctx := context.Background()
	meta, err := sqlite.Open(ctx, filepath.Join(dataDir, "meta.db"), nil)
	if err != nil {
		t.Fatalf("open metadata: %v", err)
	}
	want := map[string]bool{}
	err = meta.BlobIDs(ctx, func(id string) error { want[id] = true; return nil })
	meta.Close()
	if err != nil {
		t.Fatalf("list blob ids: %v", err)
	}
	root := filepath.Join(dataDir, "blobs")
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		id := d.Name()
		if !want[id] || rel != filepath.Join("objects", id[:min(2, len(id))],
			id[min(2, len(id)):min(4, len(id))], id) {
			t.Errorf("blobs/%s is left over: no record names it there", rel)
			return nil
		}
		delete(want, id)
		return nil
	})
	if err != nil {
		t.Fatalf("walk blobs: %v", err)
	}
	for id := range want {
		t.Errorf("a record names blob %s, which has no file", id)
	}
}

// sweptRE finds what the start-up sweep reported in the server's log.
var sweptRE = regexp.MustCompile(`removed orphaned blobs.*count=(\d+)`)

// sweptCount returns how many files the last start-up sweep in out removed.
func sweptCount(out string) int {
	m := sweptRE.FindAllStringSubmatch(out, -1)
	if len(m) == 0 {
		return 0
	}
	n, _ := strconv.Atoi(m[len(m)-1][1])
	return n
}
