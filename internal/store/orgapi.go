package store

import "context"

// OrgAdmin holds what the Organizations API changes beyond Organizations
// and the organization's records of Meta: reading one OU or policy by id,
// renaming and deleting an SCP or RCP. Renaming carries the policy's
// attachments along; deleting returns ErrInUse (wrapped, changing nothing)
// while the policy is attached anywhere, as AWS refuses to delete an
// attached policy. Each is one transaction.
type OrgAdmin interface {
	// GetOU returns the OU with id, or ErrNotFound.
	GetOU(ctx context.Context, id string) (OU, error)
	// GetOrgPolicyByID returns the stored SCP or RCP with id, of either
	// type, or ErrNotFound. The AWS managed policies are not stored.
	GetOrgPolicyByID(ctx context.Context, id string) (OrgPolicy, error)
	// RenameOrgPolicy renames the policy of type t called name, keeping
	// its id, document and attachments. It returns ErrNotFound when there
	// is no such policy and ErrExists when another policy of the type is
	// called newName.
	RenameOrgPolicy(ctx context.Context, t PolicyType, name, newName string) error
	// DeleteOrgPolicy removes the policy of type t called name. It returns
	// ErrNotFound when there is none and ErrInUse while it is attached.
	DeleteOrgPolicy(ctx context.Context, t PolicyType, name string) error
}
