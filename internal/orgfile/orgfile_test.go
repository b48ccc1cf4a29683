package orgfile_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/sqlite"
)

func openMeta(t *testing.T) store.Meta {
	t.Helper()
	db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "meta.db"),
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// applied returns a store with testdata/org.yaml applied, and the file.
func applied(t *testing.T) (store.Meta, *orgfile.File) {
	t.Helper()
	m := openMeta(t)
	f, err := orgfile.Load("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgfile.Apply(context.Background(), m, f, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	return m, f
}

// dump renders everything Apply can write, for comparing states.
func dump(t *testing.T, m store.Meta) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	org, err := m.GetOrganization(ctx)
	fmt.Fprintf(&b, "org %+v %v\n", org, err)
	ous, _ := m.ListOUs(ctx)
	fmt.Fprintf(&b, "ous %+v\n", ous)
	accounts, err := m.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range accounts {
		fmt.Fprintf(&b, "account %+v\n", a)
		keys, _ := m.ListAccessKeys(ctx, a.ID, "")
		fmt.Fprintf(&b, "  root keys %+v\n", keys)
		users, _ := m.ListUsers(ctx, a.ID)
		for _, u := range users {
			keys, _ := m.ListAccessKeys(ctx, a.ID, u.Name)
			pols, _ := m.ListUserPolicies(ctx, a.ID, u.Name)
			fmt.Fprintf(&b, "  user %+v keys %+v\n", u, keys)
			for _, p := range pols {
				fmt.Fprintf(&b, "    policy %s %s\n", p.Name, p.Document)
			}
		}
		buckets, _ := m.ListBuckets(ctx, a.ID)
		for _, bk := range buckets {
			fmt.Fprintf(&b, "  bucket %s %s %s %s\n", bk.Name, bk.Region, bk.Created, bk.Policy)
		}
	}
	return b.String()
}

