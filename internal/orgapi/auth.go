package orgapi

import (
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// memberActions may be called from any account of the organization, as in
// AWS; every other action only from the management account.
var memberActions = map[string]bool{"DescribeOrganization": true}

// admit checks that the caller's account may call the action at all: it
// is in the organization, and it is the management account unless the
// action is one of memberActions. It loads the organization into rq.
func (h *Handler) admit(rq *request) error {
	org, err := h.cfg.Meta.GetOrganization(rq.ctx)
	if errors.Is(err, store.ErrNotFound) {
		return h.refuse(rq, NotInUse, "the store holds no organization")
	}
	if err != nil {
		return fmt.Errorf("orgapi: organization: %w", err)
	}
	rq.org = org
	account := rq.caller.Principal.Account
	member, err := h.inOrg(rq, account)
	switch {
	case err != nil:
		return err
	case !member:
		return h.refuse(rq, NotInUse, "the caller's account is outside the organization")
	case account != org.ManagementAccount && !memberActions[rq.action]:
		return h.refuse(rq, AccessDenied, "only the organization's management account may "+
			"call "+rq.action)
	}
	return nil
}

// inOrg reports whether account is the management account or placed under
// the organization's root.
func (h *Handler) inOrg(rq *request, account string) (bool, error) {
	if account == rq.org.ManagementAccount {
		return true, nil
	}
	sc, err := h.cfg.Directory.Scope(rq.ctx, account)
	if errors.Is(err, identity.ErrUnknownAccount) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("orgapi: scope of account %s: %w", account, err)
	}
	return sc.OrgID != "", nil
}

// refuse denies the request before policy evaluation, with code's default
// message; why goes to the access log.
func (h *Handler) refuse(rq *request, code Code, why string) error {
	rq.verdict = &awsapi.Verdict{Effect: policy.ImplicitDeny, Resource: "*", Reason: why}
	return catalog.Fixed(code)
}

// authorize decides whether the caller's policies allow
// organizations:<Action> on resource, an Organizations ARN or "*". SCPs
// do not apply to the management account, nor RCPs to Organizations, so
// the decision is the caller's identity-based policies and boundary; an
// account's root user needs none.
func (h *Handler) authorize(rq *request, resource string) error {
	action := service + ":" + rq.action
	v, denial, err := awsapi.Authorize(rq.ctx, h.cfg.Directory, rq.caller,
		policy.Request{Action: action, Resource: resource, Context: h.requestContext(rq)})
	if err != nil {
		return fmt.Errorf("orgapi: %w", err)
	}
	v.Resource = resource
	rq.verdict = v
	if denial != "" {
		return errorf(AccessDenied, "%s", denial)
	}
	return nil
}

// authorizedTree authorizes the action on resource and loads the tree.
func (h *Handler) authorizedTree(rq *request, resource string) (*tree, error) {
	if err := h.authorize(rq, resource); err != nil {
		return nil, err
	}
	return h.load(rq)
}

// requestContext holds the condition keys of the request itself.
func (h *Handler) requestContext(rq *request) policy.Context {
	return awsapi.RequestKeys(rq.r, h.cfg.Now())
}
