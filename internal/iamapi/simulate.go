package iamapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/simulate"
	"github.com/troveproject/trove/internal/store"
)

// simulatePrincipalPolicy serves SimulatePrincipalPolicy: the policies of a
// user (or, as a trove extension, an account's root user) against every pair
// of ActionNames and ResourceArns.
func (h *Handler) simulatePrincipalPolicy(rq *request) error {
	p := params{rq.r.Form}
	arn, err := p.policySource()
	if err != nil {
		return err
	}
	mgmt, err := h.management(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, "iam:SimulatePrincipalPolicy", arn, accountOf(arn),
		mgmt); err != nil {
		return err
	}
	req, err := h.simRequest(rq, p, mgmt)
	if err != nil {
		return err
	}
	subject, err := h.sim.Principal(rq.ctx, arn)
	if errors.Is(err, simulate.ErrNoSuchPrincipal) {
		return errorf(NoSuchEntity, "The principal %s cannot be found.", arn)
	}
	if err != nil {
		return err
	}
	extra, err := p.policies("PolicyInputList")
	if err != nil {
		return err
	}
	if len(extra) > 0 {
		c := *subject
		c.Policies = append(append([]policy.Source(nil), subject.Policies...), extra...)
		subject = &c
	}
	return h.run(rq, p, subject, req)
}

// simulateCustomPolicy serves SimulateCustomPolicy: the policies of
// PolicyInputList, for the caller (or the user CallerArn names), without the
// principal's own policies and without SCPs or RCPs.
func (h *Handler) simulateCustomPolicy(rq *request) error {
	p := params{rq.r.Form}
	docs, err := p.policies("PolicyInputList")
	if err != nil {
		return err
	}
	if len(docs) == 0 {
		return errorf(ValidationError, "1 validation error detected: Value null at "+
			"'policyInputList' failed to satisfy constraint: Member must not be null")
	}
	mgmt, err := h.management(rq)
	if err != nil {
		return err
	}
	account := rq.caller.Principal.Account
	if err := h.authorize(rq, "iam:SimulateCustomPolicy", "*", account, mgmt); err != nil {
		return err
	}
	req, err := h.simRequest(rq, p, mgmt)
	if err != nil {
		return err
	}
	req.NoOrganizations = true
	principal, err := h.customPrincipal(rq, p, mgmt)
	if err != nil {
		return err
	}
	return h.run(rq, p, &identity.Caller{Principal: principal, Policies: docs}, req)
}

// customUser is the name of the user SimulateCustomPolicy simulates for an
// account's root user, to whom identity-based policies do not apply.
const customUser = "trove-simulated-user"

// customPrincipal is who SimulateCustomPolicy simulates: the user CallerArn
// names, in the caller's account unless the caller is in the management
// account; or else the caller, or a user of its account with no other
// policy when the caller is the root user.
func (h *Handler) customPrincipal(rq *request, p params, mgmt bool) (policy.Principal, error) {
	arn := p.str("CallerArn")
	if arn == "" && rq.caller.IsRoot() {
		c := rq.caller.Principal
		return policy.Principal{Account: c.Account, Type: policy.TypeUser, Username: customUser,
			ARN: identity.UserARN(c.Account, "/", customUser), OrgID: c.OrgID,
			OrgPaths: c.OrgPaths}, nil
	}
	if arn == "" {
		return rq.caller.Principal, nil
	}
	if _, err := simulate.PrincipalARN(arn); err != nil || accountOf(arn) == "" ||
		strings.HasSuffix(arn, ":root") {
		return policy.Principal{}, errorf(InvalidInput, "CallerArn: %q is not the ARN of an "+
			"IAM user.", truncate(arn))
	}
	if err := h.reach(rq, "iam:SimulateCustomPolicy", arn, accountOf(arn), mgmt); err != nil {
		return policy.Principal{}, err
	}
	c, err := h.sim.Principal(rq.ctx, arn)
	if errors.Is(err, simulate.ErrNoSuchPrincipal) {
		return policy.Principal{}, errorf(NoSuchEntity, "The principal %s cannot be found.", arn)
	}
	if err != nil {
		return policy.Principal{}, err
	}
	return c.Principal, nil
}

