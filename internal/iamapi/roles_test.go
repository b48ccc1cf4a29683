package iamapi_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/store"
)

// clock is a server clock: real time shifted by an offset the test moves.
type clock struct {
	mu     sync.Mutex // guards offset
	offset time.Duration
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) set(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.offset = d
}

// env is a trove serving the cross-account example over HTTP on loopback,
// IAM and STS included, with a clock the test moves.
type env struct {
	url   string
	srv   *httptest.Server
	clock *clock
	meta  store.Meta
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newLoggedEnv(t, slog.New(slog.DiscardHandler))
}

// newLoggedEnv is newEnv with the server's log, access lines included,
// going to log.
func newLoggedEnv(t testing.TB, log *slog.Logger) *env {
	t.Helper()
	st, err := server.Open(t.Context(), t.TempDir(), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	err = server.LoadOrgFile(t.Context(), st.Meta, exampleOrg, "us-east-1", log)
	if err != nil {
		t.Fatal(err)
	}
	c := &clock{}
	srv := httptest.NewServer(server.NewHandler(st, server.Config{Now: c.now}, log))
	t.Cleanup(srv.Close)
	return &env{url: srv.URL, srv: srv, clock: c, meta: st.Meta}
}

// creds are k's credentials.
func creds(k key) aws.Credentials {
	return aws.Credentials{AccessKeyID: k.id, SecretAccessKey: k.secret}
}

// iam is the SDK's IAM client signing with c, session token included.
func (e *env) iam(c aws.Credentials) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.StaticCredentialsProvider{Value: c}, RetryMaxAttempts: 1})
}

// sts is the SDK's STS client signing with c.
func (e *env) sts(c aws.Credentials) *sts.Client {
	return sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.StaticCredentialsProvider{Value: c}, RetryMaxAttempts: 1})
}

// assume assumes the role arn as c for seconds (0: the default).
func (e *env) assume(ctx context.Context, c aws.Credentials, arn string,
	seconds int32) (aws.Credentials, error) {
	in := &sts.AssumeRoleInput{RoleArn: aws.String(arn), RoleSessionName: aws.String("session")}
	if seconds != 0 {
		in.DurationSeconds = aws.Int32(seconds)
	}
	out, err := e.sts(c).AssumeRole(ctx, in)
	if err != nil {
		return aws.Credentials{}, err
	}
	k := out.Credentials
	return aws.Credentials{AccessKeyID: aws.ToString(k.AccessKeyId),
		SecretAccessKey: aws.ToString(k.SecretAccessKey),
		SessionToken:    aws.ToString(k.SessionToken)}, nil
}

var delegate = key{"AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000"}

const (
	prd           = "222222222222"
	agentARN      = "arn:aws:iam::" + prd + ":role/agents/agent"
	capARN        = "arn:aws:iam::" + prd + ":policy/cap"
	trustDelegate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` +
		`{"AWS":"arn:aws:iam::222222222222:user/delegate"},"Action":"sts:AssumeRole"}]}`
	iamReadRoles = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["iam:ListRoles","iam:GetRole"],"Resource":"*"}]}`
)

