package orgfile_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// edit replaces the first old in s with new, failing when s lacks old, so
// that a case cannot silently test the valid file.
func edit(t *testing.T, s, old, new string) string {
	t.Helper()
	if !strings.Contains(s, old) {
		t.Fatalf("the file has no %q", old)
	}
	return strings.Replace(s, old, new, 1)
}

// badFiles are edits of testdata/guardrails.yaml that make it invalid.
var badFiles = []struct {
	name     string
	old, new string
}{
	{"unknown policy type", "[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]",
		"[SERVICE_CONTROL_POLICY, TAG_POLICY]"},
	{"policy type twice", "[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]",
		"[SERVICE_CONTROL_POLICY, SERVICE_CONTROL_POLICY]"},
	{"scps with SCPs disabled", "[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]",
		"[RESOURCE_CONTROL_POLICY]"},
	{"rcps with RCPs disabled", "[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]",
		"[SERVICE_CONTROL_POLICY]"},
	{"undeclared SCP", "scps: [FullAWSAccess, deny-bucket-deletion]",
		"scps: [FullAWSAccess, deny-everything]"},
	{"SCP listed twice", "scps: [FullAWSAccess, deny-bucket-deletion]",
		"scps: [deny-bucket-deletion, deny-bucket-deletion]"},
	{"too many SCPs", "scps: [FullAWSAccess, deny-bucket-deletion]",
		"scps: [FullAWSAccess, allow-s3, allow-s3, allow-s3, allow-s3, allow-s3]"},
	{"RCPFullAWSAccess listed", "rcps: [org-only]", "rcps: [RCPFullAWSAccess, org-only]"},
	{"RCP as an SCP", "scps: [allow-s3]", "scps: [org-only]"},
	{"reserved SCP name", "- name: allow-s3", "- name: FullAWSAccess"},
	{"SCP declared twice", "- name: allow-s3", "- name: deny-bucket-deletion"},
	{"SCP with a principal", "            Action: s3:DeleteBucket",
		"            Principal: \"*\"\n            Action: s3:DeleteBucket"},
	{"SCP too long", "          - Effect: Deny\n            Action: s3:DeleteBucket",
		"          - Effect: Deny\n            Sid: " + strings.Repeat("x", 5200) +
			"\n            Action: s3:DeleteBucket"},
	{"RCP that allows", "          - Effect: Deny\n            Principal",
		"          - Effect: Allow\n            Principal"},
	{"scps on an account outside the organization", "    name: partner",
		"    name: partner\n    scps: []"},
	{"scps not a list", "    scps: []\n", "    scps: none\n"},
	{"undeclared managed policy", "managedPolicies: [s3-only]",
		"managedPolicies: [s3-everything]"},
	{"managed policy listed twice", "managedPolicies: [s3-only]",
		"managedPolicies: [s3-only, s3-only]"},
	{"another account's policy as boundary",
		"permissionsBoundary: arn:aws:iam::111111111111:",
		"permissionsBoundary: arn:aws:iam::222222222222:"},
	{"AWS managed policy", "managedPolicies: [read-artifacts]",
		"managedPolicies: [arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess]"},
	{"policy ARN with the wrong path", "[arn:aws:iam::111111111111:policy/team/read-artifacts]",
		"[arn:aws:iam::111111111111:policy/read-artifacts]"},
	{"not a policy ARN", "[arn:aws:iam::111111111111:policy/team/read-artifacts]",
		"[\"arn:aws:s3:::gt-artifacts\"]"},
	{"undeclared boundary",
		"permissionsBoundary: arn:aws:iam::111111111111:policy/team/read-artifacts",
		"permissionsBoundary: cap"},
	{"undeclared group", "groups: [publishers, readers]", "groups: [publishers, writers]"},
	{"group listed twice", "groups: [publishers, readers]",
		"groups: [publishers, publishers]"},
	{"too many groups", "groups: [publishers, readers]",
		"groups: [a, b, c, d, e, f, g, h, i, j, k]"},
	{"group declared twice", "      - name: readers", "      - name: Publishers"},
	{"invalid group name", "      - name: readers", "      - name: read/ers"},
	{"managed policy declared twice", "      - name: s3-only", "      - name: Read-Artifacts"},
	{"managed policy path", "        path: /team/", "        path: team"},
	{"managed policy without a document", "        file: identity.json\n", "\n"},
	{"group policy with a principal", "                  Action: s3:PutObject",
		"                  Principal: \"*\"\n                  Action: s3:PutObject"},
	{"unknown group field", "        path: /ci/", "        path: /ci/\n        colour: red"},
	{"reserved tag prefix", "team: platform", "aws:team: platform"},
	{"tag keys differing in case", "team: platform", "team: platform\n          Team: web"},
	{"bad tag value", "team: platform", "team: \"plat#form\""},
}

