package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// The policy simulator of the cross-account example, asked through the IAM API with the
// aws CLI and with trove's own online client.

const (
	delegateARN  = "arn:aws:iam::222222222222:user/delegate"
	publisherARN = "arn:aws:iam::111111111111:user/ci-publisher"
	chartARN     = "arn:aws:s3:::" + bucket + "/charts/hello-0.1.0.tgz"
	sseEntry     = "ContextKeyName=s3:x-amz-server-side-encryption,ContextKeyValues=AES256," +
		"ContextKeyType=string"
)

// evaluation is the part of an EvaluationResult the tests check.
type evaluation struct {
	EvalActionName    string
	EvalDecision      string
	MatchedStatements []struct{ SourcePolicyId, SourcePolicyType string }
}

// decides checks that the CLI printed one evaluation per action with these decisions,
// and that the first one matched the statements of the policies named in matched.
func decides(decisions []string, matched ...string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var out struct{ EvaluationResults []evaluation }
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("parse the CLI's JSON: %v\n%v", err, r)
		}
		var got []string
		for _, e := range out.EvaluationResults {
			got = append(got, e.EvalDecision)
		}
		if !slices.Equal(got, decisions) {
			t.Fatalf("decisions %q, want %q:\n%v", got, decisions, r)
		}
		var ids []string
		for _, m := range out.EvaluationResults[0].MatchedStatements {
			ids = append(ids, m.SourcePolicyId+"/"+m.SourcePolicyType)
		}
		if !slices.Equal(ids, matched) {
			t.Fatalf("matched statements %q, want %q:\n%v", ids, matched, r)
		}
	}
}

// simulate is `aws iam simulate-principal-policy` of source on the chart with actions.
func simulate(source string, actions []string, extra ...string) []string {
	args := []string{"iam", "simulate-principal-policy", "--policy-source-arn", source,
		"--resource-arns", chartARN, "--action-names"}
	return append(append(args, actions...), extra...)
}

func simulateSteps() []step {
	return []step{
		{
			name:    "management root sees delegate's reads and refused writes",
			profile: "management-root",
			args:    simulate(delegateARN, []string{"s3:GetObject", "s3:PutObject"}),
			check: decides([]string{"allowed", "explicitDeny"},
				"read-devtools-artifacts/user", "bucket policy of devtools-artifacts/resource"),
		},
		{
			name: "devtools root: the publisher's upload without SSE", profile: "devtools-root",
			args: simulate(publisherARN, []string{"s3:PutObject"}),
			check: decides([]string{"explicitDeny"},
				"bucket policy of devtools-artifacts/resource"),
		},
		{
			name: "devtools root: the publisher's upload with SSE", profile: "devtools-root",
			args:  simulate(publisherARN, []string{"s3:PutObject"}, "--context-entries", sseEntry),
			check: decides([]string{"allowed"}, "publish-artifacts/user"),
		},
		{
			name: "prd root: custom policy", profile: "prd-root",
			args: []string{"iam", "simulate-custom-policy", "--policy-input-list",
				`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
					`"Action":"s3:ListBucket","Resource":"*"}]}`,
				"--action-names", "s3:ListBucket", "s3:GetObject",
				"--resource-arns", "arn:aws:s3:::prd-bucket"},
			check: decides([]string{"allowed", "implicitDeny"}, "PolicyInputList.1/none"),
		},
		{
			name: "intruder may not simulate", profile: "intruder",
			args: simulate("arn:aws:iam::333333333333:user/intruder", []string{"s3:GetObject"}),
			want: "AccessDenied", status: 403,
		},
		{
			name: "devtools root may not simulate another account", profile: "devtools-root",
			args: simulate(delegateARN, []string{"s3:GetObject"}),
			want: "AccessDenied", status: 403,
		},
		{
			name: "unsigned", profile: anonymousProfile,
			args: simulate(delegateARN, []string{"s3:GetObject"}, "--no-sign-request"),
			want: "MissingAuthenticationToken", status: 403,
		},
		{
			name: "bad ARN", profile: "prd-root",
			args: simulate("arn:aws:iam::222222222222:delegate", []string{"s3:GetObject"}),
			want: "InvalidInput", status: 400,
		},
		{
			name: "no such user", profile: "prd-root",
			args: simulate("arn:aws:iam::222222222222:user/ghost", []string{"s3:GetObject"}),
			want: "NoSuchEntity", status: 404,
		},
	}
}

// TestPolicySimulate asks a running trove to simulate, with the aws CLI and with
// `trove policy simulate --endpoint`, and checks that S3 still answers beside IAM.
func TestPolicySimulate(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	runPhases(t, c, []phase{
		{name: "aws cli", steps: append(simulateSteps(), step{
			name: "s3 beside iam", profile: "devtools-root",
			args: []string{"s3", "ls"}, check: listsExactly(bucket),
		})},
	})
	t.Run("trove client", func(t *testing.T) {
		tests := []struct {
			name, profile string
			args          []string
			wantCode      int
			wantOut       string
		}{
			{name: "expect met", profile: "management-root", wantOut: "allowed: allowed by",
				args: []string{"--principal", delegateARN, "--action", "s3:GetObject",
					"--resource", chartARN, "--expect", "allowed"}},
			{name: "expect not met", profile: "devtools-root", wantCode: 3,
				wantOut: `statement "DenyUnEncryptedObjectUploads"`,
				args: []string{"--principal", publisherARN, "--action", "s3:PutObject",
					"--resource", chartARN, "--expect", "allowed"}},
			{name: "refused", profile: "intruder", wantCode: 1,
				args: []string{"--principal", delegateARN, "--action", "s3:GetObject"}},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				args := append([]string{"policy", "simulate", "--endpoint", srv.Endpoint,
					"--profile", tc.profile}, tc.args...)
				ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
				defer cancel()
				cmd := exec.CommandContext(ctx, troveBin, args...)
				cmd.Env = c.env
				var out, errs strings.Builder
				cmd.Stdout, cmd.Stderr = &out, &errs
				err := cmd.Run()
				code := 0
				var exit *exec.ExitError
				if errors.As(err, &exit) {
					code = exit.ExitCode()
				} else if err != nil {
					t.Fatal(err)
				}
				if code != tc.wantCode || !strings.Contains(out.String(), tc.wantOut) {
					t.Fatalf("trove %s: exit %d, want %d with %q\nstdout:\n%s\nstderr:\n%s",
						strings.Join(args, " "), code, tc.wantCode, tc.wantOut, out.String(),
						errs.String())
				}
			})
		}
	})
}
