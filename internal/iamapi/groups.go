package iamapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// groupXML is IAM's Group element.
type groupXML struct {
	Path      string
	GroupName string
	GroupID   string `xml:"GroupId"`
	Arn       string
}

func newGroupXML(g store.Group) groupXML {
	return groupXML{Path: g.Path, GroupName: g.Name, GroupID: g.ID,
		Arn: arnOf(g.Account, "group", g.Path, g.Name)}
}

// targetGroup reads GroupName, authorizes action on the group and returns
// it; NoSuchEntity, after authorization, when it does not exist.
func (h *Handler) targetGroup(rq *request, action string) (store.Group, error) {
	name, err := params{rq.r.Form}.name("GroupName", maxEntityName)
	if err != nil {
		return store.Group{}, err
	}
	g, err := h.cfg.Meta.GetGroup(rq.ctx, own(rq), name)
	arn := arnOf(own(rq), "group", "/", name)
	switch {
	case err == nil:
		arn = arnOf(g.Account, "group", g.Path, g.Name)
	case !errors.Is(err, store.ErrNotFound):
		return g, fmt.Errorf("iamapi: get group %s: %w", name, err)
	}
	if err := h.allow(rq, action, arn); err != nil {
		return g, err
	}
	if err != nil {
		return g, errorf(NoSuchEntity, "The group with name %s cannot be found.",
			truncate(name))
	}
	return g, nil
}

func (h *Handler) createGroup(rq *request) error {
	p := params{rq.r.Form}
	name, err := p.name("GroupName", maxEntityName)
	if err != nil {
		return err
	}
	path, err := p.path("Path")
	if err != nil {
		return err
	}
	g := store.Group{Account: own(rq), Name: name, ID: newID("AGPA"), Path: path}
	if err := h.allow(rq, "iam:CreateGroup", arnOf(g.Account, "group", path, name)); err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	gs, err := h.cfg.Meta.ListGroups(rq.ctx, g.Account)
	if err != nil {
		return fmt.Errorf("iamapi: list groups: %w", err)
	}
	for _, o := range gs {
		if strings.EqualFold(o.Name, name) {
			return errorf(EntityAlreadyExists, "Group with name %s already exists.", name)
		}
	}
	if err := h.cfg.Meta.PutGroup(rq.ctx, g); err != nil {
		return fmt.Errorf("iamapi: put group %s: %w", name, err)
	}
	return reply(rq, struct{ Group groupXML }{newGroupXML(g)})
}

// getGroupResult is GetGroup's answer: the group and a page of its users.
type getGroupResult struct {
	Group       groupXML
	Users       []userXML `xml:"Users>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (h *Handler) getGroup(rq *request) error {
	g, err := h.targetGroup(rq, "iam:GetGroup")
	if err != nil {
		return err
	}
	us, err := h.cfg.Meta.ListGroupMembers(rq.ctx, g.Account, g.Name)
	if err != nil {
		return fmt.Errorf("iamapi: members of group %s: %w", g.Name, err)
	}
	xs := make([]userXML, 0, len(us))
	for _, u := range us {
		x := newUserXML(u)
		x.PermissionsBoundary = nil
		xs = append(xs, x)
	}
	items, more, marker, err := page(params{rq.r.Form}, xs)
	if err != nil {
		return err
	}
	return reply(rq, getGroupResult{Group: newGroupXML(g), Users: items, IsTruncated: more,
		Marker: marker})
}

// listGroupsResult is the answer of ListGroups and ListGroupsForUser.
type listGroupsResult struct {
	Groups      []groupXML `xml:"Groups>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (h *Handler) listGroups(rq *request) error {
	p := params{rq.r.Form}
	prefix, err := p.pathPrefix()
	if err != nil {
		return err
	}
	if err := h.allow(rq, "iam:ListGroups", "*"); err != nil {
		return err
	}
	gs, err := h.cfg.Meta.ListGroups(rq.ctx, own(rq))
	if err != nil {
		return fmt.Errorf("iamapi: list groups: %w", err)
	}
	return replyGroups(rq, p, gs, prefix)
}

// replyGroups answers the page of gs whose paths begin with prefix.
func replyGroups(rq *request, p params, gs []store.Group, prefix string) error {
	var xs []groupXML
	for _, g := range gs {
		if strings.HasPrefix(g.Path, prefix) {
			xs = append(xs, newGroupXML(g))
		}
	}
	items, more, marker, err := page(p, xs)
	if err != nil {
		return err
	}
	return reply(rq, listGroupsResult{Groups: items, IsTruncated: more, Marker: marker})
}

func (h *Handler) listGroupsForUser(rq *request) error {
	u, err := h.targetUser(rq, "iam:ListGroupsForUser")
	if err != nil {
		return err
	}
	gs, err := h.cfg.Meta.ListGroupsForUser(rq.ctx, u.Account, u.Name)
	if err != nil {
		return fmt.Errorf("iamapi: groups of user %s: %w", u.Name, err)
	}
	return replyGroups(rq, params{rq.r.Form}, gs, "/")
}

func (h *Handler) deleteGroup(rq *request) error {
	g, err := h.targetGroup(rq, "iam:DeleteGroup")
	if err != nil {
		return err
	}
	err = h.cfg.Meta.DeleteGroup(rq.ctx, g.Account, g.Name)
	if err != nil {
		return notFound(conflict(err, "the group "+g.Name),
			"The group with name %s cannot be found.", g.Name)
	}
	return reply(rq, nil)
}

// membership reads UserName for a change of group membership authorized
// on the group; NoSuchEntity when the user does not exist.
func (h *Handler) membership(rq *request, action string) (store.Group, string, error) {
	user, err := params{rq.r.Form}.name("UserName", maxUserName)
	if err != nil {
		return store.Group{}, "", err
	}
	g, err := h.targetGroup(rq, action)
	if err != nil {
		return g, "", err
	}
	if _, err := h.cfg.Meta.GetUser(rq.ctx, g.Account, user); err != nil {
		return g, "", notFound(err, "The user with name %s cannot be found.", user)
	}
	return g, user, nil
}

func (h *Handler) addUserToGroup(rq *request) error {
	g, user, err := h.membership(rq, "iam:AddUserToGroup")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.AddUserToGroup(rq.ctx, g.Account, user, g.Name); err != nil {
		return notFound(err, "The user with name %s cannot be found.", user)
	}
	return reply(rq, nil)
}

func (h *Handler) removeUserFromGroup(rq *request) error {
	g, user, err := h.membership(rq, "iam:RemoveUserFromGroup")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.RemoveUserFromGroup(rq.ctx, g.Account, user, g.Name); err != nil {
		return notFound(err, "The user %s is not in the group %s.", user, g.Name)
	}
	return reply(rq, nil)
}
