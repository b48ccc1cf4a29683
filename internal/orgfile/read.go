package orgfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// Limits on the files trove reads for an organization.
const (
	// MaxFileSize bounds the organization file itself.
	MaxFileSize = 4 << 20
	// MaxPolicySize bounds a policy document read from a file: AWS's
	// largest policy parameter (IAM's policy documents in API calls) takes
	// 131,072 characters, far more than any policy AWS stores.
	MaxPolicySize = 131072
)

// ErrNotRegular is what reading a directory, device, FIFO or socket is,
// for errors.Is.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is what reading a file over its limit is, for errors.Is.
var ErrTooLarge = errors.New("file too large")

// FileError is a file ReadFile refused: its path and why.
type FileError struct {
	Path string
	Msg  string // such as "is not a regular file (a device)"
	Err  error  // ErrNotRegular or ErrTooLarge
}

func (e *FileError) Error() string { return e.Path + " " + e.Msg }

// Unwrap returns ErrNotRegular or ErrTooLarge.
func (e *FileError) Unwrap() error { return e.Err }

// ReadFile reads the regular file at path, of at most limit bytes. It
// refuses, without reading, a directory, device, FIFO or socket (a
// *FileError wrapping ErrNotRegular) and a file larger than limit (one
// wrapping ErrTooLarge); other errors are the os package's, which name the
// path. Opening never blocks: a FIFO swapped in after the first check is
// opened without waiting for a writer and refused.
func ReadFile(path string, limit int64) ([]byte, error) {
	before, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, before, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	after, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := checkFile(path, after, limit); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > limit { // it grew since the check
		return nil, &FileError{Path: path, Err: ErrTooLarge,
			Msg: fmt.Sprintf("is more than %d bytes, the limit", limit)}
	}
	return data, nil
}

// checkFile refuses what is not a regular file of at most limit bytes.
func checkFile(path string, fi fs.FileInfo, limit int64) error {
	if m := fi.Mode(); !m.IsRegular() {
		return &FileError{Path: path, Err: ErrNotRegular,
			Msg: "is not a regular file (" + fileKind(m) + ")"}
	}
	if fi.Size() > limit {
		return tooLarge(path, fi.Size(), limit)
	}
	return nil
}

func tooLarge(path string, size, limit int64) error {
	return &FileError{Path: path, Err: ErrTooLarge,
		Msg: fmt.Sprintf("is %d bytes; the limit is %d", size, limit)}
}

// fileKind names the type of a file that is not regular.
func fileKind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}
