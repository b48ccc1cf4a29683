package iamapi_test

import (
	"context"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
)

// TestTagKeysIgnoreCase: as IAM documents for users and roles, tag keys
// that differ only in case are one key, with the case of the last write;
// untagging in another case removes it. Managed policy tags stay case
// sensitive.
func TestTagKeysIgnoreCase(t *testing.T) {
	e := newEnv(t)
	c := e.iam(creds(prdRoot))
	ctx := context.Background()
	tag := func(k, v string) []types.Tag { return []types.Tag{{Key: &k, Value: &v}} }
	if err := createRole("tagged", "/", trustWith(`,"Principal":{"AWS":"222222222222"}`))(
		ctx, c); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("tagged")})
	if err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
		want map[string]string // the role's and the user's tags after the step
	}{
		{"first spelling", func() error { return tagBoth(ctx, c, tag("PROJECT", "x")) },
			map[string]string{"PROJECT": "x"}},
		{"other spelling replaces it",
			func() error { return tagBoth(ctx, c, tag("Project", "y")) },
			map[string]string{"Project": "y"}},
		{"untag in a third spelling", func() error {
			if _, err := c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("tagged"),
				TagKeys: []string{"project"}}); err != nil {
				return err
			}
			_, err := c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("tagged"),
				TagKeys: []string{"project"}})
			return err
		}, map[string]string{}},
	}
	for _, st := range steps {
		if err := st.do(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		rt, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("tagged")})
		if err != nil {
			t.Fatal(err)
		}
		ut, err := c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("tagged")})
		if err != nil {
			t.Fatal(err)
		}
		if got := tagsOf(rt.Tags); !maps.Equal(got, st.want) {
			t.Errorf("%s: role tags %v, want %v", st.name, got, st.want)
		}
		if got := tagsOf(ut.Tags); !maps.Equal(got, st.want) {
			t.Errorf("%s: user tags %v, want %v", st.name, got, st.want)
		}
	}
}

// tagBoth tags the role and the user named tagged.
func tagBoth(ctx context.Context, c *iam.Client, tags []types.Tag) error {
	if _, err := c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("tagged"),
		Tags: tags}); err != nil {
		return err
	}
	_, err := c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("tagged"), Tags: tags})
	return err
}

func tagsOf(ts []types.Tag) map[string]string {
	m := map[string]string{}
	for _, t := range ts {
		m[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return m
}
