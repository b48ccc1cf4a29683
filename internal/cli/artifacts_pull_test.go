package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestArtifactsPullOutput checks the file pull writes when --output is
// missing or "-", in a directory of the test's own.
func TestArtifactsPullOutput(t *testing.T) {
	endpoint := startArtifactsTrove(t)
	useKey(t, "AKIAEXAMPLEPUBLISHER", "EXAMPLE/ci-publisher/notARealSecret00000")
	publish(t, endpoint, "rel/3.0.0/", "folder marker")
	publish(t, endpoint, "dots/1.0.0/..", "dots")
	useKey(t, "AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000")
	pull := func(pattern string, args ...string) []string {
		return append([]string{"artifacts", "pull", "--endpoint", endpoint, "--region",
			"eu-central-1", "--bucket", "devtools-artifacts", "--pattern", pattern}, args...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantErr  string
		wantFile string // the one file the directory must then hold; "" for none
	}{
		{name: "default name", args: pull("charts/app-*.tgz"), wantFile: "app-1.10.0.tgz"},
		{name: "folder-like key", args: pull("rel/*/"), wantFile: "3.0.0"},
		{name: "key ending in ..", args: pull("dots/*/.."), wantCode: exitUsage,
			wantErr: `key "dots/1.0.0/.." gives no usable file name (its last segment is ` +
				`".."): name the file to write: give --output`},
		{name: "standard output", args: pull("charts/app-*.tgz", "--output", "-"),
			wantCode: exitUsage, wantErr: "--output -: pull cannot write to standard output"},
		{name: "a file named -", args: pull("charts/app-*.tgz", "--output", "./-"),
			wantFile: "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Chdir(dir)
			code, _, stderr := run(tc.args...)
			if code != tc.wantCode || !strings.Contains(stderr, tc.wantErr) {
				t.Fatalf("exit %d, stderr %q; want %d, stderr with %q", code, stderr,
					tc.wantCode, tc.wantErr)
			}
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, e := range ents {
				names = append(names, e.Name())
			}
			if want := tc.wantFile; (want == "" && len(names) != 0) || (want != "" &&
				(len(names) != 1 || names[0] != want)) {
				t.Errorf("directory holds %q, want %q", names, want)
			}
			if tc.wantFile != "" {
				if fi, err := os.Lstat(filepath.Join(dir, tc.wantFile)); err != nil ||
					!fi.Mode().IsRegular() {
					t.Errorf("%s: %v, %v; want a regular file", tc.wantFile, fi, err)
				}
			}
		})
	}
}
