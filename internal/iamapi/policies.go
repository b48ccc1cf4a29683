package iamapi

import (
	"fmt"
	"strings"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// maxAttached is IAM's default limit on the managed policies attached to
// one user or one group.
const maxAttached = 10

// policyXML is IAM's Policy element. Description and Tags are answered by
// CreatePolicy and GetPolicy only, as in IAM.
type policyXML struct {
	PolicyName                    string
	PolicyID                      string `xml:"PolicyId"`
	Arn                           string
	Path                          string
	DefaultVersionID              string `xml:"DefaultVersionId"`
	AttachmentCount               int
	PermissionsBoundaryUsageCount int
	IsAttachable                  bool
	Description                   string   `xml:",omitempty"`
	Tags                          []tagXML `xml:"Tags>member,omitempty"`
}

// policyOf is p's Policy element, with the counts of e and the id of its
// default version.
func policyOf(p store.ManagedPolicy, e store.PolicyEntities, def string) policyXML {
	return policyXML{PolicyName: p.Name, PolicyID: p.ID, Arn: p.ARN(), Path: p.Path,
		DefaultVersionID:              def,
		AttachmentCount:               len(e.Users) + len(e.Groups) + len(e.Roles),
		PermissionsBoundaryUsageCount: len(e.Boundaries) + len(e.RoleBoundaries),
		IsAttachable:                  true}
}

// targetPolicy reads PolicyArn, authorizes action on it and returns the
// policy with who uses it.
func (h *Handler) targetPolicy(rq *request, action string) (store.ManagedPolicy,
	store.PolicyEntities, error) {
	arn, err := params{rq.r.Form}.policyARN(rq, "PolicyArn")
	if err != nil {
		return store.ManagedPolicy{}, store.PolicyEntities{}, err
	}
	if err := h.allow(rq, action, arn); err != nil {
		return store.ManagedPolicy{}, store.PolicyEntities{}, err
	}
	mp, err := h.managed(rq, arn)
	if err != nil {
		return mp, store.PolicyEntities{}, err
	}
	e, err := h.cfg.Meta.ListPolicyEntities(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return mp, e, notFound(err, "Policy %s does not exist or is not attachable.", arn)
	}
	return mp, e, nil
}

// newPolicy reads CreatePolicy's parameters into a managed policy of the
// caller's account, with its tags.
func newPolicy(rq *request) (store.ManagedPolicy, []tagXML, error) {
	p := params{rq.r.Form}
	mp := store.ManagedPolicy{Account: own(rq), ID: newID("ANPA")}
	var err error
	if mp.Name, err = p.name("PolicyName", maxEntityName); err != nil {
		return mp, nil, err
	}
	if mp.Path, err = p.path("Path"); err != nil {
		return mp, nil, err
	}
	if mp.Description, err = p.description(); err != nil {
		return mp, nil, err
	}
	tags, err := p.tags()
	if err != nil {
		return mp, nil, err
	}
	mp.Document, err = p.policyDocument(maxManagedChars)
	return mp, tags, err
}

func (h *Handler) createPolicy(rq *request) error {
	mp, tags, err := newPolicy(rq)
	if err != nil {
		return err
	}
	err = h.allowCreate(rq, "iam:CreatePolicy", "iam:TagPolicy", mp.ARN(), tags, "")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	ps, err := h.cfg.Meta.ListManagedPolicies(rq.ctx, mp.Account)
	if err != nil {
		return fmt.Errorf("iamapi: list managed policies: %w", err)
	}
	for _, o := range ps {
		if strings.EqualFold(o.Name, mp.Name) {
			return errorf(EntityAlreadyExists, "A policy called %s already exists. Duplicate "+
				"names are not allowed.", mp.Name)
		}
	}
	if err := h.cfg.Meta.PutManagedPolicy(rq.ctx, mp); err != nil {
		return fmt.Errorf("iamapi: put managed policy %s: %w", mp.Name, err)
	}
	if len(tags) > 0 {
		err := h.cfg.Meta.TagPolicy(rq.ctx, mp.Account, mp.Name, tagMap(tags))
		if err != nil {
			return fmt.Errorf("iamapi: tag managed policy %s: %w", mp.Name, err)
		}
	}
	x := policyOf(mp, store.PolicyEntities{}, store.VersionID(1))
	x.Description, x.Tags = mp.Description, tags
	return reply(rq, struct{ Policy policyXML }{x})
}

func (h *Handler) getPolicy(rq *request) error {
	mp, e, err := h.targetPolicy(rq, "iam:GetPolicy")
	if err != nil {
		return err
	}
	def, err := h.defaultVersionID(rq, mp)
	if err != nil {
		return err
	}
	tags, err := h.cfg.Meta.ListPolicyTags(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	x := policyOf(mp, e, def)
	x.Description, x.Tags = mp.Description, sortedTags(tags)
	return reply(rq, struct{ Policy policyXML }{x})
}

// listPoliciesResult is ListPolicies' answer.
type listPoliciesResult struct {
	Policies    []policyXML `xml:"Policies>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (h *Handler) listPolicies(rq *request) error {
	p := params{rq.r.Form}
	prefix, err := p.pathPrefix()
	if err != nil {
		return err
	}
	switch p.str("Scope") {
	case "", "All", "Local":
	case "AWS":
		return errorf(InvalidInput, "Scope: trove has no AWS managed policies; list the "+
			"customer managed ones with Scope=Local.")
	default:
		return errorf(ValidationError, "1 validation error detected: Value %q at 'scope' "+
			"failed to satisfy constraint: Member must satisfy enum value set: [All, AWS, "+
			"Local]", truncate(p.str("Scope")))
	}
	if err := h.allow(rq, "iam:ListPolicies", "*"); err != nil {
		return err
	}
	xs, err := h.policyList(rq, prefix, p.str("OnlyAttached") == "true")
	if err != nil {
		return err
	}
	items, more, marker, err := page(p, xs)
	if err != nil {
		return err
	}
	return reply(rq, listPoliciesResult{Policies: items, IsTruncated: more, Marker: marker})
}

// policyList lists the account's managed policies under prefix, only the
// attached ones when attached is set.
func (h *Handler) policyList(rq *request, prefix string, attached bool) ([]policyXML, error) {
	ps, err := h.cfg.Meta.ListManagedPolicies(rq.ctx, own(rq))
	if err != nil {
		return nil, fmt.Errorf("iamapi: list managed policies: %w", err)
	}
	var xs []policyXML
	for _, mp := range ps {
		if !strings.HasPrefix(mp.Path, prefix) {
			continue
		}
		e, err := h.cfg.Meta.ListPolicyEntities(rq.ctx, mp.Account, mp.Name)
		if err != nil {
			return nil, fmt.Errorf("iamapi: entities of policy %s: %w", mp.Name, err)
		}
		def, err := h.defaultVersionID(rq, mp)
		if err != nil {
			return nil, err
		}
		x := policyOf(mp, e, def)
		if !attached || x.AttachmentCount > 0 {
			xs = append(xs, x)
		}
	}
	return xs, nil
}

func (h *Handler) deletePolicy(rq *request) error {
	mp, _, err := h.targetPolicy(rq, "iam:DeletePolicy")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.DeleteManagedPolicy(rq.ctx, mp.Account, mp.Name); err != nil {
		return notFound(conflict(err, "the policy "+mp.ARN()),
			"Policy %s does not exist or is not attachable.", mp.ARN())
	}
	return reply(rq, nil)
}

// attachment is what the Attach and Detach actions share for users and
// groups: the principal's parameter, and the store's methods.
type attachment struct {
	param  string // UserName or GroupName
	target func(h *Handler, rq *request, action string) (account, name string, err error)
	attach func(m store.Meta, rq *request, name, policy string) error
	detach func(m store.Meta, rq *request, name, policy string) error
	list   func(m store.Meta, rq *request, name string) ([]store.ManagedPolicy, error)
}

var (
	userAttachment = attachment{param: "UserName",
		target: func(h *Handler, rq *request, action string) (string, string, error) {
			u, err := h.targetUser(rq, action)
			return u.Account, u.Name, err
		},
		attach: func(m store.Meta, rq *request, name, p string) error {
			return m.AttachUserPolicy(rq.ctx, own(rq), name, p)
		},
		detach: func(m store.Meta, rq *request, name, p string) error {
			return m.DetachUserPolicy(rq.ctx, own(rq), name, p)
		},
		list: func(m store.Meta, rq *request, name string) ([]store.ManagedPolicy, error) {
			return m.ListAttachedUserPolicies(rq.ctx, own(rq), name)
		}}
	groupAttachment = attachment{param: "GroupName",
		target: func(h *Handler, rq *request, action string) (string, string, error) {
			g, err := h.targetGroup(rq, action)
			return g.Account, g.Name, err
		},
		attach: func(m store.Meta, rq *request, name, p string) error {
			return m.AttachGroupPolicy(rq.ctx, own(rq), name, p)
		},
		detach: func(m store.Meta, rq *request, name, p string) error {
			return m.DetachGroupPolicy(rq.ctx, own(rq), name, p)
		},
		list: func(m store.Meta, rq *request, name string) ([]store.ManagedPolicy, error) {
			return m.ListAttachedGroupPolicies(rq.ctx, own(rq), name)
		}}
)

// attachmentOf reads PolicyArn, with which it authorizes the action (as
// the condition key iam:PolicyARN) on the principal a names, and returns
// the ARN, the principal's name and the managed policy.
func (h *Handler) attachmentOf(rq *request, a attachment) (string, string,
	store.ManagedPolicy, error) {
	arn, err := params{rq.r.Form}.policyARN(rq, "PolicyArn")
	if err != nil {
		return "", "", store.ManagedPolicy{}, err
	}
	rq.keys = policy.Context{}
	rq.keys.Set("iam:PolicyARN", arn)
	_, name, err := a.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return "", "", store.ManagedPolicy{}, err
	}
	mp, err := h.managed(rq, arn)
	return arn, name, mp, err
}

// attachPolicy serves AttachUserPolicy and AttachGroupPolicy.
func (h *Handler) attachPolicy(rq *request, a attachment) error {
	arn, name, mp, err := h.attachmentOf(rq, a)
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	have, err := a.list(h.cfg.Meta, rq, name)
	if err != nil {
		return fmt.Errorf("iamapi: attached policies of %s: %w", name, err)
	}
	if len(have) >= maxAttached && !attachedTo(have, mp.Name) {
		return errorf(LimitExceeded, "Cannot exceed quota for PoliciesPerUserOrGroup: %d.",
			maxAttached)
	}
	if err := a.attach(h.cfg.Meta, rq, name, mp.Name); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", arn)
	}
	return reply(rq, nil)
}

func attachedTo(ps []store.ManagedPolicy, name string) bool {
	for _, p := range ps {
		if p.Name == name {
			return true
		}
	}
	return false
}

// detachPolicy serves DetachUserPolicy and DetachGroupPolicy.
func (h *Handler) detachPolicy(rq *request, a attachment) error {
	arn, name, mp, err := h.attachmentOf(rq, a)
	if err != nil {
		return err
	}
	if err := a.detach(h.cfg.Meta, rq, name, mp.Name); err != nil {
		return notFound(err, "Policy %s was not found: it is not attached to %s.", arn, name)
	}
	return reply(rq, nil)
}

// attachedXML is IAM's AttachedPolicy element.
type attachedXML struct {
	PolicyName string
	PolicyArn  string
}

// listAttached serves ListAttachedUserPolicies and ListAttachedGroupPolicies.
func (h *Handler) listAttached(rq *request, a attachment) error {
	p := params{rq.r.Form}
	prefix, err := p.pathPrefix()
	if err != nil {
		return err
	}
	_, name, err := a.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return err
	}
	ps, err := a.list(h.cfg.Meta, rq, name)
	if err != nil {
		return fmt.Errorf("iamapi: attached policies of %s: %w", name, err)
	}
	var xs []attachedXML
	for _, mp := range ps {
		if strings.HasPrefix(mp.Path, prefix) {
			xs = append(xs, attachedXML{PolicyName: mp.Name, PolicyArn: mp.ARN()})
		}
	}
	items, more, marker, err := page(p, xs)
	if err != nil {
		return err
	}
	return reply(rq, struct {
		AttachedPolicies []attachedXML `xml:"AttachedPolicies>member"`
		IsTruncated      bool
		Marker           string `xml:",omitempty"`
	}{items, more, marker})
}

// entitiesResult is ListEntitiesForPolicy's answer.
type entitiesResult struct {
	PolicyGroups []policyGroupXML `xml:"PolicyGroups>member"`
	PolicyUsers  []policyUserXML  `xml:"PolicyUsers>member"`
	IsTruncated  bool
}

// policyUserXML is IAM's PolicyUser element.
type policyUserXML struct {
	UserName string
	UserID   string `xml:"UserId"`
}

// policyGroupXML is IAM's PolicyGroup element.
type policyGroupXML struct {
	GroupName string
	GroupID   string `xml:"GroupId"`
}

// policyRoleXML is IAM's PolicyRole element.
type policyRoleXML struct {
	RoleName string
	RoleID   string `xml:"RoleId"`
}

// listPolicyEntities serves ListEntitiesForPolicy: the users, groups and
// roles a managed policy is attached to or, with PolicyUsageFilter
// PermissionsBoundary, whose boundary it is. EntityFilter narrows the kind.
func (h *Handler) listPolicyEntities(rq *request) error {
	p := params{rq.r.Form}
	_, e, err := h.targetPolicy(rq, "iam:ListEntitiesForPolicy")
	if err != nil {
		return err
	}
	users, groups, roles := e.Users, e.Groups, e.Roles
	if p.str("PolicyUsageFilter") == "PermissionsBoundary" {
		users, groups, roles = e.Boundaries, nil, e.RoleBoundaries
	}
	if f := p.str("EntityFilter"); f != "" {
		users, groups, roles = only(f == "User", users), only(f == "Group", groups),
			only(f == "Role", roles)
	}
	m, a := h.cfg.Meta, own(rq)
	var res struct {
		entitiesResult
		PolicyRoles []policyRoleXML `xml:"PolicyRoles>member"`
	}
	if res.PolicyUsers, err = each(users, func(n string) (policyUserXML, error) {
		u, err := m.GetUser(rq.ctx, a, n)
		return policyUserXML{u.Name, u.ID}, err
	}); err != nil {
		return fmt.Errorf("iamapi: users of the policy: %w", err)
	}
	if res.PolicyGroups, err = each(groups, func(n string) (policyGroupXML, error) {
		g, err := m.GetGroup(rq.ctx, a, n)
		return policyGroupXML{g.Name, g.ID}, err
	}); err != nil {
		return fmt.Errorf("iamapi: groups of the policy: %w", err)
	}
	if res.PolicyRoles, err = each(roles, func(n string) (policyRoleXML, error) {
		r, err := m.GetRole(rq.ctx, a, n)
		return policyRoleXML{r.Name, r.ID}, err
	}); err != nil {
		return fmt.Errorf("iamapi: roles of the policy: %w", err)
	}
	return reply(rq, res)
}

// only returns names when keep is set, else nil.
func only(keep bool, names []string) []string {
	if keep {
		return names
	}
	return nil
}

// each returns what get returns for each of names, in order, stopping at
// the first error.
func each[T any](names []string, get func(string) (T, error)) ([]T, error) {
	out := make([]T, 0, len(names))
	for _, n := range names {
		v, err := get(n)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		out = append(out, v)
	}
	return out, nil
}
