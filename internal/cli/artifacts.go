package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"golang.org/x/term"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/artifacts/selector"
)

// sourceOptions are the flags that name a source of artifacts, or choose
// sources of a sources file.
type sourceOptions struct {
	endpoint, region, profile string
	bucket, pattern           string
	regexp                    bool
	order, constraint         string
	json                      bool
	sourcesFile               string   // --sources
	names                     []string // --source
	fs                        *pflag.FlagSet
}

const artifactsLong = `List, choose and download versioned artifacts kept in an S3 bucket, on trove
or any S3-compatible endpoint.

--pattern is a glob matched against whole keys ('*' within a path segment,
'**' across segments); the first lone '*' gives the version, as "1.2.3" in
charts/app-1.2.3.tgz for charts/app-*.tgz. With --regexp it is an RE2
expression with a group named "version". Only the pattern's longest literal
prefix is listed (ListObjectsV2, every page); ListBuckets and
GetBucketLocation are never called, so a bucket of another account works
with s3:ListBucket and s3:GetObject alone, given its region.

Credentials come from the AWS SDK's chain: AWS_ACCESS_KEY_ID..., --profile or
AWS_PROFILE in the shared files, web identity, role assumption; never from an
instance metadata service. The endpoint is --endpoint, else AWS_ENDPOINT_URL_S3,
AWS_ENDPOINT_URL or the profile's endpoint_url; with none of them, AWS S3's
own endpoint for the region.

--sources FILE names several sources in YAML instead of the flags of one:

  defaults: {endpoint: http://127.0.0.1:9000, region: eu-central-1}
  sources:
    - {name: app, bucket: devtools-artifacts, pattern: 'charts/app-*.tgz'}

--source NAME chooses among them; list and latest take every source when
none is chosen, and then show which source each line comes from. A flag of
a single source beside --sources is a usage error. watch reports each new
artifact once, as a JSON line and to a webhook (see trove artifacts watch
--help).`

func newArtifacts(s Streams) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "artifacts",
		Short: "List, choose, download and watch versioned artifacts in S3 buckets",
		Long:  artifactsLong,
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newArtifactsList(s), newArtifactsLatest(s), newArtifactsPull(s),
		newArtifactsWatch(s))
	return cmd
}

const artifactsExample = `  trove artifacts %s --endpoint http://127.0.0.1:9000 \
    --region eu-central-1 --profile delegate \
    --bucket devtools-artifacts --pattern 'charts/app-*.tgz'%s`

func newArtifactsList(s Streams) *cobra.Command {
	return newSourceCommand(s, &cobra.Command{
		Use:   "list",
		Short: "List the versions of an artifact, newest first",
		Long: "List the versions the pattern matches, newest first: a table, or JSON with " +
			"--json.\nKeys that match but whose version cannot be ranked are reported on " +
			"stderr.",
		Example: fmt.Sprintf(artifactsExample, "list", " \\\n    --constraint '>=1.0, <2' --json"),
	}, runArtifactsList)
}

func newArtifactsLatest(s Streams) *cobra.Command {
	return newSourceCommand(s, &cobra.Command{
		Use:   "latest",
		Short: "Print the newest version of an artifact",
		Long: "Print the newest version the pattern matches (its key when the pattern " +
			"gives no version),\nor the whole artifact as JSON with --json.",
		Example: fmt.Sprintf(artifactsExample, "latest", ""),
	}, runArtifactsLatest)
}

// newSourceCommand completes cmd, a subcommand that takes a source's flags
// and nothing else, to call run with them.
func newSourceCommand(s Streams, cmd *cobra.Command,
	run func(context.Context, Streams, sourceOptions) error) *cobra.Command {
	var o sourceOptions
	withUsageErrors(cmd, noArgs, func(cmd *cobra.Command, _ []string) error {
		return run(cmd.Context(), s, o)
	})
	o.addFlags(cmd.Flags())
	annotateEnv(cmd.Flags())
	return cmd
}

func newArtifactsPull(s Streams) *cobra.Command {
	var o sourceOptions
	var version, output string
	cmd := &cobra.Command{
		Use:   "pull",
		Short: "Download a version of an artifact, checked and atomically",
		Long: "Download the newest version, or --version, to --output (default: the key's " +
			"last segment).\nThe bytes are checked against the object's checksum or MD5 " +
			"ETag and renamed into place\nonly when whole and checked. --output must be a " +
			"new path or a regular file: a symbolic\nlink, directory, pipe, socket or " +
			"device is refused, and so is '-' (pull writes files,\nit does not stream; " +
			"pull to a temporary file and read that).",
		Example: fmt.Sprintf(artifactsExample, "pull", " --output app.tgz"),
	}
	withUsageErrors(cmd, noArgs, func(cmd *cobra.Command, _ []string) error {
		return runArtifactsPull(cmd.Context(), s, o, version, output)
	})
	fs := cmd.Flags()
	o.addFlags(fs)
	fs.StringVar(&version, "version", "", "version to download, as the pattern extracts it "+
		"(default: the newest)")
	fs.StringVar(&output, "output", "", "file to write, a new one or a regular file to "+
		"replace (default: the key's last segment, in the current directory)")
	annotateEnv(fs)
	return cmd
}

