//go:build !unix

package server

import (
	"fmt"
	"os"
	"path/filepath"
)

// lockDataDir opens dir/trove.lock without locking it.
//
// TODO(trove): lock the data directory on systems without flock too (a
// LockFileEx on Windows); until then nothing stops a second server there.
func lockDataDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("server: lock data directory: %w", err)
	}
	return f, nil
}