// TestParseErrorsGolden pins the whole message of every kind of error the
// new elements can have, in testdata/errors.golden. The policy engine's own
// words for a malformed document are its business: the golden file keeps
// what this package says of where the document is.
func TestParseErrorsGolden(t *testing.T) {
	valid := mustRead(t, "testdata/guardrails.yaml")
	if _, err := orgfile.Parse([]byte(valid), "testdata"); err != nil {
		t.Fatalf("the valid file: %v", err)
	}
	var b strings.Builder
	for _, tc := range badFiles {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgfile.Parse([]byte(edit(t, valid, tc.old, tc.new)), "testdata")
			if err == nil {
				t.Fatalf("no error")
			}
			msg := err.Error()
			if errors.Is(err, policy.ErrMalformed) {
				msg = msg[:strings.Index(msg, "policy: malformed: ")] + "policy: malformed: ..."
			}
			fmt.Fprintf(&b, "%s:\n\t%s\n", tc.name, msg)
		})
	}
	testutil.Golden(t, "testdata/errors.golden", b.String(), *update)
}

// TestLoadNamesTheFile checks that Load's errors begin with the file's path.
func TestLoadNamesTheFile(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"identity.json", "scp-allow-s3.json"} {
		writeFile(t, filepath.Join(dir, f), mustRead(t, "testdata/"+f))
	}
	path := filepath.Join(dir, "org.yaml")
	writeFile(t, path, strings.Replace(mustRead(t, "testdata/guardrails.yaml"),
		"groups: [publishers, readers]", "groups: [writers]", 1))
	_, err := orgfile.Load(path)
	want := "orgfile: " + path + `: account 111111111111: user ci-publisher: groups: ` +
		`group "writers" is not declared under groups of account 111111111111`
	if err == nil || err.Error() != want {
		t.Errorf("err = %v\nwant %s", err, want)
	}
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestApplyGuardrails pins what applying testdata/guardrails.yaml stores.
func TestApplyGuardrails(t *testing.T) {
	m := openMeta(t)
	ch := applyFile(t, m, mustRead(t, "testdata/guardrails.yaml"))
	if ch.Updated != 0 || ch.Removed != 0 {
		t.Errorf("first apply: %+v, want creations only", ch)
	}
	testutil.Golden(t, "testdata/guardrails.golden", dumpAll(t, m), *update)
}

