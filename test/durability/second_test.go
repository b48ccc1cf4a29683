package durability

import (
	"github.com/troveproject/trove/internal/testutil/troveproc"

	"context"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestSecondServerRefused starts a second trove on a data directory that
// one serves: it must refuse to start, since its start-up sweep would
// remove the blobs of the first one's writes, and the first must go on
// serving what it stored.
func TestSecondServerRefused(t *testing.T) {
	dataDir := t.TempDir()
	p := startTrove(t, dataDir)
	c := newClient(p.Endpoint)
	v := contentFor("kept#1")
	if err := putContent(context.Background(), c, "kept", v); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(troveproc.FreePort(t)))
	out, err := exec.CommandContext(ctx, troveBin, "serve", "--listen", addr, "--data-dir",
		dataDir, "--config", orgFile).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "in use") {
		t.Errorf("second trove on the same data directory: %v\n%s", err, out)
	}
	r, err := getObject(context.Background(), c, "kept")
	if err != nil || !r.found {
		t.Fatalf("get kept after the second start: found %v, %v", r.found, err)
	}
	checkWhole(t, "kept", r, v)
	p.Stop(t)
}
