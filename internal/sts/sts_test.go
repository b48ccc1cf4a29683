package sts_test

import (
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
)

func TestGetCallerIdentity(t *testing.T) {
	e := newEnv(t)
	session := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("agent-1")})
	tests := []struct {
		name                string
		creds               aws.Credentials
		account, arn, useID string // useID "" checks the prefix only
	}{
		{"root user", prdRoot, "222222222222", "arn:aws:iam::222222222222:root", "222222222222"},
		{"user", deployer, "222222222222", "arn:aws:iam::222222222222:user/deployer", "AIDA"},
		{"role session", session, "222222222222",
			"arn:aws:sts::222222222222:assumed-role/delivery/agent-1", "AROA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.sts(tt.creds).GetCallerIdentity(t.Context(),
				&sts.GetCallerIdentityInput{})
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.Account) != tt.account || aws.ToString(out.Arn) != tt.arn ||
				!strings.HasPrefix(aws.ToString(out.UserId), tt.useID) {
				t.Errorf("got %s %s %s", aws.ToString(out.Account), aws.ToString(out.Arn),
					aws.ToString(out.UserId))
			}
		})
	}
	out, _ := e.sts(session).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if id := aws.ToString(out.UserId); !strings.HasSuffix(id, ":agent-1") || len(id) != 29 {
		t.Errorf("session UserId = %q, want AROA + 17 characters + :agent-1", id)
	}
}

func TestAssumeRoleDecision(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name  string
		creds aws.Credentials
		in    sts.AssumeRoleInput
		code  string // "" when allowed
	}{
		{"trust policy names the user", deployer, sts.AssumeRoleInput{}, ""},
		{"user the trust policy does not name", nobody, sts.AssumeRoleInput{}, "AccessDenied"},
		{"trust names the account, identity allows", deployer,
			sts.AssumeRoleInput{RoleArn: aws.String(builderARN)}, ""},
		{"trust names the account, no identity allow", nobody,
			sts.AssumeRoleInput{RoleArn: aws.String(builderARN)}, "AccessDenied"},
		{"identity allows, trust names another principal", deployer,
			sts.AssumeRoleInput{RoleArn: aws.String(readerARN)}, "AccessDenied"},
		{"root user", prdRoot, sts.AssumeRoleInput{}, "AccessDenied"},
		{"cross account with the external id", partner,
			sts.AssumeRoleInput{ExternalId: aws.String("partner-ext-1")}, ""},
		{"cross account, wrong external id", partner,
			sts.AssumeRoleInput{ExternalId: aws.String("partner-ext-2")}, "AccessDenied"},
		{"cross account, no external id", partner, sts.AssumeRoleInput{}, "AccessDenied"},
		{"cross account without an identity allow", partnerNone,
			sts.AssumeRoleInput{ExternalId: aws.String("partner-ext-1")}, "AccessDenied"},
		{"role that does not exist", deployer,
			sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/none")},
			"AccessDenied"},
		{"role ARN with the wrong path", deployer,
			sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::222222222222:role/delivery")},
			"AccessDenied"},
		{"the role's maximum duration", deployer,
			sts.AssumeRoleInput{DurationSeconds: aws.Int32(7200)}, ""},
		{"over the role's maximum", deployer,
			sts.AssumeRoleInput{DurationSeconds: aws.Int32(7201)}, "ValidationError"},
		{"under 900 seconds", deployer,
			sts.AssumeRoleInput{DurationSeconds: aws.Int32(899)}, "ValidationError"},
		{"one-character session name", deployer,
			sts.AssumeRoleInput{RoleSessionName: aws.String("a")}, "ValidationError"},
		{"session name with a space", deployer,
			sts.AssumeRoleInput{RoleSessionName: aws.String("a b")}, "ValidationError"},
		{"65-character session name", deployer,
			sts.AssumeRoleInput{RoleSessionName: aws.String(strings.Repeat("a", 65))},
			"ValidationError"},
		{"malformed session policy", deployer,
			sts.AssumeRoleInput{Policy: aws.String(`{"Statement":1}`)},
			"MalformedPolicyDocument"},
		{"tags with keys differing in case", deployer, sts.AssumeRoleInput{
			Tags: []types.Tag{tag("k", "1"), tag("K", "2")}}, "InvalidParameterValue"},
		{"transitive key that is not a tag", deployer, sts.AssumeRoleInput{
			Tags: []types.Tag{tag("k", "1")}, TransitiveTagKeys: []string{"x"}},
			"InvalidParameterValue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			if in.RoleArn == nil {
				in.RoleArn = aws.String(deliveryARN)
			}
			if in.RoleSessionName == nil {
				in.RoleSessionName = aws.String("test")
			}
			_, err := e.sts(tt.creds).AssumeRole(t.Context(), &in)
			if got := code(err); got != tt.code {
				t.Errorf("AssumeRole: code %q, want %q (%v)", got, tt.code, err)
			}
		})
	}
}

func tag(k, v string) types.Tag { return types.Tag{Key: aws.String(k), Value: aws.String(v)} }

// TestSessionReadsThroughBucketPolicy is the cross-account pull: a role
// session of PRD reads DevTools' bucket, which grants the role.
func TestSessionReadsThroughBucketPolicy(t *testing.T) {
	e := newEnv(t)
	s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("agent")})
	if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != "" {
		t.Errorf("session GetObject: %s", c)
	}
	if c := e.get(t, deployer, "devtools-charts", "charts/app-1.0.0.tgz"); c != "AccessDenied" {
		t.Errorf("the user itself: %q, want AccessDenied", c)
	}
	list, err := e.s3(s).ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{
		Bucket: aws.String("devtools-charts")})
	if err != nil || len(list.Contents) != 2 {
		t.Errorf("session ListObjectsV2: %v", err)
	}
}

