package iamapi_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

const (
	listARN = "arn:aws:iam::" + prd + ":policy/ci/lister"
	// listBoth allows ListUsers and ListRoles, listRolesOnly ListRoles alone.
	listBoth = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":["iam:ListUsers","iam:ListRoles"],"Resource":"*"}]}`
	listRolesOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"iam:ListRoles","Resource":"*"}]}`
)

// createVersion creates a version of the lister policy holding doc.
func createVersion(doc string, makeDefault bool) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{
			PolicyArn: aws.String(listARN), PolicyDocument: aws.String(doc),
			SetAsDefault: makeDefault})
		return err
	}
}

// deleteVersion deletes version id of the lister policy.
func deleteVersion(id string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{
			PolicyArn: aws.String(listARN), VersionId: aws.String(id)})
		return err
	}
}

// setDefault makes version id the lister policy's default.
func setDefault(id string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{
			PolicyArn: aws.String(listARN), VersionId: aws.String(id)})
		return err
	}
}

// wantDefault checks GetPolicy's DefaultVersionId.
func wantDefault(id string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(listARN)})
		if err == nil && aws.ToString(out.Policy.DefaultVersionId) != id {
			return fmt.Errorf("DefaultVersionId %s, want %s",
				aws.ToString(out.Policy.DefaultVersionId), id)
		}
		return err
	}
}

// wantVersions checks ListPolicyVersions: the ids newest first, the
// default marked with a star.
func wantVersions(ids ...string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{
			PolicyArn: aws.String(listARN)})
		if err != nil {
			return err
		}
		var got []string
		for _, v := range out.Versions {
			id := aws.ToString(v.VersionId)
			if v.IsDefaultVersion {
				id += "*"
			}
			if v.CreateDate == nil || v.Document != nil {
				return fmt.Errorf("version %s: CreateDate %v, Document %v", id, v.CreateDate,
					v.Document)
			}
			got = append(got, id)
		}
		if !slices.Equal(got, ids) {
			return fmt.Errorf("versions %v, want %v", got, ids)
		}
		return nil
	}
}

// wantVersionDocument checks GetPolicyVersion of version id.
func wantVersionDocument(id, doc string, isDefault bool) func(context.Context,
	*iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
			PolicyArn: aws.String(listARN), VersionId: aws.String(id)})
		if err != nil {
			return err
		}
		got, _ := url.QueryUnescape(aws.ToString(out.PolicyVersion.Document))
		if got != doc || out.PolicyVersion.IsDefaultVersion != isDefault {
			return fmt.Errorf("version %s: default %v, document %s", id,
				out.PolicyVersion.IsDefaultVersion, got)
		}
		return nil
	}
}

// TestPolicyVersionScenario runs the policy version actions, in order, as
// the root user of the prd account, each with the outcome IAM gives.
func TestPolicyVersionScenario(t *testing.T) {
	e := newEnv(t)
	c := e.iam(creds(prdRoot))
	steps := append(versionSteps(), versionLimitSteps()...)
	steps = append(steps, policyTagSteps()...)
	steps = append(steps, versionDeleteSteps()...)
	runSteps(t, c, steps)
}

// runSteps runs steps in order with c, stopping at the first that fails.
func runSteps(t *testing.T, c *iam.Client, steps []step) {
	t.Helper()
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

func versionSteps() []step {
	return []step{
		{"CreatePolicy with description and tags", func(ctx context.Context,
			c *iam.Client) error {
			out, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String("lister"), Path: aws.String("/ci/"),
				PolicyDocument: aws.String(listBoth), Description: aws.String("lists"),
				Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("ci")}}})
			if err == nil && (aws.ToString(out.Policy.DefaultVersionId) != "v1" ||
				aws.ToString(out.Policy.Description) != "lists" || len(out.Policy.Tags) != 1) {
				return errors.New("CreatePolicy answered no v1, description or tags")
			}
			return err
		}, ""},
		{"GetPolicy", func(ctx context.Context, c *iam.Client) error {
			out, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(listARN)})
			if err == nil && (aws.ToString(out.Policy.Description) != "lists" ||
				len(out.Policy.Tags) != 1 || aws.ToString(out.Policy.Tags[0].Value) != "ci") {
				return errors.New("GetPolicy lost the description or the tags")
			}
			return err
		}, ""},
		{"versions of a new policy", wantVersions("v1*"), ""},
		{"CreatePolicyVersion default", createVersion(listRolesOnly, true), ""},
		{"GetPolicy after", wantDefault("v2"), ""},
		{"GetPolicyVersion old", wantVersionDocument("v1", listBoth, false), ""},
		{"GetPolicyVersion new", wantVersionDocument("v2", listRolesOnly, true), ""},
		{"CreatePolicyVersion not default", createVersion(listBoth, false), ""},
		{"ListPolicyVersions newest first", wantVersions("v3", "v2*", "v1"), ""},
		{"SetDefaultPolicyVersion", setDefault("v1"), ""},
		{"GetPolicy after SetDefault", wantDefault("v1"), ""},
		{"SetDefaultPolicyVersion missing", setDefault("v9"), "NoSuchEntity"},
		{"SetDefaultPolicyVersion malformed", setDefault("1"), "ValidationError"},
		{"GetPolicyVersion missing", wantVersionDocument("v7", "", false), "NoSuchEntity"},
		{"CreatePolicyVersion bad JSON", createVersion(`{"Version":`, true),
			"MalformedPolicyDocument"},
	}
}

func versionLimitSteps() []step {
	return []step{
		{"CreatePolicyVersion v4", createVersion(listBoth, false), ""},
		{"CreatePolicyVersion v5", createVersion(listBoth, false), ""},
		{"CreatePolicyVersion past five", createVersion(listBoth, true), "LimitExceeded"},
		{"GetPolicy after the refusal", wantDefault("v1"), ""},
		{"DeletePolicyVersion default", deleteVersion("v1"), "DeleteConflict"},
		{"DeletePolicyVersion v5", deleteVersion("v5"), ""},
		{"DeletePolicyVersion v5 again", deleteVersion("v5"), "NoSuchEntity"},
		{"CreatePolicyVersion takes a new number", createVersion(listBoth, false), ""},
		{"ListPolicyVersions after", wantVersions("v6", "v4", "v3", "v2", "v1*"), ""},
		{"DeletePolicy with versions", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(listARN)})
			return err
		}, "DeleteConflict"},
	}
}

// wantPolicyTags checks ListPolicyTags.
func wantPolicyTags(want string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{
			PolicyArn: aws.String(listARN)})
		if err != nil {
			return err
		}
		var got []string
		for _, t := range out.Tags {
			got = append(got, aws.ToString(t.Key)+"="+aws.ToString(t.Value))
		}
		if strings.Join(got, ",") != want {
			return fmt.Errorf("tags %v, want %s", got, want)
		}
		return nil
	}
}

func policyTagSteps() []step {
	return []step{
		{"TagPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(listARN),
				Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("prd")},
					{Key: aws.String("team"), Value: aws.String("ops")}}})
			return err
		}, ""},
		{"ListPolicyTags", wantPolicyTags("env=prd,team=ops"), ""},
		{"UntagPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: aws.String(listARN),
				TagKeys: []string{"team", "absent"}})
			return err
		}, ""},
		{"ListPolicyTags after", wantPolicyTags("env=prd"), ""},
		{"TagPolicy reserved key", func(ctx context.Context, c *iam.Client) error {
			_, err := c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(listARN),
				Tags: []types.Tag{{Key: aws.String("aws:x"), Value: aws.String("y")}}})
			return err
		}, "InvalidInput"},
	}
}

func versionDeleteSteps() []step {
	steps := []step{}
	for _, id := range []string{"v2", "v3", "v4", "v6"} {
		steps = append(steps, step{"DeletePolicyVersion " + id, deleteVersion(id), ""})
	}
	return append(steps,
		step{"DeletePolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: aws.String(listARN)})
			return err
		}, ""},
		step{"GetPolicy deleted", wantDefault(""), "NoSuchEntity"},
		step{"ListPolicyVersions deleted", wantVersions(), "NoSuchEntity"})
}

// TestDefaultVersionDecides checks that the default version's document is
// the one evaluated, and that a new default decides the next request.
func TestDefaultVersionDecides(t *testing.T) {
	e := newEnv(t)
	root, d := e.iam(creds(prdRoot)), e.iam(creds(delegate))
	ctx := t.Context()
	listUsers := func(ctx context.Context, _ *iam.Client) error {
		_, err := d.ListUsers(ctx, &iam.ListUsersInput{})
		return err
	}
	runSteps(t, root, []step{
		{"CreatePolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{
				PolicyName: aws.String("lister"), Path: aws.String("/ci/"),
				PolicyDocument: aws.String(listBoth)})
			return err
		}, ""},
		{"denied before the attachment", listUsers, "AccessDenied"},
		{"AttachUserPolicy", func(ctx context.Context, c *iam.Client) error {
			_, err := c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{
				UserName: aws.String("delegate"), PolicyArn: aws.String(listARN)})
			return err
		}, ""},
		{"allowed by v1", listUsers, ""},
		{"CreatePolicyVersion not default", createVersion(listRolesOnly, false), ""},
		{"still allowed by v1", listUsers, ""},
		{"SetDefaultPolicyVersion v2", setDefault("v2"), ""},
		{"denied by v2", listUsers, "AccessDenied"},
		{"SetDefaultPolicyVersion v1", setDefault("v1"), ""},
		{"allowed by v1 again", listUsers, ""},
		{"CreatePolicyVersion default", createVersion(listRolesOnly, true), ""},
		{"denied by v3", listUsers, "AccessDenied"},
	})
	if _, err := d.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles, which v3 allows: %v", err)
	}
}

// wantEmpty checks that a List action answered out, whose members n
// counts, without a member.
func wantEmpty(out any, err error, n func() int) error {
	if err == nil && n() != 0 {
		return fmt.Errorf("%d members in %+v, want none", n(), out)
	}
	return err
}

// TestAbsentEntities checks the reads of what trove does not model: empty
// lists for an existing user or role, NoSuchEntity for a missing one, and
// NoSuchEntity with IAM's message for a login profile.
func TestAbsentEntities(t *testing.T) {
	e := newEnv(t)
	c := e.iam(creds(prdRoot))
	user := aws.String("delegate")
	tests := []struct {
		name, code, message string
		call                func(ctx context.Context) error
	}{
		{"ListInstanceProfiles", "", "", func(ctx context.Context) error {
			out, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{})
			return wantEmpty(out, err, func() int { return len(out.InstanceProfiles) })
		}},
		{"ListInstanceProfilesForRole", "", "", func(ctx context.Context) error {
			out, err := c.ListInstanceProfilesForRole(ctx,
				&iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("agent")})
			return wantEmpty(out, err, func() int { return len(out.InstanceProfiles) })
		}},
		{"ListInstanceProfilesForRole missing role", "NoSuchEntity",
			"The role with name nobody cannot be found.", func(ctx context.Context) error {
				_, err := c.ListInstanceProfilesForRole(ctx,
					&iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("nobody")})
				return err
			}},
		{"GetLoginProfile", "NoSuchEntity", "Login Profile for User delegate cannot be found.",
			func(ctx context.Context) error {
				_, err := c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: user})
				return err
			}},
		{"GetLoginProfile missing user", "NoSuchEntity",
			"The user with name nobody cannot be found.", func(ctx context.Context) error {
				_, err := c.GetLoginProfile(ctx,
					&iam.GetLoginProfileInput{UserName: aws.String("nobody")})
				return err
			}},
		{"ListMFADevices", "", "", func(ctx context.Context) error {
			out, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: user})
			return wantEmpty(out, err, func() int { return len(out.MFADevices) })
		}},
		{"ListMFADevices of the caller", "", "", func(ctx context.Context) error {
			out, err := c.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
			return wantEmpty(out, err, func() int { return len(out.MFADevices) })
		}},
		{"ListMFADevices missing user", "NoSuchEntity",
			"The user with name nobody cannot be found.", func(ctx context.Context) error {
				_, err := c.ListMFADevices(ctx,
					&iam.ListMFADevicesInput{UserName: aws.String("nobody")})
				return err
			}},
		{"ListSSHPublicKeys", "", "", func(ctx context.Context) error {
			out, err := c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: user})
			return wantEmpty(out, err, func() int { return len(out.SSHPublicKeys) })
		}},
		{"ListServiceSpecificCredentials", "", "", func(ctx context.Context) error {
			out, err := c.ListServiceSpecificCredentials(ctx,
				&iam.ListServiceSpecificCredentialsInput{UserName: user})
			return wantEmpty(out, err, func() int { return len(out.ServiceSpecificCredentials) })
		}},
		{"ListSigningCertificates", "", "", func(ctx context.Context) error {
			out, err := c.ListSigningCertificates(ctx,
				&iam.ListSigningCertificatesInput{UserName: user})
			return wantEmpty(out, err, func() int { return len(out.Certificates) })
		}},
		{"ListSigningCertificates bad marker", "InvalidInput", "",
			func(ctx context.Context) error {
				_, err := c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{
					UserName: user, Marker: aws.String("7")})
				return err
			}},
	}
	if _, err := c.CreateRole(t.Context(), &iam.CreateRoleInput{RoleName: aws.String("agent"),
		AssumeRolePolicyDocument: aws.String(trustDelegate)}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(t.Context())
			if got := errCode(err); got != tc.code {
				t.Fatalf("error code %q, want %q (%v)", got, tc.code, err)
			}
			var ae smithy.APIError
			if tc.message != "" && errors.As(err, &ae) && ae.ErrorMessage() != tc.message {
				t.Errorf("message %q, want %q", ae.ErrorMessage(), tc.message)
			}
		})
	}
}

// TestVersionAndAbsentAuthorization checks that the new actions are
// decided on the resource IAM decides them on: a caller without the
// permission is refused naming action and resource, and a grant on that
// resource alone allows it.
func TestVersionAndAbsentAuthorization(t *testing.T) {
	e := newEnv(t)
	root, d := e.iam(creds(prdRoot)), e.iam(creds(delegate))
	ctx := t.Context()
	roleARN := "arn:aws:iam::" + prd + ":role/agent"
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err := root.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("agent"),
		AssumeRolePolicyDocument: aws.String(trustDelegate)})
	must(err)
	must(createPolicyAt("lister", "/ci/", listBoth)(ctx, root))
	tests := []struct {
		name, action, resource string
		call                   func() error
	}{
		{"ListInstanceProfilesForRole", "iam:ListInstanceProfilesForRole", roleARN,
			func() error {
				_, err := d.ListInstanceProfilesForRole(ctx,
					&iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("agent")})
				return err
			}},
		{"GetLoginProfile", "iam:GetLoginProfile", delegateARN, func() error {
			_, err := d.GetLoginProfile(ctx,
				&iam.GetLoginProfileInput{UserName: aws.String("delegate")})
			return err
		}},
		{"ListMFADevices of the caller", "iam:ListMFADevices", delegateARN, func() error {
			_, err := d.ListMFADevices(ctx, &iam.ListMFADevicesInput{})
			return err
		}},
		{"CreatePolicyVersion", "iam:CreatePolicyVersion", listARN, func() error {
			return createVersion(listBoth, true)(ctx, d)
		}},
		{"SetDefaultPolicyVersion", "iam:SetDefaultPolicyVersion", listARN, func() error {
			return setDefault("v1")(ctx, d)
		}},
		{"TagPolicy", "iam:TagPolicy", listARN, func() error {
			_, err := d.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(listARN),
				Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
			return err
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
				!strings.Contains(ae.ErrorMessage(), tc.action) ||
				!strings.Contains(ae.ErrorMessage(), tc.resource) {
				t.Fatalf("got %v, want AccessDenied naming %s on %s", err, tc.action,
					tc.resource)
			}
		})
	}
	t.Run("granted on the role's ARN", func(t *testing.T) {
		_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
			UserName: aws.String("delegate"), PolicyName: aws.String("profiles"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":` +
				`"Allow","Action":"iam:ListInstanceProfilesForRole","Resource":"` + roleARN +
				`"}]}`)})
		must(err)
		_, err = d.ListInstanceProfilesForRole(ctx,
			&iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("agent")})
		must(err)
	})
}

// createPolicyAt creates the managed policy name at path holding doc.
func createPolicyAt(name, path, doc string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			Path: aws.String(path), PolicyDocument: aws.String(doc)})
		return err
	}
}
