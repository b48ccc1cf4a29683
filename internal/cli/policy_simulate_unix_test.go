//go:build unix

package cli

import (
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestSimulateResourcePolicyFIFO: a FIFO as --resource-policy is refused at
// once, not read until a writer comes.
func TestSimulateResourcePolicyFIFO(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "policy.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	type outcome struct {
		code int
		errs string
	}
	done := make(chan outcome, 1)
	go func() {
		code, _, errs := run(offline("--principal", delegateARN, "--action", "s3:GetObject",
			"--resource-policy", fifo)...)
		done <- outcome{code, errs}
	}()
	select {
	case o := <-done:
		if o.code != 1 || !strings.Contains(o.errs, fifo+" is not a regular file (a FIFO)") {
			t.Fatalf("exit %d, stderr %q", o.code, o.errs)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("trove policy simulate blocked on a FIFO")
	}
}
