package orgapi

import (
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/store"
)

// operations are the actions served, by name. Each decodes its input,
// authorizes the caller on the resource it acts on, and answers.
var operations = map[string]func(*Handler, *request) error{
	"DescribeOrganization":             (*Handler).describeOrganization,
	"ListRoots":                        (*Handler).listRoots,
	"EnablePolicyType":                 (*Handler).enablePolicyType,
	"DisablePolicyType":                (*Handler).disablePolicyType,
	"ListAccounts":                     (*Handler).listAccounts,
	"DescribeAccount":                  (*Handler).describeAccount,
	"ListAccountsForParent":            (*Handler).listAccountsForParent,
	"CreateAccount":                    (*Handler).createAccount,
	"DescribeCreateAccountStatus":      (*Handler).describeCreateAccountStatus,
	"MoveAccount":                      (*Handler).moveAccount,
	"ListParents":                      (*Handler).listParents,
	"ListOrganizationalUnitsForParent": (*Handler).listOUsForParent,
	"DescribeOrganizationalUnit":       (*Handler).describeOU,
	"CreateOrganizationalUnit":         (*Handler).createOU,
	"CreatePolicy":                     (*Handler).createPolicy,
	"DescribePolicy":                   (*Handler).describePolicy,
	"ListPolicies":                     (*Handler).listPolicies,
	"UpdatePolicy":                     (*Handler).updatePolicy,
	"DeletePolicy":                     (*Handler).deletePolicy,
	"AttachPolicy":                     (*Handler).attachPolicy,
	"DetachPolicy":                     (*Handler).detachPolicy,
	"ListPoliciesForTarget":            (*Handler).listPoliciesForTarget,
	"ListTargetsForPolicy":             (*Handler).listTargetsForPolicy,
}

// Actions lists the actions served, for documentation and tests.
func Actions() []string {
	out := make([]string, 0, len(operations))
	for name := range operations {
		out = append(out, name)
	}
	return out
}

func (h *Handler) describeOrganization(rq *request) error {
	a := arns{rq.org}
	t, err := h.authorizedTree(rq, a.organization())
	if err != nil {
		return err
	}
	return respond(rq, map[string]organizationShape{"Organization": {ID: rq.org.ID,
		ARN: a.organization(), FeatureSet: "ALL", MasterAccountID: rq.org.ManagementAccount,
		MasterAccountARN:     a.account(rq.org.ManagementAccount),
		AvailablePolicyTypes: t.policyTypes()}})
}

func (h *Handler) listRoots(rq *request) error {
	var in pageInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	t, err := h.authorizedTree(rq, "*")
	if err != nil {
		return err
	}
	return respondPage(rq, "Roots", []rootShape{t.rootShape()}, in)
}

// policyTypeInput is what EnablePolicyType and DisablePolicyType take.
type policyTypeInput struct {
	RootID     string `json:"RootId"`
	PolicyType string `json:"PolicyType"`
}

// check validates the input against t and returns the policy type.
func (in policyTypeInput) check(t *tree) (store.PolicyType, error) {
	pt := store.PolicyType(in.PolicyType)
	if pt != store.ServiceControlPolicy && pt != store.ResourceControlPolicy {
		return "", invalid("INVALID_ENUM_POLICY_TYPE", "PolicyType %q is not one trove "+
			"models: %s or %s.", truncate(in.PolicyType), store.ServiceControlPolicy,
			store.ResourceControlPolicy)
	}
	if in.RootID != t.org.RootID {
		return "", errorf(RootNotFound, "We can't find a root with the RootId %q.",
			truncate(in.RootID))
	}
	return pt, nil
}

// changePolicyType serves EnablePolicyType and DisablePolicyType: it reads
// and authorizes the input, and runs change on the tree and the checked
// policy type while it holds h.mu.
func (h *Handler) changePolicyType(rq *request,
	change func(t *tree, pt store.PolicyType) error) error {
	var in policyTypeInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, arns{rq.org}.root()); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	pt, err := in.check(t)
	if err != nil {
		return err
	}
	return change(t, pt)
}

// enablePolicyType enables a policy type and, for SCPs, attaches
// FullAWSAccess to every node as AWS does (RCPFullAWSAccess is implied
// wherever RCPs are enabled).
func (h *Handler) enablePolicyType(rq *request) error {
	return h.changePolicyType(rq, func(t *tree, pt store.PolicyType) error {
		if t.isEnabled(pt) {
			return errorf(PolicyTypeAlreadyEnabled,
				"The specified policy type is already enabled.")
		}
		if err := h.cfg.Meta.EnablePolicyType(rq.ctx, pt); err != nil {
			return fmt.Errorf("orgapi: enable %s: %w", pt, err)
		}
		if pt == store.ServiceControlPolicy {
			for _, id := range t.nodes() {
				if err := h.attachFull(rq, id); err != nil {
					return err
				}
			}
		}
		t.enabled = append(t.enabled, pt)
		return respond(rq, map[string]rootShape{"Root": t.rootShape()})
	})
}

// attachFull attaches FullAWSAccess to the node id.
func (h *Handler) attachFull(rq *request, id string) error {
	at := store.OrgAttachment{Type: store.ServiceControlPolicy, Policy: store.FullAWSAccess,
		Target: id}
	if err := h.cfg.Meta.AttachOrgPolicy(rq.ctx, at); err != nil {
		return fmt.Errorf("orgapi: attach FullAWSAccess to %s: %w", id, err)
	}
	return nil
}

// disablePolicyType disables a policy type.
func (h *Handler) disablePolicyType(rq *request) error {
	return h.changePolicyType(rq, func(t *tree, pt store.PolicyType) error {
		err := h.cfg.Meta.DisablePolicyType(rq.ctx, pt)
		if errors.Is(err, store.ErrNotFound) {
			return errorf(PolicyTypeNotEnabled, "This operation can be performed only for "+
				"enabled policy types.")
		}
		if err != nil {
			return fmt.Errorf("orgapi: disable %s: %w", pt, err)
		}
		if t, err = h.load(rq); err != nil {
			return err
		}
		return respond(rq, map[string]rootShape{"Root": t.rootShape()})
	})
}
