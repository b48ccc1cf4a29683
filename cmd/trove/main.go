// Command trove is an S3-compatible artifact server that reproduces AWS's
// multi-account security model. See the README and `trove --help`.
package main

import (
	"context"
	"os"

	"github.com/troveproject/trove/internal/cli"
)

func main() {
	os.Exit(cli.Execute(context.Background(), os.Args[1:], cli.Streams{Out: os.Stdout, Err: os.Stderr}))
}