// policySource reads PolicySourceArn and checks CallerArn against it.
func (p params) policySource() (string, error) {
	arn := p.str("PolicySourceArn")
	if arn == "" {
		return "", errorf(ValidationError, "1 validation error detected: Value null at "+
			"'policySourceArn' failed to satisfy constraint: Member must not be null")
	}
	if _, err := simulate.PrincipalARN(arn); err != nil || accountOf(arn) == "" {
		return "", errorf(InvalidInput, "PolicySourceArn: %q is not the ARN of an IAM user "+
			"or of an account root user (trove has no groups or roles yet).", truncate(arn))
	}
	if c := p.str("CallerArn"); c != "" && c != arn {
		return "", errorf(InvalidInput, "CallerArn: trove simulates the PolicySourceArn as "+
			"its own caller; a different CallerArn (%q) is not supported.", truncate(c))
	}
	return arn, nil
}

// accountOf returns the account of an IAM ARN, "" when there is none.
func accountOf(arn string) string {
	if len(arn) < len("arn:aws:iam::")+12 || arn[:len("arn:aws:iam::")] != "arn:aws:iam::" {
		return ""
	}
	account := arn[len("arn:aws:iam::"):][:12]
	if !accountRE.MatchString(account) {
		return ""
	}
	return account
}

// policies reads a list of identity-based policy documents, named after
// their parameter as IAM's simulator names them.
func (p params) policies(name string) ([]policy.Source, error) {
	docs, err := p.list(name)
	if err != nil {
		return nil, err
	}
	for i, doc := range docs {
		if err := checkPolicyLength(fmt.Sprintf("%s.member.%d", name, i+1), doc); err != nil {
			return nil, err
		}
	}
	out := make([]policy.Source, 0, len(docs))
	for i, doc := range docs {
		pol, err := policy.Parse([]byte(doc), policy.Identity)
		if err != nil {
			return nil, malformed(fmt.Sprintf("%s.member.%d", name, i+1), err)
		}
		out = append(out, policy.Source{Layer: policy.LayerIdentity, Policy: pol,
			Name: name + "." + strconv.Itoa(i+1)})
	}
	return out, nil
}

// maxPolicyChars is the longest policy document IAM's simulator takes in
// ResourcePolicy, PolicyInputList and PermissionsBoundaryPolicyInputList
// (its policyDocumentType), in characters.
const maxPolicyChars = 131072

// checkPolicyLength refuses a document longer than maxPolicyChars, naming
// its parameter, before anything parses it.
func checkPolicyLength(param, doc string) error {
	if len(doc) <= maxPolicyChars {
		return nil
	}
	if n := utf8.RuneCountInString(doc); n > maxPolicyChars {
		return errorf(ValidationError, "1 validation error detected: Value at '%s' failed "+
			"to satisfy constraint: Member must have length less than or equal to %d "+
			"(it has %d characters)", param, maxPolicyChars, n)
	}
	return nil
}

// malformed reports a policy document that does not parse.
func malformed(param string, err error) error {
	var me *policy.MalformedError
	if errors.As(err, &me) {
		return errorf(MalformedPolicyDocument, "%s: %s", param, me.Msg)
	}
	return fmt.Errorf("iamapi: parse %s: %w", param, err)
}

