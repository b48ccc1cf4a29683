package sts_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

// policyARNs names managed session policies.
func policyARNs(arns ...string) []types.PolicyDescriptorType {
	out := make([]types.PolicyDescriptorType, len(arns))
	for i, a := range arns {
		out[i] = types.PolicyDescriptorType{Arn: aws.String(a)}
	}
	return out
}

// TestAssumeRoleRevealsNothingBeforeTrust checks that a caller the trust
// policy does not allow gets the same AccessDenied whether the role
// exists or not, and whatever the duration and the managed session
// policies it asks for; only an allowed caller learns that the duration
// exceeds the role's maximum or that a policy does not exist. delivery's
// maximum is 2 hours; list-only exists in its account.
func TestAssumeRoleRevealsNothingBeforeTrust(t *testing.T) {
	e := newEnv(t)
	session := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("chain")})
	const (
		missingRole   = "arn:aws:iam::222222222222:role/agents/absent"
		listOnly      = "arn:aws:iam::222222222222:policy/list-only"
		missingPolicy = "arn:aws:iam::222222222222:policy/absent"
		otherAccount  = "arn:aws:iam::111111111111:policy/list-only"
	)
	tests := []struct {
		name     string
		creds    aws.Credentials
		role     string
		duration int32
		arns     []string
		code     string
	}{
		{"untrusted, role exists, over its maximum", nobody, deliveryARN, 43200, nil,
			"AccessDenied"},
		{"untrusted, no such role, over the maximum", nobody, missingRole, 43200, nil,
			"AccessDenied"},
		{"other account, role exists, over its maximum", partnerNone, deliveryARN, 43200,
			nil, "AccessDenied"},
		{"untrusted, policy that does not exist", nobody, deliveryARN, 0,
			[]string{missingPolicy}, "AccessDenied"},
		{"untrusted, policy that exists", nobody, deliveryARN, 0, []string{listOnly},
			"AccessDenied"},
		{"other account, policy that does not exist", partnerNone, deliveryARN, 0,
			[]string{missingPolicy}, "AccessDenied"},
		{"chained, untrusted, role exists, 2 hours", session, builderARN, 7200, nil,
			"AccessDenied"},
		{"chained, no such role, 2 hours", session, missingRole, 7200, nil, "AccessDenied"},
		{"anyone, over 12 hours", nobody, deliveryARN, 43201, nil, "ValidationError"},
		{"trusted, over the role's maximum", deployer, deliveryARN, 43200, nil,
			"ValidationError"},
		{"trusted, policy that does not exist", deployer, deliveryARN, 0,
			[]string{missingPolicy}, "InvalidParameterValue"},
		{"trusted, policy of another account", deployer, deliveryARN, 0,
			[]string{otherAccount}, "InvalidParameterValue"},
		{"trusted, chained, 2 hours", session, readerARN, 7200, nil, "ValidationError"},
		{"trusted, policy that exists", deployer, deliveryARN, 7200, []string{listOnly}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleInput{RoleArn: aws.String(tt.role),
				RoleSessionName: aws.String("probe"), PolicyArns: policyARNs(tt.arns...)}
			if tt.duration != 0 {
				in.DurationSeconds = aws.Int32(tt.duration)
			}
			_, err := e.sts(tt.creds).AssumeRole(t.Context(), in)
			if got := code(err); got != tt.code {
				t.Errorf("AssumeRole: code %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

// TestWebIdentityRevealsNothingBeforeTrust is the same for
// AssumeRoleWithWebIdentity: delivery-agent's maximum is an hour, its
// account holds the managed policy charts-read.
func TestWebIdentityRevealsNothingBeforeTrust(t *testing.T) {
	e := newWIEnv(t)
	intruder := e.issuer.Token(oidcissuer.Claims{Namespace: "delivery",
		ServiceAccount: "intruder"})
	trusted := e.issuer.Token(agent)
	const (
		missingRole   = "arn:aws:iam::" + wiAccount + ":role/absent"
		chartsRead    = "arn:aws:iam::" + wiAccount + ":policy/charts-read"
		missingPolicy = "arn:aws:iam::" + wiAccount + ":policy/absent"
	)
	tests := []struct {
		name     string
		role     string
		token    string
		duration int32
		arns     []string
		code     string
	}{
		{"untrusted, role exists, over its maximum", wiRoleARN, intruder, 7200, nil,
			"AccessDenied"},
		{"untrusted, no such role, over the maximum", missingRole, intruder, 7200, nil,
			"AccessDenied"},
		{"untrusted, policy that does not exist", wiRoleARN, intruder, 0,
			[]string{missingPolicy}, "AccessDenied"},
		{"untrusted, policy that exists", wiRoleARN, intruder, 0, []string{chartsRead},
			"AccessDenied"},
		{"anyone, over 12 hours", wiRoleARN, intruder, 43201, nil, "ValidationError"},
		{"trusted, over the role's maximum", wiRoleARN, trusted, 7200, nil,
			"ValidationError"},
		{"trusted, policy that does not exist", wiRoleARN, trusted, 0,
			[]string{missingPolicy}, "InvalidParameterValue"},
		{"trusted, policy that exists", wiRoleARN, trusted, 3600, []string{chartsRead}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &sts.AssumeRoleWithWebIdentityInput{RoleArn: aws.String(tt.role),
				RoleSessionName: aws.String("probe"), WebIdentityToken: aws.String(tt.token),
				PolicyArns: policyARNs(tt.arns...)}
			if tt.duration != 0 {
				in.DurationSeconds = aws.Int32(tt.duration)
			}
			_, err := e.anonymousSTS().AssumeRoleWithWebIdentity(t.Context(), in)
			if got := wiCode(err); got != tt.code {
				t.Errorf("AssumeRoleWithWebIdentity: code %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

// TestMalformedSessionPolicyMessage checks that a refused session policy
// is told in AWS's words, without the Go package's prefix.
func TestMalformedSessionPolicyMessage(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, doc, prefix string
	}{
		{"statement not an object", `{"Version":"2012-10-17","Statement":1}`,
			"Invalid policy syntax."},
		{"not JSON", `{"Version":`, "Invalid policy syntax."},
		{"no resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Action":"s3:GetObject"}]}`, "Missing required field Resource"},
		{"unknown version", `{"Version":"2013-01-01","Statement":[{"Effect":"Allow",` +
			`"Action":"s3:GetObject","Resource":"*"}]}`, "Invalid Version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.sts(deployer).AssumeRole(t.Context(), &sts.AssumeRoleInput{
				RoleArn: aws.String(deliveryARN), RoleSessionName: aws.String("malformed"),
				Policy: aws.String(tt.doc)})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "MalformedPolicyDocument" {
				t.Fatalf("AssumeRole: %v, want MalformedPolicyDocument", err)
			}
			if msg := ae.ErrorMessage(); !strings.HasPrefix(msg, tt.prefix) ||
				strings.Contains(msg, "policy:") {
				t.Errorf("message %q, want it to start with %q", msg, tt.prefix)
			}
		})
	}
}