func TestApplyTwiceChangesNothing(t *testing.T) {
	ctx := context.Background()
	m := openMeta(t)
	f, err := orgfile.Load("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	first, err := orgfile.Apply(ctx, m, f, "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	if first.Created == 0 {
		t.Fatalf("first apply created nothing")
	}
	before := dump(t, m)
	f2, err := orgfile.Load("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	second, err := orgfile.Apply(ctx, m, f2, "eu-central-1")
	if err != nil {
		t.Fatal(err)
	}
	if second.Total() != 0 {
		t.Errorf("second apply made %d changes, want 0", second.Total())
	}
	if after := dump(t, m); after != before {
		t.Errorf("state changed on reload:\nbefore:\n%s\nafter:\n%s", before, after)
	}
}

func TestApplyUpdatesWhatChanged(t *testing.T) {
	ctx := context.Background()
	m, f := applied(t)
	f.Accounts[1].Users[0].AccessKeys[0].Secret = strings.Repeat("z", 40)
	ch, err := orgfile.Apply(ctx, m, f, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	if ch.Created != 0 || ch.Updated != 1 {
		t.Errorf("changes = %+v, want one update", ch)
	}
	k, err := m.GetAccessKey(ctx, "AKIATESTPUBLISHER001")
	if err != nil || k.Secret != strings.Repeat("z", 40) {
		t.Errorf("secret not updated: %v", err)
	}
}

func TestPrincipals(t *testing.T) {
	ctx := context.Background()
	m, f := applied(t)
	root := f.Organization.RootID
	platform := f.Organization.Units[0].ID
	tools := f.Organization.Units[0].Units[0].ID
	dir := identity.New(m)
	tests := []struct {
		name, key     string
		arn, typ, org string
		paths         []string
		policies      int
	}{
		{"management root", "AKIATESTMANAGEMENT01", "arn:aws:iam::999999999999:root", "Account",
			"o-testorg0001", []string{"o-testorg0001/" + root + "/"}, 0},
		{"user in an OU", "AKIATESTPUBLISHER001", "arn:aws:iam::111111111111:user/ci-publisher",
			"User", "o-testorg0001", []string{"o-testorg0001/" + root + "/" + platform + "/"}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := dir.Resolve(ctx, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			p := c.Principal
			if p.ARN != tc.arn || p.Type != tc.typ || p.OrgID != tc.org ||
				!reflect.DeepEqual(p.OrgPaths, tc.paths) || len(c.Policies) != tc.policies {
				t.Errorf("got %+v with %d policies", p, len(c.Policies))
			}
		})
	}
	ous, _ := m.ListOUs(ctx)
	org, _ := m.GetOrganization(ctx)
	want := "o-testorg0001/" + root + "/" + platform + "/" + tools + "/"
	if got := identity.OrgPath(org, ous, tools); got != want {
		t.Errorf("nested path = %s, want %s", got, want)
	}
	if _, err := dir.Resolve(ctx, "AKIANOSUCHKEY0000000"); err != identity.ErrUnknownKey {
		t.Errorf("unknown key: %v", err)
	}
}

func TestOutsideOrganization(t *testing.T) {
	ctx := context.Background()
	m, _ := applied(t)
	a, err := m.GetAccount(ctx, "333333333333")
	if err != nil || a.ParentID != "" {
		t.Errorf("partner account = %+v, %v; want no parent", a, err)
	}
	u, err := m.GetUser(ctx, "333333333333", "intruder")
	if err != nil || u.Path != "/external/" || !strings.HasPrefix(u.ID, "AIDA") {
		t.Errorf("intruder = %+v, %v", u, err)
	}
}

func TestParseErrors(t *testing.T) {
	valid, err := os.ReadFile("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		edit    func(string) string
		wantErr string
	}{
		{"unknown field", func(s string) string {
			return strings.Replace(s, "    name: prd", "    name: prd\n    colour: red", 1)
		}, "field colour not found"},
		{"short account id", func(s string) string {
			return strings.Replace(s, `id: "444444444444"`, `id: "4444"`, 1)
		}, `account "4444": id must be 12 digits`},
		{"short secret", func(s string) string {
			return strings.Replace(s, "managementsecretmanagementsecretmanageme", "short", 1)
		}, "secret must be at least 40 characters"},
		{"duplicate key", func(s string) string {
			return strings.Replace(s, "AKIATESTPUBLISHER001", "AKIATESTMANAGEMENT01", 1)
		}, "access key id AKIATESTMANAGEMENT01: declared twice"},
		{"identity policy with principal", func(s string) string {
			return strings.Replace(s, `"Effect":"Allow","Action":"s3:*"`,
				`"Effect":"Allow","Principal":"*","Action":"s3:*"`, 1)
		}, "policy json-string"},
		{"missing policy file", func(s string) string {
			return strings.Replace(s, "file: identity.json", "file: nope.json", 1)
		}, "nope.json"},
		{"undeclared account in a unit", func(s string) string {
			return strings.Replace(s, `accounts: ["222222222222"]`, `accounts: ["555555555555"]`, 1)
		}, `account "555555555555" is not declared`},
		{"account placed twice", func(s string) string {
			return strings.Replace(s, `accounts: ["222222222222"]`, `accounts: ["111111111111"]`, 1)
		}, "placed twice"},
		{"bad bucket name", func(s string) string {
			return strings.Replace(s, "name: test-artifacts", "name: Test_Artifacts", 1)
		}, "invalid bucket name"},
		{"bad organization id", func(s string) string {
			return strings.Replace(s, "id: o-testorg0001", "id: org1", 1)
		}, `id "org1"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgfile.Parse([]byte(tc.edit(string(valid))), "testdata")
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// TestFailedLoadChangesNothing breaks only the last account's policy, so a
// loader that wrote account by account would leave the first ones behind.
func TestFailedLoadChangesNothing(t *testing.T) {
	m := openMeta(t)
	bad := strings.Replace(mustRead(t, "testdata/org.yaml"), `"Effect":"Allow","Action":"s3:*"`,
		`"Effect":"Allow","Principal":"*","Action":"s3:*"`, 1)
	name := filepath.Join(t.TempDir(), "org.yaml")
	for _, f := range []string{"identity.json", "bucket.json"} {
		if err := os.WriteFile(filepath.Join(filepath.Dir(name), f),
			[]byte(mustRead(t, "testdata/"+f)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(name, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	err := server.LoadOrgFile(context.Background(), m, name, "us-east-1", log)
	if err == nil || !strings.Contains(err.Error(), "json-string") {
		t.Fatalf("err = %v, want the bad policy named", err)
	}
	accounts, err := m.ListAccounts(context.Background())
	if err != nil || len(accounts) != 0 {
		t.Errorf("accounts = %v, %v; want none", accounts, err)
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
