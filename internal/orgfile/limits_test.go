package orgfile_test

import (
	"context"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/orgfile"
)

// nested is guardrails.yaml's unit locked with units four levels deeper
// (levels 3 to 6 below the root).
const nested = `        - name: locked
          scps: [allow-s3]
          accounts: ["444444444444"]
          units:
            - name: l3
              units:
                - name: l4
                  units:
                    - name: l5
                      units:
                        - name: l6`

func TestUnitLimits(t *testing.T) {
	valid := mustRead(t, "testdata/guardrails.yaml")
	locked := "        - name: locked\n          scps: [allow-s3]\n" +
		"          accounts: [\"444444444444\"]"
	five := strings.TrimSuffix(nested, "\n                      units:\n"+
		"                        - name: l6")
	tests := []struct {
		name, old, new, want string
	}{
		{"six levels deep", locked, nested, "organization: unit /sandbox/locked/l3/l4/l5/l6: " +
			"6 levels below the root; AWS Organizations nests units at most 5 levels deep"},
		{"five levels deep", locked, five, ""},
		{"same name under the root", "    - name: sandbox", "    - name: platform",
			"organization: unit /platform: declared twice under the root; AWS requires " +
				"unique unit names under one parent"},
		{"same name under a unit", locked, locked + "\n        - name: locked",
			"organization: unit /sandbox/locked: declared twice under unit /sandbox"},
		{"same name under different parents", locked, locked +
			"\n          units:\n            - name: sandbox", ""},
		{"management account placed twice", `accounts: ["222222222222"]`,
			`accounts: ["222222222222", "999999999999", "999999999999"]`,
			"account 999999999999 is placed twice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := orgfile.Parse([]byte(edit(t, valid, tc.old, tc.new)), "testdata")
			if got := fmtErr(err); (tc.want == "") != (err == nil) ||
				!strings.Contains(got, tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// TestManagementAccountInUnit: AWS lets the management account move into
// an OU. Its path says so, and still no SCP or RCP applies to it.
func TestManagementAccountInUnit(t *testing.T) {
	data := edit(t, mustRead(t, "testdata/guardrails.yaml"),
		`accounts: ["111111111111"]`, `accounts: ["111111111111", "999999999999"]`)
	m := openMeta(t)
	applyFile(t, m, data)
	ctx := context.Background()
	a, err := m.GetAccount(ctx, "999999999999")
	if err != nil || a.ParentID != "ou-gt01-platform" {
		t.Fatalf("management account %+v, %v; want it in ou-gt01-platform", a, err)
	}
	dir := identity.New(m)
	c, err := dir.CallerByARN(ctx, identity.RootARN("999999999999"))
	if err != nil {
		t.Fatal(err)
	}
	want := "o-guardtest01/r-gt01/ou-gt01-platform/"
	if len(c.Principal.OrgPaths) != 1 || c.Principal.OrgPaths[0] != want || c.SCPs != nil {
		t.Fatalf("paths %q, SCPs %v; want %s and none", c.Principal.OrgPaths, c.SCPs, want)
	}
	sc, err := dir.Scope(ctx, "999999999999")
	if err != nil || sc.RCPs != nil {
		t.Fatalf("scope %+v, %v; want no RCPs", sc, err)
	}
}

// fmtErr is err's text, "" for nil.
func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
