package store

import (
	"context"
	"errors"
)

// Conditions of the IAM methods callers test with errors.Is.
var (
	// ErrExists reports a rename onto a name another record of the account
	// already has.
	ErrExists = errors.New("store: already exists")
	// ErrInUse reports a delete of a record that others still depend on:
	// the wrapping error says which.
	ErrInUse = errors.New("store: in use")
)

// PolicyType is an AWS Organizations authorization policy type.
type PolicyType string

// The policy types trove models.
const (
	ServiceControlPolicy  PolicyType = "SERVICE_CONTROL_POLICY"
	ResourceControlPolicy PolicyType = "RESOURCE_CONTROL_POLICY"
)

// The AWS managed organization policies. They have no stored document, yet
// may be attached like a stored one of their type: FullAWSAccess is an SCP,
// RCPFullAWSAccess an RCP.
const (
	FullAWSAccess    = "FullAWSAccess"
	RCPFullAWSAccess = "RCPFullAWSAccess"
)

// Builtin reports whether name is the AWS managed policy of type t.
func Builtin(t PolicyType, name string) bool {
	return (t == ServiceControlPolicy && name == FullAWSAccess) ||
		(t == ResourceControlPolicy && name == RCPFullAWSAccess)
}

// ManagedPolicy is a customer managed IAM policy, unique by account and name
// (as in IAM, the path does not make a name unique). Its ARN is
// arn:aws:iam::Account:policy followed by Path and Name. Document is its
// default version's document (see PolicyVersions).
type ManagedPolicy struct {
	Account  string
	Name     string
	ID       string // unique id, ANPA...
	Path     string // "/" by default
	Document []byte
	// Description is what the policy's creator said of it. As in IAM it
	// never changes: PutManagedPolicy stores it when it creates the policy
	// and ignores it after.
	Description string
}

// ARN returns the policy's ARN.
func (p ManagedPolicy) ARN() string {
	path := p.Path
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + p.Account + ":policy" + path + p.Name
}

// Group is an IAM group, unique by account and name.
type Group struct {
	Account string
	Name    string
	ID      string // unique id, AGPA...
	Path    string // "/" by default
}

// GroupPolicy is an inline identity policy of a group.
type GroupPolicy struct {
	Account  string
	Group    string
	Name     string
	Document []byte
}

// OrgPolicy is a service control policy or resource control policy of the
// organization, unique by type and name.
type OrgPolicy struct {
	Type     PolicyType
	Name     string
	ID       string // p-...
	Document []byte
}

// OrgAttachment attaches the organization policy of type Type named Policy
// to Target: the root's id, an OU's id or an account's id.
type OrgAttachment struct {
	Type   PolicyType
	Policy string
	Target string
}

// IAM stores what IAM adds to users: customer managed policies, groups with
// their inline policies, group memberships, managed policy attachments and
// user tags. Every record needs its parents, and a Put or Attach given a
// missing one returns ErrNotFound (wrapped): a managed policy or group needs
// its account, a group policy its group, a membership its user and group, an
// attachment its user or group and the policy, in the same account. Adding
// what is there already changes nothing; removing what is not there returns
// ErrNotFound, except UntagUser, which ignores keys the user lacks.
type IAM interface {
	PutManagedPolicy(ctx context.Context, p ManagedPolicy) error
	GetManagedPolicy(ctx context.Context, account, name string) (ManagedPolicy, error)
	// ListManagedPolicies lists an account's managed policies by name.
	ListManagedPolicies(ctx context.Context, account string) ([]ManagedPolicy, error)

	PutGroup(ctx context.Context, g Group) error
	GetGroup(ctx context.Context, account, name string) (Group, error)
	// ListGroups lists an account's groups by name.
	ListGroups(ctx context.Context, account string) ([]Group, error)
	PutGroupPolicy(ctx context.Context, p GroupPolicy) error
	// ListGroupPolicies lists a group's inline policies by name.
	ListGroupPolicies(ctx context.Context, account, group string) ([]GroupPolicy, error)

	AddUserToGroup(ctx context.Context, account, user, group string) error
	RemoveUserFromGroup(ctx context.Context, account, user, group string) error
	// ListGroupsForUser lists the groups a user is in, by name.
	ListGroupsForUser(ctx context.Context, account, user string) ([]Group, error)

	AttachUserPolicy(ctx context.Context, account, user, policy string) error
	DetachUserPolicy(ctx context.Context, account, user, policy string) error
	// ListAttachedUserPolicies returns the managed policies attached to a
	// user, by name, documents included.
	ListAttachedUserPolicies(ctx context.Context, account, user string) ([]ManagedPolicy, error)
	AttachGroupPolicy(ctx context.Context, account, group, policy string) error
	DetachGroupPolicy(ctx context.Context, account, group, policy string) error
	// ListAttachedGroupPolicies is ListAttachedUserPolicies for a group.
	ListAttachedGroupPolicies(ctx context.Context, account, group string) (
		[]ManagedPolicy, error)

	// TagUser adds tags to a user, replacing the values of keys it has. Keys
	// compare regardless of case, as IAM's user tags do: a key replaces any
	// key that differs from it only in case, and UntagUser removes them.
	TagUser(ctx context.Context, account, user string, tags map[string]string) error
	UntagUser(ctx context.Context, account, user string, keys []string) error
	// ListUserTags returns a user's tags; a user without tags has an empty
	// or nil map.
	ListUserTags(ctx context.Context, account, user string) (map[string]string, error)

	IAMDeletes
}