// trustWith is a trust policy whose one statement has extra fields.
func trustWith(extra string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` +
		`"sts:AssumeRole"` + extra + `}]}`
}

// createRole creates the role name at path with the trust policy doc.
func createRole(name, path, doc string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			Path: aws.String(path), AssumeRolePolicyDocument: aws.String(doc)})
		return err
	}
}

// TestRoleScenario runs the role actions, in order, as the root user of
// the prd account, each with the outcome IAM gives.
func TestRoleScenario(t *testing.T) {
	e := newEnv(t)
	c := e.iam(creds(prdRoot))
	var steps []step
	steps = append(steps, roleCreateSteps()...)
	steps = append(steps, roleReadSteps()...)
	steps = append(steps, roleUpdateSteps()...)
	steps = append(steps, rolePolicySteps()...)
	steps = append(steps, roleDeleteSteps()...)
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			if got := errCode(s.call(t.Context(), c)); got != s.code {
				t.Fatalf("error code %q, want %q", got, s.code)
			}
		}) {
			return // later steps build on this one
		}
	}
}

// failing returns a step that must fail with code and a message holding
// inMsg.
func failing(name string, call func(ctx context.Context, c *iam.Client) error, code,
	inMsg string) step {
	return step{name, func(ctx context.Context, c *iam.Client) error {
		err := call(ctx, c)
		var ae smithy.APIError
		if errors.As(err, &ae) && !strings.Contains(ae.ErrorMessage(), inMsg) {
			return fmt.Errorf("message %q does not say %q", ae.ErrorMessage(), inMsg)
		}
		return err
	}, code}
}

func roleCreateSteps() []step {
	return []step{
		{"CreateRole", func(ctx context.Context, c *iam.Client) error {
			out, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("agent"),
				Path: aws.String("/agents/"), AssumeRolePolicyDocument: aws.String(trustDelegate),
				Description: aws.String("pulls charts"), MaxSessionDuration: aws.Int32(7200),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("delivery")}}})
			if err == nil && (aws.ToString(out.Role.Arn) != agentARN ||
				!strings.HasPrefix(aws.ToString(out.Role.RoleId), "AROA") ||
				aws.ToInt32(out.Role.MaxSessionDuration) != 7200 || out.Role.CreateDate == nil) {
				return fmt.Errorf("unexpected role %+v", out.Role)
			}
			return err
		}, ""},
		{"CreateRole differing in case", createRole("AGENT", "/", trustDelegate),
			"EntityAlreadyExists"},
		failing("CreateRole with a Resource", createRole("x", "/",
			trustWith(`,"Principal":{"AWS":"222222222222"},"Resource":"*"`)),
			"MalformedPolicyDocument", "prohibited field Resource"),
		failing("CreateRole without Principal", createRole("x", "/", trustWith("")),
			"MalformedPolicyDocument", "AssumeRolePolicyDocument"),
		failing("CreateRole not JSON", createRole("x", "/", "{not json"),
			"MalformedPolicyDocument", "AssumeRolePolicyDocument"),
		failing("CreateRole bad action", createRole("x", "/",
			trustWith(`,"Principal":{"AWS":"222222222222"},"NotAction":"no-colon"`)),
			"MalformedPolicyDocument", "AssumeRolePolicyDocument"),
		{"CreateRole trust policy too large", createRole("x", "/", trustWith(
			`,"Principal":{"AWS":"222222222222"},"Condition":{"StringEquals":{"sts:ExternalId":"`+
				strings.Repeat("e", 2048)+`"}}`)), "LimitExceeded"},
		{"CreateRole bad name", createRole("a b", "/", trustDelegate), "ValidationError"},
		{"CreateRole name too long", createRole(strings.Repeat("r", 65), "/", trustDelegate),
			"ValidationError"},
		{"CreateRole without trust policy", createRole("x", "/", ""), "ValidationError"},
		{"CreateRole session too long", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"),
				AssumeRolePolicyDocument: aws.String(trustDelegate),
				MaxSessionDuration:       aws.Int32(43201)})
			return err
		}, "ValidationError"},
		{"CreateRole missing boundary", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("x"),
				AssumeRolePolicyDocument: aws.String(trustDelegate),
				PermissionsBoundary:      aws.String(capARN)})
			return err
		}, "NoSuchEntity"},
		{"CreateRole second", createRole("auditor", "/", trustDelegate), ""},
	}
}

func roleReadSteps() []step {
	return []step{
		{"GetRole", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("agent")})
			if err != nil {
				return err
			}
			doc, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
			if doc != trustDelegate || len(out.Role.Tags) != 1 ||
				aws.ToString(out.Role.Description) != "pulls charts" {
				return fmt.Errorf("unexpected role %+v", out.Role)
			}
			return nil
		}, ""},
		{"GetRole missing", getRole("nobody"), "NoSuchEntity"},
		{"ListRoles by path", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListRoles(ctx, &iam.ListRolesInput{PathPrefix: aws.String("/agents/")})
			if err == nil && (len(out.Roles) != 1 || len(out.Roles[0].Tags) != 0) {
				return fmt.Errorf("ListRoles /agents/ gave %+v, not agent alone, untagged",
					out.Roles)
			}
			return err
		}, ""},
		{"ListRoles paged", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListRoles(ctx, &iam.ListRolesInput{MaxItems: aws.Int32(1)})
			if err == nil && (!out.IsTruncated || aws.ToString(out.Roles[0].RoleName) !=
				"agent") {
				return errors.New("ListRoles MaxItems 1 did not truncate after agent")
			}
			if err == nil {
				out, err = c.ListRoles(ctx, &iam.ListRolesInput{Marker: out.Marker})
			}
			if err == nil && (out.IsTruncated || len(out.Roles) != 1) {
				return errors.New("the second page is not the last role")
			}
			return err
		}, ""},
	}
}

