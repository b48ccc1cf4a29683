package iamapi

import (
	"errors"
	"fmt"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// userXML is IAM's User element. The root user has no Path or UserName.
type userXML struct {
	Path                string `xml:",omitempty"`
	UserName            string `xml:",omitempty"`
	UserID              string `xml:"UserId"`
	Arn                 string
	PermissionsBoundary *boundaryXML `xml:",omitempty"`
	Tags                []tagXML     `xml:"Tags>member,omitempty"`
}

// boundaryXML is IAM's AttachedPermissionsBoundary.
type boundaryXML struct {
	PermissionsBoundaryType string
	PermissionsBoundaryArn  string
}

func newUserXML(u store.User) userXML {
	x := userXML{Path: u.Path, UserName: u.Name, UserID: u.ID,
		Arn: arnOf(u.Account, "user", u.Path, u.Name)}
	if u.Boundary != "" {
		// The boundary's path is not kept with the user; GetUser fills it in.
		x.PermissionsBoundary = &boundaryXML{PermissionsBoundaryType: "Policy",
			PermissionsBoundaryArn: arnOf(u.Account, "policy", "/", u.Boundary)}
	}
	return x
}

// lookupUser returns the user name of the caller's account and its ARN for
// authorization: the stored user's, or, for a user that does not exist,
// the ARN it would have with the path "/", so that a caller not allowed the
// action learns nothing of whether it exists.
func (h *Handler) lookupUser(rq *request, name string) (store.User, string, error) {
	u, err := h.cfg.Meta.GetUser(rq.ctx, own(rq), name)
	if errors.Is(err, store.ErrNotFound) {
		return store.User{}, arnOf(own(rq), "user", "/", name), nil
	}
	if err != nil {
		return store.User{}, "", fmt.Errorf("iamapi: get user %s: %w", name, err)
	}
	return u, arnOf(u.Account, "user", u.Path, u.Name), nil
}

// targetUser reads UserName, authorizes action on that user and returns
// it; NoSuchEntity when it does not exist.
func (h *Handler) targetUser(rq *request, action string) (store.User, error) {
	name, err := params{rq.r.Form}.name("UserName", maxUserName)
	if err != nil {
		return store.User{}, err
	}
	u, arn, err := h.lookupUser(rq, name)
	if err != nil {
		return store.User{}, err
	}
	if err := h.allow(rq, action, arn); err != nil {
		return store.User{}, err
	}
	if u.Name == "" {
		return store.User{}, noSuchUser(name)
	}
	return u, nil
}

// nameTaken reports whether the account has a user whose name differs
// from name only in case: IAM's names are unique regardless of case.
func (h *Handler) nameTaken(rq *request, name string) (bool, error) {
	us, err := h.cfg.Meta.ListUsers(rq.ctx, own(rq))
	if err != nil {
		return false, fmt.Errorf("iamapi: list users: %w", err)
	}
	for _, u := range us {
		if strings.EqualFold(u.Name, name) {
			return true, nil
		}
	}
	return false, nil
}

func (h *Handler) createUser(rq *request) error {
	p := params{rq.r.Form}
	name, err := p.name("UserName", maxUserName)
	if err != nil {
		return err
	}
	path, err := p.path("Path")
	if err != nil {
		return err
	}
	tags, err := p.tags()
	if err != nil {
		return err
	}
	u := store.User{Account: own(rq), Name: name, ID: newID("AIDA"), Path: path}
	err = h.allowCreate(rq, "iam:CreateUser", "iam:TagUser", arnOf(u.Account, "user", path,
		name), tags, p.str("PermissionsBoundary"))
	if err != nil {
		return err
	}
	if p.str("PermissionsBoundary") != "" {
		mp, err := h.managedByARN(rq, "PermissionsBoundary")
		if err != nil {
			return err
		}
		u.Boundary = mp.Name
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if taken, err := h.nameTaken(rq, name); err != nil || taken {
		return orExists(err, taken, "User with name %s already exists.", name)
	}
	if err := h.cfg.Meta.PutUser(rq.ctx, u); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.",
			p.str("PermissionsBoundary"))
	}
	if len(tags) > 0 {
		if err := h.cfg.Meta.TagUser(rq.ctx, u.Account, name, tagMap(tags)); err != nil {
			return fmt.Errorf("iamapi: tag user %s: %w", name, err)
		}
	}
	x := newUserXML(u)
	if u.Boundary != "" {
		x.PermissionsBoundary.PermissionsBoundaryArn = p.str("PermissionsBoundary")
	}
	x.Tags = tags
	return reply(rq, struct{ User userXML }{x})
}

// orExists returns err, or EntityAlreadyExists with the message when taken.
func orExists(err error, taken bool, format string, args ...any) error {
	if err != nil {
		return err
	}
	return errorf(EntityAlreadyExists, format, args...)
}

