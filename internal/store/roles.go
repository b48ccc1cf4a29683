package store

import (
	"context"
	"time"
)

// Role is an IAM role, unique by account and name. Its ARN is
// arn:aws:iam::Account:role followed by Path and Name.
type Role struct {
	Account string
	Name    string
	ID      string // unique id, AROA... (AROA and 17 upper-case letters or digits)
	Path    string // "/" by default
	// TrustPolicy is the role's trust policy: the resource-based policy
	// that says who may assume it.
	TrustPolicy []byte
	// Boundary names the account's managed policy that is the role's
	// permissions boundary; "" when it has none.
	Boundary string
	// MaxSessionDuration is the longest session AssumeRole grants, in
	// seconds (3600 to 43200); 0 means the default of 3600.
	MaxSessionDuration int
	// Tags are the role's tags, which its sessions carry as
	// aws:PrincipalTag; a role without tags may come back with a nil map.
	Tags        map[string]string
	Description string
	Created     time.Time
}

// DefaultMaxSessionDuration is a role's MaxSessionDuration when none is
// set, in seconds.
const DefaultMaxSessionDuration = 3600

// MaxSession returns r's maximum session duration, the default when unset.
func (r Role) MaxSession() time.Duration {
	if r.MaxSessionDuration <= 0 {
		return DefaultMaxSessionDuration * time.Second
	}
	return time.Duration(r.MaxSessionDuration) * time.Second
}

// ARN returns the role's ARN.
func (r Role) ARN() string {
	path := r.Path
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + r.Account + ":role" + path + r.Name
}

// RolePolicy is an inline identity policy of a role.
type RolePolicy struct {
	Account  string
	Role     string
	Name     string
	Document []byte
}

// SessionKey is a secret key that seals session tokens (package session).
// Tokens name the key that sealed them by ID, so that keys can be added
// while tokens sealed under older ones stay valid.
type SessionKey struct {
	ID      uint32
	Secret  []byte // 32 bytes
	Created time.Time
}

// Roles stores IAM roles with their inline policies and managed policy
// attachments, and the keys that seal session tokens. As in IAM, a record
// needs its parents: PutRole returns ErrNotFound (wrapped) when the account,
// or the managed policy its Boundary names, is missing; PutRolePolicy and
// AttachRolePolicy when the role (or the policy) is. Removing what is not
// there returns ErrNotFound. Changes to roles, their policies and
// attachments change the identity version; session keys do not.
type Roles interface {
	// PutRole creates or replaces a role, tags included.
	PutRole(ctx context.Context, r Role) error
	// GetRole returns a role, or ErrNotFound.
	GetRole(ctx context.Context, account, name string) (Role, error)
	// ListRoles lists an account's roles by name.
	ListRoles(ctx context.Context, account string) ([]Role, error)
	// DeleteRole removes a role with its inline policies and attachments.
	DeleteRole(ctx context.Context, account, name string) error

	PutRolePolicy(ctx context.Context, p RolePolicy) error
	DeleteRolePolicy(ctx context.Context, account, role, name string) error
	// ListRolePolicies lists a role's inline policies by name.
	ListRolePolicies(ctx context.Context, account, role string) ([]RolePolicy, error)

	AttachRolePolicy(ctx context.Context, account, role, policy string) error
	DetachRolePolicy(ctx context.Context, account, role, policy string) error
	// ListAttachedRolePolicies returns the managed policies attached to a
	// role, by name, documents included.
	ListAttachedRolePolicies(ctx context.Context, account, role string) ([]ManagedPolicy, error)

	// SessionKeys returns the session keys, newest (highest ID) first.
	SessionKeys(ctx context.Context) ([]SessionKey, error)
	// AddSessionKey stores k unless a key with its ID is stored already,
	// in which case it changes nothing: several servers sharing a store
	// that each add a first key end up sharing one.
	AddSessionKey(ctx context.Context, k SessionKey) error
}
