package durability

import (
	"testing"

	"github.com/troveproject/trove/internal/testutil/troveproc"
)

const (
	// orgFile declares the account, its key and the bucket the tests use.
	orgFile = "testdata/organization.yaml"
	bucket  = "crash-bucket"
	keyID   = "AKIATESTDURABILITY01"
	secret  = "test/durability-root/00000000000000000000"
)

// troveBin is the trove binary TestMain builds for every test.
var troveBin string

// TestMain builds trove once for every test of the package.
func TestMain(m *testing.M) { troveproc.Main(m, &troveBin) }

// startTrove runs trove on dataDir on a free loopback port and returns once
// the port accepts connections; it is stopped when the test ends.
func startTrove(t *testing.T, dataDir string) *troveproc.Server {
	t.Helper()
	return troveproc.Start(t, troveBin, "http", "--data-dir", dataDir, "--config", orgFile)
}
