package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

// The organization of the issue 6 proof: a copy of the cross-account example with what
// testdata/proof6 adds to it. The example itself stays as published.

const (
	// proof6Dir holds the fragments merged into the example and the policy documents.
	proof6Dir = "testdata/proof6"
	// prdAccount is the example's PRD account, and deliveryAgent its role for the
	// delivery agent that testdata/proof6/prd.yaml declares.
	prdAccount    = "222222222222"
	deliveryAgent = "arn:aws:iam::" + prdAccount + ":role/delivery-agent"
	// agentNamespace and agentServiceAccount name the service account the role trusts.
	agentNamespace, agentServiceAccount = "delivery", "cd-agent"
	// proof6ExternalID is the ExternalId the delegate user must pass to assume the role.
	proof6ExternalID = "prd-delivery-6f1c2a"
	// exampleRoot is the root id testdata/proof6/organization.yaml gives the copy;
	// workloadsOU (prd's unit) and platformOU are the ids proof6Org gives the units.
	exampleRoot = "r-ex01"
	workloadsOU = "ou-ex01-workload"
	platformOU  = "ou-ex01-platform"
)

// yamlMap is a YAML mapping as yaml.v3 decodes it into an interface value.
type yamlMap = map[string]any

// proof6Org writes the example's organization file with the additions of testdata/proof6
// into a temporary directory and returns its path: the OIDC provider of is and the role
// delivery-agent in prd, a user and a bucket in the management account, fixed ids, SCPs
// enabled, and the declared twin account twin-file in the workloads unit.
func proof6Org(t *testing.T, is *oidcissuer.Issuer) string {
	t.Helper()
	vars := proof6Vars(t, is)
	var doc yamlMap
	readYAML(t, exampleOrg, nil, &doc)
	org := doc["organization"].(yamlMap)
	merge(org, fragment(t, "organization.yaml", vars))
	unitIDs := map[string]string{"platform": platformOU, "workloads": workloadsOU}
	for _, u := range org["units"].([]any) {
		unit := u.(yamlMap)
		unit["id"] = unitIDs[unit["name"].(string)]
		if unit["name"] == "workloads" {
			unit["accounts"] = append(unit["accounts"].([]any), twinFileAccount)
		}
	}
	merge(accountEntry(t, doc, "999999999999"), fragment(t, "management.yaml", vars))
	merge(accountEntry(t, doc, prdAccount), fragment(t, "prd.yaml", vars))
	doc["accounts"] = append(doc["accounts"].([]any), fragment(t, "twin-file.yaml", vars))
	policy, err := filepath.Abs(filepath.Join(exampleDir, "bucket-policy.json"))
	if err != nil {
		t.Fatal(err)
	}
	accountEntry(t, doc, "111111111111")["buckets"].([]any)[0].(yamlMap)["policyFile"] = policy
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "organization.yaml")
	writeFile(t, path, string(out))
	return path
}

// proof6Vars are the values of the placeholders in testdata/proof6.
func proof6Vars(t *testing.T, is *oidcissuer.Issuer) map[string]string {
	t.Helper()
	policies, err := filepath.Abs(filepath.Join(proof6Dir, "policies"))
	if err != nil {
		t.Fatal(err)
	}
	return map[string]string{
		"ISSUER":          is.URL,
		"PROVIDER":        strings.TrimPrefix(is.URL, "http://"),
		"EXTERNAL_ID":     proof6ExternalID,
		"POLICIES":        policies,
		"TWIN_FILE_TRUST": deployerTrust(t, is, twinFileAccount),
	}
}

// deployerTrust writes testdata/proof6/policies/deployer-trust.json for account, whose
// OIDC provider is is, into a temporary file and returns its path.
func deployerTrust(t *testing.T, is *oidcissuer.Issuer, account string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(proof6Dir, "policies", "deployer-trust.json"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"ACCOUNT": account,
		"PROVIDER": strings.TrimPrefix(is.URL, "http://")}
	path := filepath.Join(t.TempDir(), "deployer-trust-"+account+".json")
	writeFile(t, path, os.Expand(string(data), func(name string) string { return vars[name] }))
	return path
}

