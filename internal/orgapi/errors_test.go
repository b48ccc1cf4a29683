package orgapi_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
)

// call is one SDK call of a case.
type call func(ctx context.Context, c *organizations.Client) error

func listAccounts(ctx context.Context, c *organizations.Client) error {
	_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{})
	return err
}

func createOU(parent, name string) call {
	return func(ctx context.Context, c *organizations.Client) error {
		_, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
			ParentId: &parent, Name: &name})
		return err
	}
}

func createSCP(name, content string) call {
	return func(ctx context.Context, c *organizations.Client) error {
		_, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: &name,
			Description: aws.String(""), Content: &content,
			Type: types.PolicyTypeServiceControlPolicy})
		return err
	}
}

func attach(policy, target string) call {
	return func(ctx context.Context, c *organizations.Client) error {
		_, err := c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &policy,
			TargetId: &target})
		return err
	}
}

func detach(policy, target string) call {
	return func(ctx context.Context, c *organizations.Client) error {
		_, err := c.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: &policy,
			TargetId: &target})
		return err
	}
}

func move(account, from, to string) call {
	return func(ctx context.Context, c *organizations.Client) error {
		_, err := c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &account,
			SourceParentId: &from, DestinationParentId: &to})
		return err
	}
}

// TestCallers checks who may call: the management account's principals as
// their policies allow, member accounts DescribeOrganization only, and no
// account outside the organization.
func TestCallers(t *testing.T) {
	srv := newServer(t)
	describeOrg := func(ctx context.Context, c *organizations.Client) error {
		_, err := c.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
		return err
	}
	tests := []struct {
		name   string
		caller key
		call   call
		want   string
	}{
		{"management root lists", managerRoot, listAccounts, ""},
		{"auditor lists", auditor, listAccounts, ""},
		{"auditor may not create", auditor, createOU(rootID, "x"), "AccessDeniedException"},
		{"user without policy", nobody, listAccounts, "AccessDeniedException"},
		{"member root lists", memberRoot, listAccounts, "AccessDeniedException"},
		{"member root creates", memberRoot, createOU(rootID, "y"), "AccessDeniedException"},
		{"member root describes the organization", memberRoot, describeOrg, ""},
		{"outsider", outsider, listAccounts, "AWSOrganizationsNotInUseException"},
		{"outsider describes the organization", outsider, describeOrg,
			"AWSOrganizationsNotInUseException"},
		{"unknown key", key{"AKIAORGAPIUNKNOWN001", "x"}, listAccounts,
			"UnrecognizedClientException"},
		{"wrong secret", key{managerRoot.id, "wrong"}, listAccounts,
			"InvalidSignatureException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.call(t.Context(), client(srv, tt.caller))); got != tt.want {
				t.Errorf("error %q, want %q", got, tt.want)
			}
		})
	}
}

// TestErrors checks AWS's error for each refused request, in order, on the
// organization setUp leaves.
func TestErrors(t *testing.T) {
	srv := newServer(t)
	c := client(srv, managerRoot)
	f := setUp(t, c)
	tooLong := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*",` +
		`"Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/x":"` +
		string(make([]byte, 5200)) + `"}}}]}`
	tests := []struct {
		name string
		call call
		want string
	}{
		{"OU under a missing parent", createOU("ou-tst1-zzzzzzzz", "a"), "ParentNotFoundException"},
		{"OU name taken", createOU(rootID, "workloads"), "DuplicateOrganizationalUnitException"},
		{"OU without a name", createOU(rootID, ""), "InvalidInputException"},
		{"SCP with a Principal", createSCP("p", `{"Version":"2012-10-17","Statement":[`+
			`{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`),
			"MalformedPolicyDocumentException"},
		{"SCP not JSON", createSCP("p", "{"), "MalformedPolicyDocumentException"},
		{"SCP too long", createSCP("p", tooLong), "ConstraintViolationException"},
		{"SCP name taken", createSCP("deny-puts", denyPuts), "DuplicatePolicyException"},
		{"SCP named FullAWSAccess", createSCP("FullAWSAccess", denyPuts),
			"DuplicatePolicyException"},
		{"attach twice", attach(f.policy, f.ou), "DuplicatePolicyAttachmentException"},
		{"attach to a missing target", attach(f.policy, "ou-tst1-zzzzzzzz"),
			"TargetNotFoundException"},
		{"attach a missing policy", attach("p-zzzzzzzz", f.ou), "PolicyNotFoundException"},
		{"detach what is not attached", detach(f.policy, rootID),
			"PolicyNotAttachedException"},
		{"detach the last SCP", detach("p-FullAWSAccess", f.account),
			"ConstraintViolationException"},
		{"detach RCPFullAWSAccess", detach("p-RCPFullAWSAccess", f.ou),
			"ConstraintViolationException"},
		{"move from the wrong parent", move(f.account, rootID, rootID),
			"AccountNotFoundException"},
		{"move to a missing parent", move(f.account, f.ou, "ou-tst1-zzzzzzzz"),
			"DestinationParentNotFoundException"},
		{"move where it is", move(f.account, f.ou, f.ou), "DuplicateAccountException"},
		{"move a missing account", move("444444444444", rootID, f.ou),
			"AccountNotFoundException"},
		{"delete an attached policy", func(ctx context.Context, c *organizations.Client) error {
			_, err := c.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: &f.policy})
			return err
		}, "PolicyInUseException"},
		{"describe a missing account", func(ctx context.Context, c *organizations.Client) error {
			_, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{
				AccountId: aws.String("333333333333")})
			return err
		}, "AccountNotFoundException"},
		{"bad page token", func(ctx context.Context, c *organizations.Client) error {
			_, err := c.ListAccounts(ctx, &organizations.ListAccountsInput{
				NextToken: aws.String("nonsense")})
			return err
		}, "InvalidInputException"},
		{"enable an enabled type", func(ctx context.Context, c *organizations.Client) error {
			_, err := c.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{
				RootId: aws.String(rootID), PolicyType: types.PolicyTypeServiceControlPolicy})
			return err
		}, "PolicyTypeAlreadyEnabledException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := code(tt.call(t.Context(), c)); got != tt.want {
				t.Errorf("error %q, want %q", got, tt.want)
			}
		})
	}
}
