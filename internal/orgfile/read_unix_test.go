//go:build unix

package orgfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/orgfile"
)

// The tests of ReadFile use a FIFO and /dev/zero, which only Unix has.

// TestReadFileRefuses pins what ReadFile refuses: anything but a regular
// file, and a file over the limit, each named in the error. A FIFO must be
// refused at once, not wait for a writer.
func TestReadFileRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	writeFile(t, big, strings.Repeat(" ", orgfile.MaxPolicySize+1))
	small := filepath.Join(dir, "small.json")
	writeFile(t, small, "{}")
	tests := []struct {
		name, path string
		want       error
		msg        string
	}{
		{"device", "/dev/zero", orgfile.ErrNotRegular,
			"/dev/zero is not a regular file (a device)"},
		{"fifo", fifo, orgfile.ErrNotRegular, fifo + " is not a regular file (a FIFO)"},
		{"directory", dir, orgfile.ErrNotRegular, dir + " is not a regular file (a directory)"},
		{"too large", big, orgfile.ErrTooLarge, big + " is 131073 bytes; the limit is 131072"},
		{"missing", filepath.Join(dir, "nope"), os.ErrNotExist, "nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			done := make(chan error, 1)
			go func() {
				_, err := orgfile.ReadFile(tc.path, orgfile.MaxPolicySize)
				done <- err
			}()
			select {
			case err := <-done:
				if !errors.Is(err, tc.want) || !strings.Contains(fmtErr(err), tc.msg) {
					t.Fatalf("err = %v, want %v saying %q", err, tc.want, tc.msg)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("ReadFile blocked")
			}
		})
	}
	if data, err := orgfile.ReadFile(small, orgfile.MaxPolicySize); err != nil ||
		string(data) != "{}" {
		t.Fatalf("small file: %q, %v", data, err)
	}
}

// TestPolicyFilesRefused checks that file: and policyFile: references go
// through ReadFile, with errors naming the element and the file, and that
// the organization file itself is bounded.
func TestPolicyFilesRefused(t *testing.T) {
	valid := mustRead(t, "testdata/guardrails.yaml")
	dir := t.TempDir()
	big := filepath.Join(dir, "big.json")
	writeFile(t, big, `{"Version":"2012-10-17","Statement":[]}`+
		strings.Repeat(" ", orgfile.MaxPolicySize))
	tests := []struct {
		name, file, msg string
	}{
		{"device as SCP file", "/dev/zero", "organization: serviceControlPolicies: policy " +
			"allow-s3: /dev/zero is not a regular file (a device)"},
		{"directory as SCP file", dir, "is not a regular file (a directory)"},
		{"oversized SCP file", big, "allow-s3: " + big + " is 131111 bytes; " +
			"the limit is 131072"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := edit(t, valid, "file: scp-allow-s3.json", "file: "+tc.file)
			_, err := orgfile.Parse([]byte(data), "testdata")
			if err == nil || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %q", err, tc.msg)
			}
		})
	}
	huge := filepath.Join(dir, "org.yaml")
	writeFile(t, huge, valid+"#"+strings.Repeat("x", orgfile.MaxFileSize))
	_, err := orgfile.Load(huge)
	if !errors.Is(err, orgfile.ErrTooLarge) || !strings.Contains(err.Error(), huge) {
		t.Fatalf("oversized organization file: %v", err)
	}
	if _, err := orgfile.Load("/dev/zero"); !errors.Is(err, orgfile.ErrNotRegular) {
		t.Fatalf("/dev/zero as the organization file: %v", err)
	}
}
