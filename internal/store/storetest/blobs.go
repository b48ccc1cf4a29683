package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// RunBlobs runs the store.Blobs conformance suite; newBlobs returns a fresh,
// empty store for each subtest.
func RunBlobs(t *testing.T, newBlobs func(t *testing.T) store.Blobs) {
	tests := []struct {
		name string
		run  func(t *testing.T, b store.Blobs)
	}{
		{"WriteAndRead", testBlobReadWrite},
		{"Abort", testBlobAbort},
		{"WriterAfterCommit", testBlobWriterDone},
		{"Remove", testBlobRemove},
		{"HostileIDs", testBlobHostileIDs},
		{"Sweep", testBlobSweep},
		{"Concurrent", testBlobConcurrent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newBlobs(t)) })
	}
}

// RunBlobsReopen checks that committed blobs outlive the store value: open
// opens the store kept in dir, creating it when dir is empty.
func RunBlobsReopen(t *testing.T, open func(t *testing.T, dir string) store.Blobs) {
	dir := t.TempDir()
	data := []byte("kept across reopen")
	id := putBlob(t, open(t, dir), data)
	checkBlob(t, open(t, dir), id, data)
}

// putBlob writes and commits data and returns the new id.
func putBlob(t *testing.T, b store.Blobs, data []byte) string {
	t.Helper()
	w, err := b.Create(ctx(t))
	must(t, "Create", err)
	// Two writes, to check that they append.
	half := len(data) / 2
	for _, part := range [][]byte{data[:half], data[half:]} {
		if _, err := w.Write(part); err != nil {
			w.Abort()
			t.Fatalf("Write: %v", err)
		}
	}
	id, err := w.Commit()
	must(t, "Commit", err)
	return id
}

// checkBlob checks that blob id holds data, through every read method.
func checkBlob(t *testing.T, b store.Blobs, id string, data []byte) {
	t.Helper()
	r, err := b.Open(ctx(t), id)
	must(t, "Open", err)
	defer r.Close()
	if r.Size() != int64(len(data)) {
		t.Errorf("Size = %d, want %d", r.Size(), len(data))
	}
	got, err := io.ReadAll(r)
	must(t, "ReadAll", err)
	if !bytes.Equal(got, data) {
		t.Errorf("read %q, want %q", got, data)
	}
	if len(data) < 4 {
		return
	}
	off := int64(len(data) - 4) // ends before the end, where EOF would be allowed
	buf := make([]byte, 3)
	_, err = r.ReadAt(buf, off)
	must(t, "ReadAt", err)
	if !bytes.Equal(buf, data[off:off+3]) {
		t.Errorf("ReadAt(%d) = %q, want %q", off, buf, data[off:off+3])
	}
	_, err = r.Seek(-2, io.SeekEnd)
	must(t, "Seek", err)
	tail, err := io.ReadAll(r)
	must(t, "ReadAll after Seek", err)
	if !bytes.Equal(tail, data[len(data)-2:]) {
		t.Errorf("after Seek read %q, want %q", tail, data[len(data)-2:])
	}
}

// testBlobReadWrite checks blobs of several sizes and that ids differ.
func testBlobReadWrite(t *testing.T, b store.Blobs) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"small", []byte("hello, blob")},
		{"a megabyte", bytes.Repeat([]byte("0123456789abcdef"), 1<<16)},
	}
	ids := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id := putBlob(t, b, tt.data)
			if ids[id] {
				t.Errorf("id %s handed out twice", id)
			}
			ids[id] = true
			checkBlob(t, b, id, tt.data)
		})
	}
}

// testBlobAbort checks that an aborted blob leaves nothing to sweep.
func testBlobAbort(t *testing.T, b store.Blobs) {
	w, err := b.Create(ctx(t))
	must(t, "Create", err)
	_, err = w.Write([]byte("discard me"))
	must(t, "Write", err)
	must(t, "Abort", w.Abort())
	must(t, "Abort again", w.Abort())
	n, err := b.Sweep(ctx(t), func(string) bool { return true })
	must(t, "Sweep", err)
	if n != 0 {
		t.Errorf("Sweep after Abort removed %d, want 0", n)
	}
}

