//go:build unix

package artifacts

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on the file at path, creating it, and
// returns what holds the lock; closing it, or the process ending, lets it
// go. The lock is on a file of its own because the state file is replaced
// by renames, which a lock on it would not survive.
func lockFile(path string) (io.Closer, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, stateFilePerm)
	if err != nil {
		return nil, fmt.Errorf("artifacts: state lock: %w", err)
	}
	err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if err == nil {
		return f, nil
	}
	f.Close()
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return nil, fmt.Errorf("%w: %s is locked", ErrStateLocked, path)
	}
	return nil, fmt.Errorf("artifacts: state lock: %w", err)
}
