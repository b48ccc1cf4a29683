package store

import (
	"context"
	"errors"
	"strconv"
	"time"
)

// MaxPolicyVersions is how many versions one customer managed policy may
// have at a time, IAM's limit.
const MaxPolicyVersions = 5

// ErrLimit reports a write that would take a record past a limit the store
// enforces, such as MaxPolicyVersions: the wrapping error says which.
var ErrLimit = errors.New("store: limit exceeded")

// PolicyVersion is one version of a customer managed policy. A policy's
// versions are numbered v1, v2, ... in the order they were made, and a
// number is not given twice to versions of one policy, deleted ones
// included. Exactly one version is the default; its document is the
// policy's ManagedPolicy.Document, the one identity evaluation uses.
type PolicyVersion struct {
	ID       string // "v1", "v2", ...
	Document []byte
	Default  bool
	// Created is when the store made the version, by the store's clock;
	// zero for the v1 that schema migration gave a policy stored before
	// versions were kept.
	Created time.Time
}

// VersionID is the id of version number n, "v" and n.
func VersionID(n int) string { return "v" + strconv.Itoa(n) }

// VersionNumber is the number of a version id, 0 when id is not of the
// form vN with N a positive integer without leading zeros.
func VersionNumber(id string) int {
	if len(id) < 2 || id[0] != 'v' || id[1] == '0' {
		return 0
	}
	n, err := strconv.Atoi(id[1:])
	if err != nil || n <= 0 || VersionID(n) != id {
		return 0
	}
	return n
}

// PolicyVersions stores the versions and the tags of customer managed
// policies. PutManagedPolicy (IAM) keeps versions too: creating a policy
// makes v1, its default; a Put whose Document differs from the default
// version's makes a new version and sets it as the default, first removing
// the oldest version that is not the default when the policy has
// MaxPolicyVersions already. DeleteManagedPolicy removes the default
// version and the tags with the policy, and returns ErrInUse while other
// versions remain. Every method returns ErrNotFound (wrapped) when the
// account has no managed policy of that name.
type PolicyVersions interface {
	// CreatePolicyVersion adds a version holding doc, the default when
	// makeDefault is set, and returns it. It returns ErrLimit when the
	// policy has MaxPolicyVersions versions.
	CreatePolicyVersion(ctx context.Context, account, policy string, doc []byte,
		makeDefault bool) (PolicyVersion, error)
	// GetPolicyVersion returns one version, ErrNotFound when the policy has
	// none of that id.
	GetPolicyVersion(ctx context.Context, account, policy, id string) (PolicyVersion, error)
	// ListPolicyVersions lists a policy's versions, oldest first.
	ListPolicyVersions(ctx context.Context, account, policy string) ([]PolicyVersion, error)
	// SetDefaultPolicyVersion makes a version the default, and its
	// document the policy's; ErrNotFound when there is no such version.
	SetDefaultPolicyVersion(ctx context.Context, account, policy, id string) error
	// DeletePolicyVersion removes a version; ErrInUse when it is the
	// default, ErrNotFound when there is no such version.
	DeletePolicyVersion(ctx context.Context, account, policy, id string) error

	// TagPolicy adds tags to a policy, replacing the values of keys it has.
	TagPolicy(ctx context.Context, account, policy string, tags map[string]string) error
	// UntagPolicy removes tags from a policy, ignoring keys it lacks.
	UntagPolicy(ctx context.Context, account, policy string, keys []string) error
	// ListPolicyTags returns a policy's tags; nil when it has none.
	ListPolicyTags(ctx context.Context, account, policy string) (map[string]string, error)
}
