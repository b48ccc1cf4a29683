package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// roleCases are the Roles suites, run by RunMeta.
var roleCases = []struct {
	name string
	run  func(t *testing.T, m store.Meta)
}{
	{"Roles", testRoles},
	{"RolePolicies", testRolePolicies},
	{"RoleAttachedPolicies", testRoleAttached},
	{"RolePolicyEntities", testRolePolicyEntities},
	{"RoleIdentityVersion", testRoleVersion},
	{"SessionKeys", testSessionKeys},
}

// deployer returns the fixture role, with every field set.
func deployer() store.Role {
	return store.Role{Account: account, Name: "deployer", ID: "AROADEPLOYER0000000",
		Path: "/ci/", TrustPolicy: doc("trust"), MaxSessionDuration: 7200,
		Tags: map[string]string{"team": "web"}, Description: "deploys charts",
		Created: at(10, 5)}
}

// testRoles checks creating, replacing, listing and deleting roles.
func testRoles(t *testing.T, m store.Meta) {
	r := deployer()
	wantErr(t, "PutRole without account", m.PutRole(ctx(t), r), store.ErrNotFound)
	withAccount(t, m)
	r.Boundary = "cap"
	wantErr(t, "PutRole with a missing boundary", m.PutRole(ctx(t), r), store.ErrNotFound)
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: account, Name: "cap", ID: "ANPACAP", Path: "/", Document: doc("c")}))
	must(t, "PutRole", m.PutRole(ctx(t), r))
	plain := store.Role{Account: account, Name: "auditor", ID: "AROAAUDITOR00000000",
		Path: "/", TrustPolicy: doc("t2")}
	must(t, "PutRole", m.PutRole(ctx(t), plain))
	got, err := m.GetRole(ctx(t), account, "deployer")
	must(t, "GetRole", err)
	got.Created = utc(got.Created)
	wantEqual(t, "GetRole", got, r)
	wantEqual(t, "ARN", got.ARN(), "arn:aws:iam::"+account+":role/ci/deployer")
	wantEqual(t, "MaxSession of a role without one", plain.MaxSession().Seconds(), 3600.0)
	_, err = m.GetRole(ctx(t), other, "deployer")
	wantErr(t, "GetRole in another account", err, store.ErrNotFound)

	r.Tags, r.Boundary, r.TrustPolicy = nil, "", doc("trust2")
	must(t, "PutRole changed", m.PutRole(ctx(t), r))
	list, err := m.ListRoles(ctx(t), account)
	must(t, "ListRoles", err)
	for i := range list {
		list[i].Created = utc(list[i].Created)
	}
	wantEqual(t, "ListRoles", list, []store.Role{plain, r})

	must(t, "DeleteRole", m.DeleteRole(ctx(t), account, "deployer"))
	wantErr(t, "DeleteRole again", m.DeleteRole(ctx(t), account, "deployer"), store.ErrNotFound)
	_, err = m.GetRole(ctx(t), account, "deployer")
	wantErr(t, "GetRole after delete", err, store.ErrNotFound)
}

// testRolePolicies checks inline role policies, and that deleting a role
// removes them.
func testRolePolicies(t *testing.T, m store.Meta) {
	withAccount(t, m)
	p := store.RolePolicy{Account: account, Role: "deployer", Name: "write", Document: doc("w")}
	wantErr(t, "PutRolePolicy without role", m.PutRolePolicy(ctx(t), p), store.ErrNotFound)
	must(t, "PutRole", m.PutRole(ctx(t), deployer()))
	q := store.RolePolicy{Account: account, Role: "deployer", Name: "read", Document: doc("r")}
	must(t, "PutRolePolicy", m.PutRolePolicy(ctx(t), p))
	must(t, "PutRolePolicy", m.PutRolePolicy(ctx(t), q))
	p.Document = doc("w2")
	must(t, "PutRolePolicy changed", m.PutRolePolicy(ctx(t), p))
	ps, err := m.ListRolePolicies(ctx(t), account, "deployer")
	must(t, "ListRolePolicies", err)
	wantEqual(t, "ListRolePolicies", ps, []store.RolePolicy{q, p})
	must(t, "DeleteRolePolicy", m.DeleteRolePolicy(ctx(t), account, "deployer", "read"))
	wantErr(t, "DeleteRolePolicy again", m.DeleteRolePolicy(ctx(t), account, "deployer",
		"read"), store.ErrNotFound)
	must(t, "DeleteRole", m.DeleteRole(ctx(t), account, "deployer"))
	must(t, "PutRole again", m.PutRole(ctx(t), deployer()))
	ps, err = m.ListRolePolicies(ctx(t), account, "deployer")
	must(t, "ListRolePolicies", err)
	wantEqual(t, "policies of a role deleted and created again", len(ps), 0)
}

