package policy

import (
	"os"
	"path/filepath"
	"testing"
)

const (
	devtools = "111111111111"
	prd      = "222222222222"
	partner  = "333333333333"
	org      = "o-exampleorg"
	bucket   = "arn:aws:s3:::devtools-artifacts"
	object   = "arn:aws:s3:::devtools-artifacts/builds/app.tar.gz"
)

func mustParse(tb testing.TB, doc string, kind Kind) *Policy {
	tb.Helper()
	p, err := Parse([]byte(doc), kind)
	if err != nil {
		tb.Fatalf("Parse: %v", err)
	}
	return p
}

func readTestdata(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func user(account, name string, orgID string) Principal {
	p := Principal{
		Account:  account,
		ARN:      "arn:aws:iam::" + account + ":user/" + name,
		Type:     TypeUser,
		UserID:   "AIDA" + account + name,
		Username: name,
		OrgID:    orgID,
	}
	if orgID != "" {
		p.OrgPaths = []string{orgID + "/r-ab12/ou-ab12-11111111/"}
	}
	return p
}

func root(account string) Principal {
	return Principal{Account: account, ARN: "arn:aws:iam::" + account + ":root", Type: TypeAccount}
}

func session(account, role, name string) Principal {
	return Principal{
		Account: account,
		ARN:     "arn:aws:sts::" + account + ":assumed-role/" + role + "/" + name,
		Type:    TypeAssumedRole,
		UserID:  "AROA" + account + ":" + name,
	}
}

func anonymous() Principal { return Principal{Anonymous: true, Type: TypeAnonymous} }

// ctx builds a Context from key, value pairs.
func ctx(kv ...string) Context {
	c := Context{}
	for i := 0; i+1 < len(kv); i += 2 {
		c.Set(kv[i], kv[i+1])
	}
	return c
}
