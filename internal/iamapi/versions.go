package iamapi

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// The versions of a customer managed policy. A policy has one to
// store.MaxPolicyVersions versions; its default version's document is the
// one identity evaluation uses, and the store's identity version moves with
// every change, so that a new default decides the next request.

// versionOperations are the policy version and policy tag actions, by name.
var versionOperations = map[string]func(*Handler, *request) error{
	"CreatePolicyVersion":     (*Handler).createPolicyVersion,
	"GetPolicyVersion":        (*Handler).getPolicyVersion,
	"ListPolicyVersions":      (*Handler).listPolicyVersions,
	"SetDefaultPolicyVersion": (*Handler).setDefaultPolicyVersion,
	"DeletePolicyVersion":     (*Handler).deletePolicyVersion,
	"TagPolicy":               (*Handler).tagPolicy,
	"UntagPolicy":             (*Handler).untagPolicy,
	"ListPolicyTags":          (*Handler).listPolicyTags,
}

// versionXML is IAM's PolicyVersion element.
type versionXML struct {
	Document         string `xml:",omitempty"`
	VersionID        string `xml:"VersionId"`
	IsDefaultVersion bool
	CreateDate       string `xml:",omitempty"`
}

// newVersionXML is v as IAM answers it; the document only with doc.
func newVersionXML(v store.PolicyVersion, doc bool) versionXML {
	x := versionXML{VersionID: v.ID, IsDefaultVersion: v.Default}
	if doc {
		x.Document = encodeDocument(v.Document)
	}
	if !v.Created.IsZero() {
		x.CreateDate = v.Created.UTC().Format(time.RFC3339)
	}
	return x
}

// versionIDRE is IAM's pattern of a VersionId parameter.
var versionIDRE = regexp.MustCompile(`^v[1-9][0-9]*(\.[A-Za-z0-9-]*)?$`)

// versionID reads the required parameter VersionId.
func (p params) versionID() (string, error) {
	v := p.str("VersionId")
	if v == "" {
		return "", missingParam("VersionId")
	}
	if len(v) > 128 || !versionIDRE.MatchString(v) {
		return "", errorf(ValidationError, "1 validation error detected: Value %q at "+
			"'versionId' failed to satisfy constraint: Member must satisfy regular "+
			"expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?", truncate(v))
	}
	return v, nil
}

// noSuchVersion is NoSuchEntity for a version of mp.
func noSuchVersion(err error, mp store.ManagedPolicy, id string) error {
	return notFound(err, "Policy %s version %s does not exist or is not attachable.",
		mp.ARN(), id)
}

