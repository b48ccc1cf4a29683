package iamapi

import (
	"errors"
	"fmt"
	"maps"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// IAM's limits on roles, as its quotas state them.
const (
	maxRoleName        = 64
	maxDescription     = 1000
	maxTrustChars      = 2048  // AssumeRolePolicySizeQuota, without white space
	maxRoleInlineChars = 10240 // all inline policies of one role together
	minSessionSeconds  = 3600
	maxSessionSeconds  = 43200
)

// roleXML is IAM's Role element.
type roleXML struct {
	Path                     string
	RoleName                 string
	RoleID                   string `xml:"RoleId"`
	Arn                      string
	CreateDate               string       `xml:",omitempty"`
	AssumeRolePolicyDocument string       `xml:",omitempty"`
	Description              string       `xml:",omitempty"`
	MaxSessionDuration       int          `xml:",omitempty"`
	PermissionsBoundary      *boundaryXML `xml:",omitempty"`
	Tags                     []tagXML     `xml:"Tags>member,omitempty"`
}

// newRoleXML is r as ListRoles answers it: without boundary and tags.
func newRoleXML(r store.Role) roleXML {
	x := roleXML{Path: r.Path, RoleName: r.Name, RoleID: r.ID, Arn: r.ARN(),
		AssumeRolePolicyDocument: encodeDocument(r.TrustPolicy), Description: r.Description,
		MaxSessionDuration: int(r.MaxSession() / time.Second)}
	if !r.Created.IsZero() {
		x.CreateDate = r.Created.UTC().Format(time.RFC3339)
	}
	return x
}

// fullRole is r as GetRole answers it: with its tags and its boundary.
func (h *Handler) fullRole(rq *request, r store.Role) (roleXML, error) {
	x := newRoleXML(r)
	x.Tags = sortedTags(r.Tags)
	if r.Boundary == "" {
		return x, nil
	}
	mp, err := h.cfg.Meta.GetManagedPolicy(rq.ctx, r.Account, r.Boundary)
	if err != nil {
		return x, fmt.Errorf("iamapi: boundary of role %s: %w", r.Name, err)
	}
	x.PermissionsBoundary = &boundaryXML{PermissionsBoundaryType: "Policy",
		PermissionsBoundaryArn: mp.ARN()}
	return x, nil
}

// noSuchRole is NoSuchEntity for a role.
func noSuchRole(name string) error {
	return errorf(NoSuchEntity, "The role with name %s cannot be found.", truncate(name))
}

// targetRole reads RoleName, authorizes action on the role and returns it;
// NoSuchEntity, after authorization, when it does not exist. A caller not
// allowed the action on a missing role is refused on the ARN the role would
// have with the path "/", and so learns nothing of whether it exists.
func (h *Handler) targetRole(rq *request, action string) (store.Role, error) {
	name, err := params{rq.r.Form}.name("RoleName", maxRoleName)
	if err != nil {
		return store.Role{}, err
	}
	r, err := h.cfg.Meta.GetRole(rq.ctx, own(rq), name)
	arn := arnOf(own(rq), "role", "/", name)
	switch {
	case err == nil:
		arn = r.ARN()
	case !errors.Is(err, store.ErrNotFound):
		return r, fmt.Errorf("iamapi: get role %s: %w", name, err)
	}
	if err := h.allow(rq, action, arn); err != nil {
		return r, err
	}
	if err != nil {
		return r, noSuchRole(name)
	}
	return r, nil
}

// roleTaken reports whether the account has a role whose name differs from
// name only in case: IAM's role names are unique regardless of case.
func (h *Handler) roleTaken(rq *request, name string) (bool, error) {
	rs, err := h.cfg.Meta.ListRoles(rq.ctx, own(rq))
	if err != nil {
		return false, fmt.Errorf("iamapi: list roles: %w", err)
	}
	for _, r := range rs {
		if strings.EqualFold(r.Name, name) {
			return true, nil
		}
	}
	return false, nil
}

// trustPolicy reads the required trust policy parameter param and checks
// it as AssumeRole evaluates it (identity.ParseTrust): a resource-based
// policy without Resource, of at most maxTrustChars characters other than
// white space. A document that fails is MalformedPolicyDocument naming the
// problem, or LimitExceeded for its size.
func (p params) trustPolicy(param string) ([]byte, error) {
	doc := p.str(param)
	if doc == "" {
		return nil, missingParam(param)
	}
	if n := policyChars(doc); n > maxTrustChars {
		return nil, errorf(LimitExceeded, "Cannot exceed quota for ACLSizePerRole: %d (the "+
			"trust policy has %d characters other than white space).", maxTrustChars, n)
	}
	if !utf8.ValidString(doc) {
		return nil, errorf(MalformedPolicyDocument, "%s: the policy document is not valid "+
			"UTF-8.", param)
	}
	_, err := identity.ParseTrust([]byte(doc))
	var me *policy.MalformedError
	switch {
	case err == nil:
		return []byte(doc), nil
	case errors.Is(err, identity.ErrTrustResource):
		return nil, errorf(MalformedPolicyDocument, "%s: Has prohibited field Resource: a "+
			"trust policy's resource is the role itself.", param)
	case errors.As(err, &me):
		return nil, malformed(param, err)
	}
	return nil, &Error{Code: MalformedPolicyDocument, Message: param + ": Syntax errors in " +
		"policy: the document is not a JSON object.", Cause: err}
}

// description reads Description: at most maxDescription characters of
// IAM's alphabet for it (tab, line breaks, printable ASCII and Latin-1).
func (p params) description() (string, error) {
	v := p.str("Description")
	ok := runes(v) <= maxDescription && !strings.ContainsFunc(v, func(r rune) bool {
		return !(r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0x7e) ||
			(r >= 0xa1 && r <= 0xff))
	})
	if !ok {
		return "", errorf(ValidationError, "1 validation error detected: Value at "+
			"'description' failed to satisfy constraint: Member must have at most %d "+
			"printable ASCII or Latin-1 characters", maxDescription)
	}
	return v, nil
}

