package iamapi_test

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// iamClient is the SDK's IAM client for srv, signing with k.
func iamClient(url string, k key) *iam.Client {
	return iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials:      credentials.NewStaticCredentialsProvider(k.id, k.secret, ""),
		RetryMaxAttempts: 1})
}

// errCode is the API error code of err, "" for nil.
func errCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	if err != nil {
		return "not an API error: " + err.Error()
	}
	return ""
}

const (
	s3Read = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}]}`
	readARN = "arn:aws:iam::222222222222:policy/team/read"
)

// step is one call of a scenario and the error code it must end with.
type step struct {
	name string
	call func(ctx context.Context, c *iam.Client) error
	code string
}

// TestManagementScenario runs the management actions, in order, as the
// root user of the prd account, each with the outcome IAM gives.
func TestManagementScenario(t *testing.T) {
	srv := newServer(t)
	c := iamClient(srv.URL, prdRoot)
	ctx := context.Background()
	var steps []step
	steps = append(steps, userSteps()...)
	steps = append(steps, groupSteps()...)
	steps = append(steps, policySteps()...)
	steps = append(steps, inlineSteps()...)
	steps = append(steps, keySteps()...)
	steps = append(steps, cleanupSteps()...)
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			if got := errCode(s.call(ctx, c)); got != s.code {
				t.Fatalf("error code %q, want %q", got, s.code)
			}
		}) {
			return // later steps build on this one
		}
	}
}

func userSteps() []step {
	return []step{
		{"CreateUser", func(ctx context.Context, c *iam.Client) error {
			out, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice"),
				Path: aws.String("/team/"), Tags: []types.Tag{{Key: aws.String("env"),
					Value: aws.String("prd")}}})
			if err == nil && (aws.ToString(out.User.Arn) !=
				"arn:aws:iam::222222222222:user/team/alice" ||
				!strings.HasPrefix(aws.ToString(out.User.UserId), "AIDA")) {
				return errors.New("unexpected user " + aws.ToString(out.User.Arn))
			}
			return err
		}, ""},
		{"CreateUser again", createUser("alice"), "EntityAlreadyExists"},
		{"CreateUser differing in case", createUser("ALICE"), "EntityAlreadyExists"},
		{"CreateUser bad name", createUser("a b"), "ValidationError"},
		{"CreateUser bad path", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x"),
				Path: aws.String("team")})
			return err
		}, "ValidationError"},
		{"CreateUser too many tags", func(ctx context.Context, c *iam.Client) error {
			var tags []types.Tag
			for i := range 51 {
				tags = append(tags, types.Tag{Key: aws.String("k" + string(rune('A'+i))),
					Value: aws.String("v")})
			}
			_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x"),
				Tags: tags})
			return err
		}, "LimitExceeded"},
		{"GetUser", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
			if err == nil && len(out.User.Tags) != 1 {
				return errors.New("GetUser lost the tags")
			}
			return err
		}, ""},
		{"GetUser missing", getUser("nobody"), "NoSuchEntity"},
		{"GetUser of the caller", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetUser(ctx, &iam.GetUserInput{})
			if err == nil && aws.ToString(out.User.Arn) != "arn:aws:iam::222222222222:root" {
				return errors.New("caller is " + aws.ToString(out.User.Arn))
			}
			return err
		}, ""},
		{"ListUsers by path", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/team/")})
			if err == nil && len(out.Users) != 1 {
				return errors.New("ListUsers /team/ did not list alice alone")
			}
			return err
		}, ""},
		{"ListUsers paged", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListUsers(ctx, &iam.ListUsersInput{MaxItems: aws.Int32(1)})
			if err == nil && (!out.IsTruncated || len(out.Users) != 1) {
				return errors.New("ListUsers MaxItems 1 did not truncate")
			}
			if err == nil {
				out, err = c.ListUsers(ctx, &iam.ListUsersInput{Marker: out.Marker})
			}
			if err == nil && (out.IsTruncated || len(out.Users) != 1) {
				return errors.New("the second page is not the last user")
			}
			return err
		}, ""},
		{"UpdateUser rename", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"),
				NewUserName: aws.String("alicia")})
			return err
		}, ""},
		{"UpdateUser onto delegate", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alicia"),
				NewUserName: aws.String("delegate")})
			return err
		}, "EntityAlreadyExists"},
		{"UpdateUser back", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alicia"),
				NewUserName: aws.String("alice")})
			return err
		}, ""},
		{"TagUser", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}}})
			return err
		}, ""},
		{"TagUser reserved key", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"),
				Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("v")}}})
			return err
		}, "InvalidInput"},
		{"UntagUser and ListUserTags", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"),
				TagKeys: []string{"env"}})
			if err != nil {
				return err
			}
			out, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")})
			if err == nil && (len(out.Tags) != 1 || aws.ToString(out.Tags[0].Key) != "team") {
				return errors.New("tags are not [team]")
			}
			return err
		}, ""},
	}
}

func createUser(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)})
		return err
	}
}

func getUser(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		return err
	}
}

func groupSteps() []step {
	return []step{
		{"CreateGroup", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})
			return err
		}, ""},
		{"CreateGroup again", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")})
			return err
		}, "EntityAlreadyExists"},
		{"AddUserToGroup", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{
				GroupName: aws.String("readers"), UserName: aws.String("alice")})
			return err
		}, ""},
		{"AddUserToGroup missing user", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{
				GroupName: aws.String("readers"), UserName: aws.String("nobody")})
			return err
		}, "NoSuchEntity"},
		{"GetGroup lists members", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("readers")})
			if err == nil && (len(out.Users) != 1 || aws.ToString(out.Users[0].UserName) !=
				"alice") {
				return errors.New("GetGroup did not list alice")
			}
			return err
		}, ""},
		{"ListGroupsForUser", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{
				UserName: aws.String("alice")})
			if err == nil && len(out.Groups) != 1 {
				return errors.New("alice is not in one group")
			}
			return err
		}, ""},
		{"ListGroups", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListGroups(ctx, &iam.ListGroupsInput{})
			if err == nil && len(out.Groups) != 1 {
				return errors.New("ListGroups does not list one group")
			}
			return err
		}, ""},
		{"DeleteGroup with a member", deleteGroup("readers"), "DeleteConflict"},
		{"DeleteUser in a group", deleteUser("alice"), "DeleteConflict"},
	}
}

func deleteGroup(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String(name)})
		return err
	}
}

func deleteUser(name string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String(name)})
		return err
	}
}

func createPolicy(name, doc string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			Path: aws.String("/team/"), PolicyDocument: aws.String(doc)})
		return err
	}
}

func policySteps() []step {
	big := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::` + strings.Repeat("b", 6200) + `"}]}`
	return []step{
		{"CreatePolicy", createPolicy("read", s3Read), ""},
		{"CreatePolicy again", createPolicy("read", s3Read), "EntityAlreadyExists"},
		{"CreatePolicy bad JSON", createPolicy("bad", `{"Version":`), "MalformedPolicyDocument"},
		{"CreatePolicy with Principal", createPolicy("p", `{"Version":"2012-10-17",`+
			`"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`),
			"MalformedPolicyDocument"},
		{"CreatePolicy too large", createPolicy("big", big), "LimitExceeded"},
		{"AttachGroupPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{
				GroupName: aws.String("readers"), PolicyArn: aws.String(readARN)})
			return err
		}, ""},
		{"AttachUserPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
				UserName: aws.String("alice"), PolicyArn: aws.String(readARN)})
			return err
		}, ""},
		{"AttachUserPolicy AWS managed", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
				UserName:  aws.String("alice"),
				PolicyArn: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			return err
		}, "NoSuchEntity"},
		{"AttachUserPolicy wrong path", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
				UserName:  aws.String("alice"),
				PolicyArn: aws.String("arn:aws:iam::222222222222:policy/read")})
			return err
		}, "NoSuchEntity"},
		{"GetPolicy counts attachments", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(readARN)})
			if err == nil && aws.ToInt32(out.Policy.AttachmentCount) != 2 {
				return errors.New("AttachmentCount is not 2")
			}
			return err
		}, ""},
		{"GetPolicyVersion", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
				PolicyArn: aws.String(readARN), VersionId: aws.String("v1")})
			if err != nil {
				return err
			}
			if doc, _ := url.QueryUnescape(aws.ToString(out.PolicyVersion.Document)); doc !=
				s3Read {
				return errors.New("the document does not decode to the one created")
			}
			return nil
		}, ""},
		{"GetPolicyVersion v2", func(ctx context.Context, c *iam.Client) error {
			_, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
				PolicyArn: aws.String(readARN), VersionId: aws.String("v2")})
			return err
		}, "NoSuchEntity"},
		{"ListPolicies", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{
				Scope: types.PolicyScopeTypeLocal})
			if err == nil && len(out.Policies) != 1 {
				return errors.New("ListPolicies does not list one policy")
			}
			return err
		}, ""},
		{"ListPolicies AWS", func(ctx context.Context, c *iam.Client) error {
			_, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws})
			return err
		}, "InvalidInput"},
		{"ListEntitiesForPolicy", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{
				PolicyArn: aws.String(readARN)})
			if err == nil && (len(out.PolicyUsers) != 1 || len(out.PolicyGroups) != 1) {
				return errors.New("not one user and one group")
			}
			return err
		}, ""},
		{"ListAttachedUserPolicies", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{
				UserName: aws.String("alice")})
			if err == nil && len(out.AttachedPolicies) != 1 {
				return errors.New("not one attached policy")
			}
			return err
		}, ""},
		{"PutUserPermissionsBoundary", func(ctx context.Context, c *iam.Client) error {
			_, err := c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{
				UserName: aws.String("alice"), PermissionsBoundary: aws.String(readARN)})
			if err != nil {
				return err
			}
			out, err := c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")})
			if err == nil && (out.User.PermissionsBoundary == nil ||
				aws.ToString(out.User.PermissionsBoundary.PermissionsBoundaryArn) != readARN) {
				return errors.New("GetUser shows no boundary")
			}
			return err
		}, ""},
		{"DeletePolicy attached", deletePolicy(), "DeleteConflict"},
		{"DeleteUserPermissionsBoundary", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeleteUserPermissionsBoundary(ctx,
				&iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alice")})
			return err
		}, ""},
		{"CreatePolicyVersion", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
				PolicyArn: aws.String(readARN), PolicyDocument: aws.String(s3Read)})
			return err
		}, ""},
		{"DeletePolicyVersion", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{
				PolicyArn: aws.String(readARN), VersionId: aws.String("v2")})
			return err
		}, ""},
	}
}

