//go:build !unix

package artifacts

import (
	"fmt"
	"io"
	"os"
)

// lockFile opens the file at path without locking it.
//
// TODO(trove): lock the state file on systems without flock too (a
// LockFileEx on Windows); until then nothing stops a second watcher there.
func lockFile(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, stateFilePerm)
	if err != nil {
		return nil, fmt.Errorf("artifacts: state lock: %w", err)
	}
	return f, nil
}