// maxSession reads MaxSessionDuration, in seconds: 0 when absent, else
// 3600 to 43200.
func (p params) maxSession() (int, error) {
	v := p.str("MaxSessionDuration")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < minSessionSeconds || n > maxSessionSeconds {
		return 0, errorf(ValidationError, "1 validation error detected: Value %q at "+
			"'maxSessionDuration' failed to satisfy constraint: Member must have value "+
			"between %d and %d", truncate(v), minSessionSeconds, maxSessionSeconds)
	}
	return n, nil
}

// newRole reads CreateRole's parameters into a role of the caller's
// account, with its tags; the boundary is read by createRole.
func newRole(rq *request) (store.Role, []tagXML, error) {
	p := params{rq.r.Form}
	r := store.Role{Account: own(rq), ID: newID("AROA")}
	var err error
	if r.Name, err = p.name("RoleName", maxRoleName); err != nil {
		return r, nil, err
	}
	if r.Path, err = p.path("Path"); err != nil {
		return r, nil, err
	}
	if r.TrustPolicy, err = p.trustPolicy("AssumeRolePolicyDocument"); err != nil {
		return r, nil, err
	}
	if r.Description, err = p.description(); err != nil {
		return r, nil, err
	}
	if r.MaxSessionDuration, err = p.maxSession(); err != nil {
		return r, nil, err
	}
	tags, err := p.tags()
	r.Tags = tagMap(tags)
	return r, tags, err
}

