package simulate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/store/sqlite"
)

// Scratch is a Simulator over a throwaway store holding one organization
// file. Close it to remove the store.
type Scratch struct {
	Simulator
	db  *sqlite.DB
	dir string
}

// LoadFile loads the organization file at path into a new store in a
// temporary directory, as `trove serve --config` would load it into an empty
// data directory.
func LoadFile(ctx context.Context, path string) (*Scratch, error) {
	f, err := orgfile.Load(path)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "trove-simulate-")
	if err != nil {
		return nil, fmt.Errorf("simulate: scratch store: %w", err)
	}
	db, err := sqlite.Open(ctx, filepath.Join(dir, "meta.db"), nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("simulate: scratch store: %w", err)
	}
	s := &Scratch{Simulator: Simulator{Meta: db, Directory: identity.New(db)}, db: db, dir: dir}
	if _, err := orgfile.Apply(ctx, db, f, "us-east-1"); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// Close closes and removes the store.
func (s *Scratch) Close() error {
	return errors.Join(s.db.Close(), os.RemoveAll(s.dir))
}