func getRole(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		return err
	}
}

func roleUpdateSteps() []step {
	return []step{
		{"UpdateRole", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("agent"),
				MaxSessionDuration: aws.Int32(3600), Description: aws.String("new")})
			if err != nil {
				return err
			}
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("agent")})
			if err == nil && (aws.ToInt32(out.Role.MaxSessionDuration) != 3600 ||
				aws.ToString(out.Role.Description) != "new" || len(out.Role.Tags) != 1) {
				return fmt.Errorf("UpdateRole gave %+v", out.Role)
			}
			return err
		}, ""},
		{"UpdateRole session too short", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("agent"),
				MaxSessionDuration: aws.Int32(900)})
			return err
		}, "ValidationError"},
		{"UpdateRoleDescription", func(ctx context.Context, c *iam.Client) error {
			out, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{
				RoleName: aws.String("agent"), Description: aws.String("pulls charts")})
			if err == nil && aws.ToString(out.Role.Description) != "pulls charts" {
				return errors.New("the answer has not the new description")
			}
			return err
		}, ""},
		failing("UpdateAssumeRolePolicy with a Resource", updateTrust("agent",
			trustWith(`,"Principal":"*","Resource":"*"`)), "MalformedPolicyDocument",
			"prohibited field Resource"),
		{"UpdateAssumeRolePolicy", updateTrust("agent", trustDelegate), ""},
		{"UpdateAssumeRolePolicy missing role", updateTrust("nobody", trustDelegate),
			"NoSuchEntity"},
		{"TagRole", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("agent"),
				Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prd")}}})
			return err
		}, ""},
		{"UntagRole and ListRoleTags", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("agent"),
				TagKeys: []string{"team"}})
			if err != nil {
				return err
			}
			out, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("agent")})
			if err == nil && (len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "env") {
				return fmt.Errorf("tags %+v, want env alone", out.Tags)
			}
			return err
		}, ""},
		{"TagRole aws: prefix", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("agent"),
				Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
			return err
		}, "InvalidInput"},
	}
}

func updateTrust(role, doc string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{
			RoleName: aws.String(role), PolicyDocument: aws.String(doc)})
		return err
	}
}

