package fsblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Sweep removes every unfinished write in tmp/ and every committed blob for
// which keep returns false, and returns how many files it removed of both
// kinds. Files in objects/ that are not blobs (a name that is not an id, or
// an id in the wrong place) are left alone. Run it before serving: a write in
// progress during a sweep is removed.
func (s *Store) Sweep(ctx context.Context, keep func(id string) bool) (int, error) {
	removed, err := s.sweepTmp(ctx)
	if err != nil {
		return removed, fmt.Errorf("fsblob: sweep: %w", err)
	}
	root := filepath.Join(s.dir, objectsDir)
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		id := d.Name()
		if !validID(id) || s.path(id) != path || keep(id) {
			return nil
		}
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		removed++
		return nil
	})
	if err != nil {
		return removed, fmt.Errorf("fsblob: sweep: %w", err)
	}
	return removed, nil
}

// sweepTmp removes everything in tmp/.
func (s *Store) sweepTmp(ctx context.Context) (int, error) {
	dir := filepath.Join(s.dir, tmpDir)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0, err
	}
	removed := 0
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return removed, err
		}
		if err := os.RemoveAll(filepath.Join(dir, e.Name())); err != nil {
			return removed, err
		}
		removed++
	}
	return removed, nil
}
