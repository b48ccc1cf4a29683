// Package durability holds trove's crash and concurrency tests. They build
// the trove binary once, run it as `trove serve` on a loopback port over a
// data directory of their own, and drive it with aws-sdk-go-v2.
//
// TestCrashRecovery kills the server with SIGKILL in the middle of uploads,
// copies, overwrites and deletes, round after round, restarts it on the same
// data directory and checks that every acknowledged write survived whole,
// that nothing unwritten appeared, that listings agree with reads and that
// the start-up sweep left no blob file without a record. TestHotKey has many
// writers and readers on one key and checks that readers only ever see one
// whole write and that the write left standing is one that no other
// acknowledged write followed. TestSecondServerRefused checks that a second
// server refuses a data directory one already serves. docs/durability.md
// describes them.
//
// Run them with `go test ./test/durability/`; -short runs fewer crash rounds.
package durability
