package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/sqlite"
)

// newOrg returns the org command group: the organization as a whole.
func newOrg(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "org",
		Short: "Work with the organization a data directory holds",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newOrgExport(s))
	return cmd
}

const exportLong = `Write the live state of a data directory as an organization file
(docs/organization-file.md): the organization, its units, SCPs, RCPs and
where they are attached, and every account with its root keys, managed
policies, groups, users and buckets with their policies. Whatever the
Organizations API or a loaded file made is in it.

The export round-trips: starting trove with it on an empty data directory
and exporting again writes the same file, and loading it into the data
directory it came from changes nothing.

Access keys: by default no secret is written; a comment names the ids of
the keys left out. --include-secrets writes every active key with its
secret (and --output then creates the file with mode 0600).

trove org export reads meta.db read-only and takes no lock, so it runs
beside a trove serve of the same data directory. It retries when the
organization changes while it reads.

See docs/org-export.md.`

// exportOptions are the flags of trove org export.
type exportOptions struct {
	dataDir, output string
	secrets         bool
}

func newOrgExport(s Streams) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:     "export",
		Short:   "Write the live state as an organization file",
		Long:    exportLong,
		Example: "  trove org export --data-dir trove-data --output organization.yaml",
	}
	withUsageErrors(cmd, cobra.NoArgs, func(cmd *cobra.Command, _ []string) error {
		return runExport(cmd.Context(), s, o)
	})
	fs := cmd.Flags()
	fs.StringVar(&o.dataDir, "data-dir", "trove-data", "data directory to read")
	fs.StringVar(&o.output, "output", "", "file to write (default: standard output)")
	fs.BoolVar(&o.secrets, "include-secrets", false,
		"write access keys with their secrets (default: leave keys out)")
	annotateEnv(fs)
	return cmd
}

// maxExportTries bounds how often export reads again when the
// organization changed while it read.
const maxExportTries = 5

func runExport(ctx context.Context, s Streams, o exportOptions) error {
	db, err := sqlite.OpenReadOnly(ctx, filepath.Join(o.dataDir, "meta.db"), nil)
	if err != nil {
		return fmt.Errorf("org export: %w", err)
	}
	defer db.Close()
	opt := orgfile.ExportOptions{IncludeSecrets: o.secrets}
	out, err := stableExport(ctx, db, opt)
	if err != nil {
		return fmt.Errorf("org export: %w", err)
	}
	if o.output == "" {
		_, err = s.Out.Write(out)
		return err
	}
	return writeFileAtomic(o.output, out, o.secrets)
}

// stableExport exports meta until the identity version is the same before
// and after, so that a write of the API between two reads does not leave
// a file that mixes two states of the organization.
func stableExport(ctx context.Context, meta store.Meta, opt orgfile.ExportOptions) (
	[]byte, error) {
	for range maxExportTries {
		before, err := meta.IdentityVersion(ctx)
		if err != nil {
			return nil, err
		}
		var buf bytes.Buffer
		if err := orgfile.Export(ctx, meta, &buf, opt); err != nil {
			return nil, err
		}
		after, err := meta.IdentityVersion(ctx)
		if err != nil {
			return nil, err
		}
		if after == before {
			return buf.Bytes(), nil
		}
	}
	return nil, fmt.Errorf("the organization changed during each of %d tries", maxExportTries)
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, private (0600) when it holds secrets.
func writeFileAtomic(path string, data []byte, secret bool) (err error) {
	mode := os.FileMode(0o644)
	if secret {
		mode = 0o600
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".trove-export-*")
	if err != nil {
		return fmt.Errorf("org export: %w", err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	if err = tmp.Chmod(mode); err == nil {
		_, err = io.Copy(tmp, bytes.NewReader(data))
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("org export: write %s: %w", path, err)
	}
	return nil
}
