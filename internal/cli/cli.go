// Package cli is trove's command line: the cobra command tree, with every
// flag also settable through a TROVE_ environment variable. Commands write
// only to the streams they are given, so tests can run them in-process.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Streams are the input and outputs a command uses. A nil In is the
// process's standard input.
type Streams struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// Execute runs the trove command line with args and returns the exit code:
// 0, 1 for an error, or the status an error asks for with an ExitCode method.
func Execute(ctx context.Context, args []string, s Streams) int {
	root := NewRoot(s)
	root.SetArgs(args)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(s.Err, "trove:", err)
		var coded interface{ ExitCode() int }
		if errors.As(err, &coded) {
			return coded.ExitCode()
		}
		return 1
	}
	return 0
}

// NewRoot returns the root command.
func NewRoot(s Streams) *cobra.Command {
	root := &cobra.Command{
		Use:           "trove",
		Short:         "An S3-compatible artifact server with AWS's multi-account security model",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	if s.In != nil {
		root.SetIn(s.In)
	}
	root.SetOut(s.Out)
	root.SetErr(s.Err)
	root.AddCommand(newServe(s), newVersion(s), newPolicy(s), newArtifacts(s), newOrg(s))
	return root
}

// envName is the environment variable that sets a flag: TROVE_ and the flag's
// name in upper case with dashes as underscores.
func envName(flag string) string {
	return "TROVE_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))
}

// bindEnv sets every flag not given on the command line from its
// environment variable, and names the variable in the flag's help.
func bindEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		v, ok := os.LookupEnv(envName(f.Name))
		if !ok || f.Changed || err != nil {
			return
		}
		if e := fs.Set(f.Name, v); e != nil {
			err = fmt.Errorf("%s=%q: %w", envName(f.Name), v, e)
		}
	})
	return err
}

func annotateEnv(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		f.Usage += " (env " + envName(f.Name) + ")"
	})
}

// newLogger returns a logger writing to w at the named level and format.
func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: l}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	default:
		return nil, fmt.Errorf("log format %q: want text or json", format)
	}
}
