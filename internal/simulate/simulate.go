// Package simulate answers "what would trove decide?" without making the
// request. It resolves a principal and its policies from the metadata store,
// builds the policy engine's input as the S3 API builds it for a real request
// (the caller's identity-based policies, permissions boundary, SCPs, the
// resource's RCPs and the bucket policy), and reports the decision with every
// policy and statement that led to it, near misses included.
//
// `trove policy simulate` runs it offline against an organization file loaded
// into a scratch store; the IAM API's SimulatePrincipalPolicy and
// SimulateCustomPolicy run it online against the server's store.
//
// A simulation sets only the condition keys derived from the principal and the
// resource (aws:PrincipalOrgID, aws:PrincipalArn, aws:ResourceAccount...).
// The keys a real request carries (aws:CurrentTime, aws:EpochTime,
// aws:SecureTransport, aws:SourceIp, s3:x-amz-server-side-encryption...) are
// missing unless Request.Context gives them.
package simulate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// Simulator runs simulations against a metadata store. Its fields are
// required; it is safe for concurrent use.
type Simulator struct {
	Meta      store.Meta
	Directory *identity.Directory
}

// Request is what to simulate: every action on every resource, for one
// principal.
type Request struct {
	Actions   []string // IAM actions, such as "s3:GetObject"
	Resources []string // resource ARNs; none means "*"
	// ResourcePolicy is the resource-based policy evaluated with every
	// resource. When nil, the stored policy of the bucket a resource names
	// is used, if Stored allows it.
	ResourcePolicy *policy.Source
	// ResourceAccount owns every resource. Empty means the owner of the
	// bucket a resource names, or else the principal's own account.
	ResourceAccount string
	// Context holds the request's condition keys; nil means none.
	Context policy.Context
	// Stored reports whether the stored policy of a bucket owned by account
	// may take part; nil allows every bucket.
	Stored func(account string) bool
	// Boundary, when set, replaces the principal's permissions boundary.
	Boundary *policy.Source
	// NoOrganizations leaves SCPs and RCPs out, as IAM's
	// SimulateCustomPolicy does.
	NoOrganizations bool
	// HideOrganizations keeps the statements of SCPs and RCPs, and the
	// names of those that decided, out of the reports, and leaves another
	// account's organization keys and RCPs out of the evaluation: they are
	// the management account's to read.
	HideOrganizations bool
}

// ErrInvalidRequest is what every error about the request's own values is,
// for errors.Is: the caller may show its text to whoever sent the request.
var ErrInvalidRequest = errors.New("simulate: invalid request")