// defaultVersionID returns the id of mp's default version.
func (h *Handler) defaultVersionID(rq *request, mp store.ManagedPolicy) (string, error) {
	vs, err := h.cfg.Meta.ListPolicyVersions(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return "", notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	for _, v := range vs {
		if v.Default {
			return v.ID, nil
		}
	}
	return "", fmt.Errorf("iamapi: policy %s has no default version", mp.ARN())
}

// createPolicyVersion serves CreatePolicyVersion. As in IAM, a policy has
// at most store.MaxPolicyVersions versions (LimitExceeded).
func (h *Handler) createPolicyVersion(rq *request) error {
	p := params{rq.r.Form}
	doc, err := p.policyDocument(maxManagedChars)
	if err != nil {
		return err
	}
	makeDefault, err := p.boolean("SetAsDefault")
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:CreatePolicyVersion")
	if err != nil {
		return err
	}
	v, err := h.cfg.Meta.CreatePolicyVersion(rq.ctx, mp.Account, mp.Name, doc, makeDefault)
	if errors.Is(err, store.ErrLimit) {
		return &Error{Code: LimitExceeded, Message: fmt.Sprintf("A managed policy can have "+
			"up to %d versions. Before you create a new version, you must delete an existing "+
			"version.", store.MaxPolicyVersions), Cause: err}
	}
	if err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	return reply(rq, struct{ PolicyVersion versionXML }{newVersionXML(v, false)})
}

// boolean reads the optional boolean parameter param, false when absent.
func (p params) boolean(param string) (bool, error) {
	switch v := p.str(param); v {
	case "", "false":
		return false, nil
	case "true":
		return true, nil
	default:
		return false, errorf(ValidationError, "1 validation error detected: Value %q at "+
			"'%s' failed to satisfy constraint: Member must be true or false", truncate(v),
			lowerFirst(param))
	}
}

// getPolicyVersion serves GetPolicyVersion, of any version, the document
// URL-encoded as IAM sends it.
func (h *Handler) getPolicyVersion(rq *request) error {
	id, err := params{rq.r.Form}.versionID()
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:GetPolicyVersion")
	if err != nil {
		return err
	}
	v, err := h.cfg.Meta.GetPolicyVersion(rq.ctx, mp.Account, mp.Name, id)
	if err != nil {
		return noSuchVersion(err, mp, id)
	}
	return reply(rq, struct{ PolicyVersion versionXML }{newVersionXML(v, true)})
}

// listPolicyVersions serves ListPolicyVersions, newest first, without the
// documents, as IAM answers.
func (h *Handler) listPolicyVersions(rq *request) error {
	mp, _, err := h.targetPolicy(rq, "iam:ListPolicyVersions")
	if err != nil {
		return err
	}
	vs, err := h.cfg.Meta.ListPolicyVersions(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	xs := make([]versionXML, 0, len(vs))
	for _, v := range slices.Backward(vs) {
		xs = append(xs, newVersionXML(v, false))
	}
	items, more, marker, err := page(params{rq.r.Form}, xs)
	if err != nil {
		return err
	}
	return reply(rq, struct {
		Versions    []versionXML `xml:"Versions>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{items, more, marker})
}

// setDefaultPolicyVersion serves SetDefaultPolicyVersion: the version's
// document decides the next request of every principal the policy is
// attached to.
func (h *Handler) setDefaultPolicyVersion(rq *request) error {
	id, err := params{rq.r.Form}.versionID()
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:SetDefaultPolicyVersion")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.SetDefaultPolicyVersion(rq.ctx, mp.Account, mp.Name, id); err != nil {
		return noSuchVersion(err, mp, id)
	}
	return reply(rq, nil)
}

// deletePolicyVersion serves DeletePolicyVersion; the default version is
// DeleteConflict: it goes with DeletePolicy.
func (h *Handler) deletePolicyVersion(rq *request) error {
	id, err := params{rq.r.Form}.versionID()
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:DeletePolicyVersion")
	if err != nil {
		return err
	}
	err = h.cfg.Meta.DeletePolicyVersion(rq.ctx, mp.Account, mp.Name, id)
	if errors.Is(err, store.ErrInUse) {
		return &Error{Code: DeleteConflict, Message: "Cannot delete the default version of " +
			"a policy.", Cause: err}
	}
	if err != nil {
		return noSuchVersion(err, mp, id)
	}
	return reply(rq, nil)
}

// tagPolicy serves TagPolicy, with the condition keys aws:RequestTag/KEY
// and aws:TagKeys.
func (h *Handler) tagPolicy(rq *request) error {
	tags, err := requestTags(rq)
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:TagPolicy")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	have, err := h.cfg.Meta.ListPolicyTags(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	n := len(have)
	for _, t := range tags {
		if _, ok := have[t.Key]; !ok {
			n++
		}
	}
	if n > maxTags {
		return errorf(LimitExceeded, "Cannot exceed quota for TagsPerPolicy: %d.", maxTags)
	}
	if err := h.cfg.Meta.TagPolicy(rq.ctx, mp.Account, mp.Name, tagMap(tags)); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	return reply(rq, nil)
}

// untagPolicy serves UntagPolicy, with the condition key aws:TagKeys.
func (h *Handler) untagPolicy(rq *request) error {
	keys, err := untagKeys(rq)
	if err != nil {
		return err
	}
	mp, _, err := h.targetPolicy(rq, "iam:UntagPolicy")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.UntagPolicy(rq.ctx, mp.Account, mp.Name, keys); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	return reply(rq, nil)
}

// untagKeys reads the required list TagKeys, of at most maxTags keys, and
// sets the condition key aws:TagKeys to it.
func untagKeys(rq *request) ([]string, error) {
	keys, err := params{rq.r.Form}.list("TagKeys")
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, missingParam("TagKeys")
	}
	if len(keys) > maxTags {
		return nil, errorf(ValidationError, "1 validation error detected: 'tagKeys' has "+
			"more than %d members.", maxTags)
	}
	rq.keys = policy.Context{}
	rq.keys.Set("aws:TagKeys", keys...)
	return keys, nil
}

func (h *Handler) listPolicyTags(rq *request) error {
	mp, _, err := h.targetPolicy(rq, "iam:ListPolicyTags")
	if err != nil {
		return err
	}
	tags, err := h.cfg.Meta.ListPolicyTags(rq.ctx, mp.Account, mp.Name)
	if err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", mp.ARN())
	}
	return replyTags(rq, tags)
}