// addFlags defines the flags of a source, --json and --sources on fs.
func (o *sourceOptions) addFlags(fs *pflag.FlagSet) {
	o.addSourceFlags(fs)
	fs.BoolVar(&o.json, "json", false, "print JSON")
}

// addSourceFlags defines the flags of a source and --sources on fs.
func (o *sourceOptions) addSourceFlags(fs *pflag.FlagSet) {
	o.fs = fs
	fs.StringVar(&o.sourcesFile, "sources", "", "YAML file of named sources, instead of "+
		"the flags of one source")
	fs.StringArrayVar(&o.names, "source", nil, "with --sources: the source to use, by name "+
		"(default: every source); repeatable")
	fs.StringVar(&o.endpoint, "endpoint", "", "base URL of the S3 endpoint, such as "+
		"http://127.0.0.1:9000 (default: the AWS configuration's)")
	fs.StringVar(&o.region, "region", "", "the bucket's region, signed for (default: the "+
		"profile's, or us-east-1)")
	fs.StringVar(&o.profile, "profile", "", "AWS profile to take credentials from")
	fs.StringVar(&o.bucket, "bucket", "", "the bucket (required)")
	fs.StringVar(&o.pattern, "pattern", "", "glob of the keys, such as 'charts/app-*.tgz', "+
		"or with --regexp a regexp with a (?P<version>...) group (required)")
	fs.BoolVar(&o.regexp, "regexp", false, "--pattern is a regular expression")
	fs.StringVar(&o.order, "order", "semver", "how versions are ranked: semver, modified "+
		"or name")
	fs.StringVar(&o.constraint, "constraint", "", "keep only versions satisfying this, such "+
		"as '>=1.2, <2'")
}

// flagSource checks the flags of a source and returns it.
func (o sourceOptions) flagSource() (artifacts.Source, error) {
	switch {
	case len(o.names) > 0:
		return artifacts.Source{}, usageErrorf("--source (or TROVE_SOURCE) chooses among " +
			"the sources of a file: give --sources FILE too")
	case o.bucket == "":
		return artifacts.Source{}, usageErrorf("--bucket is required")
	case o.pattern == "":
		return artifacts.Source{}, usageErrorf("--pattern is required")
	}
	if err := artifacts.CheckBucket(o.bucket); err != nil {
		return artifacts.Source{}, usageErrorf("--bucket: %w", err)
	}
	if err := checkEndpoint(o.endpoint); err != nil {
		return artifacts.Source{}, err
	}
	order, err := selector.ParseOrder(o.order)
	if err != nil {
		return artifacts.Source{}, usageErrorf("--order %q: want semver, modified or name",
			o.order)
	}
	return artifacts.Source{Endpoint: o.endpoint, Region: o.region, Profile: o.profile,
		Bucket: o.bucket, Pattern: o.pattern, Regexp: o.regexp, Order: order,
		Constraint: o.constraint}, nil
}

// open checks the flags and returns a client of their source.
func (o sourceOptions) open(ctx context.Context) (*artifacts.Client, error) {
	src, err := o.flagSource()
	if err != nil {
		return nil, err
	}
	return openSource(ctx, src)
}

// openSource returns a client of src; a source New refuses is a usage
// error.
func openSource(ctx context.Context, src artifacts.Source) (*artifacts.Client, error) {
	c, err := artifacts.Open(ctx, src)
	if errors.Is(err, artifacts.ErrBadSource) {
		return nil, usageError(err)
	}
	return c, err
}

// artifactJSON is an artifact as the commands print it in JSON.
type artifactJSON struct {
	Key          string    `json:"key"`
	Version      string    `json:"version"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag"`
	LastModified time.Time `json:"lastModified"`
}

func toJSON(a selector.Artifact) artifactJSON {
	return artifactJSON{Key: a.Key, Version: a.Version, Size: a.Size, ETag: a.ETag,
		LastModified: a.LastModified.UTC()}
}

// skippedJSON is a skipped key in JSON.
type skippedJSON struct {
	Key     string `json:"key"`
	Version string `json:"version,omitempty"`
	Reason  string `json:"reason"`
}

// listJSON is what `trove artifacts list --json` prints.
type listJSON struct {
	Bucket    string         `json:"bucket"`
	Prefix    string         `json:"prefix"`
	Artifacts []artifactJSON `json:"artifacts"`
	Skipped   []skippedJSON  `json:"skipped"`
}

// listSource lists o's source and reports on s.Err the keys it skipped.
func listSource(ctx context.Context, s Streams, o sourceOptions) (*artifacts.Client,
	selector.Result, error) {
	c, err := o.open(ctx)
	if err != nil {
		return nil, selector.Result{}, err
	}
	res, err := c.List(ctx)
	if err != nil {
		return nil, res, err
	}
	reportSkipped(s.Err, "", res.Skipped)
	return c, res, nil
}