// applyFile parses data (relative files from testdata/) and applies it.
func applyFile(t *testing.T, m store.Meta, data string) orgfile.Changes {
	t.Helper()
	f, err := orgfile.Parse([]byte(data), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := orgfile.Apply(context.Background(), m, f, "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

// dumpAll renders what Apply can write, without times, in a stable order.
func dumpAll(t *testing.T, m store.Meta) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	types, err := m.ListEnabledPolicyTypes(ctx)
	must(t, err)
	fmt.Fprintf(&b, "enabled %v\n", types)
	for _, pt := range []store.PolicyType{store.ServiceControlPolicy,
		store.ResourceControlPolicy} {
		ps, err := m.ListOrgPolicies(ctx, pt)
		must(t, err)
		for _, p := range ps {
			fmt.Fprintf(&b, "%s %s %s %s\n", pt, p.Name, p.ID, p.Document)
		}
		as, err := m.ListOrgAttachments(ctx, pt)
		must(t, err)
		for _, a := range as {
			fmt.Fprintf(&b, "%s %s attached to %s\n", pt, a.Policy, a.Target)
		}
	}
	accounts, err := m.ListAccounts(ctx)
	must(t, err)
	for _, a := range accounts {
		fmt.Fprintf(&b, "account %+v\n", a)
		dumpIAM(t, &b, m, a.ID)
	}
	return b.String()
}

// dumpIAM renders one account's managed policies, groups and users.
func dumpIAM(t *testing.T, b *strings.Builder, m store.Meta, account string) {
	t.Helper()
	ctx := context.Background()
	mps, err := m.ListManagedPolicies(ctx, account)
	must(t, err)
	for _, p := range mps {
		fmt.Fprintf(b, "  managed %s %s %s %s\n", p.ARN(), p.ID, p.Path, p.Document)
	}
	groups, err := m.ListGroups(ctx, account)
	must(t, err)
	for _, g := range groups {
		fmt.Fprintf(b, "  group %+v\n", g)
		ps, err := m.ListGroupPolicies(ctx, account, g.Name)
		must(t, err)
		for _, p := range ps {
			fmt.Fprintf(b, "    policy %s %s\n", p.Name, p.Document)
		}
		att, err := m.ListAttachedGroupPolicies(ctx, account, g.Name)
		must(t, err)
		fmt.Fprintf(b, "    attached %v\n", names(att))
	}
	users, err := m.ListUsers(ctx, account)
	must(t, err)
	for _, u := range users {
		dumpUser(t, b, m, u)
	}
}

func dumpUser(t *testing.T, b *strings.Builder, m store.Meta, u store.User) {
	t.Helper()
	ctx := context.Background()
	fmt.Fprintf(b, "  user %+v\n", u)
	gs, err := m.ListGroupsForUser(ctx, u.Account, u.Name)
	must(t, err)
	var gnames []string
	for _, g := range gs {
		gnames = append(gnames, g.Name)
	}
	att, err := m.ListAttachedUserPolicies(ctx, u.Account, u.Name)
	must(t, err)
	tags, err := m.ListUserTags(ctx, u.Account, u.Name)
	must(t, err)
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k+"="+tags[k])
	}
	sort.Strings(keys)
	fmt.Fprintf(b, "    groups %v attached %v tags %v\n", gnames, names(att), keys)
}

func names(ps []store.ManagedPolicy) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestApplyReconciles applies the valid file, then an edit of it, and
// checks what the second apply counted and left.
func TestApplyReconciles(t *testing.T) {
	tests := []struct {
		name  string
		edits [][2]string // old and new text, every occurrence
		want  orgfile.Changes
		check func(t *testing.T, m store.Meta)
	}{
		{"unchanged", nil, orgfile.Changes{}, nil},
		{"scps replaced on a unit", [][2]string{{"scps: [FullAWSAccess, deny-bucket-deletion]",
			"scps: [allow-s3]"}}, orgfile.Changes{Created: 1, Removed: 2},
			wantAttached(store.ServiceControlPolicy, "ou-gt01-platform", "allow-s3")},
		{"scps given up on an account", [][2]string{{"    scps: []\n", ""}},
			orgfile.Changes{Created: 1},
			wantAttached(store.ServiceControlPolicy, "222222222222", "FullAWSAccess")},
		{"rcps dropped from the root", [][2]string{{"\n  rcps: [org-only]\n", "\n"}},
			orgfile.Changes{Removed: 1},
			wantAttached(store.ResourceControlPolicy, "r-gt01")},
		{"RCPs disabled", [][2]string{
			{"[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]", "[SERVICE_CONTROL_POLICY]"},
			{"rcps: [org-only]", "rcps: []"}},
			orgfile.Changes{Removed: 3}, wantEnabled(store.ServiceControlPolicy)},
		{"SCPs disabled", [][2]string{
			{"[SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]", "[RESOURCE_CONTROL_POLICY]"},
			{"scps: [FullAWSAccess, deny-bucket-deletion]", "scps: []"},
			{"scps: [allow-s3]", "scps: []"}},
			// One on the root, two on platform, one on sandbox, one on locked,
			// one on each account but sandbox's; and the type itself.
			orgfile.Changes{Removed: 9}, wantEnabled(store.ResourceControlPolicy)},
		{"group left", [][2]string{{"groups: [publishers, readers]", "groups: [readers]"}},
			orgfile.Changes{Removed: 1}, nil},
		{"tag changed", [][2]string{{"team: platform", "team: web"}},
			orgfile.Changes{Updated: 1}, nil},
		{"tag removed", [][2]string{{"          team: platform\n", ""}},
			orgfile.Changes{Removed: 1}, nil},
		{"boundary removed", [][2]string{{"        permissionsBoundary: " +
			"arn:aws:iam::111111111111:policy/team/read-artifacts\n", ""}},
			orgfile.Changes{Updated: 1}, wantNoBoundary},
		{"managed policy detached from a group",
			[][2]string{{"        managedPolicies: [read-artifacts]\n", ""}},
			orgfile.Changes{Removed: 1}, nil},
		{"SCP document changed", [][2]string{{"Action: s3:DeleteBucket",
			"Action: s3:DeleteObject"}}, orgfile.Changes{Updated: 1}, nil},
	}
	valid := mustRead(t, "testdata/guardrails.yaml")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := openMeta(t)
			applyFile(t, m, valid)
			changed := valid
			for _, e := range tc.edits {
				changed = edit(t, changed, e[0], e[1])
				changed = strings.ReplaceAll(changed, e[0], e[1])
			}
			if got := applyFile(t, m, changed); got != tc.want {
				t.Errorf("changes = %+v, want %+v", got, tc.want)
			}
			if tc.check != nil {
				tc.check(t, m)
			}
			if again := applyFile(t, m, changed); again.Total() != 0 {
				t.Errorf("applying the edit again: %+v, want nothing", again)
			}
		})
	}
}

