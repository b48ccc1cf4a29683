//go:build unix

package cli

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestArtifactsPullRefusesSpecialFiles checks that --output naming a file
// that is no regular file is a usage error that leaves the file alone. The
// files are made in the test's own directory; device nodes, which only
// root can make, are covered by package artifacts' tests.
func TestArtifactsPullRefusesSpecialFiles(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
	tests := []struct {
		name string
		make func(path string) error
		kind string
	}{
		{"fifo", func(p string) error { return syscall.Mkfifo(p, 0o600) },
			"a named pipe (FIFO)"},
		{"symlink", func(p string) error {
			target := filepath.Join(t.TempDir(), "target")
			if err := os.WriteFile(target, []byte("target"), 0o600); err != nil {
				return err
			}
			return os.Symlink(target, p)
		}, "a symbolic link"},
		{"directory", func(p string) error { return os.Mkdir(p, 0o700) }, "a directory"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "app.tgz")
			if err := tc.make(out); err != nil {
				t.Fatal(err)
			}
			before, err := os.Lstat(out)
			if err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := run("artifacts", "pull", "--endpoint", endpoint,
				"--region", "eu-central-1", "--bucket", "devtools-artifacts", "--pattern",
				"charts/app-*.tgz", "--output", out)
			want := "--output: artifacts: bad destination: " + out + " is " + tc.kind +
				", not a regular file"
			if code != exitUsage || stdout != "" || !strings.Contains(stderr, want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, stderr with %q", code,
					stdout, stderr, exitUsage, want)
			}
			after, err := os.Lstat(out)
			if err != nil || !os.SameFile(before, after) || after.Mode() != before.Mode() {
				t.Errorf("%s is now %v (%v); want it as it was", out, after, err)
			}
			if ents, _ := os.ReadDir(filepath.Dir(out)); len(ents) != 1 {
				t.Errorf("directory holds %v; want the destination alone", ents)
			}
		})
	}
}
