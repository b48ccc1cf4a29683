package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/ec2/imds"
	"github.com/spf13/cobra"

	"github.com/troveproject/trove/internal/iamapi"
	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
	"github.com/troveproject/trove/internal/simulate"
)

// exitMismatch is the exit status of `trove policy simulate` when a
// decision is not the one --expect names; besides it, 0 means it ran, 1
// that it failed and exitUsage a usage error.
const exitMismatch = 3

// simulateOptions are the flags of `trove policy simulate`.
type simulateOptions struct {
	org, endpoint, profile, region  string
	principal                       string
	actions, resources              []string
	resourcePolicy, resourceAccount string
	context                         []string
	json                            bool
	expect                          string
}

const simulateLong = `Simulate how trove would decide requests of one principal: each --action
on each --resource, with every policy AWS evaluates (identity-based policies,
permissions boundary, SCPs, the resource's RCPs, the bucket policy), and print
the decision with each policy and statement that led to it, near misses
included.

Offline (--org) it loads an organization file into a throwaway store. Online
(--endpoint) it asks a running trove through the IAM API's
SimulatePrincipalPolicy, signing with the AWS credential chain (--profile,
AWS_PROFILE, AWS_ACCESS_KEY_ID...).

A simulation sets only the condition keys that come from the principal and
the resource (aws:PrincipalOrgID, aws:PrincipalArn, aws:ResourceAccount...).
The keys a real request carries are not set unless --context gives them:
aws:CurrentTime, aws:EpochTime, aws:SecureTransport, aws:SourceIp,
aws:UserAgent, aws:RequestedRegion, s3:x-amz-server-side-encryption,
s3:prefix...

Online, the usual AWS credential chain signs (--profile, AWS_PROFILE,
AWS_ACCESS_KEY_ID...); for an https endpoint with a private certificate
authority, set AWS_CA_BUNDLE to its PEM file.

Exit status: 0 when the simulation ran, whatever it decided; 1 when it failed;
2 for a usage error; 3 when --expect is given and a decision differs.`

const simulateExample = `  trove policy simulate --org examples/cross-account/organization.yaml \
    --principal arn:aws:iam::111111111111:user/ci-publisher \
    --action s3:GetObject --action s3:PutObject \
    --resource arn:aws:s3:::devtools-artifacts/charts/hello-0.1.0.tgz \
    --context s3:x-amz-server-side-encryption=AES256 --expect allowed

  trove policy simulate --endpoint http://127.0.0.1:9000 --profile devtools-root \
    --principal arn:aws:iam::111111111111:user/ci-publisher \
    --action s3:PutObject --resource 'arn:aws:s3:::devtools-artifacts/*' --json`

func newPolicySimulate(s Streams) *cobra.Command {
	var o simulateOptions
	cmd := &cobra.Command{
		Use:     "simulate",
		Short:   "Simulate the decision on a principal's requests, offline or online",
		Long:    simulateLong,
		Example: simulateExample,
	}
	withUsageErrors(cmd, noArgs, func(cmd *cobra.Command, _ []string) error {
		return runSimulate(cmd.Context(), s, o)
	})
	fs := cmd.Flags()
	fs.StringVar(&o.org, "org", "", "organization file to simulate against, offline")
	fs.StringVar(&o.endpoint, "endpoint", "",
		"URL of a running trove to ask instead, such as http://127.0.0.1:9000")
	fs.StringVar(&o.profile, "profile", "", "AWS profile whose credentials sign, online")
	fs.StringVar(&o.region, "region", "", "region of the signature, online (default: the "+
		"profile's, or us-east-1)")
	fs.StringVar(&o.principal, "principal", "",
		"the principal: a user ARN, a root ARN (arn:aws:iam::ID:root) or an account id")
	fs.StringSliceVar(&o.actions, "action", nil,
		"IAM action to simulate, such as s3:GetObject; repeat or separate with commas")
	fs.StringArrayVar(&o.resources, "resource", nil,
		"resource ARN, or * (the default); repeat for more: commas are part of the ARN")
	fs.StringVar(&o.resourcePolicy, "resource-policy", "", "file holding the resource-based "+
		"policy to use instead of the bucket's own")
	fs.StringVar(&o.resourceAccount, "resource-account", "", "account owning the "+
		"resources (default: the bucket's owner, else the principal's account)")
	fs.StringArrayVar(&o.context, "context", nil, "condition key of the request, "+
		"key=value[,value...]; key= sets the key present and empty; repeatable")
	fs.BoolVar(&o.json, "json", false, "print the results as JSON")
	fs.StringVar(&o.expect, "expect", "", "exit with status 3 unless every decision is "+
		"allowed (or every one denied)")
	annotateEnv(fs)
	return cmd
}