// getUser serves GetUser: the named user, or the caller when UserName is
// absent (for the root user, its account's root ARN).
func (h *Handler) getUser(rq *request) error {
	if rq.r.Form.Get("UserName") == "" {
		return h.getCaller(rq)
	}
	u, err := h.targetUser(rq, "iam:GetUser")
	if err != nil {
		return err
	}
	x, err := h.fullUser(rq, u)
	if err != nil {
		return err
	}
	return reply(rq, struct{ User userXML }{x})
}

// getCaller serves GetUser without UserName.
func (h *Handler) getCaller(rq *request) error {
	c := rq.caller.Principal
	if err := h.allow(rq, "iam:GetUser", c.ARN); err != nil {
		return err
	}
	if rq.caller.IsRoot() {
		return reply(rq, struct{ User userXML }{userXML{UserID: c.Account, Arn: c.ARN}})
	}
	u, err := h.cfg.Meta.GetUser(rq.ctx, own(rq), c.Username)
	if err != nil {
		return notFound(err, "The user with name %s cannot be found.", c.Username)
	}
	x, err := h.fullUser(rq, u)
	if err != nil {
		return err
	}
	return reply(rq, struct{ User userXML }{x})
}

// fullUser is u as GetUser answers it: with its tags and its boundary's ARN.
func (h *Handler) fullUser(rq *request, u store.User) (userXML, error) {
	x := newUserXML(u)
	if u.Boundary != "" {
		mp, err := h.cfg.Meta.GetManagedPolicy(rq.ctx, u.Account, u.Boundary)
		if err != nil {
			return x, fmt.Errorf("iamapi: boundary of user %s: %w", u.Name, err)
		}
		x.PermissionsBoundary.PermissionsBoundaryArn = mp.ARN()
	}
	tags, err := h.cfg.Meta.ListUserTags(rq.ctx, u.Account, u.Name)
	if err != nil {
		return x, fmt.Errorf("iamapi: tags of user %s: %w", u.Name, err)
	}
	x.Tags = sortedTags(tags)
	return x, nil
}

// listResult is the answer of the List actions whose members are users.
type listUsersResult struct {
	Users       []userXML `xml:"Users>member"`
	IsTruncated bool
	Marker      string `xml:",omitempty"`
}

func (h *Handler) listUsers(rq *request) error {
	p := params{rq.r.Form}
	prefix, err := p.pathPrefix()
	if err != nil {
		return err
	}
	if err := h.allow(rq, "iam:ListUsers", "*"); err != nil {
		return err
	}
	us, err := h.cfg.Meta.ListUsers(rq.ctx, own(rq))
	if err != nil {
		return fmt.Errorf("iamapi: list users: %w", err)
	}
	var xs []userXML
	for _, u := range us {
		if strings.HasPrefix(u.Path, prefix) {
			x := newUserXML(u)
			x.PermissionsBoundary = nil // ListUsers leaves it out, as IAM does
			xs = append(xs, x)
		}
	}
	items, more, marker, err := page(p, xs)
	if err != nil {
		return err
	}
	return reply(rq, listUsersResult{Users: items, IsTruncated: more, Marker: marker})
}

func (h *Handler) updateUser(rq *request) error {
	p := params{rq.r.Form}
	u, err := h.targetUser(rq, "iam:UpdateUser")
	if err != nil {
		return err
	}
	newName, newPath := u.Name, u.Path
	if p.str("NewUserName") != "" {
		if newName, err = p.name("NewUserName", maxUserName); err != nil {
			return err
		}
	}
	if p.str("NewPath") != "" {
		if newPath, err = p.path("NewPath"); err != nil {
			return err
		}
	}
	if newName != u.Name || newPath != u.Path {
		// IAM also requires the action on the user's new identity.
		err := h.allow(rq, "iam:UpdateUser", arnOf(u.Account, "user", newPath, newName))
		if err != nil {
			return err
		}
	}
	return h.renameUser(rq, u, newName, newPath)
}

// renameUser moves u to its new name and path.
func (h *Handler) renameUser(rq *request, u store.User, newName, newPath string) error {
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	if !strings.EqualFold(newName, u.Name) {
		if taken, err := h.nameTaken(rq, newName); err != nil || taken {
			return orExists(err, taken, "User with name %s already exists.", newName)
		}
	}
	err := h.cfg.Meta.RenameUser(rq.ctx, u.Account, u.Name, newName, newPath)
	if errors.Is(err, store.ErrExists) {
		return errorf(EntityAlreadyExists, "User with name %s already exists.", newName)
	}
	if err != nil {
		return notFound(err, "The user with name %s cannot be found.", u.Name)
	}
	return reply(rq, nil)
}

func (h *Handler) deleteUser(rq *request) error {
	u, err := h.targetUser(rq, "iam:DeleteUser")
	if err != nil {
		return err
	}
	err = h.cfg.Meta.DeleteUser(rq.ctx, u.Account, u.Name)
	if err != nil {
		return notFound(conflict(err, "the user "+u.Name),
			"The user with name %s cannot be found.", u.Name)
	}
	return reply(rq, nil)
}
