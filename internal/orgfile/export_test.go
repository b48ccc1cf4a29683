package orgfile_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

// export writes meta's state as an organization file.
func export(t *testing.T, meta store.Meta, secrets bool) string {
	t.Helper()
	var out bytes.Buffer
	err := orgfile.Export(t.Context(), meta, &out, orgfile.ExportOptions{IncludeSecrets: secrets})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	return out.String()
}

// apply parses text as an organization file and applies it to meta.
func apply(t *testing.T, meta store.Meta, text string) orgfile.Changes {
	t.Helper()
	f, err := orgfile.Parse([]byte(text), t.TempDir())
	if err != nil {
		t.Fatalf("the export does not load: %v\n%s", err, text)
	}
	ch, err := orgfile.Apply(t.Context(), meta, f, "us-east-1")
	if err != nil {
		t.Fatalf("Apply of the export: %v", err)
	}
	return ch
}

// loaded returns a fresh store with the organization file at path applied.
func loaded(t *testing.T, path string) store.Meta {
	t.Helper()
	meta := openMeta(t)
	f, err := orgfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgfile.Apply(t.Context(), meta, f, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	return meta
}

// TestExportRoundTrip exports stores loaded from organization files and
// checks the golden output, that loading the export into a fresh store and
// exporting again gives the same bytes, and that applying the export to
// the store it came from changes nothing.
func TestExportRoundTrip(t *testing.T) {
	tests := []struct {
		name, file string
		secrets    bool
	}{
		{"guardrails", "testdata/guardrails.yaml", true},
		{"cross-account", "../../examples/cross-account/organization.yaml", true},
		{"cross-account without secrets", "../../examples/cross-account/organization.yaml",
			false},
		{"roles", "testdata/roles.yaml", true},
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			meta := loaded(t, tt.file)
			got := export(t, meta, tt.secrets)
			golden := filepath.Join("testdata", "export-"+strings.ReplaceAll(tt.name, " ",
				"-")+".golden")
			// A JWKS file is written by its absolute path, which the golden
			// file spells from the test data directory.
			testutil.Golden(t, golden, strings.ReplaceAll(got, testdata, "TESTDATA"), *update)
			if ch := apply(t, meta, got); ch.Total() != 0 {
				t.Errorf("applying the export to its own store changed %+v", ch)
			}
			if !tt.secrets {
				return // a fresh store gets no keys, so its export names none
			}
			fresh := openMeta(t)
			apply(t, fresh, got)
			if again := export(t, fresh, tt.secrets); again != got {
				t.Errorf("export of the reloaded export differs:\n%s", again)
			}
		})
	}
}

// TestExportKeepsDocuments checks that documents written by an API, in
// any JSON layout, come back byte for byte: applying the export changes
// nothing.
func TestExportKeepsDocuments(t *testing.T) {
	meta := loaded(t, "testdata/guardrails.yaml")
	ctx := t.Context()
	pretty := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": " +
		"\"Deny\", \"Action\": \"s3:PutObject\", \"Resource\": \"*\"}\n  ]\n}\n"
	err := meta.PutOrgPolicy(ctx, store.OrgPolicy{Type: store.ServiceControlPolicy,
		Name: "pretty", ID: "p-pretty00", Document: []byte(pretty)})
	if err != nil {
		t.Fatal(err)
	}
	accounts, err := meta.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = meta.PutManagedPolicy(ctx, store.ManagedPolicy{Account: accounts[0].ID,
		Name: "tabs", ID: "ANPATABS", Path: "/x/", Document: []byte(
			"{\"Version\":\"2012-10-17\",\t\"Statement\":[{\"Effect\":\"Allow\"," +
				"\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}  ")})
	if err != nil {
		t.Fatal(err)
	}
	got := export(t, meta, true)
	if ch := apply(t, meta, got); ch.Total() != 0 {
		t.Errorf("applying the export changed %+v:\n%s", ch, got)
	}
	fresh := openMeta(t)
	apply(t, fresh, got)
	if again := export(t, fresh, true); again != got {
		t.Errorf("export of the reloaded export differs:\n%s\nwant\n%s", again, got)
	}
}

// TestExportWithoutSecrets checks that no secret is written by default and
// that the key ids are named in a comment.
func TestExportWithoutSecrets(t *testing.T) {
	const file = "../../examples/cross-account/organization.yaml"
	meta := loaded(t, file)
	got := export(t, meta, false)
	keys, err := meta.ListAccessKeys(t.Context(), "999999999999", "")
	if err != nil || len(keys) == 0 {
		t.Fatalf("keys of the management account: %v %v", keys, err)
	}
	for _, k := range keys {
		if strings.Contains(got, k.Secret) {
			t.Errorf("the export holds the secret of %s", k.ID)
		}
		if !strings.Contains(got, k.ID) {
			t.Errorf("the export does not name key %s", k.ID)
		}
	}
	if strings.Contains(got, "secret:") {
		t.Errorf("the export has a secret field:\n%s", got)
	}
}

