package iamapi

import (
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// managementOperations are the actions that manage the caller's account,
// by name; New's table holds them with the simulator's. Roles and OIDC
// providers add theirs (roles.go, oidcproviders.go).
var managementOperations = merged(map[string]func(*Handler, *request) error{
	"CreateUser": (*Handler).createUser,
	"GetUser":    (*Handler).getUser,
	"ListUsers":  (*Handler).listUsers,
	"UpdateUser": (*Handler).updateUser,
	"DeleteUser": (*Handler).deleteUser,

	"CreateGroup":         (*Handler).createGroup,
	"GetGroup":            (*Handler).getGroup,
	"ListGroups":          (*Handler).listGroups,
	"DeleteGroup":         (*Handler).deleteGroup,
	"AddUserToGroup":      (*Handler).addUserToGroup,
	"RemoveUserFromGroup": (*Handler).removeUserFromGroup,
	"ListGroupsForUser":   (*Handler).listGroupsForUser,

	"CreatePolicy":              (*Handler).createPolicy,
	"GetPolicy":                 (*Handler).getPolicy,
	"ListPolicies":              (*Handler).listPolicies,
	"DeletePolicy":              (*Handler).deletePolicy,
	"ListEntitiesForPolicy":     (*Handler).listPolicyEntities,
	"AttachUserPolicy":          with(userAttachment, (*Handler).attachPolicy),
	"DetachUserPolicy":          with(userAttachment, (*Handler).detachPolicy),
	"AttachGroupPolicy":         with(groupAttachment, (*Handler).attachPolicy),
	"DetachGroupPolicy":         with(groupAttachment, (*Handler).detachPolicy),
	"ListAttachedUserPolicies":  with(userAttachment, (*Handler).listAttached),
	"ListAttachedGroupPolicies": with(groupAttachment, (*Handler).listAttached),

	"PutUserPolicy":     with(userInline, (*Handler).putInline),
	"GetUserPolicy":     with(userInline, (*Handler).getInline),
	"DeleteUserPolicy":  with(userInline, (*Handler).deleteInline),
	"ListUserPolicies":  with(userInline, (*Handler).listInline),
	"PutGroupPolicy":    with(groupInline, (*Handler).putInline),
	"GetGroupPolicy":    with(groupInline, (*Handler).getInline),
	"DeleteGroupPolicy": with(groupInline, (*Handler).deleteInline),
	"ListGroupPolicies": with(groupInline, (*Handler).listInline),

	"CreateAccessKey":      (*Handler).createAccessKey,
	"ListAccessKeys":       (*Handler).listAccessKeys,
	"UpdateAccessKey":      (*Handler).updateAccessKey,
	"DeleteAccessKey":      (*Handler).deleteAccessKey,
	"GetAccessKeyLastUsed": (*Handler).getAccessKeyLastUsed,

	"PutUserPermissionsBoundary":    (*Handler).putUserPermissionsBoundary,
	"DeleteUserPermissionsBoundary": (*Handler).deleteUserPermissionsBoundary,
	"TagUser":                       (*Handler).tagUser,
	"UntagUser":                     (*Handler).untagUser,
	"ListUserTags":                  (*Handler).listUserTags,

	"GetAccountSummary": (*Handler).getAccountSummary,
}, roleOperations, oidcOperations, versionOperations, absentOperations)

// with binds the first argument of an action shared by users and groups.
func with[K any](k K, f func(*Handler, *request, K) error) func(*Handler, *request) error {
	return func(h *Handler, rq *request) error { return f(h, rq, k) }
}

// summaryEntry is one entry of GetAccountSummary's SummaryMap.
type summaryEntry struct {
	Key   string `xml:"key"`
	Value int    `xml:"value"`
}

// getAccountSummary counts the account's users, groups and policies and
// states the limits trove enforces.
func (h *Handler) getAccountSummary(rq *request) error {
	if err := h.allow(rq, "iam:GetAccountSummary", "*"); err != nil {
		return err
	}
	m, a := h.cfg.Meta, own(rq)
	us, err := m.ListUsers(rq.ctx, a)
	if err != nil {
		return fmt.Errorf("iamapi: list users: %w", err)
	}
	gs, err := m.ListGroups(rq.ctx, a)
	if err != nil {
		return fmt.Errorf("iamapi: list groups: %w", err)
	}
	ps, err := m.ListManagedPolicies(rq.ctx, a)
	if err != nil {
		return fmt.Errorf("iamapi: list managed policies: %w", err)
	}
	rootKeys, err := m.ListAccessKeys(rq.ctx, a, "")
	if err != nil {
		return fmt.Errorf("iamapi: list root access keys: %w", err)
	}
	entries := []summaryEntry{{"Users", len(us)}, {"Groups", len(gs)},
		{"Policies", len(ps)}, {"AccountAccessKeysPresent", min(len(rootKeys), 1)},
		{"AccessKeysPerUserQuota", maxKeys}, {"AttachedPoliciesPerUserQuota", maxAttached},
		{"AttachedPoliciesPerGroupQuota", maxAttached}, {"PolicySizeQuota", maxManagedChars},
		{"UserPolicySizeQuota", maxUserInlineChars},
		{"GroupPolicySizeQuota", maxGroupInlineChars},
		{"VersionsPerPolicyQuota", store.MaxPolicyVersions}}
	roles, err := h.roleSummary(rq)
	if err != nil {
		return err
	}
	entries = append(entries, roles...)
	return reply(rq, struct {
		SummaryMap []summaryEntry `xml:"SummaryMap>entry"`
	}{entries})
}
