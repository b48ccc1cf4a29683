// Package e2e holds end-to-end tests that build the trove binary, run it as a server on a
// loopback port, and drive it with the real aws command-line client, as a user would.
//
// The tests need `go` and `aws` (AWS CLI v1 or v2) on PATH; a missing client fails the
// tests rather than skipping them. They read examples/ and testdata/ relative to this
// directory, so run them with `go test ./test/e2e/`.
package e2e