// fragment reads testdata/proof6/name with its placeholders replaced by vars.
func fragment(t *testing.T, name string, vars map[string]string) yamlMap {
	t.Helper()
	var m yamlMap
	readYAML(t, filepath.Join(proof6Dir, name), vars, &m)
	return m
}

// readYAML decodes the YAML file at path into v, after replacing each ${NAME} by
// vars[NAME]; a name vars lacks fails the test.
func readYAML(t *testing.T, path string, vars map[string]string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	text := os.Expand(string(data), func(name string) string {
		val, ok := vars[name]
		if !ok {
			t.Fatalf("%s: no value for ${%s}", path, name)
		}
		return val
	})
	if err := yaml.Unmarshal([]byte(text), v); err != nil {
		t.Fatalf("parse %s: %v", path, err)
	}
}

// merge adds the keys of add to m: a list is appended to m's list of the same key, any
// other value replaces m's.
func merge(m, add yamlMap) {
	for k, v := range add {
		if list, ok := v.([]any); ok {
			if old, ok := m[k].([]any); ok {
				m[k] = append(slices.Clone(old), list...)
				continue
			}
		}
		m[k] = v
	}
}

// accountEntry is the mapping of account id in the organization file doc.
func accountEntry(t *testing.T, doc yamlMap, id string) yamlMap {
	t.Helper()
	for _, a := range doc["accounts"].([]any) {
		if m := a.(yamlMap); m["id"] == id {
			return m
		}
	}
	t.Fatalf("the organization file has no account %s", id)
	return nil
}

// withEnv returns a copy of c whose calls have the variables kv ("NAME=value") in their
// environment besides c's.
func (c *cli) withEnv(kv ...string) *cli {
	return &cli{bin: c.bin, endpoint: c.endpoint, env: append(slices.Clone(c.env), kv...)}
}

// loopbackOnly are proxy variables that make a client fail at once on any address but
// loopback: the environment flows below let the CLI and the SDK find STS themselves,
// and a mistake there must not reach AWS.
var loopbackOnly = []string{"HTTP_PROXY=http://127.0.0.1:9", "HTTPS_PROXY=http://127.0.0.1:9",
	"NO_PROXY=127.0.0.1,localhost"}

// asWebIdentity returns a CLI that takes its credentials as an EKS pod does: the role
// in AWS_ROLE_ARN, the service account token in the file AWS_WEB_IDENTITY_TOKEN_FILE,
// and STS at trove's endpoint (AWS_ENDPOINT_URL_STS). Its HOME is its own: the CLI
// caches the session under ~/.aws/cli/cache, and a session of another test's server
// must not be found there.
func (c *cli) asWebIdentity(t *testing.T, role, token, session string) *cli {
	t.Helper()
	home := t.TempDir()
	path := filepath.Join(home, "token")
	writeFile(t, path, token)
	return c.withEnv(append([]string{"HOME=" + home, "AWS_ROLE_ARN=" + role,
		"AWS_WEB_IDENTITY_TOKEN_FILE=" + path, "AWS_ROLE_SESSION_NAME=" + session,
		"AWS_ENDPOINT_URL_STS=" + c.endpoint, "AWS_REGION=" + region}, loopbackOnly...)...)
}

// agentToken is a service account token of the delivery agent, signed by is.
func agentToken(is *oidcissuer.Issuer) string {
	return is.Token(oidcissuer.Claims{Namespace: agentNamespace,
		ServiceAccount: agentServiceAccount})
}

// assumedRoleARN is the ARN of a session of the delivery agent role.
func assumedRoleARN(session string) string {
	return fmt.Sprintf("arn:aws:sts::%s:assumed-role/delivery-agent/%s", prdAccount, session)
}