// Run simulates every pair of req's actions and resources for c, actions
// first: the results are in the order action 1 on each resource, action 2 on
// each resource, and so on.
func (s *Simulator) Run(ctx context.Context, c *identity.Caller, req Request) ([]Result,
	error) {
	out := make([]Result, 0, min(req.Count(), 1024))
	err := s.Each(ctx, c, req, 0, func(r Result) bool {
		out = append(out, r)
		return true
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Count is how many results Run returns for req: one for each action on
// each resource.
func (req Request) Count() int { return len(req.Actions) * max(1, len(req.Resources)) }

// Each simulates the pairs of req's actions and resources in Run's order,
// from the pair at index start on, and hands each result to yield until
// yield returns false or no pair is left. It computes no result before
// start nor after the one yield refuses, so that a page of results costs
// what the page holds. A start past Count is an ErrInvalidRequest.
func (s *Simulator) Each(ctx context.Context, c *identity.Caller, req Request, start int,
	yield func(Result) bool) error {
	if len(req.Actions) == 0 {
		return fmt.Errorf("%w: no action to simulate", ErrInvalidRequest)
	}
	if err := checkRequest(req); err != nil {
		return err
	}
	if start < 0 || start > req.Count() {
		return fmt.Errorf("%w: result %d is past the last, %d", ErrInvalidRequest, start,
			req.Count())
	}
	resources := req.Resources
	if len(resources) == 0 {
		resources = []string{"*"}
	}
	for i := start; i < req.Count(); i++ {
		action, resource := req.Actions[i/len(resources)], resources[i%len(resources)]
		r, err := s.one(ctx, c, req, action, resource)
		if err != nil {
			return fmt.Errorf("simulate: %s on %s: %w", action, resource, err)
		}
		if !yield(r) {
			return nil
		}
	}
	return nil
}

// one simulates action on resource.
func (s *Simulator) one(ctx context.Context, c *identity.Caller, req Request, action,
	resource string) (Result, error) {
	b, found, err := s.bucket(ctx, resource)
	if err != nil {
		return Result{}, err
	}
	account := req.ResourceAccount
	if account == "" && found {
		account = b.Owner
	}
	if account == "" {
		account = c.Principal.Account
	}
	res, withheld := req.ResourcePolicy, ""
	if bucketpolicy.OwnerExempt(c.Principal, action, account) {
		// The server leaves the bucket policy out here too: only SCPs and
		// RCPs can stop the owner's root user managing it.
		res, found = nil, false
	}
	if res == nil && found && b.Policy != nil {
		res, withheld, err = s.storedPolicy(b, req.Stored)
		if err != nil {
			return Result{}, err
		}
	}
	// An account the store does not hold is outside the organization: its
	// scope is still returned.
	sc, err := s.Directory.Scope(ctx, account)
	if err != nil && !errors.Is(err, identity.ErrUnknownAccount) {
		return Result{}, err
	}
	if req.HideOrganizations && account != c.Principal.Account {
		// Another account's place in the organization and its RCPs are the
		// management account's to read: a decision that used them would
		// reveal them, one simulation at a time.
		sc = identity.Scope{Account: account}
	}
	rq := policy.Request{Action: action, Resource: resource, ResourceAccount: account,
		Context: cloneContext(req.Context)}
	in := c.Input(rq, res, sc)
	if req.Boundary != nil {
		in.Boundary = req.Boundary
	}
	if req.NoOrganizations {
		in.SCPs, in.RCPs = nil, nil
	}
	return newResult(in, req.HideOrganizations, withheld), nil
}

// storedPolicy returns the stored policy of b when stored allows it, or else
// the name of the policy withheld.
func (s *Simulator) storedPolicy(b store.Bucket, stored func(string) bool) (
	*policy.Source, string, error) {
	name := "bucket policy of " + b.Name
	if stored != nil && !stored(b.Owner) {
		return nil, name, nil
	}
	p, err := s.Directory.Parse(b.Policy, policy.Resource)
	if err != nil {
		return nil, "", fmt.Errorf("stored policy of bucket %s: %w", b.Name, err)
	}
	return &policy.Source{Layer: policy.LayerResource, Policy: p, Name: name}, "", nil
}

// bucket returns the bucket an S3 resource ARN names, if the store holds it.
func (s *Simulator) bucket(ctx context.Context, resource string) (store.Bucket, bool, error) {
	rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::")
	name, _, _ := strings.Cut(rest, "/")
	if !ok || name == "" || strings.ContainsAny(name, "*?") {
		return store.Bucket{}, false, nil
	}
	b, err := s.Meta.GetBucket(ctx, name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return store.Bucket{}, false, nil
	case err != nil:
		return store.Bucket{}, false, fmt.Errorf("bucket %s: %w", name, err)
	}
	return b, true, nil
}

// cloneContext copies c so that one evaluation cannot change another's keys.
func cloneContext(c policy.Context) policy.Context {
	out := make(policy.Context, len(c))
	for k, v := range c {
		out[k] = slices.Clone(v)
	}
	return out
}

// checkRequest rejects actions that are not of the form service:Action,
// resources that are not ARNs, and context keys the engine derives from the
// principal or the resource, which a request cannot set.
func checkRequest(req Request) error {
	for _, a := range req.Actions {
		if err := CheckAction(a); err != nil {
			return err
		}
	}
	for _, r := range req.Resources {
		if err := CheckResource(r); err != nil {
			return err
		}
	}
	for k := range req.Context {
		if policy.DerivedKey(k) {
			return fmt.Errorf("%w: context key %q is derived from the principal or the "+
				"resource and cannot be given", ErrInvalidRequest, k)
		}
	}
	return nil
}

// actionName is an action a simulation evaluates: a service prefix, a colon
// and an action, without wildcards, 3 to 128 characters as IAM's ActionNames.
var actionName = regexp.MustCompile(`^[a-zA-Z0-9-]+:[a-zA-Z0-9]+$`)

// CheckAction reports whether a is an action name a simulation can
// evaluate, such as s3:GetObject; the error is ErrInvalidRequest.
func CheckAction(a string) error {
	if len(a) < 3 || len(a) > 128 || !actionName.MatchString(a) {
		return fmt.Errorf("%w: %q is not an action name of the form service:Action",
			ErrInvalidRequest, short(a))
	}
	return nil
}

// MaxResourceLength is the longest resource ARN a simulation takes, as
// IAM's ResourceArns.
const MaxResourceLength = 2048

// CheckResource checks a resource to simulate on, as IAM's simulator does:
// "*" or an ARN of six colon-separated parts whose partition, service and
// resource are not empty, of at most MaxResourceLength characters. Its
// error wraps ErrInvalidRequest.
func CheckResource(r string) error {
	if r == "*" {
		return nil
	}
	parts := strings.SplitN(r, ":", 6)
	if len(r) > MaxResourceLength || len(parts) != 6 || parts[0] != "arn" || parts[1] == "" ||
		parts[2] == "" || parts[5] == "" {
		return fmt.Errorf("%w: %q is not \"*\" or an ARN (arn:PARTITION:SERVICE:REGION:"+
			"ACCOUNT:RESOURCE, such as arn:aws:s3:::bucket/key)", ErrInvalidRequest, short(r))
	}
	return nil
}

// short cuts text quoted in an error to 128 bytes.
func short(s string) string {
	if len(s) > 128 {
		return s[:128] + "..."
	}
	return s
}