func TestSessionPolicyNarrows(t *testing.T) {
	e := newEnv(t)
	const listOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:ListBucket","Resource":"*"}]}`
	tests := []struct {
		name string
		in   sts.AssumeRoleInput
		want string
	}{
		{"inline session policy", sts.AssumeRoleInput{Policy: aws.String(listOnly)},
			"AccessDenied"},
		{"managed session policy", sts.AssumeRoleInput{PolicyArns: []types.PolicyDescriptorType{
			{Arn: aws.String("arn:aws:iam::222222222222:policy/list-only")}}}, "AccessDenied"},
		{"no session policy", sts.AssumeRoleInput{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.RoleArn, in.RoleSessionName = aws.String(deliveryARN), aws.String("narrow")
			s := e.assume(t, deployer, &in)
			if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != tt.want {
				t.Errorf("GetObject: %q, want %q", c, tt.want)
			}
		})
	}
}

// TestSessionTags checks that session tags become aws:PrincipalTag in a
// bucket policy's condition.
func TestSessionTags(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		tags []types.Tag
		want string
	}{
		{"tagged project atlas", []types.Tag{tag("project", "atlas")}, ""},
		{"tagged another project", []types.Tag{tag("project", "zeus")}, "AccessDenied"},
		{"untagged", nil, "AccessDenied"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(builderARN),
				RoleSessionName: aws.String("build"), Tags: tt.tags})
			if c := e.get(t, s, "devtools-charts", "atlas/app.tgz"); c != tt.want {
				t.Errorf("GetObject: %q, want %q", c, tt.want)
			}
		})
	}
}

// TestSCPStopsRole checks that an SCP on the role's OU denies what the
// role's own policy allows.
func TestSCPStopsRole(t *testing.T) {
	e := newEnv(t)
	s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("publish")})
	_, err := e.s3(s).PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String("prd-artifacts"), Key: aws.String("x"), Body: strings.NewReader("x")})
	if c := code(err); c != "AccessDenied" {
		t.Errorf("PutObject: %q, want AccessDenied", c)
	}
}

// TestRoleChaining checks that a session may assume another role for at
// most an hour.
func TestRoleChaining(t *testing.T) {
	e := newEnv(t)
	s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("first")})
	_, err := e.sts(s).AssumeRole(t.Context(), &sts.AssumeRoleInput{
		RoleArn: aws.String(readerARN), RoleSessionName: aws.String("second"),
		DurationSeconds: aws.Int32(7200)})
	if c := code(err); c != "ValidationError" {
		t.Errorf("chained 2h session: %q, want ValidationError", c)
	}
	r := e.assume(t, s, &sts.AssumeRoleInput{RoleArn: aws.String(readerARN),
		RoleSessionName: aws.String("second")})
	out, err := e.sts(r).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(out.Arn) !=
		"arn:aws:sts::222222222222:assumed-role/reader/second" {
		t.Errorf("chained session: %v %v", out, err)
	}
}

// TestTokenChecks checks expired, tampered and missing tokens, and a
// deleted role, over S3 and STS.
func TestTokenChecks(t *testing.T) {
	e := newEnv(t)
	// Issue 14 minutes in the past: the 15-minute session ends a minute
	// from now, and requests stay within the signature's clock skew.
	e.clock.set(-14 * time.Minute)
	s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
		RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	e.clock.set(0)
	if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != "" {
		t.Fatalf("before expiry: %s", c)
	}
	tampered := s
	tampered.SessionToken = s.SessionToken[:40] + flipChar(s.SessionToken[40]) +
		s.SessionToken[41:]
	noToken := s
	noToken.SessionToken = ""
	tests := []struct {
		name       string
		creds      aws.Credentials
		offset     time.Duration
		s3, stsErr string
	}{
		{"tampered token", tampered, 0, "InvalidToken", "InvalidClientTokenId"},
		{"temporary key without its token", noToken, 0, "InvalidAccessKeyId",
			"InvalidClientTokenId"},
		{"expired", s, 2 * time.Minute, "ExpiredToken", "ExpiredToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.clock.set(tt.offset)
			defer e.clock.set(0)
			if c := e.get(t, tt.creds, "devtools-charts", "charts/app-1.0.0.tgz"); c != tt.s3 {
				t.Errorf("S3: %q, want %q", c, tt.s3)
			}
			_, err := e.sts(tt.creds).GetCallerIdentity(t.Context(), &sts.GetCallerIdentityInput{})
			if c := code(err); c != tt.stsErr {
				t.Errorf("STS: %q, want %q", c, tt.stsErr)
			}
		})
	}
	t.Run("role deleted", func(t *testing.T) {
		// reader trusts the delivery role: its session chains into reader.
		s := e.assume(t, s, &sts.AssumeRoleInput{RoleArn: aws.String(readerARN),
			RoleSessionName: aws.String("gone")})
		if err := e.meta.DeleteRole(t.Context(), "222222222222", "reader"); err != nil {
			t.Fatal(err)
		}
		if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != "InvalidToken" {
			t.Errorf("S3 after the role was deleted: %q, want InvalidToken", c)
		}
	})
}

func flipChar(c byte) string {
	if c == 'A' {
		return "B"
	}
	return "A"
}