// TestExportRoles checks that roles and OIDC providers written by the IAM
// API, with documents in any JSON layout, come back as they are: applying
// the export to their store changes nothing, and a fresh store loaded from
// it exports the same bytes.
func TestExportRoles(t *testing.T) {
	meta := loaded(t, "testdata/roles.yaml")
	ctx := t.Context()
	const account = "222222222222"
	trust := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [{\"Effect\": \"Allow\", " +
		"\"Principal\": {\"AWS\": \"arn:aws:iam::222222222222:user/ci\"}, " +
		"\"Action\": \"sts:AssumeRole\"}]\n}\n"
	writes := []struct {
		name  string
		write func() error
	}{
		{"PutRole", func() error {
			return meta.PutRole(ctx, store.Role{Account: account, Name: "api", ID: "AROAAPI",
				Path: "/", TrustPolicy: []byte(trust), MaxSessionDuration: 3600,
				Created: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
		}},
		{"PutRolePolicy", func() error {
			return meta.PutRolePolicy(ctx, store.RolePolicy{Account: account, Role: "api",
				Name: "tabs", Document: []byte("{\"Version\":\"2012-10-17\",\t\"Statement\":" +
					"[{\"Effect\":\"Allow\",\"Action\":\"s3:Get*\",\"Resource\":\"*\"}]}")})
		}},
		{"AttachRolePolicy", func() error {
			return meta.AttachRolePolicy(ctx, account, "api", "cap")
		}},
		{"PutOIDCProvider", func() error {
			return meta.PutOIDCProvider(ctx, store.OIDCProvider{Account: account,
				URL: "http://127.0.0.1:9090/issuer", ClientIDs: []string{"a", "b"},
				JWKSURL: "http://127.0.0.1:9090/issuer/keys"})
		}},
	}
	for _, w := range writes {
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
	}
	got := export(t, meta, true)
	for _, want := range []string{"- name: api\n", "maxSessionDuration: 3600",
		"url: http://127.0.0.1:9090/issuer\n", "jwksUrl: http://127.0.0.1:9090/issuer/keys"} {
		if !strings.Contains(got, want) {
			t.Errorf("the export lacks %q:\n%s", want, got)
		}
	}
	if ch := apply(t, meta, got); ch.Total() != 0 {
		t.Errorf("applying the export changed %+v:\n%s", ch, got)
	}
	fresh := openMeta(t)
	apply(t, fresh, got)
	if again := export(t, fresh, true); again != got {
		t.Errorf("export of the reloaded export differs:\n%s\nwant\n%s", again, got)
	}
}

// TestExportDefaultVersion checks that export writes a managed policy's
// default version only, that applying the export keeps the versions, and
// that a document the file changes becomes a new default version.
func TestExportDefaultVersion(t *testing.T) {
	meta := loaded(t, "testdata/guardrails.yaml")
	ctx := t.Context()
	accounts, err := meta.ListAccounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := accounts[0].ID
	allow := func(action string) []byte {
		return []byte(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` +
			action + `","Resource":"*"}]}`)
	}
	err = meta.PutManagedPolicy(ctx, store.ManagedPolicy{Account: a, Name: "versioned",
		ID: "ANPAVERSIONED", Path: "/", Document: allow("s3:GetObjectAcl")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := meta.CreatePolicyVersion(ctx, a, "versioned", allow("s3:GetObjectTagging"),
		false); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name       string
		change     func() error
		want, lack string
		versions   string
	}{
		{"non-default version not exported", func() error { return nil },
			"s3:GetObjectAcl", "s3:GetObjectTagging", "v1* v2"},
		{"new default exported", func() error {
			return meta.SetDefaultPolicyVersion(ctx, a, "versioned", "v2")
		}, "s3:GetObjectTagging", "s3:GetObjectAcl", "v1 v2*"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if err := s.change(); err != nil {
				t.Fatal(err)
			}
			got := export(t, meta, true)
			if !strings.Contains(got, s.want) || strings.Contains(got, s.lack) {
				t.Fatalf("export has not %s alone:\n%s", s.want, got)
			}
			if ch := apply(t, meta, got); ch.Total() != 0 {
				t.Errorf("applying the export changed %+v", ch)
			}
			wantVersions(t, meta, a, s.versions)
		})
	}
	t.Run("a changed document becomes the default", func(t *testing.T) {
		edited := strings.ReplaceAll(export(t, meta, true), "s3:GetObjectTagging",
			"s3:GetObjectVersion")
		if ch := apply(t, meta, edited); ch.Total() != 1 {
			t.Errorf("applying the edited file changed %+v, want one policy", ch)
		}
		wantVersions(t, meta, a, "v1 v2 v3*")
	})
}

// wantVersions checks the versions of the policy "versioned" of account a:
// their ids, the default marked with a star.
func wantVersions(t *testing.T, meta store.Meta, a, want string) {
	t.Helper()
	vs, err := meta.ListPolicyVersions(t.Context(), a, "versioned")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, v := range vs {
		if v.Default {
			v.ID += "*"
		}
		got = append(got, v.ID)
	}
	if strings.Join(got, " ") != want {
		t.Errorf("versions %v, want %s", got, want)
	}
}
