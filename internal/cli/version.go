package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

func newVersion(s Streams) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print trove's version and the Go version it was built with",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			version, goVersion := "(devel)", "unknown"
			if info, ok := debug.ReadBuildInfo(); ok {
				goVersion = info.GoVersion
				if v := info.Main.Version; v != "" {
					version = v
				}
				for _, st := range info.Settings {
					if st.Key == "vcs.revision" {
						version += " " + st.Value
					}
				}
			}
			_, err := fmt.Fprintf(s.Out, "trove %s (%s)\n", version, goVersion)
			return err
		},
	}
}