func rolePolicySteps() []step {
	return []step{
		{"PutRolePolicy", putRolePolicy("agent", "read", iamReadRoles), ""},
		{"PutRolePolicy over the aggregate limit", putRolePolicy("agent", "big",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",`+
				`"Resource":"arn:aws:s3:::`+strings.Repeat("b", 10200)+`"}]}`), "LimitExceeded"},
		{"PutRolePolicy with a Principal", putRolePolicy("agent", "p", trustDelegate),
			"MalformedPolicyDocument"},
		{"GetRolePolicy", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{
				RoleName: aws.String("agent"), PolicyName: aws.String("read")})
			if err == nil {
				doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument))
				if doc != iamReadRoles || aws.ToString(out.RoleName) != "agent" {
					return errors.New("the document does not decode to the one put")
				}
			}
			return err
		}, ""},
		{"GetRolePolicy missing", func(ctx context.Context, c *iam.Client) error {
			_, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{
				RoleName: aws.String("agent"), PolicyName: aws.String("none")})
			return err
		}, "NoSuchEntity"},
		{"ListRolePolicies", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{
				RoleName: aws.String("agent")})
			if err == nil && len(out.PolicyNames) != 1 {
				return errors.New("not one inline policy")
			}
			return err
		}, ""},
		{"CreatePolicy cap", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("cap"),
				PolicyDocument: aws.String(s3Read)})
			return err
		}, ""},
		{"AttachRolePolicy", attachRole("agent", capARN), ""},
		{"AttachRolePolicy missing policy", attachRole("agent", capARN+"x"), "NoSuchEntity"},
		{"ListAttachedRolePolicies", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{
				RoleName: aws.String("agent")})
			if err == nil && len(out.AttachedPolicies) != 1 {
				return errors.New("not one attached policy")
			}
			return err
		}, ""},
		{"PutRolePermissionsBoundary", func(ctx context.Context, c *iam.Client) error {
			_, err := c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{
				RoleName: aws.String("auditor"), PermissionsBoundary: aws.String(capARN)})
			if err != nil {
				return err
			}
			out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("auditor")})
			if err == nil && (out.Role.PermissionsBoundary == nil ||
				aws.ToString(out.Role.PermissionsBoundary.PermissionsBoundaryArn) != capARN) {
				return errors.New("GetRole shows no boundary")
			}
			return err
		}, ""},
		{"ListEntitiesForPolicy", entities("", "agent"), ""},
		{"ListEntitiesForPolicy boundaries", entities(types.PolicyUsageTypePermissionsBoundary,
			"auditor"), ""},
		{"ListEntitiesForPolicy of users", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{
				PolicyArn: aws.String(capARN), EntityFilter: types.EntityTypeUser})
			if err == nil && len(out.PolicyRoles) != 0 {
				return fmt.Errorf("EntityFilter User listed roles %+v", out.PolicyRoles)
			}
			return err
		}, ""},
		failing("DeletePolicy in use by roles", deletePolicyARN(capARN), "DeleteConflict",
			"role"),
	}
}

func putRolePolicy(role, name, doc string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String(role),
			PolicyName: aws.String(name), PolicyDocument: aws.String(doc)})
		return err
	}
}

func attachRole(role, arn string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{
			RoleName: aws.String(role), PolicyArn: aws.String(arn)})
		return err
	}
}

func deletePolicyARN(arn string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(arn)})
		return err
	}
}

// entities checks that ListEntitiesForPolicy of cap, with usage, names the
// role alone.
func entities(usage types.PolicyUsageType,
	role string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{
			PolicyArn: aws.String(capARN), PolicyUsageFilter: usage})
		if err == nil && (len(out.PolicyRoles) != 1 || len(out.PolicyUsers) != 0 ||
			aws.ToString(out.PolicyRoles[0].RoleName) != role ||
			!strings.HasPrefix(aws.ToString(out.PolicyRoles[0].RoleId), "AROA")) {
			return fmt.Errorf("entities %+v, want the role %s alone", out.PolicyRoles, role)
		}
		return err
	}
}

func deleteRole(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String(name)})
		return err
	}
}

// roleDeleteSteps take the roles apart in the order IAM requires.
func roleDeleteSteps() []step {
	return []step{
		failing("DeleteRole with an inline policy", deleteRole("agent"), "DeleteConflict",
			"must delete policies first"),
		{"DeleteRolePolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
				RoleName: aws.String("agent"), PolicyName: aws.String("read")})
			return err
		}, ""},
		failing("DeleteRole with an attached policy", deleteRole("agent"), "DeleteConflict",
			"must detach all policies first"),
		{"DetachRolePolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{
				RoleName: aws.String("agent"), PolicyArn: aws.String(capARN)})
			return err
		}, ""},
		{"DeleteRole", deleteRole("agent"), ""},
		{"DeleteRole again", deleteRole("agent"), "NoSuchEntity"},
		{"DeletePolicy while a role's boundary", deletePolicyARN(capARN), "DeleteConflict"},
		{"DeleteRolePermissionsBoundary", deleteBoundary("auditor"), ""},
		{"DeleteRolePermissionsBoundary again", deleteBoundary("auditor"), "NoSuchEntity"},
		{"DeletePolicy", deletePolicyARN(capARN), ""},
		{"GetAccountSummary", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			if err == nil && (out.SummaryMap["Roles"] != 1 ||
				out.SummaryMap["RolePolicySizeQuota"] != 10240) {
				return fmt.Errorf("summary %v, want one role", out.SummaryMap)
			}
			return err
		}, ""},
	}
}

func deleteBoundary(role string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeleteRolePermissionsBoundary(ctx,
			&iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String(role)})
		return err
	}
}

