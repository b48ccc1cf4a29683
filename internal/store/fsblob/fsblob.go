// Package fsblob is trove's embedded blob store: a store.Blobs that keeps
// each blob in its own file under one directory.
//
// A blob id is 128 random bits from crypto/rand in lower-case hex. A
// committed blob lives at objects/<id[0:2]>/<id[2:4]>/<id>; a blob being
// written lives in tmp/ until Commit, which fsyncs the file, renames it into
// place and fsyncs the directories it changed, so a committed blob survives a
// crash. Ids are checked to be exactly 32 hex digits before they touch a
// path, so no id can name a file outside the directory.
package fsblob

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/troveproject/trove/internal/store"
)

// ErrInvalidID is returned for a blob id that is not 32 lower-case hex
// digits.
var ErrInvalidID = errors.New("fsblob: invalid blob id")

const (
	idLen      = 32 // hex digits of a 128-bit id
	objectsDir = "objects"
	tmpDir     = "tmp"
	dirPerm    = 0o750
	filePerm   = 0o640
)

// Store is a store.Blobs in a directory. It is safe for concurrent use.
type Store struct {
	dir string
}

// Open opens the blob store in dir, creating dir and its layout when absent.
// A directory it creates is fsynced into its parent, so that the layout, and
// with it every blob committed later, survives a crash of the machine.
func Open(dir string) (*Store, error) {
	err := os.MkdirAll(filepath.Dir(dir), dirPerm)
	for _, d := range []string{dir, filepath.Join(dir, objectsDir), filepath.Join(dir, tmpDir)} {
		if err == nil {
			err = makeDirs(d, 1)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("fsblob: open %s: %w", dir, err)
	}
	return &Store{dir: dir}, nil
}

// Create starts a new blob in tmp/. The caller must Commit or Abort it.
func (s *Store) Create(ctx context.Context) (store.BlobWriter, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("fsblob: create: %w", err)
	}
	id := newID()
	f, err := os.OpenFile(filepath.Join(s.dir, tmpDir, id), os.O_WRONLY|os.O_CREATE|os.O_EXCL,
		filePerm)
	if err != nil {
		return nil, fmt.Errorf("fsblob: create: %w", err)
	}
	return &writer{s: s, id: id, f: f}, nil
}

// Open opens a committed blob. It returns store.ErrNotFound, wrapped, when
// there is none with that id, and ErrInvalidID for a malformed id. The Blob
// reads the file directly; close it when done.
func (s *Store) Open(ctx context.Context, id string) (store.Blob, error) {
	if err := checkID(id); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(id))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("fsblob: open blob %s: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("fsblob: open blob: %w", err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("fsblob: open blob: %w", err)
	}
	return &blob{File: f, size: fi.Size()}, nil
}

// Remove deletes a committed blob; removing a missing blob is not an error.
// It returns ErrInvalidID for a malformed id.
func (s *Store) Remove(ctx context.Context, id string) error {
	if err := checkID(id); err != nil {
		return err
	}
	if err := os.Remove(s.path(id)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("fsblob: remove blob: %w", err)
	}
	return nil
}

// path is where the committed blob id lives. id must have passed checkID.
func (s *Store) path(id string) string {
	return filepath.Join(s.dir, objectsDir, id[0:2], id[2:4], id)
}

// blob is an open committed blob. Embedding *os.File keeps its WriteTo, so
// io.Copy to a socket can use sendfile.
type blob struct {
	*os.File
	size int64
}

// Size returns the blob's length in bytes.
func (b *blob) Size() int64 { return b.size }

// newID returns a fresh random blob id.
func newID() string {
	var b [idLen / 2]byte
	rand.Read(b[:]) // never returns an error; it crashes the program instead
	return hex.EncodeToString(b[:])
}

// checkID returns ErrInvalidID unless id is exactly 32 lower-case hex digits.
func checkID(id string) error {
	if !validID(id) {
		return fmt.Errorf("%w: %q", ErrInvalidID, id)
	}
	return nil
}

// validID reports whether id is exactly 32 lower-case hex digits.
func validID(id string) bool {
	if len(id) != idLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