func (h *Handler) createRole(rq *request) error {
	r, tags, err := newRole(rq)
	if err != nil {
		return err
	}
	r.Created = h.cfg.Now().UTC().Truncate(time.Second)
	boundary := rq.r.Form.Get("PermissionsBoundary")
	err = h.allowCreate(rq, "iam:CreateRole", "iam:TagRole", r.ARN(), tags, boundary)
	if err != nil {
		return err
	}
	if boundary != "" {
		mp, err := h.managedByARN(rq, "PermissionsBoundary")
		if err != nil {
			return err
		}
		r.Boundary = mp.Name
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if taken, err := h.roleTaken(rq, r.Name); err != nil || taken {
		return orExists(err, taken, "Role with name %s already exists.", r.Name)
	}
	if err := h.cfg.Meta.PutRole(rq.ctx, r); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", boundary)
	}
	x, err := h.fullRole(rq, r)
	if err != nil {
		return err
	}
	return reply(rq, struct{ Role roleXML }{x})
}

func (h *Handler) getRole(rq *request) error {
	r, err := h.targetRole(rq, "iam:GetRole")
	if err != nil {
		return err
	}
	x, err := h.fullRole(rq, r)
	if err != nil {
		return err
	}
	return reply(rq, struct{ Role roleXML }{x})
}