func deletePolicy() func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(readARN)})
		return err
	}
}

func inlineSteps() []step {
	return []step{
		{"PutUserPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"),
				PolicyName: aws.String("inline"), PolicyDocument: aws.String(s3Read)})
			return err
		}, ""},
		{"PutUserPolicy over the aggregate limit", func(ctx context.Context,
			c *iam.Client) error {
			doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` +
				`"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 1950) + `"}]}`
			_, err := c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"),
				PolicyName: aws.String("second"), PolicyDocument: aws.String(doc)})
			return err
		}, "LimitExceeded"},
		{"GetUserPolicy", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{
				UserName: aws.String("alice"), PolicyName: aws.String("inline")})
			if err == nil {
				if doc, _ := url.QueryUnescape(aws.ToString(out.PolicyDocument)); doc != s3Read {
					return errors.New("the document does not decode to the one put")
				}
				if aws.ToString(out.UserName) != "alice" {
					return errors.New("the answer names no user alice")
				}
			}
			return err
		}, ""},
		{"ListUserPolicies", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{
				UserName: aws.String("alice")})
			if err == nil && len(out.PolicyNames) != 1 {
				return errors.New("not one inline policy")
			}
			return err
		}, ""},
		{"PutGroupPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{
				GroupName: aws.String("readers"), PolicyName: aws.String("g"),
				PolicyDocument: aws.String(s3Read)})
			return err
		}, ""},
		{"GetGroupPolicy", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{
				GroupName: aws.String("readers"), PolicyName: aws.String("g")})
			if err == nil && (aws.ToString(out.GroupName) != "readers" ||
				aws.ToString(out.PolicyName) != "g") {
				return errors.New("the answer names no group readers and policy g")
			}
			return err
		}, ""},
		{"GetGroupPolicy missing", func(ctx context.Context, c *iam.Client) error {
			_, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{
				GroupName: aws.String("readers"), PolicyName: aws.String("none")})
			return err
		}, "NoSuchEntity"},
	}
}

func createKey(user string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(user)})
		if err == nil && (len(aws.ToString(out.AccessKey.AccessKeyId)) != 20 ||
			len(aws.ToString(out.AccessKey.SecretAccessKey)) != 40) {
			return errors.New("the key is not AKIA+16 with a 40-character secret")
		}
		return err
	}
}

func keySteps() []step {
	return []step{
		{"CreateAccessKey", createKey("alice"), ""},
		{"CreateAccessKey second", createKey("alice"), ""},
		{"CreateAccessKey third", createKey("alice"), "LimitExceeded"},
		{"ListAccessKeys, UpdateAccessKey, GetAccessKeyLastUsed",
			func(ctx context.Context, c *iam.Client) error {
				out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{
					UserName: aws.String("alice")})
				if err != nil || len(out.AccessKeyMetadata) != 2 {
					return errors.Join(err, errors.New("not two keys"))
				}
				id := out.AccessKeyMetadata[0].AccessKeyId
				_, err = c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{AccessKeyId: id,
					UserName: aws.String("alice"), Status: types.StatusTypeInactive})
				if err != nil {
					return err
				}
				last, err := c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{
					AccessKeyId: id})
				if err == nil && aws.ToString(last.AccessKeyLastUsed.ServiceName) != "N/A" {
					return errors.New("last used is not N/A")
				}
				return err
			}, ""},
		{"UpdateAccessKey of another user", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
				AccessKeyId: aws.String("AKIAEXAMPLEDELEGATE1"), UserName: aws.String("alice"),
				Status: types.StatusTypeInactive})
			return err
		}, "NoSuchEntity"},
		{"DeleteUser with keys", deleteUser("alice"), "DeleteConflict"},
	}
}

// cleanupSteps take alice, her group and the policy apart in the order IAM
// requires.
func cleanupSteps() []step {
	return []step{
		{"delete alice's keys", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{
				UserName: aws.String("alice")})
			for _, k := range out.AccessKeyMetadata {
				_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{
					UserName: aws.String("alice"), AccessKeyId: k.AccessKeyId})
				if err != nil {
					return err
				}
			}
			return err
		}, ""},
		{"unlink alice", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{
				UserName: aws.String("alice"), PolicyName: aws.String("inline")})
			if err == nil {
				_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{
					UserName: aws.String("alice"), PolicyArn: aws.String(readARN)})
			}
			if err == nil {
				_, err = c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{
					UserName: aws.String("alice"), GroupName: aws.String("readers")})
			}
			return err
		}, ""},
		{"DeleteUser", deleteUser("alice"), ""},
		{"DeleteUser again", deleteUser("alice"), "NoSuchEntity"},
		{"unlink the group", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{
				GroupName: aws.String("readers"), PolicyName: aws.String("g")})
			if err == nil {
				_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{
					GroupName: aws.String("readers"), PolicyArn: aws.String(readARN)})
			}
			return err
		}, ""},
		{"DeleteGroup", deleteGroup("readers"), ""},
		{"DeletePolicy", deletePolicy(), ""},
		{"GetAccountSummary", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
			if err == nil && out.SummaryMap["Users"] != 1 {
				return errors.New("the account does not have one user left")
			}
			return err
		}, ""},
	}
}

// TestManagementAuthorization checks that a user without iam:* permission
// is refused every action with AccessDenied naming it, and that what the
// API changes takes effect at the next request.
func TestManagementAuthorization(t *testing.T) {
	srv := newServer(t)
	ctx := context.Background()
	delegate := iamClient(srv.URL, key{"AKIAEXAMPLEDELEGATE1",
		"EXAMPLE/delegate/notARealSecret000000000"})
	tests := []struct {
		name, action string
		call         func() error
	}{
		{"CreateUser", "iam:CreateUser", func() error {
			_, err := delegate.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
			return err
		}},
		{"ListUsers", "iam:ListUsers", func() error {
			_, err := delegate.ListUsers(ctx, &iam.ListUsersInput{})
			return err
		}},
		{"CreateAccessKey for self", "iam:CreateAccessKey", func() error {
			_, err := delegate.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})
			return err
		}},
		{"DeleteUser of a missing user", "iam:DeleteUser", func() error {
			_, err := delegate.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("x")})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
				!strings.Contains(ae.ErrorMessage(), tc.action) {
				t.Fatalf("got %v, want AccessDenied naming %s", err, tc.action)
			}
		})
	}
	t.Run("granted at the next request", func(t *testing.T) {
		root := iamClient(srv.URL, prdRoot)
		_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String("delegate"), PolicyName: aws.String("list-users"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":` +
				`"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := delegate.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
			t.Fatalf("ListUsers after the grant: %v", err)
		}
	})
	t.Run("inactive key refused at once", func(t *testing.T) {
		root := iamClient(srv.URL, prdRoot)
		_, err := root.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{
			UserName: aws.String("delegate"), AccessKeyId: aws.String("AKIAEXAMPLEDELEGATE1"),
			Status: types.StatusTypeInactive})
		if err != nil {
			t.Fatal(err)
		}
		_, err = delegate.ListUsers(ctx, &iam.ListUsersInput{})
		if got := errCode(err); got != "InvalidClientTokenId" {
			t.Fatalf("error code %q, want InvalidClientTokenId", got)
		}
	})
}
