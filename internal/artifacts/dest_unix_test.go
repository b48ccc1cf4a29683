//go:build unix

package artifacts_test

import (
	"context"
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/troveproject/trove/internal/artifacts"
)

// special makes a file that is not regular at path, in a directory of the
// test's own, and returns what an error must say it is.
type special struct {
	name string
	make func(t *testing.T, path string)
	kind string
}

// specials are the files pull and the state file refuse to replace; the
// device nodes, which only root can make, are left to TestFileKind.
var specials = []special{
	{"fifo", func(t *testing.T, p string) {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}, "a named pipe (FIFO)"},
	{"symlink to a regular file", func(t *testing.T, p string) {
		target := filepath.Join(t.TempDir(), "target")
		if err := os.WriteFile(target, []byte("target"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}, "a symbolic link"},
	{"dangling symlink", func(t *testing.T, p string) {
		if err := os.Symlink(filepath.Join(t.TempDir(), "none"), p); err != nil {
			t.Fatal(err)
		}
	}, "a symbolic link"},
	{"directory", func(t *testing.T, p string) {
		if err := os.Mkdir(p, 0o700); err != nil {
			t.Fatal(err)
		}
	}, "a directory"},
	{"socket", func(t *testing.T, p string) {
		l, err := net.Listen("unix", p)
		if err != nil {
			t.Fatal(err)
		}
		l.(*net.UnixListener).SetUnlinkOnClose(false)
		t.Cleanup(func() { l.Close() })
	}, "a socket"},
}

// TestPullRefusesSpecialFiles checks that Pull and PullArtifact leave a
// destination that is no regular file as it is, without downloading.
func TestPullRefusesSpecialFiles(t *testing.T) {
	tr := startTrove(t)
	tr.put(t, map[string][]byte{"charts/app-1.0.0.tgz": []byte("one")})
	c := tr.client(t, delegate, artifacts.Source{Pattern: "charts/app-*.tgz"})
	listed, err := c.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	pulls := map[string]func(dest string) error{
		"Pull": func(dest string) error {
			_, err := c.Pull(context.Background(), "", dest)
			return err
		},
		"PullArtifact": func(dest string) error {
			_, err := c.PullArtifact(context.Background(), listed, dest, artifacts.PullOptions{})
			return err
		},
	}
	for _, sp := range specials {
		for api, pull := range pulls {
			t.Run(sp.name+"/"+api, func(t *testing.T) {
				dir := t.TempDir()
				dest := filepath.Join(dir, "app.tgz")
				sp.make(t, dest)
				before, err := os.Lstat(dest)
				if err != nil {
					t.Fatal(err)
				}
				tr.rec.reset()
				err = pull(dest)
				if !errors.Is(err, artifacts.ErrBadDestination) ||
					!strings.Contains(err.Error(), dest+" is "+sp.kind) {
					t.Errorf("error %v; want ErrBadDestination saying %s is %s", err, dest,
						sp.kind)
				}
				if reqs := tr.rec.requests(); len(reqs) != 0 {
					t.Errorf("requests %q; want none before the refusal", reqs)
				}
				checkUntouched(t, dir, dest, before)
			})
		}
	}
}

// checkUntouched fails unless dest is still the file before describes and
// the only entry of dir.
func checkUntouched(t *testing.T, dir, dest string, before fs.FileInfo) {
	t.Helper()
	after, err := os.Lstat(dest)
	if err != nil || after.Mode().Type() != before.Mode().Type() || !os.SameFile(before, after) {
		t.Errorf("%s changed: %v, %v; want %v", dest, after, err, before.Mode())
	}
	checkOnlyFile(t, dir)
}

// TestStateFileMustBeRegular checks that a watcher refuses a state file
// that is no regular file, rather than reading through it and replacing it.
func TestStateFileMustBeRegular(t *testing.T) {
	for _, sp := range specials {
		t.Run(sp.name, func(t *testing.T) {
			dir := t.TempDir()
			state := filepath.Join(dir, "watch.state")
			sp.make(t, state)
			before, err := os.Lstat(state)
			if err != nil {
				t.Fatal(err)
			}
			_, err = newTestWatcher(t, state)
			if err == nil || !strings.Contains(err.Error(), state+" is "+sp.kind) {
				t.Errorf("error %v; want one saying %s is %s", err, state, sp.kind)
			}
			after, err := os.Lstat(state)
			if err != nil || !os.SameFile(before, after) {
				t.Errorf("state file replaced: %v, %v", after, err)
			}
		})
	}
}