// testRoleAttached checks managed policy attachments to roles.
func testRoleAttached(t *testing.T, m store.Meta) {
	withAccount(t, m)
	must(t, "PutRole", m.PutRole(ctx(t), deployer()))
	read := store.ManagedPolicy{Account: account, Name: "read", ID: "ANPAREAD", Path: "/",
		Document: doc("read")}
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), read))
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: other, Name: "foreign", ID: "ANPAFOREIGN", Path: "/", Document: doc("f")}))
	wantErr(t, "attach another account's policy",
		m.AttachRolePolicy(ctx(t), account, "deployer", "foreign"), store.ErrNotFound)
	wantErr(t, "attach to a missing role",
		m.AttachRolePolicy(ctx(t), account, "nobody", "read"), store.ErrNotFound)
	must(t, "AttachRolePolicy", m.AttachRolePolicy(ctx(t), account, "deployer", "read"))
	must(t, "AttachRolePolicy again", m.AttachRolePolicy(ctx(t), account, "deployer", "read"))
	list, err := m.ListAttachedRolePolicies(ctx(t), account, "deployer")
	must(t, "ListAttachedRolePolicies", err)
	wantEqual(t, "ListAttachedRolePolicies", list, []store.ManagedPolicy{read})
	must(t, "DetachRolePolicy", m.DetachRolePolicy(ctx(t), account, "deployer", "read"))
	wantErr(t, "DetachRolePolicy again",
		m.DetachRolePolicy(ctx(t), account, "deployer", "read"), store.ErrNotFound)
	must(t, "AttachRolePolicy", m.AttachRolePolicy(ctx(t), account, "deployer", "read"))
	must(t, "DeleteRole with an attachment", m.DeleteRole(ctx(t), account, "deployer"))
}

// testRolePolicyEntities checks that roles using a managed policy, as an
// attachment or as their boundary, are listed and keep it from deletion.
func testRolePolicyEntities(t *testing.T, m store.Meta) {
	withAccount(t, m)
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: account, Name: "cap", ID: "ANPACAP", Path: "/", Document: doc("c")}))
	bounded := deployer()
	bounded.Boundary = "cap"
	must(t, "PutRole", m.PutRole(ctx(t), bounded))
	attached := store.Role{Account: account, Name: "auditor", ID: "AROAAUDITOR00000000",
		Path: "/", TrustPolicy: doc("t")}
	must(t, "PutRole", m.PutRole(ctx(t), attached))
	must(t, "AttachRolePolicy", m.AttachRolePolicy(ctx(t), account, "auditor", "cap"))
	got, err := m.ListPolicyEntities(ctx(t), account, "cap")
	must(t, "ListPolicyEntities", err)
	wantEqual(t, "ListPolicyEntities", got, store.PolicyEntities{
		Roles: []string{"auditor"}, RoleBoundaries: []string{"deployer"}})
	steps := []func() error{
		func() error { return m.DetachRolePolicy(ctx(t), account, "auditor", "cap") },
		func() error { return m.PutRole(ctx(t), deployer()) },
	}
	for _, step := range steps {
		wantErr(t, "DeleteManagedPolicy in use", m.DeleteManagedPolicy(ctx(t), account, "cap"),
			store.ErrInUse)
		must(t, "unlink", step())
	}
	must(t, "DeleteManagedPolicy", m.DeleteManagedPolicy(ctx(t), account, "cap"))
}

// testRoleVersion checks that role changes change the identity version and
// that an equal PutRole and session keys do not.
func testRoleVersion(t *testing.T, m store.Meta) {
	withAccount(t, m)
	version := func() uint64 {
		v, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		return v
	}
	v0 := version()
	must(t, "PutRole", m.PutRole(ctx(t), deployer()))
	v1 := version()
	if v1 == v0 {
		t.Errorf("PutRole left the identity version at %d", v0)
	}
	must(t, "PutRole unchanged", m.PutRole(ctx(t), deployer()))
	must(t, "AddSessionKey", m.AddSessionKey(ctx(t), store.SessionKey{ID: 1,
		Secret: make([]byte, 32), Created: at(1, 0)}))
	if v := version(); v != v1 {
		t.Errorf("an unchanged PutRole or a session key moved the identity version %d to %d",
			v1, v)
	}
	must(t, "DeleteRole", m.DeleteRole(ctx(t), account, "deployer"))
	if version() == v1 {
		t.Errorf("DeleteRole left the identity version at %d", v1)
	}
}

// testSessionKeys checks that session keys list newest first and that
// adding an id again keeps the first key.
func testSessionKeys(t *testing.T, m store.Meta) {
	ks, err := m.SessionKeys(ctx(t))
	must(t, "SessionKeys", err)
	wantEqual(t, "keys of a new store", len(ks), 0)
	one := store.SessionKey{ID: 1, Secret: []byte("0123456789abcdef0123456789abcdef"),
		Created: at(1, 0)}
	two := store.SessionKey{ID: 2, Secret: []byte("fedcba9876543210fedcba9876543210"),
		Created: at(2, 0)}
	must(t, "AddSessionKey", m.AddSessionKey(ctx(t), one))
	must(t, "AddSessionKey", m.AddSessionKey(ctx(t), two))
	loser := one
	loser.Secret = []byte("another secret for the same id!!")
	must(t, "AddSessionKey with a taken id", m.AddSessionKey(ctx(t), loser))
	ks, err = m.SessionKeys(ctx(t))
	must(t, "SessionKeys", err)
	for i := range ks {
		ks[i].Created = utc(ks[i].Created)
	}
	wantEqual(t, "SessionKeys", ks, []store.SessionKey{two, one})
}
