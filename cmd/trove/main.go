// Trove is an S3-compatible artifact server that reproduces AWS's multi-account
// security model. `trove serve` runs it; see the README and `trove --help`.
//
// Package main is only wiring: the command tree lives in internal/cli, the
// server in internal/server.
package main

import (
	"context"
	"os"

	"github.com/troveproject/trove/internal/cli"
)

func main() {
	streams := cli.Streams{Out: os.Stdout, Err: os.Stderr}
	os.Exit(cli.Execute(context.Background(), os.Args[1:], streams))
}