// wantEnabled checks the enabled policy types.
func wantEnabled(want ...store.PolicyType) func(*testing.T, store.Meta) {
	return func(t *testing.T, m store.Meta) {
		got, err := m.ListEnabledPolicyTypes(context.Background())
		must(t, err)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("enabled types = %v, want %v", got, want)
		}
	}
}

// wantNoBoundary checks that ci-publisher has no permissions boundary.
func wantNoBoundary(t *testing.T, m store.Meta) {
	u, err := m.GetUser(context.Background(), "111111111111", "ci-publisher")
	if err != nil || u.Boundary != "" {
		t.Errorf("user = %+v, %v; want no boundary", u, err)
	}
}

// wantAttached checks the policies of type pt attached to target.
func wantAttached(pt store.PolicyType, target string, want ...string) func(*testing.T,
	store.Meta) {
	return func(t *testing.T, m store.Meta) {
		as, err := m.ListOrgAttachments(context.Background(), pt)
		must(t, err)
		var got []string
		for _, a := range as {
			if a.Target == target {
				got = append(got, a.Policy)
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s attached to %s = %v, want %v", pt, target, got, want)
		}
	}
}

// TestPreflightChangesNothing checks that a conflict with the store found
// before writing leaves the store as it was.
func TestPreflightChangesNothing(t *testing.T) {
	ctx := context.Background()
	m := openMeta(t)
	must(t, m.PutAccount(ctx, store.Account{ID: "555555555555", Name: "squatter"}))
	must(t, m.CreateBucket(ctx, store.Bucket{Name: "gt-artifacts", Owner: "555555555555",
		Region: "us-east-1"}))
	before := dumpAll(t, m)
	f, err := orgfile.Parse([]byte(mustRead(t, "testdata/guardrails.yaml")), "testdata")
	must(t, err)
	_, err = orgfile.Apply(ctx, m, f, "us-east-1")
	want := "orgfile: account 111111111111: bucket gt-artifacts: the name is owned by " +
		"account 555555555555"
	if err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	if after := dumpAll(t, m); after != before {
		t.Errorf("the store changed:\n%s", after)
	}
	if _, err := m.GetOrganization(ctx); err == nil {
		t.Errorf("the organization was stored")
	}
}

// FuzzParse feeds Parse arbitrary files: it must return a File or an error,
// never panic, and a File it returns must parse again the same way.
func FuzzParse(f *testing.F) {
	for _, name := range []string{"testdata/org.yaml", "testdata/guardrails.yaml"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("organization:\n  id: o-abcdefghij\n  scps: [x]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, err := orgfile.Parse(data, "testdata"); err != nil {
			return
		}
		if _, err := orgfile.Parse(data, "testdata"); err != nil {
			t.Errorf("a file that parsed once fails the second time: %v", err)
		}
	})
}
