package iamapi

import (
	"encoding/xml"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// inlineKind is what the inline policy actions of users, groups and roles
// share: the principal's parameter and result element, its noun in
// messages, IAM's aggregate size limit, and the store's methods.
type inlineKind struct {
	param  string // UserName, GroupName or RoleName
	noun   string // user, group or role
	limit  int    // characters of all the principal's inline policies
	target func(h *Handler, rq *request, action string) (string, error)
	list   func(m store.Meta, rq *request, owner string) (map[string][]byte, []string, error)
	put    func(m store.Meta, rq *request, owner, name string, doc []byte) error
	delete func(m store.Meta, rq *request, owner, name string) error
}

var (
	userInline = inlineKind{param: "UserName", noun: "user", limit: maxUserInlineChars,
		target: func(h *Handler, rq *request, action string) (string, error) {
			u, err := h.targetUser(rq, action)
			return u.Name, err
		},
		list: func(m store.Meta, rq *request, owner string) (map[string][]byte, []string,
			error) {
			ps, err := m.ListUserPolicies(rq.ctx, own(rq), owner)
			return byName(ps, err, func(p store.UserPolicy) (string, []byte) {
				return p.Name, p.Document
			})
		},
		put: func(m store.Meta, rq *request, owner, name string, doc []byte) error {
			return m.PutUserPolicy(rq.ctx, store.UserPolicy{Account: own(rq), User: owner,
				Name: name, Document: doc})
		},
		delete: func(m store.Meta, rq *request, owner, name string) error {
			return m.DeleteUserPolicy(rq.ctx, own(rq), owner, name)
		}}
	groupInline = inlineKind{param: "GroupName", noun: "group", limit: maxGroupInlineChars,
		target: func(h *Handler, rq *request, action string) (string, error) {
			g, err := h.targetGroup(rq, action)
			return g.Name, err
		},
		list: func(m store.Meta, rq *request, owner string) (map[string][]byte, []string,
			error) {
			ps, err := m.ListGroupPolicies(rq.ctx, own(rq), owner)
			return byName(ps, err, func(p store.GroupPolicy) (string, []byte) {
				return p.Name, p.Document
			})
		},
		put: func(m store.Meta, rq *request, owner, name string, doc []byte) error {
			return m.PutGroupPolicy(rq.ctx, store.GroupPolicy{Account: own(rq), Group: owner,
				Name: name, Document: doc})
		},
		delete: func(m store.Meta, rq *request, owner, name string) error {
			return m.DeleteGroupPolicy(rq.ctx, own(rq), owner, name)
		}}
	roleInline = inlineKind{param: "RoleName", noun: "role", limit: maxRoleInlineChars,
		target: func(h *Handler, rq *request, action string) (string, error) {
			r, err := h.targetRole(rq, action)
			return r.Name, err
		},
		list: func(m store.Meta, rq *request, owner string) (map[string][]byte, []string,
			error) {
			ps, err := m.ListRolePolicies(rq.ctx, own(rq), owner)
			return byName(ps, err, func(p store.RolePolicy) (string, []byte) {
				return p.Name, p.Document
			})
		},
		put: func(m store.Meta, rq *request, owner, name string, doc []byte) error {
			return m.PutRolePolicy(rq.ctx, store.RolePolicy{Account: own(rq), Role: owner,
				Name: name, Document: doc})
		},
		delete: func(m store.Meta, rq *request, owner, name string) error {
			return m.DeleteRolePolicy(rq.ctx, own(rq), owner, name)
		}}
)

// byName indexes the inline policies ps by name, with their names in
// order; err passes through.
func byName[P any](ps []P, err error, fields func(P) (string, []byte)) (map[string][]byte,
	[]string, error) {
	docs, names := map[string][]byte{}, []string{}
	for _, p := range ps {
		name, doc := fields(p)
		docs[name], names = doc, append(names, name)
	}
	return docs, names, err
}

// putInline serves PutUserPolicy, PutGroupPolicy and PutRolePolicy. The document must fit,
// with the principal's other inline policies, in IAM's aggregate limit.
func (h *Handler) putInline(rq *request, k inlineKind) error {
	p := params{rq.r.Form}
	name, err := p.name("PolicyName", maxEntityName)
	if err != nil {
		return err
	}
	doc, err := p.policyDocument(k.limit)
	if err != nil {
		return err
	}
	owner, err := k.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	docs, _, err := k.list(h.cfg.Meta, rq, owner)
	if err != nil {
		return fmt.Errorf("iamapi: inline policies of %s: %w", owner, err)
	}
	total := policyChars(string(doc))
	for n, d := range docs {
		if n != name {
			total += policyChars(string(d))
		}
	}
	if total > k.limit {
		return errorf(LimitExceeded, "Maximum policy size of %d characters exceeded for %s "+
			"%s (its inline policies would have %d characters other than white space).",
			k.limit, k.noun, owner, total)
	}
	if err := k.put(h.cfg.Meta, rq, owner, name, doc); err != nil {
		return fmt.Errorf("iamapi: put inline policy %s of %s: %w", name, owner, err)
	}
	return reply(rq, nil)
}

// getInline serves GetUserPolicy, GetGroupPolicy and GetRolePolicy, with the document
// URL-encoded as IAM sends it.
func (h *Handler) getInline(rq *request, k inlineKind) error {
	name, err := params{rq.r.Form}.name("PolicyName", maxEntityName)
	if err != nil {
		return err
	}
	owner, err := k.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return err
	}
	docs, _, err := k.list(h.cfg.Meta, rq, owner)
	if err != nil {
		return fmt.Errorf("iamapi: inline policies of %s: %w", owner, err)
	}
	doc, ok := docs[name]
	if !ok {
		return errorf(NoSuchEntity, "The %s policy with name %s cannot be found.",
			k.noun, name)
	}
	return reply(rq, inlineResult{Owner: ownerXML{XMLName: xml.Name{Local: k.param},
		Name: owner}, PolicyName: name, PolicyDocument: encodeDocument(doc)})
}

// inlineResult is GetUserPolicy's, GetGroupPolicy's or GetRolePolicy's
// answer: the principal's element (UserName, GroupName or RoleName) first.
type inlineResult struct {
	Owner          ownerXML
	PolicyName     string
	PolicyDocument string
}

// ownerXML is an element named as XMLName says, holding a name.
type ownerXML struct {
	XMLName xml.Name
	Name    string `xml:",chardata"`
}

// deleteInline serves DeleteUserPolicy, DeleteGroupPolicy and DeleteRolePolicy.
func (h *Handler) deleteInline(rq *request, k inlineKind) error {
	name, err := params{rq.r.Form}.name("PolicyName", maxEntityName)
	if err != nil {
		return err
	}
	owner, err := k.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return err
	}
	if err := k.delete(h.cfg.Meta, rq, owner, name); err != nil {
		return notFound(err, "The %s policy with name %s cannot be found.", k.noun, name)
	}
	return reply(rq, nil)
}

// listInline serves ListUserPolicies, ListGroupPolicies and ListRolePolicies.
func (h *Handler) listInline(rq *request, k inlineKind) error {
	owner, err := k.target(h, rq, "iam:"+rq.action)
	if err != nil {
		return err
	}
	_, names, err := k.list(h.cfg.Meta, rq, owner)
	if err != nil {
		return fmt.Errorf("iamapi: inline policies of %s: %w", owner, err)
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