func runArtifactsList(ctx context.Context, s Streams, o sourceOptions) error {
	if o.sourcesFile != "" {
		return runListFile(ctx, s, o)
	}
	c, res, err := listSource(ctx, s, o)
	if err != nil {
		return err
	}
	if o.json {
		doc := listJSON{Bucket: o.bucket, Prefix: c.Prefix(), Artifacts: []artifactJSON{},
			Skipped: []skippedJSON{}}
		for _, a := range res.Artifacts {
			doc.Artifacts = append(doc.Artifacts, toJSON(a))
		}
		for _, sk := range res.Skipped {
			doc.Skipped = append(doc.Skipped, skippedJSON(sk))
		}
		return writeJSON(s.Out, doc)
	}
	return writeTable(s.Out, res.Artifacts)
}

// writeTable writes artifacts as a table for people.
func writeTable(w io.Writer, as []selector.Artifact) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "VERSION\tLAST MODIFIED\tSIZE\tKEY")
	for _, a := range as {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\n", a.Version,
			a.LastModified.UTC().Format(time.RFC3339), a.Size, a.Key)
	}
	return tw.Flush()
}

// reportSkipped names on w each key that matched but could not be ranked,
// after the source's name when source is not "".
func reportSkipped(w io.Writer, source string, skipped []selector.Skipped) {
	if source != "" {
		source = "source " + source + ": "
	}
	for _, sk := range skipped {
		fmt.Fprintf(w, "%sskipped %s: %s\n", source, sk.Key, sk.Reason)
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func runArtifactsLatest(ctx context.Context, s Streams, o sourceOptions) error {
	if o.sourcesFile != "" {
		return runLatestFile(ctx, s, o)
	}
	c, res, err := listSource(ctx, s, o)
	if err != nil {
		return err
	}
	a, ok := res.Latest()
	if !ok {
		return fmt.Errorf("%w for %q in s3://%s/%s", selector.ErrNoMatch, o.pattern, o.bucket,
			c.Prefix())
	}
	if o.json {
		return writeJSON(s.Out, toJSON(a))
	}
	v := a.Version
	if v == "" {
		v = a.Key
	}
	_, err = fmt.Fprintln(s.Out, v)
	return err
}

// pulledJSON is what `trove artifacts pull --json` prints.
type pulledJSON struct {
	artifactJSON
	Path     string `json:"path"`
	Verified string `json:"verified"`
}

func runArtifactsPull(ctx context.Context, s Streams, o sourceOptions, version,
	output string) error {
	if err := checkOutput(output); err != nil {
		return err
	}
	c, err := o.pullClient(ctx)
	if err != nil {
		return err
	}
	a, err := c.Find(ctx, version)
	if err != nil {
		return err
	}
	if output == "" {
		if output, err = artifacts.FileName(a.Key); err != nil {
			return usageErrorf("%w: give --output", err)
		}
	}
	opts, clear := pullProgress(s.Err, o.json)
	p, err := c.PullArtifact(ctx, a, output, opts)
	clear()
	if err != nil {
		return err
	}
	if p.Verified == "" {
		fmt.Fprintf(s.Err, "trove: warning: %s has no checksum and a multipart or encrypted "+
			"ETag: only its length was checked\n", p.Key)
	}
	if o.json {
		return writeJSON(s.Out, pulledJSON{artifactJSON: toJSON(p.Artifact), Path: p.Path,
			Verified: p.Verified})
	}
	_, err = fmt.Fprintf(s.Out, "pulled s3://%s/%s (version %s, %d bytes, checked by %s) "+
		"to %s\n", c.Source().Bucket, p.Key, p.Version, p.Bytes, p.Verified, p.Path)
	return err
}

// checkOutput checks --output, when given, before anything is listed: a
// path where a regular file may be written, and not "-", which would be
// taken for standard output.
func checkOutput(output string) error {
	if output == "-" {
		return usageErrorf("--output -: pull cannot write to standard output, as it " +
			"writes a file, checks it and renames it into place; pull to a file, such as " +
			"--output /tmp/app.tgz, and read that (for a file named \"-\", give --output ./-)")
	}
	if output == "" {
		return nil
	}
	if err := artifacts.CheckDestination(output); err != nil {
		return usageErrorf("--output: %w", err)
	}
	return nil
}

// pullProgress returns the options that draw a progress bar on w while
// pulling, when w is a terminal and the output is not JSON, and a function
// that erases the bar once the pull has ended, whether it succeeded or not.
func pullProgress(w io.Writer, json bool) (artifacts.PullOptions, func()) {
	f, ok := w.(*os.File)
	if json || !ok || !term.IsTerminal(int(f.Fd())) {
		return artifacts.PullOptions{}, func() {}
	}
	var bar *progressbar.ProgressBar
	opts := artifacts.PullOptions{Progress: func(size int64) io.Writer {
		bar = progressbar.NewOptions64(size, progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("pulling"), progressbar.OptionShowBytes(true),
			progressbar.OptionShowCount(), progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish())
		return bar
	}}
	return opts, func() {
		if bar != nil {
			_ = bar.Clear()
		}
	}
}
