// Package artifacts finds, ranks and downloads versioned artifacts kept in an
// S3 bucket, on trove or any other S3-compatible endpoint.
//
// A [Source] names the bucket, a key pattern and how to rank what matches;
// a [Client] lists the bucket under the pattern's longest literal prefix with
// ListObjectsV2, following every page, and hands the keys to package
// selector. It calls nothing else on the bucket: not ListBuckets, not
// GetBucketLocation, so it works on buckets of other accounts where only
// s3:ListBucket and s3:GetObject are granted. The bucket's region must
// therefore be known, from the Source or the AWS configuration.
//
// [Client.Pull] downloads one artifact into a temporary file beside the
// destination, checks its bytes, syncs it and renames it into place: the
// destination either keeps its old content or gets the whole new one.
//
// Failed S3 calls are returned as a [*CallError] naming the call, the
// resource and the S3 error code.
//
// [LoadSources] reads a YAML file of named sources. A [Watcher] polls
// sources and reports each artifact that appears or changes once, as a
// JSON line and a webhook delivery, keeping what it has seen and what is
// not yet delivered in a locked state file. The order of its writes (print,
// save, deliver) makes delivery at least once across crashes: a line
// printed just before a crash is printed again after the restart, with the
// same event id, and no delivery is ever dropped. S3 event notifications
// taken by its hint listener make it poll at once; they never replace the
// polls.
package artifacts

import (
	"context"
	"errors"
	"fmt"
	"net"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/artifacts/selector"
)

// DefaultRegion is the region signed for when neither the Source nor the
// AWS configuration names one.
const DefaultRegion = "us-east-1"

// ErrBadSource is wrapped by the errors of New for a Source that cannot be
// used: no bucket or a bad bucket name, a bad pattern, order or constraint.
var ErrBadSource = errors.New("artifacts: bad source")

// A Source says where artifacts live and how to choose among them.
type Source struct {
	// Endpoint is the base URL of the S3 service, such as
	// http://127.0.0.1:9000. Empty means the one the AWS configuration
	// names (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, a profile's
	// endpoint_url); when it names none either, the SDK's usual resolution:
	// AWS S3's endpoint for the region.
	Endpoint string
	// Region is the bucket's region, which requests are signed for. Empty
	// means the AWS configuration's, else DefaultRegion.
	Region string
	// Profile is the shared-configuration profile to take credentials and
	// settings from; empty means the SDK's usual choice (AWS_PROFILE, else
	// "default"). It is read only by LoadConfig.
	Profile string
	// Bucket is the bucket's name; it is required, and must follow S3's
	// naming rules (see CheckBucket).
	Bucket string
	// Pattern is a glob, or with Regexp set a regular expression with a
	// group named "version"; see package selector. It is required.
	Pattern string
	Regexp  bool
	// Order ranks the versions; the zero Order is selector.BySemver.
	Order selector.Order
	// Constraint, when not empty, keeps only the versions satisfying it,
	// such as ">=1.2, <2".
	Constraint string
	// PageSize is the most keys one ListObjectsV2 call asks for; zero lets
	// the service choose (1,000 on S3 and trove).
	PageSize int32
}

// A Client lists and downloads the artifacts of one Source. It is safe for
// concurrent use.
type Client struct {
	src     Source
	pattern *selector.Pattern
	s3      *s3.Client
}

// LoadConfig loads the AWS configuration for src the way the AWS SDK does:
// environment variables, shared configuration and credentials files, web
// identity and role assumption, with src.Profile as the profile when set
// and src.Region as the region. The instance metadata service is never
// asked, neither for credentials nor for the region. With src.Endpoint,
// every service the configuration calls goes there unless the environment
// or profile names that service's own endpoint (AWS_ENDPOINT_URL_STS, a
// profile's services section): so role assumption and web identity ask
// the STS of the server that holds the bucket (trove and MinIO serve it at
// the same address), never AWS's by surprise.
func LoadConfig(ctx context.Context, src Source) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
	}
	if src.Endpoint != "" {
		opts = append(opts, config.WithBaseEndpoint(src.Endpoint))
	}
	if src.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(src.Profile))
	}
	if src.Region != "" {
		opts = append(opts, config.WithRegion(src.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("artifacts: AWS configuration: %w", err)
	}
	return cfg, nil
}

// Open is LoadConfig followed by New.
func Open(ctx context.Context, src Source) (*Client, error) {
	cfg, err := LoadConfig(ctx, src)
	if err != nil {
		return nil, err
	}
	return New(cfg, src)
}

// New returns a Client for src that calls S3 as cfg says: its credentials,
// HTTP client and retry settings. src.Endpoint and src.Region, when set,
// override cfg's; with an endpoint set, addressing is path-style, which
// every S3-compatible endpoint serves (AWS's own endpoints get the SDK's
// virtual-hosted style). src.Profile is ignored: it matters only to
// LoadConfig.
func New(cfg aws.Config, src Source) (*Client, error) {
	p, err := src.parse()
	if err != nil {
		return nil, err
	}
	if src.Region != "" {
		cfg.Region = src.Region
	}
	if cfg.Region == "" {
		cfg.Region = DefaultRegion
	}
	client := s3.NewFromConfig(cfg, func(o *s3.Options) {
		if src.Endpoint != "" {
			o.BaseEndpoint = aws.String(src.Endpoint)
		}
		o.UsePathStyle = o.BaseEndpoint != nil
	})
	return &Client{src: src, pattern: p, s3: client}, nil
}

// parse checks src and parses its pattern.
func (src Source) parse() (*selector.Pattern, error) {
	if err := CheckBucket(src.Bucket); err != nil {
		return nil, err
	}
	if src.PageSize < 0 {
		return nil, fmt.Errorf("%w: negative page size %d", ErrBadSource, src.PageSize)
	}
	parse := selector.ParseGlob
	if src.Regexp {
		parse = selector.ParseRegexp
	}
	p, err := parse(src.Pattern)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSource, err)
	}
	// Select on no objects checks the order and the constraint against p.
	if _, err := selector.Select(nil, p, src.Order, src.Constraint); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadSource, err)
	}
	return p, nil
}