// noArgs refuses arguments.
func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return fmt.Errorf("unexpected argument %q", args[0])
	}
	return nil
}

// runSimulate checks the flags, simulates, prints and checks --expect.
func runSimulate(ctx context.Context, s Streams, o simulateOptions) error {
	keys, err := o.check()
	if err != nil {
		return err
	}
	warnUnknownActions(s.Err, o.actions)
	var results []simulate.Result
	if o.org != "" {
		results, err = simulateOffline(ctx, o, keys)
	} else {
		results, err = simulateOnline(ctx, o, keys)
	}
	if err != nil {
		return err
	}
	if err := printResults(s.Out, o, results); err != nil {
		return err
	}
	return o.checkExpect(results)
}

// check validates the flags and parses --context.
func (o *simulateOptions) check() (policy.Context, error) {
	switch {
	case o.org == "" && o.endpoint == "":
		return nil, usageErrorf("give --org FILE to simulate offline or --endpoint URL to " +
			"ask a running trove")
	case o.org != "" && o.endpoint != "":
		return nil, usageErrorf("give either --org or --endpoint, not both")
	case o.org != "" && (o.profile != "" || o.region != ""):
		return nil, usageErrorf("--profile and --region sign online requests; " +
			"they do not go with --org")
	case o.principal == "":
		return nil, usageErrorf("--principal is required")
	case len(o.actions) == 0:
		return nil, usageErrorf("--action is required")
	case o.expect != "" && o.expect != "allowed" && o.expect != "denied":
		return nil, usageErrorf("--expect %q: want allowed or denied", o.expect)
	case o.resourceAccount != "" && !isAccountID(o.resourceAccount):
		return nil, usageErrorf("--resource-account %q: want a 12-digit account id",
			o.resourceAccount)
	}
	if err := checkEndpoint(o.endpoint); err != nil {
		return nil, err
	}
	for _, r := range o.resources {
		if err := simulate.CheckResource(r); err != nil {
			return nil, usageErrorf("--resource: %s", strings.TrimPrefix(err.Error(),
				simulate.ErrInvalidRequest.Error()+": "))
		}
	}
	arn, err := simulate.PrincipalARN(o.principal)
	if err != nil {
		return nil, usageErrorf("--principal: %s", strings.TrimPrefix(err.Error(),
			simulate.ErrInvalidRequest.Error()+": "))
	}
	o.principal = arn
	for _, a := range o.actions {
		if simulate.CheckAction(a) != nil {
			return nil, usageErrorf("--action %q: want an action name such as s3:GetObject", a)
		}
	}
	return parseContext(o.context)
}

// warnUnknownActions names the S3 actions that do not exist: a policy that
// names S3's actions never matches them, so a decision on one says little.
func warnUnknownActions(w io.Writer, actions []string) {
	for _, a := range actions {
		if svc, _, _ := strings.Cut(a, ":"); strings.EqualFold(svc, "s3") {
			if _, ok := s3catalog.Lookup(a); !ok {
				fmt.Fprintf(w, "trove: warning: %s is not an S3 action\n", a)
			}
		}
	}
}

// checkEndpoint checks --endpoint, when given: an http or https URL of a
// host, without credentials, path, query or fragment.
func checkEndpoint(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return usageErrorf("--endpoint %q: %v; want an http:// or https:// URL, such as "+
			"http://127.0.0.1:9000", endpoint, errors.Unwrap(err))
	case u.Scheme != "http" && u.Scheme != "https":
		return usageErrorf("--endpoint %q: want an http:// or https:// URL, such as "+
			"http://127.0.0.1:9000", endpoint)
	case u.Host == "" || u.Hostname() == "":
		return usageErrorf("--endpoint %q: the URL names no host", endpoint)
	case u.User != nil:
		return usageErrorf("--endpoint %q: credentials do not go in the URL; use --profile",
			endpoint)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
		u.Opaque != "":
		return usageErrorf("--endpoint %q: want the server's base URL, such as "+
			"http://127.0.0.1:9000, without a path, query or fragment", endpoint)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return usageErrorf("--endpoint %q: port %s is not 1-65535", endpoint, p)
		}
	}
	return nil
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// parseContext reads --context values: key=value[,value...], and key= for a
// key present with no value. Repeating a key adds values.
func parseContext(flags []string) (policy.Context, error) {
	c := policy.Context{}
	for _, f := range flags {
		key, value, ok := strings.Cut(f, "=")
		key = strings.TrimSpace(key)
		if !ok || key == "" {
			return nil, usageErrorf("--context %q: want key=value[,value...] or key=", f)
		}
		if policy.DerivedKey(key) {
			return nil, usageErrorf("--context %q: trove derives %s from the principal or "+
				"the resource; it cannot be given", f, key)
		}
		old, _ := c.Get(key)
		values := append([]string(nil), old...)
		if value != "" {
			values = append(values, strings.Split(value, ",")...)
		}
		c.Set(key, values...)
	}
	return c, nil
}

