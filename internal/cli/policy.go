package cli

import (
	"fmt"

	"github.com/spf13/cobra"
)

// newPolicy returns the policy command group: tools for the people who write
// and review policies.
func newPolicy(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Validate policies and simulate decisions",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newPolicySimulate(s))
	cmd.AddCommand(newPolicyValidate(s))
	return cmd
}

// exitUsage is the exit status of the policy commands for a usage error: a
// bad flag, argument or TROVE_ variable.
const exitUsage = 2

// exitError is an error that ends the process with a given status. Execute
// finds it through its ExitCode method.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is the process exit status e asks for.
func (e *exitError) ExitCode() int { return e.code }

// usageError returns err as a usage error.
func usageError(err error) error { return &exitError{code: exitUsage, err: err} }

func usageErrorf(format string, args ...any) error {
	return usageError(fmt.Errorf(format, args...))
}

// withUsageErrors sets cmd's Args to args and its RunE to run, so that an
// error of args, a bad flag or a bad TROVE_ variable is a usage error, and
// so that run runs once the flags not given have their variables' values.
func withUsageErrors(cmd *cobra.Command, args cobra.PositionalArgs,
	run func(cmd *cobra.Command, args []string) error) {
	cmd.Args = func(cmd *cobra.Command, a []string) error {
		if err := args(cmd, a); err != nil {
			return usageError(err)
		}
		return nil
	}
	cmd.RunE = func(cmd *cobra.Command, a []string) error {
		if err := bindEnv(cmd.Flags()); err != nil {
			return usageError(err)
		}
		return run(cmd, a)
	}
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
}
