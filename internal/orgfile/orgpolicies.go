package orgfile

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// AWS's limits on organization policies.
const (
	maxOrgPolicyChars = 5120 // characters in an SCP or RCP document
	maxSCPsPerNode    = 5    // SCPs attached to one root, OU or account
)

// validatePolicies checks the enabled policy types and the SCP and RCP
// documents.
func (o *Organization) validatePolicies(dir string) error {
	o.enabled = make(map[string]bool)
	for _, t := range o.EnabledPolicyTypes {
		if t != string(store.ServiceControlPolicy) && t != string(store.ResourceControlPolicy) {
			return fmt.Errorf("enabledPolicyTypes: %q is not %s or %s", t,
				store.ServiceControlPolicy, store.ResourceControlPolicy)
		}
		if o.enabled[t] {
			return fmt.Errorf("enabledPolicyTypes: %s is listed twice", t)
		}
		o.enabled[t] = true
	}
	var err error
	o.scpNames, err = validateOrgPolicies(o.ServiceControlPolicies, policy.ServiceControl, dir)
	if err != nil {
		return fmt.Errorf("serviceControlPolicies: %w", err)
	}
	o.rcpNames, err = validateOrgPolicies(o.ResourceControlPolicies, policy.ResourceControl, dir)
	if err != nil {
		return fmt.Errorf("resourceControlPolicies: %w", err)
	}
	return nil
}

// validateOrgPolicies checks SCP or RCP documents and returns their names.
func validateOrgPolicies(ps []Policy, kind policy.Kind, dir string) (map[string]bool, error) {
	names := make(map[string]bool)
	for i := range ps {
		p := &ps[i]
		if err := checkOrgPolicyName(p.Name); err != nil {
			return nil, fmt.Errorf("policy %q: %w", p.Name, err)
		}
		if names[p.Name] {
			return nil, fmt.Errorf("policy %s: declared twice", p.Name)
		}
		names[p.Name] = true
		if err := p.load(dir, kind); err != nil {
			return nil, fmt.Errorf("policy %s: %w", p.Name, err)
		}
		if n := utf8.RuneCount(p.JSON); n > maxOrgPolicyChars {
			return nil, fmt.Errorf("policy %s: the document has %d characters; AWS allows %d",
				p.Name, n, maxOrgPolicyChars)
		}
	}
	return names, nil
}

// checkOrgPolicyName checks an SCP or RCP name: 1-128 characters, none of
// them a control character, and not the name of an AWS managed policy.
func checkOrgPolicyName(name string) error {
	switch {
	case name == "":
		return errors.New("a policy needs a name")
	case utf8.RuneCountInString(name) > 128:
		return errors.New("a name has at most 128 characters")
	case strings.IndexFunc(name, unicode.IsControl) >= 0:
		return errors.New("a name has no control characters")
	case name == store.FullAWSAccess || name == store.RCPFullAWSAccess:
		return errors.New("the name is reserved for the AWS managed policy")
	}
	return nil
}

// checkAttachments checks the scps and rcps lists of one node.
func (o *Organization) checkAttachments(at Attachments) error {
	if at.SCPs != nil {
		if len(*at.SCPs) > maxSCPsPerNode {
			return fmt.Errorf("scps: %d policies; AWS attaches at most %d to one node",
				len(*at.SCPs), maxSCPsPerNode)
		}
		if err := o.checkList("scps", *at.SCPs, store.ServiceControlPolicy, o.scpNames,
			"serviceControlPolicies"); err != nil {
			return err
		}
	}
	return o.checkList("rcps", at.RCPs, store.ResourceControlPolicy, o.rcpNames,
		"resourceControlPolicies")
}

// checkList checks one attachment list: its type is enabled, and it names
// declared policies, or FullAWSAccess for SCPs, once each.
func (o *Organization) checkList(field string, names []string, t store.PolicyType,
	declared map[string]bool, section string) error {
	if len(names) > 0 && !o.enabled[string(t)] {
		return fmt.Errorf("%s: %s is not enabled; add it to organization.enabledPolicyTypes",
			field, t)
	}
	seen := make(map[string]bool)
	for _, n := range names {
		switch {
		case n == store.RCPFullAWSAccess && t == store.ResourceControlPolicy:
			return fmt.Errorf("%s: RCPFullAWSAccess is always attached and is not listed", field)
		case !declared[n] && !store.Builtin(t, n):
			return fmt.Errorf("%s: policy %q is not declared under organization.%s",
				field, n, section)
		case seen[n]:
			return fmt.Errorf("%s: policy %s is listed twice", field, n)
		}
		seen[n] = true
	}
	return nil
}

// checkAccount checks the scps and rcps of account a: only an account in
// the organization has them. o may be nil, when the file declares none.
func (o *Organization) checkAccount(a *Account) error {
	if a.SCPs == nil && a.RCPs == nil {
		return nil
	}
	if o == nil || !o.placed[a.ID] {
		return errors.New("scps and rcps: the account is outside the organization; " +
			"place it under the organization's root or one of its units")
	}
	return o.checkAttachments(a.Attachments)
}