// bucketName is the shape of a bucket name; CheckBucket adds what a
// regular expression says badly.
var bucketName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*[a-z0-9]$`)

// CheckBucket checks a bucket name by S3's rules, so that a typo or a path
// such as "../x" is refused before any request: 3 to 63 characters, lower-
// case letters, digits, dots and hyphens, starting and ending with a letter
// or digit, no two dots in a row, not an IPv4 address. The prefixes and
// suffixes S3 reserves (such as "xn--") are not refused: they bound the
// creation of buckets, and buckets named so before exist. Its errors wrap
// ErrBadSource.
func CheckBucket(name string) error {
	why := ""
	switch {
	case name == "":
		return fmt.Errorf("%w: no bucket", ErrBadSource)
	case len(name) < 3 || len(name) > 63:
		why = "want 3 to 63 characters"
	case !bucketName.MatchString(name):
		why = "want lower-case letters, digits, '.' and '-', starting and ending with " +
			"a letter or digit"
	case strings.Contains(name, ".."):
		why = "two dots in a row"
	case net.ParseIP(name) != nil:
		why = "an IP address is no bucket name"
	default:
		return nil
	}
	return fmt.Errorf("%w: bucket %q: %s (S3's bucket naming rules)", ErrBadSource, name, why)
}

// Source returns the Source c was made for.
func (c *Client) Source() Source { return c.src }

// Prefix returns the prefix c lists under: the pattern's longest literal
// prefix.
func (c *Client) Prefix() string { return c.pattern.Prefix() }

// List lists the bucket under the pattern's prefix, every page of it, and
// returns the matching artifacts newest first with the keys it skipped.
func (c *Client) List(ctx context.Context) (selector.Result, error) {
	objs, err := c.listObjects(ctx)
	if err != nil {
		return selector.Result{}, err
	}
	res, err := selector.Select(objs, c.pattern, c.src.Order, c.src.Constraint)
	if err != nil {
		return selector.Result{}, fmt.Errorf("artifacts: %w", err)
	}
	return res, nil
}

// Latest returns the newest artifact. When none is left it returns an
// error wrapping selector.ErrNoMatch.
func (c *Client) Latest(ctx context.Context) (selector.Artifact, error) {
	return c.Find(ctx, "")
}

// Find lists and returns the artifact whose version text is exactly version
// (the text the pattern extracts: "v1.2.3" and "1.2.3" differ), or the
// newest when version is empty. The constraint applies to both. When there
// is no such artifact it returns an error wrapping selector.ErrNoMatch.
func (c *Client) Find(ctx context.Context, version string) (selector.Artifact, error) {
	res, err := c.List(ctx)
	if err != nil {
		return selector.Artifact{}, err
	}
	where := c.url(c.pattern.Prefix())
	if version == "" {
		if a, ok := res.Latest(); ok {
			return a, nil
		}
		return selector.Artifact{}, fmt.Errorf("artifacts: %w for %q in %s (%d matching keys "+
			"skipped)", selector.ErrNoMatch, c.pattern, where, len(res.Skipped))
	}
	for _, a := range res.Artifacts {
		if a.Version == version {
			return a, nil
		}
	}
	return selector.Artifact{}, fmt.Errorf("artifacts: %w: no version %q for %q in %s",
		selector.ErrNoMatch, version, c.pattern, where)
}

// listObjects returns every object under the pattern's prefix.
func (c *Client) listObjects(ctx context.Context) ([]selector.Object, error) {
	prefix := c.pattern.Prefix()
	in := &s3.ListObjectsV2Input{Bucket: aws.String(c.src.Bucket)}
	if prefix != "" {
		in.Prefix = aws.String(prefix)
	}
	if c.src.PageSize > 0 {
		in.MaxKeys = aws.Int32(c.src.PageSize)
	}
	var objs []selector.Object
	pages := s3.NewListObjectsV2Paginator(c.s3, in)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, newCallError("ListObjectsV2", c.url(prefix), err)
		}
		for _, o := range page.Contents {
			objs = append(objs, object(o))
		}
	}
	return objs, nil
}

// object converts an entry of a listing.
func object(o types.Object) selector.Object {
	return selector.Object{
		Key:          aws.ToString(o.Key),
		Size:         aws.ToInt64(o.Size),
		ETag:         aws.ToString(o.ETag),
		LastModified: aws.ToTime(o.LastModified),
	}
}

// url returns the s3:// URL of key in c's bucket.
func (c *Client) url(key string) string { return "s3://" + c.src.Bucket + "/" + key }
