package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// orgAPIFile is the organization the Organizations API test starts from:
// SCPs enabled, a management account with a root key and nothing else.
const orgAPIFile = `organization:
  id: o-e2eorgapi01
  managementAccount: "999999999999"
  rootId: r-e2e1
  enabledPolicyTypes: [SERVICE_CONTROL_POLICY]
accounts:
  - id: "999999999999"
    name: management
    rootAccessKeys:
      - id: AKIAE2EORGAPIMANAGER
        secret: "e2e/orgapi/management-root/notARealSecret"
`

// prdKey is the root key the test gives the account it creates, through
// an edited export of the organization.
var prdKey = accessKey{ID: "AKIAE2EORGAPIPRDROOT",
	Secret: "e2e/orgapi/prd-root/notARealSecret0000000000"}

const denyPutsSCP = `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
	`"Action":"s3:PutObject","Resource":"*"}]}`

// TestOrganizationsAPI drives the Organizations API with the aws CLI: the
// management root creates an OU and an account, moves the account there
// and attaches an SCP that denies s3:PutObject to the OU; trove org
// export, run beside the server, writes the state, which reloads with no
// change and round-trips through a fresh data directory; the export, with
// a root key added for the new account, lets that root in: it is denied
// PutObject and every Organizations call.
func TestOrganizationsAPI(t *testing.T) {
	dir := t.TempDir()
	dataDir, orgPath := filepath.Join(dir, "data"), filepath.Join(dir, "org.yaml")
	writeFile(t, orgPath, orgAPIFile)
	srv := startTrove(t, dataDir, orgPath)
	c := newCLI(t, orgPath, srv.Endpoint)
	ids := buildOrganization(t, c, dir)

	exported := exportOrg(t, dataDir)
	for _, want := range []string{"id: " + ids.ou, `"` + ids.account + `"`, "deny-puts",
		"scps: [FullAWSAccess, deny-puts]"} {
		if !strings.Contains(exported, want) {
			t.Fatalf("the export lacks %q:\n%s", want, exported)
		}
	}
	checkFreshRoundTrip(t, dir, exported)

	srv.Stop(t)
	exportPath := filepath.Join(dir, "exported.yaml")
	writeFile(t, exportPath, exported)
	srv = startTrove(t, dataDir, exportPath)
	wantApplied(t, srv, "created=0 updated=0 removed=0")
	srv.Stop(t)

	withKey := addRootKey(t, exported, ids.account, prdKey)
	keyed := filepath.Join(dir, "with-key.yaml")
	writeFile(t, keyed, withKey)
	srv = startTrove(t, dataDir, keyed)
	wantApplied(t, srv, "created=1 updated=0 removed=0")
	memberSteps(t, newCLI(t, keyed, srv.Endpoint), dir)
}

// orgIDs are what buildOrganization created.
type orgIDs struct{ ou, account, policy string }

// buildOrganization makes the calls of the scenario as the management root.
func buildOrganization(t *testing.T, c *cli, dir string) orgIDs {
	t.Helper()
	var ids orgIDs
	var ou struct {
		OrganizationalUnit struct {
			ID string `json:"Id"`
		}
	}
	orgCall(t, c, &ou, "create-organizational-unit", "--parent-id", "r-e2e1",
		"--name", "workloads")
	ids.ou = ou.OrganizationalUnit.ID
	var acct struct {
		CreateAccountStatus struct {
			AccountID string `json:"AccountId"`
		}
	}
	orgCall(t, c, &acct, "create-account", "--email", "prd@example.com",
		"--account-name", "prd")
	ids.account = acct.CreateAccountStatus.AccountID
	orgCall(t, c, nil, "move-account", "--account-id", ids.account,
		"--source-parent-id", "r-e2e1", "--destination-parent-id", ids.ou)
	scp := filepath.Join(dir, "deny-puts.json")
	writeFile(t, scp, denyPutsSCP)
	var pol struct {
		Policy struct {
			PolicySummary struct {
				ID string `json:"Id"`
			}
		}
	}
	orgCall(t, c, &pol, "create-policy", "--name", "deny-puts", "--description",
		"no uploads", "--type", "SERVICE_CONTROL_POLICY", "--content", "file://"+scp)
	ids.policy = pol.Policy.PolicySummary.ID
	orgCall(t, c, nil, "attach-policy", "--policy-id", ids.policy, "--target-id", ids.ou)
	var parents struct {
		Parents []struct {
			ID string `json:"Id"`
		}
	}
	orgCall(t, c, &parents, "list-parents", "--child-id", ids.account)
	if len(parents.Parents) != 1 || parents.Parents[0].ID != ids.ou {
		t.Fatalf("parents of %s: %+v, want %s", ids.account, parents, ids.ou)
	}
	return ids
}

// orgCall runs aws organizations as the management root, requires success
// and decodes the JSON answer into out unless it is nil.
func orgCall(t *testing.T, c *cli, out any, args ...string) {
	t.Helper()
	r := c.run(t, "management-root", false,
		append([]string{"organizations", "--output", "json"}, args...)...)
	if r.err != nil {
		t.Fatalf("want success:\n%v", r)
	}
	if out != nil {
		if err := json.Unmarshal([]byte(r.stdout), out); err != nil {
			t.Fatalf("decode the answer of %s: %v\n%s", args[0], err, r.stdout)
		}
	}
}

// exportOrg runs trove org export with secrets on dataDir, which a
// running server may hold.
func exportOrg(t *testing.T, dataDir string) string {
	t.Helper()
	out, err := exec.Command(troveBin, "org", "export", "--include-secrets",
		"--data-dir", dataDir).Output()
	if err != nil {
		t.Fatalf("trove org export: %v", err)
	}
	return string(out)
}

// checkFreshRoundTrip serves the export from an empty data directory and
// checks that exporting that gives the same file.
func checkFreshRoundTrip(t *testing.T, dir, exported string) {
	t.Helper()
	path, fresh := filepath.Join(dir, "round-trip.yaml"), filepath.Join(dir, "fresh")
	writeFile(t, path, exported)
	srv := troveproc.Start(t, troveBin, "http", "--data-dir", fresh, "--config", path)
	again := exportOrg(t, fresh)
	srv.Stop(t)
	if again != exported {
		t.Fatalf("the export of a fresh data directory loaded with the export differs:\n"+
			"%s\nwant\n%s", again, exported)
	}
}

// wantApplied checks the server's log line of the organization file it
// loaded.
func wantApplied(t *testing.T, srv *troveproc.Server, counts string) {
	t.Helper()
	for _, line := range strings.Split(srv.Output(), "\n") {
		if strings.Contains(line, "organization file applied") {
			if !strings.Contains(line, counts) {
				t.Fatalf("want %s, the server logged:\n%s", counts, line)
			}
			return
		}
	}
	t.Fatalf("the server logged no organization file load:\n%s", srv.Output())
}

// addRootKey inserts a root access key into the export's entry of account.
func addRootKey(t *testing.T, exported, account string, k accessKey) string {
	t.Helper()
	entry := "  - id: \"" + account + "\"\n    name: prd\n"
	if !strings.Contains(exported, entry) {
		t.Fatalf("the export has no entry %q:\n%s", entry, exported)
	}
	keys := "    rootAccessKeys:\n      - id: " + k.ID + "\n        secret: \"" + k.Secret +
		"\"\n"
	return strings.Replace(exported, entry, entry+keys, 1)
}

// memberSteps checks what the new account's root may do: create a bucket,
// but not put into it (the OU's SCP), and no Organizations call.
func memberSteps(t *testing.T, c *cli, dir string) {
	file := filepath.Join(dir, "artifact.txt")
	writeFile(t, file, "an artifact\n")
	steps := []step{
		{name: "prd root creates a bucket", profile: "prd-root",
			args: []string{"s3", "mb", "s3://prd-artifacts"}},
		{name: "the SCP denies PutObject", profile: "prd-root",
			args: []string{"s3", "cp", file, "s3://prd-artifacts/a.txt"}, want: "AccessDenied"},
		{name: "a member may not list accounts", profile: "prd-root",
			args: []string{"organizations", "list-accounts"}, want: "AccessDeniedException"},
		{name: "a member may not create an OU", profile: "prd-root",
			args: []string{"organizations", "create-organizational-unit", "--parent-id",
				"r-e2e1", "--name", "x"}, want: "AccessDeniedException"},
		{name: "a member may describe the organization", profile: "prd-root",
			args: []string{"organizations", "describe-organization"}},
		{name: "the management root is not bound by SCPs", profile: "management-root",
			args: []string{"s3", "mb", "s3://management-artifacts"}},
		{name: "the management root puts", profile: "management-root",
			args: []string{"s3", "cp", file, "s3://management-artifacts/a.txt"}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) { s.run(t, c) })
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