// testBlobWriterDone checks a writer after Commit: Abort keeps the blob,
// Write and Commit fail.
func testBlobWriterDone(t *testing.T, b store.Blobs) {
	w, err := b.Create(ctx(t))
	must(t, "Create", err)
	_, err = w.Write([]byte("data"))
	must(t, "Write", err)
	id, err := w.Commit()
	must(t, "Commit", err)
	must(t, "Abort after Commit", w.Abort())
	if _, err := w.Write([]byte("more")); err == nil {
		t.Errorf("Write after Commit succeeded")
	}
	if _, err := w.Commit(); err == nil {
		t.Errorf("second Commit succeeded")
	}
	checkBlob(t, b, id, []byte("data"))
}

// testBlobRemove checks Remove and Open of a removed or unknown blob.
func testBlobRemove(t *testing.T, b store.Blobs) {
	id := putBlob(t, b, []byte("short-lived"))
	must(t, "Remove", b.Remove(ctx(t), id))
	_, err := b.Open(ctx(t), id)
	wantErr(t, "Open removed", err, store.ErrNotFound)
	must(t, "Remove again", b.Remove(ctx(t), id))
	unknown := "0123456789abcdef0123456789abcdef"
	_, err = b.Open(ctx(t), unknown)
	wantErr(t, "Open unknown", err, store.ErrNotFound)
}

// testBlobHostileIDs checks that ids that could name other files are
// refused by Open and Remove.
func testBlobHostileIDs(t *testing.T, b store.Blobs) {
	keep := putBlob(t, b, []byte("precious"))
	ids := []string{"", ".", "..", "../../etc/passwd", "/etc/passwd", "tmp",
		"objects", keep + "/..", keep[:31] + "/", "..\\" + keep[3:],
		"0123456789abcdef0123456789abcde\x00", "0123456789ABCDEF0123456789ABCDEF"}
	for _, id := range ids {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			if r, err := b.Open(ctx(t), id); err == nil {
				r.Close()
				t.Errorf("Open succeeded")
			}
			if err := b.Remove(ctx(t), id); err == nil {
				t.Errorf("Remove succeeded")
			}
		})
	}
	checkBlob(t, b, keep, []byte("precious"))
}

// testBlobSweep checks that Sweep removes unfinished writes and unwanted
// blobs and keeps the rest.
func testBlobSweep(t *testing.T, b store.Blobs) {
	keep := putBlob(t, b, []byte("keep"))
	drop := putBlob(t, b, []byte("drop"))
	w, err := b.Create(ctx(t))
	must(t, "Create", err)
	_, err = w.Write([]byte("unfinished"))
	must(t, "Write", err)
	var asked []string
	n, err := b.Sweep(ctx(t), func(id string) bool {
		asked = append(asked, id)
		return id == keep
	})
	must(t, "Sweep", err)
	if n != 2 {
		t.Errorf("Sweep removed %d, want 2 (one blob, one unfinished write)", n)
	}
	if len(asked) != 2 {
		t.Errorf("Sweep asked about %q, want the two committed blobs", asked)
	}
	checkBlob(t, b, keep, []byte("keep"))
	_, err = b.Open(ctx(t), drop)
	wantErr(t, "Open swept blob", err, store.ErrNotFound)
	if _, err := w.Commit(); err == nil {
		t.Errorf("Commit of a swept write succeeded")
	}
}

// testBlobConcurrent writes blobs from several goroutines.
func testBlobConcurrent(t *testing.T, b store.Blobs) {
	const n = 16
	ids := make([]string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			ids[i], err = writeBlob(b, fmt.Appendf(nil, "blob %d", i))
			if err != nil {
				t.Errorf("blob %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i, id := range ids {
		if id != "" {
			checkBlob(t, b, id, fmt.Appendf(nil, "blob %d", i))
		}
	}
}

// writeBlob writes and commits data without failing the test, for use off
// the test's goroutine.
func writeBlob(b store.Blobs, data []byte) (string, error) {
	w, err := b.Create(context.Background())
	if err != nil {
		return "", err
	}
	if _, err := w.Write(data); err != nil {
		return "", errors.Join(err, w.Abort())
	}
	return w.Commit()
}