// PolicyEntities are the users, groups and roles of an account that use
// one managed policy: attached to them, or, for Boundaries and
// RoleBoundaries, as their permissions boundary. Each list is sorted by
// name.
type PolicyEntities struct {
	Users      []string
	Groups     []string
	Boundaries []string // users whose permissions boundary the policy is
	Roles      []string
	// RoleBoundaries are the roles whose permissions boundary the policy is.
	RoleBoundaries []string
}

// IAMDeletes are the IAM methods that remove, rename and enumerate what the
// IAM API manages. As in IAM, a record others depend on is not removed in
// cascade: DeleteUser, DeleteGroup and DeleteManagedPolicy return ErrInUse
// (wrapped, saying what remains) and change nothing. Removing what is not
// there returns ErrNotFound.
type IAMDeletes interface {
	// DeleteUser removes a user and its tags. It returns ErrInUse while the
	// user has access keys, inline policies, attached managed policies or
	// group memberships.
	DeleteUser(ctx context.Context, account, name string) error
	// RenameUser gives a user a new name and path, keeping its id, keys,
	// policies, groups and tags. It returns ErrExists when another user of
	// the account has the new name.
	RenameUser(ctx context.Context, account, name, newName, newPath string) error
	DeleteUserPolicy(ctx context.Context, account, user, name string) error
	// DeleteAccessKey removes an access key of any principal by id.
	DeleteAccessKey(ctx context.Context, id string) error

	// DeleteGroup removes a group. It returns ErrInUse while the group has
	// members, inline policies or attached managed policies.
	DeleteGroup(ctx context.Context, account, name string) error
	// ListGroupMembers lists a group's users by name.
	ListGroupMembers(ctx context.Context, account, group string) ([]User, error)
	DeleteGroupPolicy(ctx context.Context, account, group, name string) error

	// DeleteManagedPolicy removes a managed policy with its default
	// version and its tags. It returns ErrInUse while the policy is
	// attached to a user, group or role, is a user's or role's permissions
	// boundary, or has versions other than the default.
	DeleteManagedPolicy(ctx context.Context, account, name string) error
	// ListPolicyEntities returns who uses an account's managed policy; a
	// policy nobody uses has empty lists, a missing one ErrNotFound.
	ListPolicyEntities(ctx context.Context, account, policy string) (PolicyEntities, error)
}

// Organizations stores the organization's authorization policies: which
// policy types are enabled, the SCPs and RCPs, and what they are attached
// to. Methods given a PolicyType other than the two constants fail.
// AttachOrgPolicy returns ErrNotFound (wrapped) unless the target is the
// stored organization's root, a stored OU or a stored account, and the
// policy is stored or is the AWS managed one of its type. It does not check
// that the type is enabled: evaluation ignores the attachments of a disabled
// type. Enabling an enabled type or attaching an attached policy changes
// nothing; disabling a disabled type or detaching what is not attached
// returns ErrNotFound.
type Organizations interface {
	EnablePolicyType(ctx context.Context, t PolicyType) error
	// DisablePolicyType disables t and, as AWS does, detaches every policy
	// of that type from every target.
	DisablePolicyType(ctx context.Context, t PolicyType) error
	// ListEnabledPolicyTypes lists the enabled types in a stable order.
	ListEnabledPolicyTypes(ctx context.Context) ([]PolicyType, error)

	PutOrgPolicy(ctx context.Context, p OrgPolicy) error
	// ListOrgPolicies lists the stored policies of one type by name; the AWS
	// managed ones are not stored.
	ListOrgPolicies(ctx context.Context, t PolicyType) ([]OrgPolicy, error)

	AttachOrgPolicy(ctx context.Context, a OrgAttachment) error
	DetachOrgPolicy(ctx context.Context, a OrgAttachment) error
	// ListOrgAttachments lists every attachment of one type, by target and
	// then policy name.
	ListOrgAttachments(ctx context.Context, t PolicyType) ([]OrgAttachment, error)
}
