package fsblob

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// errDone is returned by Write and Commit after Commit or Abort.
var errDone = errors.New("fsblob: blob writer already committed or aborted")

// writer is a blob being written to tmp/. It is meant for one goroutine.
type writer struct {
	s  *Store
	id string
	f  *os.File // nil once committed or aborted
}

// Write appends p to the blob.
func (w *writer) Write(p []byte) (int, error) {
	if w.f == nil {
		return 0, errDone
	}
	n, err := w.f.Write(p)
	if err != nil {
		err = fmt.Errorf("fsblob: write blob: %w", err)
	}
	return n, err
}

// Commit fsyncs the blob, moves it into objects/ and fsyncs the directories
// that changed, then returns its id. On failure the temporary file is
// removed and the writer is done.
func (w *writer) Commit() (string, error) {
	if w.f == nil {
		return "", errDone
	}
	f := w.f
	w.f = nil
	tmp := f.Name()
	if err := w.commit(f); err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("fsblob: commit blob: %w", err)
	}
	return w.id, nil
}

// commit does Commit's work on f, which it closes.
func (w *writer) commit(f *os.File) error {
	if err := errors.Join(f.Sync(), f.Close()); err != nil {
		return err
	}
	dst := w.s.path(w.id)
	if err := makeDirs(filepath.Dir(dst), 2); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), dst); err != nil {
		return err
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		// The blob is in place but not known to be durable; the caller,
		// told Commit failed, will record nothing over it.
		return errors.Join(err, os.Remove(dst))
	}
	return nil
}

// Abort discards the blob. After Commit it does nothing.
func (w *writer) Abort() error {
	if w.f == nil {
		return nil
	}
	f := w.f
	w.f = nil
	err := errors.Join(f.Close(), os.Remove(f.Name()))
	if err != nil {
		return fmt.Errorf("fsblob: abort blob: %w", err)
	}
	return nil
}

// makeDirs creates dir and up to depth-1 missing parents, fsyncing each
// parent whose entries changed so that the new directories survive a crash.
func makeDirs(dir string, depth int) error {
	err := os.Mkdir(dir, dirPerm)
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrExist):
		return nil
	case errors.Is(err, fs.ErrNotExist) && depth > 1:
		if err := makeDirs(filepath.Dir(dir), depth-1); err != nil {
			return err
		}
		return makeDirs(dir, 1)
	default:
		return err
	}
	return syncDir(filepath.Dir(dir))
}

// syncDir fsyncs a directory, making renames and creations in it durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	return errors.Join(d.Sync(), d.Close())
}
