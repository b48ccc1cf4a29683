package sts_test

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/troveproject/trove/internal/session"
	"github.com/troveproject/trove/internal/store"
)

const (
	prdAccount = "222222222222"
	// sessionList is a managed policy the tests create, delete and create
	// again; sessionListARN names it.
	sessionList    = "session-list"
	sessionListARN = "arn:aws:iam::" + prdAccount + ":policy/" + sessionList
	listOnlyDoc    = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:ListBucket","Resource":"*"}]}`
	everythingDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:*","Resource":"*"}]}`
)

// TestManagedSessionPolicyGone checks a session whose managed session
// policy is deleted, then created again under the same name with a wider
// document: the session is then limited to nothing (AccessDenied, never a
// server error) and is not widened. A token sealed before trove recorded
// the policies' ids still opens, and a deleted policy limits it to
// nothing too; created again, the policy is found by name, as before.
func TestManagedSessionPolicyGone(t *testing.T) {
	tests := []struct {
		name   string
		legacy bool // the token carries no policy ids
		// what the session may do once the policy is created again wider
		listAfter, getAfter string
	}{
		{"token with the policy's id", false, "AccessDenied", "AccessDenied"},
		{"token without policy ids", true, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.putPolicy(t, "ANPASESSIONLIST000001", listOnlyDoc)
			s := e.assume(t, deployer, &sts.AssumeRoleInput{RoleArn: aws.String(deliveryARN),
				RoleSessionName: aws.String("narrow"), PolicyArns: policyARNs(sessionListARN)})
			if tt.legacy {
				s = e.withoutPolicyIDs(t, s)
			}
			steps := []struct {
				name      string
				change    func()
				list, get string
			}{
				{"as issued", func() {}, "", "AccessDenied"},
				{"policy deleted", func() { e.deletePolicy(t) }, "AccessDenied", "AccessDenied"},
				{"policy created again wider", func() {
					e.putPolicy(t, "ANPASESSIONLIST000002", everythingDoc)
				}, tt.listAfter, tt.getAfter},
			}
			for _, st := range steps {
				st.change()
				if c := e.list(t, s, "devtools-charts"); c != st.list {
					t.Errorf("%s: ListObjectsV2 %q, want %q", st.name, c, st.list)
				}
				if c := e.get(t, s, "devtools-charts", "charts/app-1.0.0.tgz"); c != st.get {
					t.Errorf("%s: GetObject %q, want %q", st.name, c, st.get)
				}
			}
			fresh := e.assume(t, deployer, &sts.AssumeRoleInput{
				RoleArn: aws.String(deliveryARN), RoleSessionName: aws.String("wide"),
				PolicyArns: policyARNs(sessionListARN)})
			if c := e.get(t, fresh, "devtools-charts", "charts/app-1.0.0.tgz"); c != "" {
				t.Errorf("a session issued with the new policy: GetObject %q", c)
			}
		})
	}
}

// putPolicy stores the managed policy sessionList with id and doc.
func (e *env) putPolicy(t *testing.T, id, doc string) {
	t.Helper()
	err := e.meta.PutManagedPolicy(t.Context(), store.ManagedPolicy{Account: prdAccount,
		Name: sessionList, ID: id, Path: "/", Document: []byte(doc)})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) deletePolicy(t *testing.T) {
	t.Helper()
	if err := e.meta.DeleteManagedPolicy(t.Context(), prdAccount, sessionList); err != nil {
		t.Fatal(err)
	}
}

// withoutPolicyIDs returns c with its token sealed again without the
// managed session policies' ids, as trove sealed tokens before it
// recorded them.
func (e *env) withoutPolicyIDs(t *testing.T, c aws.Credentials) aws.Credentials {
	t.Helper()
	kr := session.NewKeyring(e.meta)
	claims, err := kr.Open(t.Context(), c.SessionToken)
	if err != nil {
		t.Fatal(err)
	}
	if len(claims.PolicyIDs) == 0 {
		t.Fatal("the token records no policy ids")
	}
	claims.PolicyIDs = nil
	if c.SessionToken, err = kr.Seal(t.Context(), claims); err != nil {
		t.Fatal(err)
	}
	return c
}

// list lists bucket with c and returns the error code, "" on success.
func (e *env) list(t *testing.T, c aws.Credentials, bucket string) string {
	t.Helper()
	_, err := e.s3(c).ListObjectsV2(t.Context(), &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket)})
	return code(err)
}
