package orgfile_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/store"
)

const (
	prd      = "222222222222"
	readOnly = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":"*"}]}`
	trustAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` +
		`{"AWS":"arn:aws:iam::222222222222:root"},"Action":"sts:AssumeRole"}]}`
)

// TestCaseVariantsRefused checks that applying a file which declares a
// user, group, managed policy or role that the account has (made through
// the API) under another case of its name is an error naming both
// spellings, and changes nothing, not even what the file declares before
// it; the same spelling is the same entity.
func TestCaseVariantsRefused(t *testing.T) {
	const devtools = "    name: devtools\n    users:\n"
	tests := []struct {
		name string
		put  func(ctx context.Context, m store.Meta) error
		decl string // the prd account's IAM entities in the file
		want string // "" for success
	}{
		{"user", putUser("Carol"), "    users:\n      - name: carol\n",
			"user carol: the account has a user Carol"},
		{"group", func(ctx context.Context, m store.Meta) error {
			return m.PutGroup(ctx, store.Group{Account: prd, Name: "OPS", ID: "AGPAOPS",
				Path: "/"})
		}, "    groups:\n      - name: ops\n", "group ops: the account has a group OPS"},
		{"managed policy", func(ctx context.Context, m store.Meta) error {
			return m.PutManagedPolicy(ctx, store.ManagedPolicy{Account: prd,
				Name: "ReadOnly", ID: "ANPAREADONLY", Path: "/", Document: []byte(readOnly)})
		}, "    managedPolicies:\n      - name: readonly\n        document: '" + readOnly +
			"'\n", "managed policy readonly: the account has a managed policy ReadOnly"},
		{"role", func(ctx context.Context, m store.Meta) error {
			return m.PutRole(ctx, store.Role{Account: prd, Name: "Deploy", ID: "AROADEPLOY",
				Path: "/", TrustPolicy: []byte(trustAll)})
		}, "    roles:\n      - name: deploy\n        trustPolicy:\n          document: '" +
			trustAll + "'\n", "role deploy: the account has a role Deploy"},
		{"same spelling", putUser("carol"), "    users:\n      - name: carol\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			m, _ := applied(t)
			must(t, tc.put(ctx, m))
			before := dumpAll(t, m) + roleNames(t, m)
			text := mustRead(t, "testdata/org.yaml")
			text = edit(t, text, devtools, devtools+"      - name: newcomer\n")
			text = edit(t, text, "    name: prd\n", "    name: prd\n"+tc.decl)
			f, err := orgfile.Parse([]byte(text), "testdata")
			must(t, err)
			_, err = orgfile.Apply(ctx, m, f, "us-east-1")
			if tc.want == "" {
				must(t, err)
				return
			}
			want := "orgfile: account " + prd + ": " + tc.want + "; IAM names are unique " +
				"regardless of case: use that spelling or delete it"
			if err == nil || err.Error() != want {
				t.Fatalf("Apply = %v\nwant %s", err, want)
			}
			if after := dumpAll(t, m) + roleNames(t, m); after != before {
				t.Errorf("the refused file changed the store:\nbefore:\n%s\nafter:\n%s",
					before, after)
			}
		})
	}
}

func putUser(name string) func(ctx context.Context, m store.Meta) error {
	return func(ctx context.Context, m store.Meta) error {
		return m.PutUser(ctx, store.User{Account: prd, Name: name, ID: "AIDA" +
			strings.ToUpper(name), Path: "/"})
	}
}

// roleNames lists the roles of every account.
func roleNames(t *testing.T, m store.Meta) string {
	t.Helper()
	ctx := context.Background()
	accounts, err := m.ListAccounts(ctx)
	must(t, err)
	var b strings.Builder
	for _, a := range accounts {
		rs, err := m.ListRoles(ctx, a.ID)
		must(t, err)
		for _, r := range rs {
			fmt.Fprintf(&b, "role %s %s\n", a.ID, r.Name)
		}
	}
	return b.String()
}

// TestCaseVariantsInFile checks that the file itself may not declare two
// users, groups, managed policies or roles whose names differ only in
// case, and that the error names both spellings.
func TestCaseVariantsInFile(t *testing.T) {
	tests := []struct{ name, decl, want string }{
		{"users", "    users:\n      - name: carol\n      - name: Carol\n",
			"user Carol: declared twice, also as carol"},
		{"groups", "    groups:\n      - name: ops\n      - name: OPS\n",
			"group OPS: declared twice, also as ops"},
		{"managed policies", "    managedPolicies:\n      - name: readonly\n        " +
			"document: '" + readOnly + "'\n      - name: ReadOnly\n        document: '" +
			readOnly + "'\n", "managed policy ReadOnly: declared twice, also as readonly"},
		{"roles", "    roles:\n      - name: deploy\n        trustPolicy:\n          " +
			"document: '" + trustAll + "'\n      - name: Deploy\n        trustPolicy:\n" +
			"          document: '" + trustAll + "'\n",
			"role Deploy: declared twice, also as deploy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := edit(t, mustRead(t, "testdata/org.yaml"), "    name: prd\n",
				"    name: prd\n"+tc.decl)
			_, err := orgfile.Parse([]byte(text), "testdata")
			want := "account " + prd + ": " + tc.want + "; IAM names are unique regardless " +
				"of case"
			if err == nil || err.Error() != want {
				t.Fatalf("Parse = %v\nwant %s", err, want)
			}
		})
	}
}
