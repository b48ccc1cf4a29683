package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// TestChainedTransitiveTags checks that a transitive session tag passes to
// a chained session unchanged whatever case the chained call spells its key
// in: a session of delivery tagged Project=atlas (transitive) assumes
// reader, whose session then reads devtools-charts/atlas/, which the bucket
// policy grants to aws:PrincipalTag/project "atlas".
func TestChainedTransitiveTags(t *testing.T) {
	e := newEnv(t)
	parent := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("parent"), Tags: []types.Tag{tag("Project", "atlas")},
		TransitiveTagKeys: []string{"Project"}})
	tests := []struct {
		name       string
		tags       []types.Tag
		transitive []string
		code       string // "" when the chained session is issued
	}{
		{"no tags: inherits Project", nil, nil, ""},
		{"another key", []types.Tag{tag("env", "dev")}, nil, ""},
		{"same key, same value", []types.Tag{tag("Project", "atlas")}, nil, ""},
		{"key in another case, same value", []types.Tag{tag("project", "atlas")},
			[]string{"project"}, ""},
		{"same key, another value", []types.Tag{tag("Project", "zeus")}, nil,
			"InvalidParameterValue"},
		{"key in lower case, another value", []types.Tag{tag("project", "zeus")}, nil,
			"InvalidParameterValue"},
		{"key in upper case, another value", []types.Tag{tag("PROJECT", "zeus")},
			[]string{"PROJECT"}, "InvalidParameterValue"},
		{"one key twice in one call, case differing", []types.Tag{tag("Env", "a"),
			tag("env", "b")}, nil, "InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.sts(parent).AssumeRole(t.Context(), &sts.AssumeRoleInput{
				RoleArn: aws.String(readerARN), RoleSessionName: aws.String("child"),
				Tags: tt.tags, TransitiveTagKeys: tt.transitive})
			if got := code(err); got != tt.code {
				t.Fatalf("AssumeRole: code %q, want %q (%v)", got, tt.code, err)
			}
			if err != nil {
				return
			}
			child := aws.Credentials{AccessKeyID: aws.ToString(out.Credentials.AccessKeyId),
				SecretAccessKey: aws.ToString(out.Credentials.SecretAccessKey),
				SessionToken:    aws.ToString(out.Credentials.SessionToken)}
			if c := e.get(t, child, "devtools-charts", "atlas/app.tgz"); c != "" {
				t.Errorf("the chained session reads atlas/: %q, want allowed", c)
			}
		})
	}
}

// TestTransitiveKeyCase checks that TransitiveTagKeys name session tags
// case-insensitively.
func TestTransitiveKeyCase(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name       string
		tags       []types.Tag
		transitive []string
		code       string
	}{
		{"same spelling", []types.Tag{tag("Project", "atlas")}, []string{"Project"}, ""},
		{"another spelling", []types.Tag{tag("Project", "atlas")}, []string{"PROJECT"}, ""},
		{"both spellings", []types.Tag{tag("Project", "atlas")},
			[]string{"project", "Project"}, ""},
		{"not a tag", []types.Tag{tag("Project", "atlas")}, []string{"Projects"},
			"InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.sts(deployer).AssumeRole(t.Context(), &sts.AssumeRoleInput{
				RoleArn: aws.String(deliveryARN), RoleSessionName: aws.String("transitive"),
				Tags: tt.tags, TransitiveTagKeys: tt.transitive})
			if got := code(err); got != tt.code {
				t.Errorf("AssumeRole: code %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

// TestSessionTagReplacesRoleTag checks that a session tag replaces the
// role's tag of the same key in another case: delivery is tagged
// team=delivery; its session, tagged Team=ops, reads through a session
// policy that asks aws:PrincipalTag/team to be want.
func TestSessionTagReplacesRoleTag(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		tags []types.Tag
		want string // the value the session policy asks for
		code string // GetObject's error, "" for allowed
	}{
		{"no session tag: the role's", nil, "delivery", ""},
		{"session tag in another case: the session's", []types.Tag{tag("Team", "ops")},
			"ops", ""},
		{"session tag in another case: not the role's", []types.Tag{tag("Team", "ops")},
			"delivery", "AccessDenied"},
		{"session tag in upper case: the session's", []types.Tag{tag("TEAM", "ops")},
			"ops", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pol := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
				`"Action":"s3:GetObject","Resource":"*","Condition":{"StringEquals":` +
				`{"aws:PrincipalTag/team":"` + tt.want + `"}}}]}`
			s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
				RoleSessionName: aws.String("team"), Tags: tt.tags, Policy: aws.String(pol)})
			for i := range 20 { // a lookup in map order would differ among tries
				if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != tt.code {
					t.Fatalf("GetObject, try %d: %q, want %q", i, c, tt.code)
				}
			}
		})
	}
}