// simRequest reads the parameters both operations share.
func (h *Handler) simRequest(rq *request, p params, mgmt bool) (simulate.Request, error) {
	var req simulate.Request
	var err error
	if req.Actions, err = p.actions(); err != nil {
		return req, err
	}
	if req.Resources, err = p.resources(); err != nil {
		return req, err
	}
	if n := len(req.Actions) * max(1, len(req.Resources)); n > maxPairs {
		return req, errorf(ValidationError, "1 validation error detected: %d actions on %d "+
			"resources make more than %d simulations.", len(req.Actions), len(req.Resources),
			maxPairs)
	}
	if req.ResourceAccount, err = p.resourceOwner(); err != nil {
		return req, err
	}
	if req.Context, err = p.context(); err != nil {
		return req, err
	}
	if req.ResourcePolicy, err = p.resourcePolicy(); err != nil {
		return req, err
	}
	if req.Boundary, err = p.boundary(); err != nil {
		return req, err
	}
	own := rq.caller.Principal.Account
	req.Stored = func(account string) bool {
		if account == own || !mgmt {
			return account == own
		}
		member, err := h.member(rq, account)
		return member && err == nil
	}
	req.HideOrganizations = !mgmt
	return req, nil
}

// resourcePolicy reads ResourcePolicy, a resource-based policy document.
func (p params) resourcePolicy() (*policy.Source, error) {
	doc := p.str("ResourcePolicy")
	if doc == "" {
		return nil, nil
	}
	if err := checkPolicyLength("ResourcePolicy", doc); err != nil {
		return nil, err
	}
	pol, err := policy.Parse([]byte(doc), policy.Resource)
	if err != nil {
		return nil, malformed("ResourcePolicy", err)
	}
	return &policy.Source{Layer: policy.LayerResource, Name: "ResourcePolicy", Policy: pol}, nil
}

// boundary reads PermissionsBoundaryPolicyInputList, which holds at most
// one document.
func (p params) boundary() (*policy.Source, error) {
	const name = "PermissionsBoundaryPolicyInputList"
	srcs, err := p.policies(name)
	switch {
	case err != nil:
		return nil, err
	case len(srcs) > 1:
		return nil, errorf(InvalidInput, "%s takes one policy document, not %d.", name,
			len(srcs))
	case len(srcs) == 0:
		return nil, nil
	}
	srcs[0].Layer = policy.LayerBoundary
	return &srcs[0], nil
}

// management reports whether the caller is in the organization's management
// account.
func (h *Handler) management(rq *request) (bool, error) {
	org, err := h.cfg.Meta.GetOrganization(rq.ctx)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("iamapi: organization: %w", err)
	}
	return org.ManagementAccount == rq.caller.Principal.Account, nil
}

// authorize decides whether the caller may perform action on resource, a
// principal of account: account must be within the caller's reach (see
// reach), and the caller's policies (identity-based, boundary, SCPs) must
// allow the action; an account's root user needs no identity-based policy.
// IAM users have no resource-based policy and RCPs do not cover IAM, so
// the decision is the caller's own account's.
func (h *Handler) authorize(rq *request, action, resource, account string, mgmt bool) error {
	if err := h.reach(rq, action, resource, account, mgmt); err != nil {
		return err
	}
	v, denial, err := awsapi.Authorize(rq.ctx, h.cfg.Directory, rq.caller,
		policy.Request{Action: action, Resource: resource, Context: h.requestContext(rq)})
	if err != nil {
		return fmt.Errorf("iamapi: %w", err)
	}
	rq.verdict = v
	if denial != "" {
		return errorf(AccessDenied, "%s", denial)
	}
	return nil
}

// reach refuses a simulation of a principal of account unless account is
// the caller's own or, for a caller in the management account, a member
// account of the organization. It says nothing of whether the account or
// the principal exists.
func (h *Handler) reach(rq *request, action, resource, account string, mgmt bool) error {
	if account == rq.caller.Principal.Account {
		return nil
	}
	if !mgmt {
		return h.denied(rq, action, resource, "outside the organization's management "+
			"account a caller may simulate only principals of its own account")
	}
	member, err := h.member(rq, account)
	if err != nil || member {
		return err
	}
	return h.denied(rq, action, resource, "the organization's management account may "+
		"simulate only principals of its own account and of the organization's member "+
		"accounts")
}