// readResourcePolicy reads --resource-policy: a regular file of at most
// orgfile.MaxPolicySize bytes, the most the IAM API takes.
func (o *simulateOptions) readResourcePolicy() ([]byte, error) {
	if o.resourcePolicy == "" {
		return nil, nil
	}
	doc, err := orgfile.ReadFile(o.resourcePolicy, orgfile.MaxPolicySize)
	if err != nil {
		return nil, fmt.Errorf("--resource-policy: %w", err)
	}
	return doc, nil
}

// simulateOffline simulates against the organization file.
func simulateOffline(ctx context.Context, o simulateOptions, keys policy.Context) (
	[]simulate.Result, error) {
	req := simulate.Request{Actions: o.actions, Resources: o.resources,
		ResourceAccount: o.resourceAccount, Context: keys}
	doc, err := o.readResourcePolicy()
	if err != nil {
		return nil, err
	}
	if doc != nil {
		p, err := policy.Parse(doc, policy.Resource)
		if err != nil {
			return nil, fmt.Errorf("--resource-policy %s: %w", o.resourcePolicy, err)
		}
		req.ResourcePolicy = &policy.Source{Layer: policy.LayerResource, Policy: p,
			Name: o.resourcePolicy}
	}
	sc, err := simulate.LoadFile(ctx, o.org)
	if err != nil {
		return nil, err
	}
	defer sc.Close()
	c, err := sc.Principal(ctx, o.principal)
	if err != nil {
		return nil, err
	}
	return sc.Run(ctx, c, req)
}

// simulateOnline asks the trove at --endpoint.
func simulateOnline(ctx context.Context, o simulateOptions, keys policy.Context) (
	[]simulate.Result, error) {
	opts := []func(*config.LoadOptions) error{
		// Credentials come from the environment and the shared files only:
		// never from an instance metadata service.
		config.WithEC2IMDSClientEnableState(imds.ClientDisabled),
	}
	if o.profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(o.profile))
	}
	if o.region != "" {
		opts = append(opts, config.WithRegion(o.region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("AWS configuration: %w", err)
	}
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		if o.profile != "" {
			return nil, fmt.Errorf("profile %q holds no usable credentials to sign with", o.profile)
		}
		return nil, errors.New("no AWS credentials found to sign with: give --profile, or set " +
			"AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	}
	doc, err := o.readResourcePolicy()
	if err != nil {
		return nil, err
	}
	c := &iamapi.Client{Endpoint: o.endpoint, Region: cfg.Region, Credentials: cfg.Credentials,
		HTTP: cfg.HTTPClient}
	return c.SimulatePrincipalPolicy(ctx, iamapi.SimulateInput{PolicySourceArn: o.principal,
		Actions: o.actions, Resources: o.resources, ResourcePolicy: string(doc),
		ResourceOwner: o.resourceAccount, Context: keys})
}

// simulateOutput is the JSON document --json prints.
type simulateOutput struct {
	Principal string            `json:"principal"`
	Results   []simulate.Result `json:"results"`
}

// printResults writes the results for people, or as JSON.
func printResults(w io.Writer, o simulateOptions, results []simulate.Result) error {
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(simulateOutput{Principal: o.principal, Results: results})
	}
	for i, r := range results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s on %s by %s (resource account %s)\n", r.Action, r.Resource,
			o.principal, r.ResourceAccount)
		if _, err := io.WriteString(w, r.Text); err != nil {
			return err
		}
	}
	return nil
}

// errMismatch is what a decision other than --expect's is.
var errMismatch = errors.New("a decision differs from --expect")

// checkExpect returns an exit-3 error when --expect is set and a decision
// differs from it.
func (o *simulateOptions) checkExpect(results []simulate.Result) error {
	if o.expect == "" {
		return nil
	}
	var off []string
	for _, r := range results {
		if r.Denied() != (o.expect == "denied") {
			off = append(off, fmt.Sprintf("%s on %s is %s", r.Action, r.Resource, r.Decision))
		}
	}
	if len(off) == 0 {
		return nil
	}
	return &exitError{code: exitMismatch, err: fmt.Errorf("%w (expected %s): %s", errMismatch,
		o.expect, strings.Join(off, "; "))}
}