func (h *Handler) listRoles(rq *request) error {
	p := params{rq.r.Form}
	prefix, err := p.pathPrefix()
	if err != nil {
		return err
	}
	if err := h.allow(rq, "iam:ListRoles", "*"); err != nil {
		return err
	}
	rs, err := h.cfg.Meta.ListRoles(rq.ctx, own(rq))
	if err != nil {
		return fmt.Errorf("iamapi: list roles: %w", err)
	}
	var xs []roleXML
	for _, r := range rs {
		if strings.HasPrefix(r.Path, prefix) {
			xs = append(xs, newRoleXML(r))
		}
	}
	items, more, marker, err := page(p, xs)
	if err != nil {
		return err
	}
	return reply(rq, struct {
		Roles       []roleXML `xml:"Roles>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{items, more, marker})
}

// changeRole authorizes action on the role RoleName names, applies change
// to it and stores it; the role is read and written under writeMu, so
// that two changes in this process do not undo each other.
func (h *Handler) changeRole(rq *request, action string,
	change func(r *store.Role) error) (store.Role, error) {
	r, err := h.targetRole(rq, action)
	if err != nil {
		return r, err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if r, err = h.cfg.Meta.GetRole(rq.ctx, r.Account, r.Name); err != nil {
		return r, notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	if err := change(&r); err != nil {
		return r, err
	}
	if err := h.cfg.Meta.PutRole(rq.ctx, r); err != nil {
		return r, notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	return r, nil
}

// updateRole serves UpdateRole: Description and MaxSessionDuration, each
// changed when given.
func (h *Handler) updateRole(rq *request) error {
	p := params{rq.r.Form}
	desc, err := p.description()
	if err != nil {
		return err
	}
	seconds, err := p.maxSession()
	if err != nil {
		return err
	}
	_, hasDesc := rq.r.Form["Description"]
	_, err = h.changeRole(rq, "iam:UpdateRole", func(r *store.Role) error {
		if hasDesc {
			r.Description = desc
		}
		if seconds != 0 {
			r.MaxSessionDuration = seconds
		}
		return nil
	})
	if err != nil {
		return err
	}
	return reply(rq, struct{}{})
}

// updateRoleDescription serves UpdateRoleDescription, which answers the
// role.
func (h *Handler) updateRoleDescription(rq *request) error {
	desc, err := params{rq.r.Form}.description()
	if err != nil {
		return err
	}
	if _, ok := rq.r.Form["Description"]; !ok {
		return missingParam("Description")
	}
	r, err := h.changeRole(rq, "iam:UpdateRoleDescription", func(r *store.Role) error {
		r.Description = desc
		return nil
	})
	if err != nil {
		return err
	}
	x, err := h.fullRole(rq, r)
	if err != nil {
		return err
	}
	return reply(rq, struct{ Role roleXML }{x})
}

func (h *Handler) updateAssumeRolePolicy(rq *request) error {
	doc, err := params{rq.r.Form}.trustPolicy("PolicyDocument")
	if err != nil {
		return err
	}
	_, err = h.changeRole(rq, "iam:UpdateAssumeRolePolicy", func(r *store.Role) error {
		r.TrustPolicy = doc
		return nil
	})
	if err != nil {
		return err
	}
	return reply(rq, nil)
}

// deleteRole serves DeleteRole. As in IAM, a role with inline or attached
// policies is DeleteConflict: the store would remove them in cascade.
func (h *Handler) deleteRole(rq *request) error {
	r, err := h.targetRole(rq, "iam:DeleteRole")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	inline, err := h.cfg.Meta.ListRolePolicies(rq.ctx, r.Account, r.Name)
	if err != nil {
		return notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	if len(inline) > 0 {
		return errorf(DeleteConflict, "Cannot delete entity, must delete policies first "+
			"(the role %s has %d inline policies).", r.Name, len(inline))
	}
	attached, err := h.cfg.Meta.ListAttachedRolePolicies(rq.ctx, r.Account, r.Name)
	if err != nil {
		return notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	if len(attached) > 0 {
		return errorf(DeleteConflict, "Cannot delete entity, must detach all policies "+
			"first (the role %s has %d attached managed policies).", r.Name, len(attached))
	}
	if err := h.cfg.Meta.DeleteRole(rq.ctx, r.Account, r.Name); err != nil {
		return notFound(err, "The role with name %s cannot be found.", r.Name)
	}
	return reply(rq, nil)
}

// roleSummary is what GetAccountSummary says of the account's roles.
func (h *Handler) roleSummary(rq *request) ([]summaryEntry, error) {
	rs, err := h.cfg.Meta.ListRoles(rq.ctx, own(rq))
	if err != nil {
		return nil, fmt.Errorf("iamapi: list roles: %w", err)
	}
	return []summaryEntry{{"Roles", len(rs)}, {"AttachedPoliciesPerRoleQuota", maxAttached},
		{"RolePolicySizeQuota", maxRoleInlineChars},
		{"AssumeRolePolicySizeQuota", maxTrustChars}}, nil
}

// roleOperations are the role actions, by name.
var roleOperations = map[string]func(*Handler, *request) error{
	"CreateRole":                    (*Handler).createRole,
	"GetRole":                       (*Handler).getRole,
	"ListRoles":                     (*Handler).listRoles,
	"UpdateRole":                    (*Handler).updateRole,
	"UpdateRoleDescription":         (*Handler).updateRoleDescription,
	"UpdateAssumeRolePolicy":        (*Handler).updateAssumeRolePolicy,
	"DeleteRole":                    (*Handler).deleteRole,
	"PutRolePolicy":                 with(roleInline, (*Handler).putInline),
	"GetRolePolicy":                 with(roleInline, (*Handler).getInline),
	"DeleteRolePolicy":              with(roleInline, (*Handler).deleteInline),
	"ListRolePolicies":              with(roleInline, (*Handler).listInline),
	"AttachRolePolicy":              with(roleAttachment, (*Handler).attachPolicy),
	"DetachRolePolicy":              with(roleAttachment, (*Handler).detachPolicy),
	"ListAttachedRolePolicies":      with(roleAttachment, (*Handler).listAttached),
	"PutRolePermissionsBoundary":    (*Handler).putRolePermissionsBoundary,
	"DeleteRolePermissionsBoundary": (*Handler).deleteRolePermissionsBoundary,
	"TagRole":                       (*Handler).tagRole,
	"UntagRole":                     (*Handler).untagRole,
	"ListRoleTags":                  (*Handler).listRoleTags,
}

// merged returns ops with the entries of each of more added, a later
// entry replacing an earlier one of the same name.
func merged(ops map[string]func(*Handler, *request) error,
	more ...map[string]func(*Handler, *request) error) map[string]func(*Handler, *request) error {
	for _, m := range more {
		maps.Copy(ops, m)
	}
	return ops
}
