package cli

import "github.com/spf13/cobra"

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
