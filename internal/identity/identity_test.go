package identity_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/sqlite"
)

// counting is a store that counts the reads a Directory's cache saves.
type counting struct {
	store.Meta
	users, accounts atomic.Int64
}

func (c *counting) GetUser(ctx context.Context, account, name string) (store.User, error) {
	c.users.Add(1)
	return c.Meta.GetUser(ctx, account, name)
}

func (c *counting) ListAccounts(ctx context.Context) ([]store.Account, error) {
	c.accounts.Add(1)
	return c.Meta.ListAccounts(ctx)
}

// load opens a store with testdata/org.yaml applied, edited by the pairs
// of old and new text in edits.
func load(t *testing.T, edits ...string) *counting {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "meta.db"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := os.ReadFile("testdata/org.yaml")
	if err != nil {
		t.Fatal(err)
	}
	data := string(raw)
	for i := 0; i < len(edits); i += 2 {
		if !strings.Contains(data, edits[i]) {
			t.Fatalf("testdata/org.yaml has no %q", edits[i])
		}
		data = strings.ReplaceAll(data, edits[i], edits[i+1])
	}
	f, err := orgfile.Parse([]byte(data), "testdata")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := orgfile.Apply(t.Context(), db, f, "us-east-1"); err != nil {
		t.Fatal(err)
	}
	return &counting{Meta: db}
}

