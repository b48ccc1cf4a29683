package iamapi

import (
	"errors"
	"fmt"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/store"
)

// maxKeys is IAM's limit on the access keys of one user (or root user).
const maxKeys = 2

// accessKeyXML is IAM's AccessKey and AccessKeyMetadata elements; the
// secret is sent once, by CreateAccessKey.
type accessKeyXML struct {
	UserName        string `xml:",omitempty"`
	AccessKeyID     string `xml:"AccessKeyId"`
	Status          string
	SecretAccessKey string `xml:",omitempty"`
	CreateDate      string `xml:",omitempty"`
}

func newKeyXML(k store.AccessKey) accessKeyXML {
	status := "Inactive"
	if k.Active {
		status = "Active"
	}
	x := accessKeyXML{UserName: k.User, AccessKeyID: k.ID, Status: status}
	if !k.Created.IsZero() {
		x.CreateDate = k.Created.UTC().Format(time.RFC3339)
	}
	return x
}

// keyOwner reads the optional UserName: the user whose keys an action
// manages, or the caller itself when absent ("" for a root user). It
// authorizes action on that user and returns its name.
func (h *Handler) keyOwner(rq *request, action string) (string, error) {
	if rq.r.Form.Get("UserName") != "" {
		u, err := h.targetUser(rq, action)
		return u.Name, err
	}
	c := rq.caller.Principal
	if err := h.allow(rq, action, c.ARN); err != nil {
		return "", err
	}
	return c.Username, nil
}

func (h *Handler) createAccessKey(rq *request) error {
	user, err := h.keyOwner(rq, "iam:CreateAccessKey")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	have, err := h.cfg.Meta.ListAccessKeys(rq.ctx, own(rq), user)
	if err != nil {
		return fmt.Errorf("iamapi: list access keys: %w", err)
	}
	if len(have) >= maxKeys {
		return errorf(LimitExceeded, "Cannot exceed quota for AccessKeysPerUser: %d.", maxKeys)
	}
	id, secret := newAccessKey()
	k := store.AccessKey{ID: id, Secret: secret, Account: own(rq), User: user, Active: true,
		Created: h.cfg.Now().UTC().Truncate(time.Second)}
	if err := h.cfg.Meta.PutAccessKey(rq.ctx, k); err != nil {
		return notFound(err, "The user with name %s cannot be found.", user)
	}
	x := newKeyXML(k)
	x.SecretAccessKey = secret
	return reply(rq, struct{ AccessKey accessKeyXML }{x})
}

func (h *Handler) listAccessKeys(rq *request) error {
	user, err := h.keyOwner(rq, "iam:ListAccessKeys")
	if err != nil {
		return err
	}
	ks, err := h.cfg.Meta.ListAccessKeys(rq.ctx, own(rq), user)
	if err != nil {
		return fmt.Errorf("iamapi: list access keys: %w", err)
	}
	xs := make([]accessKeyXML, 0, len(ks))
	for _, k := range ks {
		xs = append(xs, newKeyXML(k))
	}
	items, more, marker, err := page(params{rq.r.Form}, xs)
	if err != nil {
		return err
	}
	return reply(rq, struct {
		AccessKeyMetadata []accessKeyXML `xml:"AccessKeyMetadata>member"`
		IsTruncated       bool
		Marker            string `xml:",omitempty"`
	}{items, more, marker})
}

// targetKey reads AccessKeyId and returns the key, which must belong to
// the user keyOwner names; NoSuchEntity otherwise.
func (h *Handler) targetKey(rq *request, action string) (store.AccessKey, error) {
	id := rq.r.Form.Get("AccessKeyId")
	if id == "" {
		return store.AccessKey{}, missingParam("AccessKeyId")
	}
	user, err := h.keyOwner(rq, action)
	if err != nil {
		return store.AccessKey{}, err
	}
	k, err := h.cfg.Meta.GetAccessKey(rq.ctx, id)
	if err == nil && (k.Account != own(rq) || k.User != user) {
		err = store.ErrNotFound
	}
	if err != nil {
		return k, notFound(err, "The Access Key with id %s cannot be found.", truncate(id))
	}
	return k, nil
}

// updateAccessKey sets a key Active or Inactive. The key is read from the
// store on every request, so an inactive key stops authenticating at once.
func (h *Handler) updateAccessKey(rq *request) error {
	status := rq.r.Form.Get("Status")
	if status != "Active" && status != "Inactive" {
		return errorf(ValidationError, "1 validation error detected: Value %q at 'status' "+
			"failed to satisfy constraint: Member must satisfy enum value set: [Active, "+
			"Inactive]", truncate(status))
	}
	k, err := h.targetKey(rq, "iam:UpdateAccessKey")
	if err != nil {
		return err
	}
	k.Active = status == "Active"
	if err := h.cfg.Meta.PutAccessKey(rq.ctx, k); err != nil {
		return fmt.Errorf("iamapi: put access key %s: %w", k.ID, err)
	}
	return reply(rq, nil)
}

func (h *Handler) deleteAccessKey(rq *request) error {
	k, err := h.targetKey(rq, "iam:DeleteAccessKey")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.DeleteAccessKey(rq.ctx, k.ID); err != nil {
		return notFound(err, "The Access Key with id %s cannot be found.", k.ID)
	}
	return reply(rq, nil)
}

// getAccessKeyLastUsed answers what IAM answers for a key never used:
// trove does not record when a key was last used.
func (h *Handler) getAccessKeyLastUsed(rq *request) error {
	id := rq.r.Form.Get("AccessKeyId")
	if id == "" {
		return missingParam("AccessKeyId")
	}
	k, err := h.cfg.Meta.GetAccessKey(rq.ctx, id)
	if err == nil && k.Account != own(rq) {
		err = store.ErrNotFound
	}
	if err != nil {
		return notFound(err, "The Access Key with id %s cannot be found.", truncate(id))
	}
	arn := identity.RootARN(k.Account)
	if k.User != "" {
		u, err := h.cfg.Meta.GetUser(rq.ctx, k.Account, k.User)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("iamapi: owner of key %s: %w", k.ID, err)
		}
		arn = identity.UserARN(k.Account, u.Path, k.User)
	}
	if err := h.allow(rq, "iam:GetAccessKeyLastUsed", arn); err != nil {
		return err
	}
	type lastUsed struct{ ServiceName, Region string }
	return reply(rq, struct {
		UserName          string `xml:",omitempty"`
		AccessKeyLastUsed lastUsed
	}{k.User, lastUsed{"N/A", "N/A"}})
}
