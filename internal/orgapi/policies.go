package orgapi

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// AWS's limits on organization policies, as the organization file applies
// them too.
const (
	maxContentChars     = 5120 // characters of an SCP or RCP document
	maxDescriptionChars = 512
	maxPerTarget        = 5 // policies of one type attached to one node
)

// builtins are the AWS managed policies, by id, with their documents.
var builtins = map[string]store.OrgPolicy{
	"p-FullAWSAccess": {Type: store.ServiceControlPolicy, Name: store.FullAWSAccess,
		ID: "p-FullAWSAccess", Document: []byte(`{"Version":"2012-10-17","Statement":` +
			`[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)},
	"p-RCPFullAWSAccess": {Type: store.ResourceControlPolicy, Name: store.RCPFullAWSAccess,
		ID: "p-RCPFullAWSAccess", Document: []byte(`{"Version":"2012-10-17","Statement":` +
			`[{"Effect":"Allow","Principal":"*","Action":"*","Resource":"*"}]}`)},
}

// builtinFor returns the AWS managed policy of type pt.
func builtinFor(pt store.PolicyType) store.OrgPolicy {
	if pt == store.ResourceControlPolicy {
		return builtins["p-RCPFullAWSAccess"]
	}
	return builtins["p-FullAWSAccess"]
}

// builtinDescription is the Description trove gives the AWS managed
// policies; descriptions of other policies are not stored.
const builtinDescription = "AWS managed policy: allows every action"

func (a arns) summary(p store.OrgPolicy) policySummary {
	s := policySummary{ID: p.ID, ARN: a.policy(p), Name: p.Name, Type: p.Type,
		AwsManaged: store.Builtin(p.Type, p.Name)}
	if s.AwsManaged {
		s.Description = builtinDescription
	}
	return s
}

func (a arns) policyShape(p store.OrgPolicy) policyShape {
	return policyShape{PolicySummary: a.summary(p), Content: string(p.Document)}
}

// findPolicy returns the policy with id, stored or AWS managed.
func (h *Handler) findPolicy(rq *request, id string) (store.OrgPolicy, error) {
	if p, ok := builtins[id]; ok {
		return p, nil
	}
	p, err := h.cfg.Meta.GetOrgPolicyByID(rq.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return p, errorf(PolicyNotFound, "We can't find a policy with the PolicyId %q.",
			truncate(id))
	}
	if err != nil {
		return p, fmt.Errorf("orgapi: policy %s: %w", id, err)
	}
	return p, nil
}

// authorizedPolicy finds the policy with id and authorizes the action on
// it; a missing policy is authorized on "*" first, so that a caller
// without the permission learns nothing of which ids exist.
func (h *Handler) authorizedPolicy(rq *request, id string) (store.OrgPolicy, error) {
	p, err := h.findPolicy(rq, id)
	resource := "*"
	if err == nil {
		resource = arns{rq.org}.policy(p)
	}
	if aerr := h.authorize(rq, resource); aerr != nil {
		return p, aerr
	}
	return p, err
}

// policyType reads a Type or Filter value.
func policyType(v string) (store.PolicyType, error) {
	pt := store.PolicyType(v)
	if pt != store.ServiceControlPolicy && pt != store.ResourceControlPolicy {
		return "", invalid("INVALID_ENUM_POLICY_TYPE", "The policy type %q is not one trove "+
			"models: %s or %s.", truncate(v), store.ServiceControlPolicy,
			store.ResourceControlPolicy)
	}
	return pt, nil
}

// checkName checks an SCP or RCP name as the organization file does.
func checkName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case n < 1 || n > 128 || strings.ContainsFunc(name, isControl):
		return invalid("INVALID_INPUT", "Name must have 1-128 characters, none of them a "+
			"control character.")
	case name == store.FullAWSAccess || name == store.RCPFullAWSAccess:
		return errorf(DuplicatePolicy, "A policy with the same name already exists.")
	}
	return nil
}

// checkContent validates an SCP or RCP document as trove validates them in
// the organization file.
func checkContent(content string, pt store.PolicyType) error {
	if n := utf8.RuneCountInString(content); n > maxContentChars {
		return constraint("POLICY_CONTENT_LIMIT_EXCEEDED", "The policy has %d characters; "+
			"AWS allows %d.", n, maxContentChars)
	}
	kind := policy.ServiceControl
	if pt == store.ResourceControlPolicy {
		kind = policy.ResourceControl
	}
	if _, err := policy.Parse([]byte(content), kind); err != nil {
		var me *policy.MalformedError
		if errors.As(err, &me) {
			return &Error{Code: MalformedPolicyDocument, Message: me.Msg, Cause: err}
		}
		return fmt.Errorf("orgapi: parse policy: %w", err)
	}
	return nil
}

func checkDescription(d string) error {
	if utf8.RuneCountInString(d) > maxDescriptionChars {
		return invalid("INVALID_INPUT", "Description has at most %d characters.",
			maxDescriptionChars)
	}
	return nil
}

// createPolicyInput is CreatePolicy's input. The description is checked
// and not stored.
type createPolicyInput struct {
	Content     string `json:"Content"`
	Description string `json:"Description"`
	Name        string `json:"Name"`
	Type        string `json:"Type"`
	Tags        []tag  `json:"Tags"`
}

func (in createPolicyInput) check() (store.PolicyType, error) {
	pt, err := policyType(in.Type)
	if err != nil {
		return "", err
	}
	for _, check := range []func() error{
		func() error { return checkName(in.Name) },
		func() error { return checkDescription(in.Description) },
		func() error { return noTags(in.Tags) },
		func() error { return checkContent(in.Content, pt) },
	} {
		if err := check(); err != nil {
			return "", err
		}
	}
	return pt, nil
}

func (h *Handler) createPolicy(rq *request) error {
	var in createPolicyInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, "*"); err != nil {
		return err
	}
	pt, err := in.check()
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	existing, err := h.cfg.Meta.ListOrgPolicies(rq.ctx, pt)
	if err != nil {
		return fmt.Errorf("orgapi: list policies: %w", err)
	}
	for _, p := range existing {
		if p.Name == in.Name {
			return errorf(DuplicatePolicy, "A policy with the same name already exists.")
		}
	}
	id, err := h.newPolicyID(rq)
	if err != nil {
		return err
	}
	p := store.OrgPolicy{Type: pt, Name: in.Name, ID: id, Document: []byte(in.Content)}
	if err := h.cfg.Meta.PutOrgPolicy(rq.ctx, p); err != nil {
		return fmt.Errorf("orgapi: create policy: %w", err)
	}
	return respond(rq, map[string]policyShape{"Policy": arns{rq.org}.policyShape(p)})
}

// newPolicyID returns p- and 8 random characters that no policy has.
func (h *Handler) newPolicyID(rq *request) (string, error) {
	for range 10 {
		id := "p-" + randomString(8, lowerAlnum)
		_, err := h.cfg.Meta.GetOrgPolicyByID(rq.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", fmt.Errorf("orgapi: policy id: %w", err)
		}
	}
	return "", errors.New("orgapi: no free policy id after 10 tries")
}

func (h *Handler) describePolicy(rq *request) error {
	var in struct {
		PolicyID string `json:"PolicyId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	p, err := h.authorizedPolicy(rq, in.PolicyID)
	if err != nil {
		return err
	}
	return respond(rq, map[string]policyShape{"Policy": arns{rq.org}.policyShape(p)})
}

func (h *Handler) listPolicies(rq *request) error {
	var in struct {
		pageInput
		Filter string `json:"Filter"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, "*"); err != nil {
		return err
	}
	pt, err := policyType(in.Filter)
	if err != nil {
		return err
	}
	stored, err := h.cfg.Meta.ListOrgPolicies(rq.ctx, pt)
	if err != nil {
		return fmt.Errorf("orgapi: list policies: %w", err)
	}
	a := arns{rq.org}
	all := []policySummary{a.summary(builtinFor(pt))}
	for _, p := range stored {
		all = append(all, a.summary(p))
	}
	return respondPage(rq, "Policies", all, in.pageInput)
}

// updatePolicyInput is UpdatePolicy's input; absent members stay as they
// are.
type updatePolicyInput struct {
	PolicyID    string  `json:"PolicyId"`
	Name        *string `json:"Name"`
	Description *string `json:"Description"`
	Content     *string `json:"Content"`
}

func (in updatePolicyInput) check(p store.OrgPolicy) error {
	if store.Builtin(p.Type, p.Name) {
		return errorf(AccessDenied, "You can't change an AWS managed policy.")
	}
	if in.Name != nil {
		if err := checkName(*in.Name); err != nil {
			return err
		}
	}
	if in.Description != nil {
		if err := checkDescription(*in.Description); err != nil {
			return err
		}
	}
	if in.Content != nil {
		return checkContent(*in.Content, p.Type)
	}
	return nil
}

func (h *Handler) updatePolicy(rq *request) error {
	var in updatePolicyInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.authorizedPolicy(rq, in.PolicyID)
	if err != nil {
		return err
	}
	if err := in.check(p); err != nil {
		return err
	}
	if in.Content != nil && *in.Content != string(p.Document) {
		p.Document = []byte(*in.Content)
		if err := h.cfg.Meta.PutOrgPolicy(rq.ctx, p); err != nil {
			return fmt.Errorf("orgapi: update policy %s: %w", p.ID, err)
		}
	}
	if in.Name != nil && *in.Name != p.Name {
		err := h.cfg.Meta.RenameOrgPolicy(rq.ctx, p.Type, p.Name, *in.Name)
		if errors.Is(err, store.ErrExists) {
			return errorf(DuplicatePolicy, "A policy with the same name already exists.")
		}
		if err != nil {
			return fmt.Errorf("orgapi: rename policy %s: %w", p.ID, err)
		}
		p.Name = *in.Name
	}
	return respond(rq, map[string]policyShape{"Policy": arns{rq.org}.policyShape(p)})
}

func (h *Handler) deletePolicy(rq *request) error {
	var in struct {
		PolicyID string `json:"PolicyId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	p, err := h.authorizedPolicy(rq, in.PolicyID)
	if err != nil {
		return err
	}
	if store.Builtin(p.Type, p.Name) {
		return errorf(AccessDenied, "You can't delete an AWS managed policy.")
	}
	err = h.cfg.Meta.DeleteOrgPolicy(rq.ctx, p.Type, p.Name)
	if errors.Is(err, store.ErrInUse) {
		return errorf(PolicyInUse, "The policy is attached to one or more entities. You "+
			"must detach it from all roots, OUs, and accounts before you can delete it.")
	}
	if err != nil {
		return fmt.Errorf("orgapi: delete policy %s: %w", p.ID, err)
	}
	return respond(rq, struct{}{})
}