// caller returns the caller principal names, failing the test on error.
func caller(t *testing.T, d *identity.Directory, principal string) *identity.Caller {
	t.Helper()
	c, err := d.CallerByARN(t.Context(), principal)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// scope returns the scope of account, failing the test on error.
func scope(t *testing.T, d *identity.Directory, account string) identity.Scope {
	t.Helper()
	s, err := d.Scope(t.Context(), account)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// levels renders SCP or RCP levels as "level: policy, policy; level: ...".
func levels(lv []policy.Level) string {
	if lv == nil {
		return "nil"
	}
	var parts []string
	for _, l := range lv {
		var names []string
		for _, p := range l.Policies {
			names = append(names, p.Name)
		}
		parts = append(parts, l.Name+": "+strings.Join(names, ", "))
	}
	return strings.Join(parts, "; ")
}

// sources renders the names of policy sources.
func sources(ss []policy.Source) []string {
	var names []string
	for _, s := range ss {
		names = append(names, s.Layer.String()+" "+s.Name)
	}
	return names
}

func TestUserPolicies(t *testing.T) {
	d := identity.New(load(t))
	c, err := d.Resolve(t.Context(), "AKIAIDALICE000000001")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"identity-based policy inline policy publish of user alice",
		"identity-based policy managed policy arn:aws:iam::111111111111:policy/read",
		"identity-based policy managed policy arn:aws:iam::111111111111:policy/limits/cap " +
			"via group auditors",
		"identity-based policy inline policy list of group devs",
		"identity-based policy managed policy arn:aws:iam::111111111111:policy/read " +
			"via group devs",
	}
	if got := sources(c.Policies); !reflect.DeepEqual(got, want) {
		t.Errorf("policies:\n got %q\nwant %q", got, want)
	}
	if c.Boundary == nil || c.Boundary.Layer != policy.LayerBoundary ||
		c.Boundary.Name != "managed policy arn:aws:iam::111111111111:policy/limits/cap" {
		t.Errorf("boundary = %+v", c.Boundary)
	}
	p := c.Principal
	if p.ARN != "arn:aws:iam::111111111111:user/eng/alice" || p.Username != "alice" ||
		!reflect.DeepEqual(p.Tags, map[string]string{"team": "web"}) ||
		p.OrgID != "o-identity001" ||
		!reflect.DeepEqual(p.OrgPaths, []string{"o-identity001/r-id01/ou-id01-platform/"}) {
		t.Errorf("principal = %+v", p)
	}
	if c.Session != nil {
		t.Errorf("session = %v, want nil", c.Session)
	}
}

func TestSCPs(t *testing.T) {
	d := identity.New(load(t))
	tests := []struct {
		name, principal string
		want            string
	}{
		{"user in an OU", "arn:aws:iam::111111111111:user/eng/alice",
			"root r-id01: FullAWSAccess; " +
				"OU ou-id01-platform (platform): FullAWSAccess, deny-delete; " +
				"account 111111111111 (devtools): FullAWSAccess"},
		{"root user in a nested OU", "444444444444", "root r-id01: FullAWSAccess; " +
			"OU ou-id01-platform (platform): FullAWSAccess, deny-delete; " +
			"OU ou-id01-tools000 (tools): FullAWSAccess; account 444444444444 (tools): " +
			"FullAWSAccess"},
		{"account with every SCP detached", "222222222222",
			"root r-id01: FullAWSAccess; account 222222222222 (prd): "},
		{"management account", "999999999999", "nil"},
		{"outside the organization", "arn:aws:iam::333333333333:user/outsider", "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caller(t, d, tt.principal)
			if got := levels(c.SCPs); got != tt.want {
				t.Errorf("SCPs:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestScope(t *testing.T) {
	d := identity.New(load(t))
	tests := []struct {
		name, account string
		org           string
		paths         []string
		rcps          string
	}{
		{"account with its own RCP", "111111111111", "o-identity001",
			[]string{"o-identity001/r-id01/ou-id01-platform/"},
			"root r-id01: RCPFullAWSAccess, deny-external; " +
				"OU ou-id01-platform (platform): RCPFullAWSAccess; " +
				"account 111111111111 (devtools): RCPFullAWSAccess, deny-delete-objects"},
		{"account under the root", "222222222222", "o-identity001",
			[]string{"o-identity001/r-id01/"},
			"root r-id01: RCPFullAWSAccess, deny-external; account 222222222222 (prd): " +
				"RCPFullAWSAccess"},
		{"management account", "999999999999", "o-identity001",
			[]string{"o-identity001/r-id01/"}, "nil"},
		{"outside the organization", "333333333333", "", nil, "nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := scope(t, d, tt.account)
			if s.Account != tt.account || s.OrgID != tt.org ||
				!reflect.DeepEqual(s.OrgPaths, tt.paths) {
				t.Errorf("scope = %+v", s)
			}
			if got := levels(s.RCPs); got != tt.rcps {
				t.Errorf("RCPs:\n got %s\nwant %s", got, tt.rcps)
			}
		})
	}
	s, err := d.Scope(t.Context(), "555555555555")
	if !errors.Is(err, identity.ErrUnknownAccount) || s.Account != "555555555555" {
		t.Errorf("unknown account: %+v, %v", s, err)
	}
}

// TestPolicyTypesDisabled checks that without enabled policy types no SCP
// or RCP applies anywhere.
func TestPolicyTypesDisabled(t *testing.T) {
	m := load(t, "enabledPolicyTypes: [SERVICE_CONTROL_POLICY, RESOURCE_CONTROL_POLICY]",
		"enabledPolicyTypes: []", "scps: [FullAWSAccess, deny-delete]", "scps: []",
		"rcps: [deny-external]", "rcps: []", "rcps: [deny-delete-objects]", "rcps: []")
	d := identity.New(m)
	c := caller(t, d, "arn:aws:iam::111111111111:user/eng/alice")
	s := scope(t, d, "111111111111")
	if c.SCPs != nil || s.RCPs != nil {
		t.Errorf("SCPs %s, RCPs %s; want none", levels(c.SCPs), levels(s.RCPs))
	}
}

func TestCallerByARN(t *testing.T) {
	d := identity.New(load(t))
	tests := []struct {
		name, principal string
		arn             string // of the caller, "" when an error is expected
		unknown         bool   // the error wraps ErrUnknownPrincipal
	}{
		{"account id", "111111111111", "arn:aws:iam::111111111111:root", false},
		{"root ARN", "arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:root", false},
		{"user ARN", "arn:aws:iam::111111111111:user/eng/alice",
			"arn:aws:iam::111111111111:user/eng/alice", false},
		{"user ARN without path", "arn:aws:iam::111111111111:user/bob",
			"arn:aws:iam::111111111111:user/bob", false},
		{"user ARN with the wrong path", "arn:aws:iam::111111111111:user/alice", "", true},
		{"unknown user", "arn:aws:iam::111111111111:user/dave", "", true},
		{"unknown account", "555555555555", "", true},
		{"role ARN", "arn:aws:iam::111111111111:role/admin", "", false},
		{"other partition", "arn:aws-cn:iam::111111111111:root", "", false},
		{"not an ARN", "alice", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := d.CallerByARN(t.Context(), tt.principal)
			switch {
			case tt.arn != "" && err != nil:
				t.Fatalf("err = %v", err)
			case tt.arn != "" && c.Principal.ARN != tt.arn:
				t.Errorf("ARN = %s, want %s", c.Principal.ARN, tt.arn)
			case tt.arn == "" && err == nil:
				t.Errorf("no error")
			case tt.arn == "" && errors.Is(err, identity.ErrUnknownPrincipal) != tt.unknown:
				t.Errorf("err = %v, unknown principal %v", err, tt.unknown)
			}
		})
	}
}

// TestInput checks that Input carries every part of the caller and scope.
func TestInput(t *testing.T) {
	d := identity.New(load(t))
	c := caller(t, d, "arn:aws:iam::111111111111:user/eng/alice")
	s := scope(t, d, "222222222222")
	res := &policy.Source{Layer: policy.LayerResource, Name: "bucket policy of b"}
	in := c.Input(policy.Request{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k"}, res, s)
	r := in.Request
	if r.Principal.ARN != c.Principal.ARN || r.ResourceAccount != "222222222222" ||
		r.ResourceOrgID != "o-identity001" ||
		!reflect.DeepEqual(r.ResourceOrgPaths, s.OrgPaths) || r.Action != "s3:GetObject" {
		t.Errorf("request = %+v", r)
	}
	if len(in.Identity) != len(c.Policies) || in.Boundary != c.Boundary ||
		in.Resource != res || levels(in.SCPs) != levels(c.SCPs) ||
		levels(in.RCPs) != levels(s.RCPs) {
		t.Errorf("input = %+v", in)
	}
}

// TestDecisions evaluates requests through Input: the layers the Directory
// assembles decide as AWS would.
func TestDecisions(t *testing.T) {
	d := identity.New(load(t))
	tests := []struct {
		name, principal, action, owner string
		want                           policy.Effect
	}{
		{"group inline policy grants", "arn:aws:iam::111111111111:user/carol",
			"s3:ListBucket", "111111111111", policy.Allow},
		{"group managed policy grants", "arn:aws:iam::111111111111:user/carol",
			"s3:GetObject", "111111111111", policy.Allow},
		{"no group, no grant", "arn:aws:iam::111111111111:user/bob",
			"s3:ListBucket", "111111111111", policy.ImplicitDeny},
		{"group grant outside the boundary", "arn:aws:iam::111111111111:user/eng/alice",
			"s3:ListBucket", "111111111111", policy.ImplicitDeny},
		{"boundary and identity allow", "arn:aws:iam::111111111111:user/eng/alice",
			"s3:GetObject", "111111111111", policy.Allow},
		{"identity allows, boundary does not", "arn:aws:iam::111111111111:user/eng/alice",
			"s3:PutObject", "111111111111", policy.ImplicitDeny},
		{"SCP on the OU denies the root user", "111111111111", "s3:DeleteBucket",
			"111111111111", policy.ExplicitDeny},
		{"no SCP allows in an account without any", "222222222222", "s3:GetObject",
			"222222222222", policy.ImplicitDeny},
		{"SCPs spare the management account", "999999999999", "s3:DeleteBucket",
			"999999999999", policy.Allow},
		{"RCP on the account denies", "111111111111", "s3:DeleteObject", "111111111111",
			policy.ExplicitDeny},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := caller(t, d, tt.principal)
			s := scope(t, d, tt.owner)
			req := policy.Request{Action: tt.action, Resource: "arn:aws:s3:::b/k"}
			if got := policy.Evaluate(c.Input(req, nil, s)).Effect; got != tt.want {
				t.Errorf("%s: got %v, want %v", tt.action, got, tt.want)
			}
		})
	}
}

// TestCache checks that a Directory reads the store once per identity
// version and sees every change at the next call.
func TestCache(t *testing.T) {
	m := load(t)
	d := identity.New(m)
	ctx := context.Background()
	const alice = "arn:aws:iam::111111111111:user/eng/alice"
	first := caller(t, d, alice)
	scope(t, d, "111111111111")
	users, accounts := m.users.Load(), m.accounts.Load()
	for range 3 {
		caller(t, d, alice)
		scope(t, d, "111111111111")
	}
	if m.users.Load() != users || m.accounts.Load() != accounts {
		t.Errorf("unchanged store read again: %d user and %d account reads, want %d and %d",
			m.users.Load(), m.accounts.Load(), users, accounts)
	}
	if err := m.TagUser(ctx, "111111111111", "alice", map[string]string{"env": "dev"}); err != nil {
		t.Fatal(err)
	}
	c := caller(t, d, alice)
	if c.Principal.Tags["env"] != "dev" || first.Principal.Tags["env"] != "" {
		t.Errorf("tags after TagUser = %v (first %v)", c.Principal.Tags, first.Principal.Tags)
	}
	if err := m.DetachOrgPolicy(ctx, store.OrgAttachment{Type: store.ServiceControlPolicy,
		Policy: "deny-delete", Target: "ou-id01-platform"}); err != nil {
		t.Fatal(err)
	}
	c = caller(t, d, alice)
	if got := levels(c.SCPs); strings.Contains(got, "deny-delete") {
		t.Errorf("SCPs after detaching deny-delete: %s", got)
	}
}

// TestConcurrentUse resolves callers and scopes from several goroutines
// while the store changes under them; run with -race.
func TestConcurrentUse(t *testing.T) {
	m := load(t)
	d := identity.New(m)
	ctx := context.Background()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			tags := map[string]string{"n": strings.Repeat("x", i+1)}
			if err := m.TagUser(ctx, "111111111111", "alice", tags); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	const alice = "arn:aws:iam::111111111111:user/eng/alice"
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			for range 50 {
				if _, err := d.CallerByARN(ctx, alice); err != nil {
					errs <- err
					return
				}
				if _, err := d.Scope(ctx, "111111111111"); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	<-done
	c := caller(t, d, alice)
	if got := c.Principal.Tags["n"]; got != strings.Repeat("x", 20) {
		t.Errorf("tag after the writes = %q", got)
	}
}
