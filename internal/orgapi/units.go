package orgapi

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/store"
)

// maxOUDepth is how many levels of OUs AWS nests below the root.
const maxOUDepth = 5

func (h *Handler) listOUsForParent(rq *request) error {
	var in struct {
		pageInput
		ParentID string `json:"ParentId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	t, err := h.authorizedTree(rq, "*")
	if err != nil {
		return err
	}
	if !t.isParent(in.ParentID) {
		return errorf(ParentNotFound, "We can't find a root or OU with the ParentId %q.",
			truncate(in.ParentID))
	}
	all := []ouShape{}
	for _, id := range slices.Sorted(maps.Keys(t.ous)) {
		if ou := t.ous[id]; ou.ParentID == in.ParentID {
			all = append(all, ouShape{ID: ou.ID, ARN: arns{t.org}.ou(ou.ID), Name: ou.Name})
		}
	}
	return respondPage(rq, "OrganizationalUnits", all, in.pageInput)
}

func (h *Handler) describeOU(rq *request) error {
	var in struct {
		ID string `json:"OrganizationalUnitId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	t, err := h.authorizedTree(rq, arns{rq.org}.ou(in.ID))
	if err != nil {
		return err
	}
	ou, ok := t.ous[in.ID]
	if !ok {
		return errorf(OUNotFound, "We can't find an OU with the OrganizationalUnitId %q.",
			truncate(in.ID))
	}
	return respond(rq, map[string]ouShape{"OrganizationalUnit": {ID: ou.ID,
		ARN: arns{t.org}.ou(ou.ID), Name: ou.Name}})
}

// createOUInput is CreateOrganizationalUnit's input.
type createOUInput struct {
	ParentID string `json:"ParentId"`
	Name     string `json:"Name"`
	Tags     []tag  `json:"Tags"`
}

// check validates the input against t.
func (in createOUInput) check(t *tree) error {
	n := utf8.RuneCountInString(in.Name)
	switch {
	case n < 1 || n > 128 || strings.ContainsFunc(in.Name, isControl):
		return invalid("INVALID_INPUT", "Name must have 1-128 characters, none of them a "+
			"control character.")
	case !t.isParent(in.ParentID):
		return errorf(ParentNotFound, "We can't find a root or OU with the ParentId %q.",
			truncate(in.ParentID))
	case t.depth(in.ParentID)+1 > maxOUDepth:
		return constraint("OU_DEPTH_LIMIT_EXCEEDED", "You attempted to create an OU tree "+
			"that is too many levels deep: AWS nests OUs at most %d levels below the root.",
			maxOUDepth)
	}
	for _, ou := range t.ous {
		if ou.ParentID == in.ParentID && ou.Name == in.Name {
			return errorf(DuplicateOU, "An OU with the same name already exists.")
		}
	}
	return noTags(in.Tags)
}

// createOU creates an OU with a fresh id, with FullAWSAccess attached when
// SCPs are enabled.
func (h *Handler) createOU(rq *request) error {
	var in createOUInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, "*"); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	if err := in.check(t); err != nil {
		return err
	}
	ou := store.OU{ID: h.newOUID(t), Name: in.Name, ParentID: in.ParentID}
	if err := h.cfg.Meta.PutOU(rq.ctx, ou); err != nil {
		return fmt.Errorf("orgapi: create OU: %w", err)
	}
	if t.isEnabled(store.ServiceControlPolicy) {
		if err := h.attachFull(rq, ou.ID); err != nil {
			return err
		}
	}
	return respond(rq, map[string]ouShape{"OrganizationalUnit": {ID: ou.ID,
		ARN: arns{t.org}.ou(ou.ID), Name: ou.Name}})
}

// newOUID returns an id no OU of t has: ou-, the root id's suffix, -, and
// eight random lower-case letters or digits.
func (h *Handler) newOUID(t *tree) string {
	prefix := "ou-" + strings.TrimPrefix(t.org.RootID, "r-") + "-"
	for {
		id := prefix + randomString(8, lowerAlnum)
		if _, taken := t.ous[id]; !taken {
			return id
		}
	}
}

func isControl(r rune) bool { return unicode.IsControl(r) }