// member reports whether account is in the organization: the store holds
// it under the root or an OU.
func (h *Handler) member(rq *request, account string) (bool, error) {
	sc, err := h.cfg.Directory.Scope(rq.ctx, account)
	if errors.Is(err, identity.ErrUnknownAccount) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("iamapi: scope of account %s: %w", account, err)
	}
	return sc.OrgID != "", nil
}

// denied refuses a simulation out of the caller's reach; why says the rule.
func (h *Handler) denied(rq *request, action, resource, why string) error {
	rq.verdict = &verdict{Effect: policy.ImplicitDeny, Reason: why}
	return errorf(AccessDenied, "User: %s is not authorized to perform: %s on resource: %s: "+
		"%s", rq.caller.Principal.ARN, action, resource, why)
}

// requestContext holds the condition keys of the IAM request itself.
func (h *Handler) requestContext(rq *request) policy.Context {
	c := awsapi.RequestKeys(rq.r, h.cfg.Now())
	for k, v := range rq.keys {
		c.Set(k, v...)
	}
	return c
}

// maxPageBytes bounds the results of one answer: a page ends after
// MaxItems results or after the result that takes it past maxPageBytes of
// XML, whichever comes first, and holds at least one result. The body
// limit on requests bounds what one result can weigh.
const maxPageBytes = 4 << 20

// maxPageResults bounds the results computed for one answer, whatever
// MaxItems asks: IAM documents that it may return fewer than MaxItems with
// IsTruncated set, and each result costs an evaluation.
//
// TODO(trove): one result can still cost up to pattern × value length of
// wildcard matching (a 131,072-character policy against 8 KiB context
// values: about a second). A work budget inside the policy engine would
// bound it; it needs an engine API that can stop an evaluation, which
// Evaluate's zero-allocation path does not have yet.
const maxPageResults = 100

// run simulates the page of results MaxItems and Marker select, and only
// it, and writes it.
func (h *Handler) run(rq *request, p params, subject *identity.Caller,
	req simulate.Request) error {
	start, n, err := p.page()
	if err != nil {
		return err
	}
	if start > req.Count() {
		return errorf(InvalidInput, "Marker: %d is past the last result.", start)
	}
	var page pageBuilder
	n = min(n, maxPageResults)
	err = h.sim.Each(rq.ctx, subject, req, start, func(r simulate.Result) bool {
		return page.add(&r) && page.count < n && page.size < maxPageBytes
	})
	if errors.Is(err, simulate.ErrInvalidRequest) {
		return &Error{Code: InvalidInput, Message: err.Error(), Cause: err}
	}
	if err != nil {
		return err
	}
	if page.err != nil {
		return fmt.Errorf("iamapi: encode a result: %w", page.err)
	}
	end := start + page.count
	res := simulateResult{XMLName: xml.Name{Local: rq.action + "Result"},
		EvaluationResults: rawXML{page.buf.Bytes()}, IsTruncated: end < req.Count()}
	if res.IsTruncated {
		res.Marker = strconv.Itoa(end)
	}
	writeXML(rq.w, 200, awsapi.Response{XMLName: xml.Name{Local: rq.action + "Response"},
		Xmlns: namespace, Result: res, Metadata: awsapi.Metadata{RequestID: rq.id}})
	return nil
}

// pageBuilder encodes the results of one page as they are computed.
type pageBuilder struct {
	buf   bytes.Buffer
	count int
	size  int
	err   error
}

// add encodes r as a member of EvaluationResults; it reports false, and
// keeps the error, when r cannot be encoded.
func (b *pageBuilder) add(r *simulate.Result) bool {
	out, err := xml.Marshal(newEvaluation(r))
	if err != nil {
		b.err = err
		return false
	}
	b.buf.Write(out)
	b.count++
	b.size += len(out)
	return true
}
