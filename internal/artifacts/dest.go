package artifacts

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
)

// ErrBadDestination is wrapped by the errors of CheckDestination and
// FileName, and by Pull's for a destination it will not write.
var ErrBadDestination = errors.New("artifacts: bad destination")

// CheckDestination returns nil when dest may be replaced by a download:
// nothing is there yet, or a regular file is. Anything else is refused
// with an error wrapping ErrBadDestination that names dest and what it is:
// a symbolic link (a rename would replace the link, not what it points
// to), a directory, a named pipe, a socket or a device. The path is not
// followed: a symbolic link is refused even when it points to a regular
// file.
//
// Pull checks before it downloads and again just before its rename; the
// directory's owner can still swap the entry between that check and the
// rename, which no portable call prevents.
func CheckDestination(dest string) error {
	if dest == "" {
		return fmt.Errorf("%w: no destination", ErrBadDestination)
	}
	kind, err := irregular(dest)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadDestination, err)
	}
	if kind != "" {
		return fmt.Errorf("%w: %s is %s, not a regular file; pull replaces only regular "+
			"files: choose another path", ErrBadDestination, dest, kind)
	}
	return nil
}

// irregular returns what the file at path is when it exists and is not a
// regular file, such as "a named pipe (FIFO)", and "" when it is regular or
// does not exist. It does not follow a symbolic link.
func irregular(path string) (string, error) {
	fi, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case fi.Mode().IsRegular():
		return "", nil
	}
	return fileKind(fi.Mode()), nil
}

// fileKind names the type of a file that is not regular, for an error.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "an irregular file"
}

// FileName returns the name of the file a download of key is written to
// by default: the key's last non-empty '/'-separated segment, so
// "bundles/app-1.2.0.tgz" gives "app-1.2.0.tgz" and a folder-like
// "rel/3.0.0/" gives "3.0.0". A key whose segment is "." or "..", or that
// has none, gives an error wrapping ErrBadDestination: the caller must
// name the file.
func FileName(key string) (string, error) {
	trimmed := strings.TrimRight(key, "/")
	name := trimmed[strings.LastIndexByte(trimmed, '/')+1:]
	switch name {
	case "", ".", "..":
		return "", fmt.Errorf("%w: key %q gives no usable file name (its last segment is "+
			"%q): name the file to write", ErrBadDestination, key, name)
	}
	return name, nil
}
