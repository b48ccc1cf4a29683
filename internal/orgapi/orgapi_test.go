package orgapi_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	"github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/testutil"
)

// The tests run the whole server handler over stores holding
// testdata/org.yaml, on 127.0.0.1, and call it with aws-sdk-go-v2's
// Organizations client over real HTTP.

// key is an access key of testdata/org.yaml.
type key struct{ id, secret string }

var (
	managerRoot = key{"AKIAORGAPIMANAGER001", "orgapi/management-root/notARealSecret0000"}
	auditor     = key{"AKIAORGAPIAUDITOR001", "orgapi/auditor/notARealSecret000000000000"}
	nobody      = key{"AKIAORGAPINOBODY0001", "orgapi/nobody/notARealSecret0000000000000"}
	memberRoot  = key{"AKIAORGAPIMEMBER0001", "orgapi/member-root/notARealSecret000000000"}
	outsider    = key{"AKIAORGAPIOUTSIDER01", "orgapi/outsider-root/notARealSecret0000000"}
)

const (
	rootID   = "r-tst1"
	memberID = "111111111111"
	denyPuts = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
		`"Action":"s3:PutObject","Resource":"*"}]}`
)

// newServer serves testdata/org.yaml until the test ends.
func newServer(t *testing.T) *httptest.Server { return testutil.Start(t, "testdata/org.yaml") }

// client returns an Organizations client signing with k, without retries.
func client(srv *httptest.Server, k key) *organizations.Client {
	cfg := aws.Config{Region: "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider(k.id, k.secret, ""),
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} }}
	return organizations.NewFromConfig(cfg, func(o *organizations.Options) {
		o.BaseEndpoint = aws.String(srv.URL)
	})
}

// code returns the error code of err, "" for nil.
func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

// fixture is what the scenario created, for the cases that follow it.
type fixture struct {
	ou, account, policy string
}

// setUp creates an OU, an account moved into it and an SCP attached to the
// OU, checking each answer.
func setUp(t *testing.T, c *organizations.Client) fixture {
	t.Helper()
	ctx := t.Context()
	ou, err := c.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{
		ParentId: aws.String(rootID), Name: aws.String("workloads")})
	if err != nil {
		t.Fatalf("CreateOrganizationalUnit: %v", err)
	}
	acct, err := c.CreateAccount(ctx, &organizations.CreateAccountInput{
		AccountName: aws.String("prd"), Email: aws.String("prd@example.com")})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	if acct.CreateAccountStatus.State != types.CreateAccountStateSucceeded {
		t.Fatalf("CreateAccount state %q, want SUCCEEDED", acct.CreateAccountStatus.State)
	}
	f := fixture{ou: *ou.OrganizationalUnit.Id, account: *acct.CreateAccountStatus.AccountId}
	_, err = c.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: &f.account,
		SourceParentId: aws.String(rootID), DestinationParentId: &f.ou})
	if err != nil {
		t.Fatalf("MoveAccount: %v", err)
	}
	p, err := c.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-puts"),
		Description: aws.String("no uploads"), Content: aws.String(denyPuts),
		Type: types.PolicyTypeServiceControlPolicy})
	if err != nil {
		t.Fatalf("CreatePolicy: %v", err)
	}
	f.policy = *p.Policy.PolicySummary.Id
	_, err = c.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: &f.policy,
		TargetId: &f.ou})
	if err != nil {
		t.Fatalf("AttachPolicy: %v", err)
	}
	return f
}

func TestScenario(t *testing.T) {
	srv := newServer(t)
	c := client(srv, managerRoot)
	f := setUp(t, c)
	checks := []struct {
		name string
		run  func(ctx context.Context) (any, error)
		want any
	}{
		{"accounts in the OU", func(ctx context.Context) (any, error) {
			out, err := c.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{
				ParentId: &f.ou})
			return accountIDs(out, err)
		}, []string{f.account}},
		{"parents of the account", func(ctx context.Context) (any, error) {
			out, err := c.ListParents(ctx, &organizations.ListParentsInput{ChildId: &f.account})
			if err != nil {
				return nil, err
			}
			return []string{*out.Parents[0].Id, string(out.Parents[0].Type)}, nil
		}, []string{f.ou, "ORGANIZATIONAL_UNIT"}},
		{"SCPs of the OU", func(ctx context.Context) (any, error) {
			out, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{
				TargetId: &f.ou, Filter: types.PolicyTypeServiceControlPolicy})
			return policyNames(out, err)
		}, []string{"FullAWSAccess", "deny-puts"}},
		{"RCPs of the OU", func(ctx context.Context) (any, error) {
			out, err := c.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{
				TargetId: &f.ou, Filter: types.PolicyTypeResourceControlPolicy})
			return policyNames(out, err)
		}, []string{"RCPFullAWSAccess"}},
		{"targets of the SCP", func(ctx context.Context) (any, error) {
			out, err := c.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{
				PolicyId: &f.policy})
			if err != nil {
				return nil, err
			}
			return []string{*out.Targets[0].TargetId, *out.Targets[0].Name,
				string(out.Targets[0].Type)}, nil
		}, []string{f.ou, "workloads", "ORGANIZATIONAL_UNIT"}},
		{"the SCP", func(ctx context.Context) (any, error) {
			out, err := c.DescribePolicy(ctx, &organizations.DescribePolicyInput{
				PolicyId: &f.policy})
			if err != nil {
				return nil, err
			}
			return []string{*out.Policy.Content, *out.Policy.PolicySummary.Arn}, nil
		}, []string{denyPuts, "arn:aws:organizations::999999999999:policy/o-orgapitest0/" +
			"service_control_policy/" + f.policy}},
		{"the account", func(ctx context.Context) (any, error) {
			out, err := c.DescribeAccount(ctx, &organizations.DescribeAccountInput{
				AccountId: &f.account})
			if err != nil {
				return nil, err
			}
			return []string{*out.Account.Name, string(out.Account.Status)}, nil
		}, []string{"prd", "ACTIVE"}},
		{"the OUs of the root", func(ctx context.Context) (any, error) {
			out, err := c.ListOrganizationalUnitsForParent(ctx,
				&organizations.ListOrganizationalUnitsForParentInput{ParentId: aws.String(rootID)})
			if err != nil {
				return nil, err
			}
			return []string{*out.OrganizationalUnits[0].Id, *out.OrganizationalUnits[0].Name},
				nil
		}, []string{f.ou, "workloads"}},
		{"the root", func(ctx context.Context) (any, error) {
			out, err := c.ListRoots(ctx, &organizations.ListRootsInput{})
			if err != nil {
				return nil, err
			}
			return []string{*out.Roots[0].Id, string(out.Roots[0].PolicyTypes[0].Type)}, nil
		}, []string{rootID, "RESOURCE_CONTROL_POLICY"}},
	}
	for _, tt := range checks {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.run(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if !equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func equal(got, want any) bool {
	g, ok1 := got.([]string)
	w, ok2 := want.([]string)
	return ok1 && ok2 && slices.Equal(g, w)
}

func accountIDs(out *organizations.ListAccountsForParentOutput, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	ids := []string{}
	for _, a := range out.Accounts {
		ids = append(ids, *a.Id)
	}
	return ids, nil
}

func policyNames(out *organizations.ListPoliciesForTargetOutput, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	names := []string{}
	for _, p := range out.Policies {
		names = append(names, *p.Name)
	}
	return names, nil
}
