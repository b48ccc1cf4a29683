package iamapi

import (
	"fmt"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// The role actions on a role's policies, boundary and tags: inline
// policies, managed policy attachments, the permissions boundary and tags.

// putRolePolicy serves PutRolePolicy. The document must fit, with the
// role's other inline policies, in IAM's aggregate limit.
func (h *Handler) putRolePolicy(rq *request) error {
	p := params{rq.r.Form}
	name, err := p.name("PolicyName", maxEntityName)
	if err != nil {
		return err
	}
	doc, err := p.policyDocument(maxRoleInlineChars)
	if err != nil {
		return err
	}
	r, err := h.targetRole(rq, "iam:PutRolePolicy")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	have, err := h.cfg.Meta.ListRolePolicies(rq.ctx, r.Account, r.Name)
	if err != nil {
		return fmt.Errorf("iamapi: inline policies of role %s: %w", r.Name, err)
	}
	total := policyChars(string(doc))
	for _, o := range have {
		if o.Name != name {
			total += policyChars(string(o.Document))
		}
	}
	if total > maxRoleInlineChars {
		return errorf(LimitExceeded, "Maximum policy size of %d characters exceeded for "+
			"role %s (its inline policies would have %d characters other than white space).",
			maxRoleInlineChars, r.Name, total)
	}
	err = h.cfg.Meta.PutRolePolicy(rq.ctx, store.RolePolicy{Account: r.Account, Role: r.Name,
		Name: name, Document: doc})
	if err != nil {
		return notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	return reply(rq, nil)
}

// rolePolicy reads PolicyName and returns the inline policy of that name
// of the role RoleName names, after authorizing action on the role.
func (h *Handler) rolePolicy(rq *request, action string) (store.RolePolicy, error) {
	name, err := params{rq.r.Form}.name("PolicyName", maxEntityName)
	if err != nil {
		return store.RolePolicy{}, err
	}
	r, err := h.targetRole(rq, action)
	if err != nil {
		return store.RolePolicy{}, err
	}
	ps, err := h.cfg.Meta.ListRolePolicies(rq.ctx, r.Account, r.Name)
	if err != nil {
		return store.RolePolicy{}, fmt.Errorf("iamapi: inline policies of role %s: %w",
			r.Name, err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p, nil
		}
	}
	return store.RolePolicy{}, errorf(NoSuchEntity, "The role policy with name %s cannot "+
		"be found.", name)
}

// getRolePolicy serves GetRolePolicy, the document URL-encoded as IAM
// sends it.
func (h *Handler) getRolePolicy(rq *request) error {
	p, err := h.rolePolicy(rq, "iam:GetRolePolicy")
	if err != nil {
		return err
	}
	return reply(rq, struct{ RoleName, PolicyName, PolicyDocument string }{p.Role, p.Name,
		encodeDocument(p.Document)})
}

func (h *Handler) deleteRolePolicy(rq *request) error {
	p, err := h.rolePolicy(rq, "iam:DeleteRolePolicy")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.DeleteRolePolicy(rq.ctx, p.Account, p.Role, p.Name); err != nil {
		return notFound(err, "The role policy with name %s cannot be found.", p.Name)
	}
	return reply(rq, nil)
}

func (h *Handler) listRolePolicies(rq *request) error {
	r, err := h.targetRole(rq, "iam:ListRolePolicies")
	if err != nil {
		return err
	}
	ps, err := h.cfg.Meta.ListRolePolicies(rq.ctx, r.Account, r.Name)
	if err != nil {
		return fmt.Errorf("iamapi: inline policies of role %s: %w", r.Name, err)
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, p.Name)
	}
	items, more, marker, err := page(params{rq.r.Form}, names)
	if err != nil {
		return err
	}
	return reply(rq, struct {
		PolicyNames []string `xml:"PolicyNames>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{items, more, marker})
}

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
