package orgapi

import (
	"errors"
	"fmt"
	"slices"

	"github.com/troveproject/trove/internal/store"
)

// attachInput is what AttachPolicy and DetachPolicy take.
type attachInput struct {
	PolicyID string `json:"PolicyId"`
	TargetID string `json:"TargetId"`
}

// attachment reads the input of AttachPolicy or DetachPolicy, authorizes
// the action on the policy and the target, and returns the policy, the
// tree and what is attached to the target now. The caller holds h.mu.
func (h *Handler) attachment(rq *request) (store.OrgPolicy, *tree, []string, error) {
	var in attachInput
	if err := decode(rq.body, &in); err != nil {
		return store.OrgPolicy{}, nil, nil, err
	}
	p, err := h.authorizedPolicy(rq, in.PolicyID)
	if err != nil {
		return p, nil, nil, err
	}
	if err := h.authorize(rq, arns{rq.org}.target(in.TargetID)); err != nil {
		return p, nil, nil, err
	}
	t, err := h.load(rq)
	if err != nil {
		return p, nil, nil, err
	}
	if t.kind(in.TargetID) == "" {
		return p, nil, nil, errorf(TargetNotFound, "We can't find a root, OU, or account "+
			"with the TargetId %q.", truncate(in.TargetID))
	}
	if !t.isEnabled(p.Type) {
		return p, nil, nil, errorf(PolicyTypeNotEnabled, "This operation can be performed "+
			"only for enabled policy types.")
	}
	have, err := h.attachedTo(rq, p.Type, in.TargetID)
	rq.target = in.TargetID
	return p, t, have, err
}

// attachedTo lists the names of the policies of type pt attached to
// target, RCPFullAWSAccess first when pt is RCP (it is attached
// everywhere RCPs are enabled, without a record).
func (h *Handler) attachedTo(rq *request, pt store.PolicyType, target string) ([]string,
	error) {
	all, err := h.cfg.Meta.ListOrgAttachments(rq.ctx, pt)
	if err != nil {
		return nil, fmt.Errorf("orgapi: %s attachments: %w", pt, err)
	}
	var out []string
	if pt == store.ResourceControlPolicy {
		out = append(out, store.RCPFullAWSAccess)
	}
	for _, a := range all {
		if a.Target == target && !slices.Contains(out, a.Policy) {
			out = append(out, a.Policy)
		}
	}
	return out, nil
}

func (h *Handler) attachPolicy(rq *request) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, _, have, err := h.attachment(rq)
	if err != nil {
		return err
	}
	switch {
	case slices.Contains(have, p.Name):
		return errorf(DuplicatePolicyAttachment, "The selected policy is already attached "+
			"to the specified target.")
	case len(have) >= maxPerTarget:
		return constraint("POLICY_NUMBER_LIMIT_EXCEEDED", "You attempted to attach more "+
			"than %d policies of type %s to one target.", maxPerTarget, p.Type)
	}
	at := store.OrgAttachment{Type: p.Type, Policy: p.Name, Target: rq.target}
	if err := h.cfg.Meta.AttachOrgPolicy(rq.ctx, at); err != nil {
		return fmt.Errorf("orgapi: attach %s to %s: %w", p.ID, rq.target, err)
	}
	return respond(rq, struct{}{})
}

func (h *Handler) detachPolicy(rq *request) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	p, _, have, err := h.attachment(rq)
	if err != nil {
		return err
	}
	switch {
	case !slices.Contains(have, p.Name):
		return errorf(PolicyNotAttached, "The policy isn't attached to the specified target.")
	case p.Name == store.RCPFullAWSAccess && p.Type == store.ResourceControlPolicy,
		p.Type == store.ServiceControlPolicy && len(have) == 1:
		return constraint("MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED", "You attempted to "+
			"detach a policy that would leave the target with no %s attached.", p.Type)
	}
	at := store.OrgAttachment{Type: p.Type, Policy: p.Name, Target: rq.target}
	err = h.cfg.Meta.DetachOrgPolicy(rq.ctx, at)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(PolicyNotAttached, "The policy isn't attached to the specified target.")
	}
	if err != nil {
		return fmt.Errorf("orgapi: detach %s from %s: %w", p.ID, rq.target, err)
	}
	return respond(rq, struct{}{})
}

func (h *Handler) listPoliciesForTarget(rq *request) error {
	var in struct {
		pageInput
		TargetID string `json:"TargetId"`
		Filter   string `json:"Filter"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, arns{rq.org}.target(in.TargetID)); err != nil {
		return err
	}
	pt, err := policyType(in.Filter)
	if err != nil {
		return err
	}
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	if t.kind(in.TargetID) == "" {
		return errorf(TargetNotFound, "We can't find a root, OU, or account with the "+
			"TargetId %q.", truncate(in.TargetID))
	}
	all, err := h.policiesOn(rq, t, pt, in.TargetID)
	if err != nil {
		return err
	}
	return respondPage(rq, "Policies", all, in.pageInput)
}

// policiesOn summarizes the policies of type pt attached to target.
func (h *Handler) policiesOn(rq *request, t *tree, pt store.PolicyType,
	target string) ([]policySummary, error) {
	all := []policySummary{}
	if !t.isEnabled(pt) {
		return all, nil
	}
	names, err := h.attachedTo(rq, pt, target)
	if err != nil {
		return nil, err
	}
	stored, err := h.cfg.Meta.ListOrgPolicies(rq.ctx, pt)
	if err != nil {
		return nil, fmt.Errorf("orgapi: list policies: %w", err)
	}
	a := arns{t.org}
	for _, name := range names {
		if store.Builtin(pt, name) {
			all = append(all, a.summary(builtinFor(pt)))
			continue
		}
		if i := slices.IndexFunc(stored, func(p store.OrgPolicy) bool {
			return p.Name == name
		}); i >= 0 {
			all = append(all, a.summary(stored[i]))
		}
	}
	return all, nil
}

func (h *Handler) listTargetsForPolicy(rq *request) error {
	var in struct {
		pageInput
		PolicyID string `json:"PolicyId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	p, err := h.authorizedPolicy(rq, in.PolicyID)
	if err != nil {
		return err
	}
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	targets, err := h.targetsOf(rq, t, p)
	if err != nil {
		return err
	}
	return respondPage(rq, "Targets", targets, in.pageInput)
}

// targetsOf lists the nodes p is attached to, in the order of t.nodes.
func (h *Handler) targetsOf(rq *request, t *tree, p store.OrgPolicy) ([]targetShape, error) {
	out := []targetShape{}
	if !t.isEnabled(p.Type) {
		return out, nil
	}
	attached := make(map[string]bool)
	if p.Name == store.RCPFullAWSAccess && p.Type == store.ResourceControlPolicy {
		for _, id := range t.nodes() {
			attached[id] = true
		}
	} else {
		all, err := h.cfg.Meta.ListOrgAttachments(rq.ctx, p.Type)
		if err != nil {
			return nil, fmt.Errorf("orgapi: %s attachments: %w", p.Type, err)
		}
		for _, a := range all {
			attached[a.Target] = attached[a.Target] || a.Policy == p.Name
		}
	}
	a := arns{t.org}
	for _, id := range t.nodes() {
		if attached[id] {
			out = append(out, targetShape{TargetID: id, ARN: a.target(id), Name: t.name(id),
				Type: t.kind(id)})
		}
	}
	return out, nil
}
