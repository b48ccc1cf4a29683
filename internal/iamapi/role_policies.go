package iamapi

import (
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// The role actions on a role's managed policy attachments, permissions
// boundary and tags; its inline policies are inline.go's roleInline.

// roleAttachment lets the shared Attach, Detach and ListAttached actions
// work on roles.
var roleAttachment = attachment{param: "RoleName",
	target: func(h *Handler, rq *request, action string) (string, string, error) {
		r, err := h.targetRole(rq, action)
		return r.Account, r.Name, err
	},
	attach: func(m store.Meta, rq *request, name, p string) error {
		return m.AttachRolePolicy(rq.ctx, own(rq), name, p)
	},
	detach: func(m store.Meta, rq *request, name, p string) error {
		return m.DetachRolePolicy(rq.ctx, own(rq), name, p)
	},
	list: func(m store.Meta, rq *request, name string) ([]store.ManagedPolicy, error) {
		return m.ListAttachedRolePolicies(rq.ctx, own(rq), name)
	}}

func (h *Handler) putRolePermissionsBoundary(rq *request) error {
	arn, err := params{rq.r.Form}.policyARN(rq, "PermissionsBoundary")
	if err != nil {
		return err
	}
	rq.keys = policy.Context{}
	rq.keys.Set("iam:PermissionsBoundary", arn)
	_, err = h.changeRole(rq, "iam:PutRolePermissionsBoundary", func(r *store.Role) error {
		mp, err := h.managed(rq, arn)
		r.Boundary = mp.Name
		return err
	})
	if err != nil {
		return err
	}
	return reply(rq, nil)
}

func (h *Handler) deleteRolePermissionsBoundary(rq *request) error {
	_, err := h.changeRole(rq, "iam:DeleteRolePermissionsBoundary", func(r *store.Role) error {
		if r.Boundary == "" {
			return errorf(NoSuchEntity, "The role %s has no permissions boundary.", r.Name)
		}
		r.Boundary = ""
		return nil
	})
	if err != nil {
		return err
	}
	return reply(rq, nil)
}

func (h *Handler) tagRole(rq *request) error {
	tags, err := requestTags(rq)
	if err != nil {
		return err
	}
	_, err = h.changeRole(rq, "iam:TagRole", func(r *store.Role) error {
		merged := withTags(r.Tags, tags)
		if len(merged) > maxTags {
			return errorf(LimitExceeded, "Cannot exceed quota for TagsPerRole: %d.", maxTags)
		}
		r.Tags = merged
		return nil
	})
	if err != nil {
		return err
	}
	return reply(rq, nil)
}

func (h *Handler) untagRole(rq *request) error {
	keys, err := untagKeys(rq)
	if err != nil {
		return err
	}
	_, err = h.changeRole(rq, "iam:UntagRole", func(r *store.Role) error {
		r.Tags = withoutTags(r.Tags, keys)
		return nil
	})
	if err != nil {
		return err
	}
	return reply(rq, nil)
}

func (h *Handler) listRoleTags(rq *request) error {
	r, err := h.targetRole(rq, "iam:ListRoleTags")
	if err != nil {
		return err
	}
	return replyTags(rq, r.Tags)
}
