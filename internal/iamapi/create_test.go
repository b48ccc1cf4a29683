package iamapi_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"
)

// allowing is an identity policy allowing actions on everything, with more
// statements after it.
func allowing(actions string, more ...string) string {
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[` + actions +
		`],"Resource":"*"}`
	for _, m := range more {
		doc += "," + m
	}
	return doc + "]}"
}

const (
	otherARN       = "arn:aws:iam::" + prd + ":policy/other"
	denyPrivileged = `{"Effect":"Deny","Action":%s,"Resource":"*","Condition":` +
		`{"ForAnyValue:StringEquals":{"aws:TagKeys":["privileged"]}}}`
	denyRequestTag = `{"Effect":"Deny","Action":"iam:CreateUser","Resource":"*",` +
		`"Condition":{"StringEquals":{"aws:RequestTag/privileged":"true"}}}`
	onlyCapped = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":` +
		`"iam:CreateUser","Resource":"*","Condition":{"StringEquals":` +
		`{"iam:PermissionsBoundary":"` + capARN + `"}}}]}`
)

// privileged are the tags the cases create with.
var privileged = []types.Tag{{Key: aws.String("privileged"), Value: aws.String("true")}}

// creation is one create request of the delegate's: the entity's kind, its
// name, and the call.
type creation struct {
	kind, name string
	call       func(ctx context.Context, c *iam.Client) error
}

func newUser(name string, tags []types.Tag, boundary string) creation {
	return creation{"user", name, func(ctx context.Context, c *iam.Client) error {
		in := &iam.CreateUserInput{UserName: aws.String(name), Tags: tags}
		if boundary != "" {
			in.PermissionsBoundary = aws.String(boundary)
		}
		_, err := c.CreateUser(ctx, in)
		return err
	}}
}

func newRole(name string, tags []types.Tag) creation {
	return creation{"role", name, func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String(name),
			AssumeRolePolicyDocument: aws.String(trustDelegate), Tags: tags})
		return err
	}}
}

func newPolicy(name string, tags []types.Tag) creation {
	return creation{"policy", name, func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String(name),
			PolicyDocument: aws.String(s3Read), Tags: tags})
		return err
	}}
}

// exists reports whether the entity of kind and name exists, as root sees.
func exists(ctx context.Context, root *iam.Client, kind, name string) (bool, error) {
	var err error
	switch kind {
	case "user":
		_, err = root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
	case "role":
		_, err = root.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
	default:
		_, err = root.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(
			"arn:aws:iam::" + prd + ":policy/" + name)})
	}
	if errCode(err) == "NoSuchEntity" {
		return false, nil
	}
	return err == nil, err
}

// TestCreateAuthorization checks the authorization of the create actions
// that take tags or a boundary: the tags are condition keys of the request
// and need the tagging action on the new entity too, and CreateUser's
// boundary is iam:PermissionsBoundary, so that a delegated administrator
// can be allowed to create users only under a given boundary. A refused
// request creates nothing.
func TestCreateAuthorization(t *testing.T) {
	e := newEnv(t)
	ctx := t.Context()
	root, user := e.iam(creds(prdRoot)), e.iam(creds(delegate))
	for _, name := range []string{"cap", "other"} {
		if err := createPolicyAt(name, "/", s3Read)(ctx, root); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, policy string
		create       creation
		denied       string // the action AccessDenied names; "" for success
	}{
		{"CreateUser with tags needs iam:TagUser", allowing(`"iam:CreateUser"`),
			newUser("u1", privileged, ""), "iam:TagUser"},
		{"CreateUser without tags", allowing(`"iam:CreateUser"`),
			newUser("u2", nil, ""), ""},
		{"CreateUser with tags and iam:TagUser", allowing(`"iam:CreateUser","iam:TagUser"`),
			newUser("u3", privileged, ""), ""},
		{"CreateUser denied on aws:TagKeys", allowing(`"iam:CreateUser","iam:TagUser"`,
			strings.Replace(denyPrivileged, "%s", `"iam:CreateUser"`, 1)),
			newUser("u4", privileged, ""), "iam:CreateUser"},
		{"CreateUser denied on aws:RequestTag", allowing(`"iam:CreateUser","iam:TagUser"`,
			denyRequestTag), newUser("u5", privileged, ""), "iam:CreateUser"},
		{"CreateUser's tagging denied on aws:TagKeys",
			allowing(`"iam:CreateUser","iam:TagUser"`,
				strings.Replace(denyPrivileged, "%s", `"iam:TagUser"`, 1)),
			newUser("u6", privileged, ""), "iam:TagUser"},
		{"CreateUser without the required boundary", onlyCapped, newUser("u7", nil, ""),
			"iam:CreateUser"},
		{"CreateUser with another boundary", onlyCapped, newUser("u8", nil, otherARN),
			"iam:CreateUser"},
		{"CreateUser with the required boundary", onlyCapped, newUser("u9", nil, capARN), ""},
		{"CreateRole with tags needs iam:TagRole", allowing(`"iam:CreateRole"`),
			newRole("r1", privileged), "iam:TagRole"},
		{"CreateRole with tags and iam:TagRole", allowing(`"iam:CreateRole","iam:TagRole"`),
			newRole("r2", privileged), ""},
		{"CreatePolicy with tags needs iam:TagPolicy", allowing(`"iam:CreatePolicy"`),
			newPolicy("p1", privileged), "iam:TagPolicy"},
		{"CreatePolicy with tags and iam:TagPolicy",
			allowing(`"iam:CreatePolicy","iam:TagPolicy"`), newPolicy("p2", privileged), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{
				UserName: aws.String("delegate"), PolicyName: aws.String("create"),
				PolicyDocument: aws.String(tc.policy)})
			if err != nil {
				t.Fatal(err)
			}
			err = tc.create.call(ctx, user)
			var ae smithy.APIError
			switch {
			case tc.denied == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.denied != "" && (!errors.As(err, &ae) || ae.ErrorCode() != "AccessDenied" ||
				!strings.Contains(ae.ErrorMessage(), tc.denied+" on")):
				t.Fatalf("got %v, want AccessDenied naming %s", err, tc.denied)
			}
			found, err := exists(ctx, root, tc.create.kind, tc.create.name)
			if err != nil || found != (tc.denied == "") {
				t.Fatalf("%s %s exists: %v (%v), want %v", tc.create.kind, tc.create.name,
					found, err, tc.denied == "")
			}
		})
	}
}