// TestRoleAuthorization checks that the role and provider actions are
// decided on the entity's ARN: refused to a user without iam:* permission
// with AccessDenied naming the action, allowed where a policy grants it.
func TestRoleAuthorization(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	root, user := e.iam(creds(prdRoot)), e.iam(creds(delegate))
	_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("delegate"),
		PolicyName: aws.String("agents"), PolicyDocument: aws.String(`{"Version":"2012-10-17",` +
			`"Statement":[{"Effect":"Allow","Action":["iam:CreateRole","iam:GetRole"],` +
			`"Resource":"arn:aws:iam::222222222222:role/agents/*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, action string // action "": allowed
		call         func(ctx context.Context, c *iam.Client) error
	}{
		{"CreateRole under the granted path", "", createRole("a", "/agents/", trustDelegate)},
		{"GetRole under the granted path", "", getRole("a")},
		{"CreateRole elsewhere", "iam:CreateRole", createRole("b", "/", trustDelegate)},
		{"GetRole of a missing role", "iam:GetRole", getRole("missing")},
		{"ListRoles", "iam:ListRoles", func(ctx context.Context, c *iam.Client) error {
			_, err := c.ListRoles(ctx, &iam.ListRolesInput{})
			return err
		}},
		{"PutRolePolicy", "iam:PutRolePolicy", putRolePolicy("a", "p", iamReadRoles)},
		{"DeleteRole", "iam:DeleteRole", deleteRole("a")},
		{"CreateOpenIDConnectProvider", "iam:CreateOpenIDConnectProvider",
			func(ctx context.Context, c *iam.Client) error {
				_, err := c.CreateOpenIDConnectProvider(ctx,
					&iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://x.example"),
						ClientIDList: []string{"sts.amazonaws.com"}})
				return err
			}},
		{"ListOpenIDConnectProviders", "iam:ListOpenIDConnectProviders",
			func(ctx context.Context, c *iam.Client) error {
				_, err := c.ListOpenIDConnectProviders(ctx,
					&iam.ListOpenIDConnectProvidersInput{})
				return err
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(ctx, user)
			if tc.action == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
				!strings.Contains(ae.ErrorMessage(), tc.action) {
				t.Fatalf("got %v, want AccessDenied naming %s", err, tc.action)
			}
		})
	}
}

// TestRoleChangesTakeEffect checks that what the API changes in a role
// applies at the next AssumeRole and at the next request of a session.
func TestRoleChangesTakeEffect(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	root := e.iam(creds(prdRoot))
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	must("CreateRole", createRole("agent", "/agents/", trustDelegate)(ctx, root))
	must("PutRolePolicy", putRolePolicy("agent", "read", iamReadRoles)(ctx, root))
	session, err := e.assume(ctx, creds(delegate), agentARN, 0)
	must("AssumeRole", err)
	listRoles := func() string {
		_, err := e.iam(session).ListRoles(ctx, &iam.ListRolesInput{})
		return errCode(err)
	}
	steps := []struct {
		name   string
		change func() error
		list   string // ListRoles' code for the session after the change
		assume string // AssumeRole's code for the delegate after the change
	}{
		{"as created", func() error { return nil }, "", ""},
		{"inline policy deleted", func() error {
			_, err := root.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{
				RoleName: aws.String("agent"), PolicyName: aws.String("read")})
			return err
		}, "AccessDenied", ""},
		{"managed policy attached", func() error {
			_, err := root.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String("roles"), PolicyDocument: aws.String(iamReadRoles)})
			if err == nil {
				err = attachRole("agent", "arn:aws:iam::222222222222:policy/roles")(ctx, root)
			}
			return err
		}, "", ""},
		{"trust policy changed", func() error {
			return updateTrust("agent", trustWith(`,"Principal":{"AWS":`+
				`"arn:aws:iam::222222222222:user/other"}`))(ctx, root)
		}, "", "AccessDenied"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			must("change", s.change())
			if got := listRoles(); got != s.list {
				t.Errorf("session's ListRoles: %q, want %q", got, s.list)
			}
			_, err := e.assume(ctx, creds(delegate), agentARN, 0)
			if got := errCode(err); got != s.assume {
				t.Errorf("AssumeRole: %q, want %q", got, s.assume)
			}
		})
	}
}

// TestSessionTokenErrors checks IAM's answers to an expired and a tampered
// session token: 403 ExpiredToken and 403 InvalidClientTokenId, with IAM's
// messages.
func TestSessionTokenErrors(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	err := createRole("agent", "/agents/", trustDelegate)(ctx, e.iam(creds(prdRoot)))
	if err != nil {
		t.Fatal(err)
	}
	// Issued 14 minutes ago for 15: the session ends a minute from now, and
	// requests stay within the signature's clock skew.
	e.clock.set(-14 * time.Minute)
	s, err := e.assume(ctx, creds(delegate), agentARN, 900)
	e.clock.set(0)
	if err != nil {
		t.Fatal(err)
	}
	tampered := s
	tampered.SessionToken = s.SessionToken[:40] + flip(s.SessionToken[40]) +
		s.SessionToken[41:]
	tests := []struct {
		name       string
		creds      aws.Credentials
		offset     time.Duration
		code, msg  string
		wantStatus int
	}{
		{"valid", s, 0, "", "", 0},
		{"expired", s, 2 * time.Minute, "ExpiredToken",
			"The security token included in the request is expired", 403},
		{"tampered", tampered, 0, "InvalidClientTokenId",
			"The security token included in the request is invalid.", 403},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.set(tt.offset)
			defer e.clock.set(0)
			_, err := e.iam(tt.creds).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("x")})
			var ae smithy.APIError
			var re *awshttp.ResponseError
			switch {
			case tt.code == "":
				if got := errCode(err); got != "AccessDenied" {
					t.Fatalf("valid session: %q, want AccessDenied for GetUser", got)
				}
			case !errors.As(err, &ae) || !errors.As(err, &re):
				t.Fatalf("got %v, want an API error", err)
			case ae.ErrorCode() != tt.code || ae.ErrorMessage() != tt.msg ||
				re.HTTPStatusCode() != tt.wantStatus:
				t.Fatalf("got %d %s %q, want %d %s %q", re.HTTPStatusCode(), ae.ErrorCode(),
					ae.ErrorMessage(), tt.wantStatus, tt.code, tt.msg)
			}
		})
	}
}

func flip(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}

// FuzzCreateRole sends CreateRole arbitrary names, paths, trust policies,
// descriptions and durations over HTTP: every answer is the role or a
// client error (never a server failure), and a role created reads back
// with the trust policy it was given.
func FuzzCreateRole(f *testing.F) {
	f.Add("agent", "/agents/", trustDelegate, "pulls", int32(3600))
	f.Add("a b", "agents", trustWith(`,"Principal":"*","Resource":"*"`), "\x00", int32(7))
	f.Add("r", "/", `{"Version":"2012-10-17","Statement":{"Effect":"Allow",`+
		`"Principal":{"Federated":"x"},"Action":"sts:*"}}`, "", int32(43200))
	e := newEnv(f)
	c := e.iam(creds(prdRoot))
	f.Fuzz(func(t *testing.T, name, path, doc, desc string, seconds int32) {
		ctx := context.Background()
		in := &iam.CreateRoleInput{RoleName: aws.String(name), Path: aws.String(path),
			AssumeRolePolicyDocument: aws.String(doc), Description: aws.String(desc)}
		if seconds != 0 {
			in.MaxSessionDuration = aws.Int32(seconds)
		}
		_, err := c.CreateRole(ctx, in)
		var re *awshttp.ResponseError
		if errors.As(err, &re) && re.HTTPStatusCode() >= 500 {
			t.Fatalf("CreateRole answered %v", err)
		}
		if err != nil {
			return
		}
		defer func() { _ = deleteRole(name)(ctx, c) }()
		out, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		if err != nil {
			t.Fatalf("GetRole of a created role: %v", err)
		}
		got, _ := url.QueryUnescape(aws.ToString(out.Role.AssumeRolePolicyDocument))
		if path == "" {
			path = "/"
		}
		if got != doc || aws.ToString(out.Role.Path) != path {
			t.Fatalf("GetRole gave %q at %q, want %q at %q", got,
				aws.ToString(out.Role.Path), doc, path)
		}
	})
}
