package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/artifacts/selector"
)

// fileSourceFlags are the flags of one source, which a sources file
// replaces: giving one beside --sources is a usage error.
var fileSourceFlags = []string{"endpoint", "region", "profile", "bucket", "pattern",
	"regexp", "order", "constraint"}

// chooseSources loads the sources file and returns the sources --source
// names, in the order given, or all of them in file order. A source flag
// beside the file, a file that does not load and an unknown name are
// usage errors.
func (o sourceOptions) chooseSources() ([]artifacts.NamedSource, error) {
	for _, f := range fileSourceFlags {
		if o.fs.Changed(f) {
			return nil, usageErrorf("--%s (or %s) cannot be combined with --sources: set it "+
				"in the sources file, for every source under defaults or for one source",
				f, envName(f))
		}
	}
	all, err := artifacts.LoadSources(o.sourcesFile)
	if err != nil {
		return nil, usageError(err)
	}
	if len(o.names) == 0 {
		return all, nil
	}
	var chosen []artifacts.NamedSource
	for _, name := range o.names {
		i := slices.IndexFunc(all, func(s artifacts.NamedSource) bool { return s.Name == name })
		if i < 0 {
			return nil, usageErrorf("--source %q: %s defines no such source (it has %s)",
				name, o.sourcesFile, sourceNames(all))
		}
		if !slices.ContainsFunc(chosen, func(s artifacts.NamedSource) bool {
			return s.Name == name
		}) {
			chosen = append(chosen, all[i])
		}
	}
	return chosen, nil
}

// sourceNames lists the names of srcs for a message.
func sourceNames(srcs []artifacts.NamedSource) string {
	var names []string
	for _, s := range srcs {
		names = append(names, s.Name)
	}
	return strings.Join(names, ", ")
}

// pullClient returns the client of the one source pull downloads from: the
// flags', or the one --source chooses in the sources file.
func (o sourceOptions) pullClient(ctx context.Context) (*artifacts.Client, error) {
	if o.sourcesFile == "" {
		return o.open(ctx)
	}
	srcs, err := o.chooseSources()
	if err != nil {
		return nil, err
	}
	if len(srcs) != 1 {
		return nil, usageErrorf("pull downloads from one source: choose it with --source "+
			"(the file has %s)", sourceNames(srcs))
	}
	return openSource(ctx, srcs[0].Source)
}

// eachSource calls f with a client of each of srcs in turn. A source that
// fails is reported on s.Err and the others still run; the error then
// counts the failures. With one source, its error is returned as it is.
func eachSource(ctx context.Context, s Streams, srcs []artifacts.NamedSource,
	f func(artifacts.NamedSource, *artifacts.Client) error) error {
	var errs []error
	for _, src := range srcs {
		c, err := openSource(ctx, src.Source)
		if err == nil {
			err = f(src, c)
		}
		if err != nil {
			if len(srcs) == 1 {
				return err
			}
			fmt.Fprintf(s.Err, "trove: source %s: %v\n", src.Name, err)
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return &exitError{code: 1, err: fmt.Errorf("%d of %d sources failed", len(errs),
			len(srcs))}
	}
	return nil
}

// sourceListJSON is one source's entry in `list --sources --json`.
type sourceListJSON struct {
	Source string `json:"source"`
	listJSON
}

// sourceRow is an artifact of a named source, for the table.
type sourceRow struct {
	source string
	selector.Artifact
}

func runListFile(ctx context.Context, s Streams, o sourceOptions) error {
	srcs, err := o.chooseSources()
	if err != nil {
		return err
	}
	docs := []sourceListJSON{}
	var rows []sourceRow
	err = eachSource(ctx, s, srcs, func(src artifacts.NamedSource, c *artifacts.Client) error {
		res, err := c.List(ctx)
		if err != nil {
			return err
		}
		reportSkipped(s.Err, src.Name, res.Skipped)
		doc := sourceListJSON{Source: src.Name, listJSON: listJSON{Bucket: src.Bucket,
			Prefix: c.Prefix(), Artifacts: []artifactJSON{}, Skipped: []skippedJSON{}}}
		for _, a := range res.Artifacts {
			doc.Artifacts = append(doc.Artifacts, toJSON(a))
			rows = append(rows, sourceRow{source: src.Name, Artifact: a})
		}
		for _, sk := range res.Skipped {
			doc.Skipped = append(doc.Skipped, skippedJSON(sk))
		}
		docs = append(docs, doc)
		return nil
	})
	werr := writeSourceList(s, o.json, docs, rows)
	return errors.Join(err, werr)
}

// writeSourceList prints what runListFile found: a JSON array of one
// document a source, or a table with a SOURCE column.
func writeSourceList(s Streams, json bool, docs []sourceListJSON, rows []sourceRow) error {
	if json {
		return writeJSON(s.Out, docs)
	}
	tw := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SOURCE\tVERSION\tLAST MODIFIED\tSIZE\tKEY")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\n", r.source, r.Version,
			r.LastModified.UTC().Format(time.RFC3339), r.Size, r.Key)
	}
	return tw.Flush()
}

// sourceLatestJSON is one source's entry in `latest --sources --json`.
type sourceLatestJSON struct {
	Source string `json:"source"`
	Bucket string `json:"bucket"`
	artifactJSON
}

func runLatestFile(ctx context.Context, s Streams, o sourceOptions) error {
	srcs, err := o.chooseSources()
	if err != nil {
		return err
	}
	docs := []sourceLatestJSON{}
	err = eachSource(ctx, s, srcs, func(src artifacts.NamedSource, c *artifacts.Client) error {
		a, err := c.Latest(ctx)
		if err != nil {
			return err
		}
		docs = append(docs, sourceLatestJSON{Source: src.Name, Bucket: src.Bucket,
			artifactJSON: toJSON(a)})
		return nil
	})
	if o.json {
		return errors.Join(err, writeJSON(s.Out, docs))
	}
	one := len(srcs) == 1
	for _, d := range docs {
		v := d.Version
		if v == "" {
			v = d.Key
		}
		if one {
			fmt.Fprintln(s.Out, v)
		} else {
			fmt.Fprintf(s.Out, "%s\t%s\n", d.Source, v)
		}
	}
	return err
}
