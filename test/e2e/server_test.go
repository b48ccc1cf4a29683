package e2e

import (
	"path/filepath"
	"testing"

	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// repoRoot is the main module's directory, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

// troveBin is the trove binary TestMain builds once for every test.
var troveBin string

// TestMain builds trove once for every test of the package.
func TestMain(m *testing.M) { troveproc.Main(m, &troveBin) }

// startTrove runs trove on a free loopback port with dataDir and the
// organization file config, and returns once the port accepts connections.
// The server is stopped when the test ends, and its output is logged if the
// test failed.
func startTrove(t *testing.T, dataDir, config string) *troveproc.Server {
	t.Helper()
	return troveproc.Start(t, troveBin, "http", "--data-dir", dataDir, "--config", config)
}
