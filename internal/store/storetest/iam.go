package storetest

import (
	"context"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// doc returns a distinct policy document.
func doc(sid string) []byte {
	return []byte(`{"Version":"2012-10-17","Statement":[{"Sid":"` + sid + `"}]}`)
}

// withUser stores the fixture accounts and user bob in account.
func withUser(t *testing.T, m store.Meta) {
	t.Helper()
	withAccount(t, m)
	must(t, "PutUser", m.PutUser(ctx(t), store.User{Account: account, Name: "bob",
		ID: "AIDABOB", Path: "/"}))
}

// testManagedPolicies checks customer managed policies and their ARNs.
func testManagedPolicies(t *testing.T, m store.Meta) {
	read := store.ManagedPolicy{Account: account, Name: "read", ID: "ANPAREAD", Path: "/team/",
		Document: doc("read")}
	wantErr(t, "PutManagedPolicy without account", m.PutManagedPolicy(ctx(t), read),
		store.ErrNotFound)
	withAccount(t, m)
	admin := store.ManagedPolicy{Account: account, Name: "admin", ID: "ANPAADMIN", Path: "/",
		Document: doc("admin")}
	elsewhere := store.ManagedPolicy{Account: other, Name: "read", ID: "ANPAOTHER", Path: "/",
		Document: doc("other")}
	for _, p := range []store.ManagedPolicy{read, admin, elsewhere} {
		must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), p))
	}
	got, err := m.GetManagedPolicy(ctx(t), account, "read")
	must(t, "GetManagedPolicy", err)
	wantEqual(t, "GetManagedPolicy", got, read)
	wantEqual(t, "ARN", got.ARN(), "arn:aws:iam::"+account+":policy/team/read")
	_, err = m.GetManagedPolicy(ctx(t), account, "none")
	wantErr(t, "GetManagedPolicy missing", err, store.ErrNotFound)
	list, err := m.ListManagedPolicies(ctx(t), account)
	must(t, "ListManagedPolicies", err)
	wantEqual(t, "ListManagedPolicies", list, []store.ManagedPolicy{admin, read})

	read.Document, read.Path = doc("read2"), "/"
	must(t, "PutManagedPolicy changed", m.PutManagedPolicy(ctx(t), read))
	got, err = m.GetManagedPolicy(ctx(t), account, "read")
	must(t, "GetManagedPolicy", err)
	wantEqual(t, "GetManagedPolicy after change", got, read)
}

// testGroups checks groups and their inline policies.
func testGroups(t *testing.T, m store.Meta) {
	devs := store.Group{Account: account, Name: "devs", ID: "AGPADEVS", Path: "/eng/"}
	wantErr(t, "PutGroup without account", m.PutGroup(ctx(t), devs), store.ErrNotFound)
	withAccount(t, m)
	ops := store.Group{Account: account, Name: "ops", ID: "AGPAOPS", Path: "/"}
	for _, g := range []store.Group{ops, devs} {
		must(t, "PutGroup", m.PutGroup(ctx(t), g))
	}
	checkGetAndList(t, "Group", m.GetGroup, m.ListGroups, devs, "devs", []store.Group{devs, ops})

	p := store.GroupPolicy{Account: account, Group: "devs", Name: "read", Document: doc("r")}
	q := store.GroupPolicy{Account: account, Group: "devs", Name: "deploy", Document: doc("d")}
	missingGroup := store.GroupPolicy{Account: account, Group: "qa", Name: "x", Document: doc("")}
	wantErr(t, "PutGroupPolicy without group", m.PutGroupPolicy(ctx(t), missingGroup),
		store.ErrNotFound)
	must(t, "PutGroupPolicy", m.PutGroupPolicy(ctx(t), p))
	must(t, "PutGroupPolicy", m.PutGroupPolicy(ctx(t), q))
	p.Document = doc("r2")
	must(t, "PutGroupPolicy changed", m.PutGroupPolicy(ctx(t), p))
	ps, err := m.ListGroupPolicies(ctx(t), account, "devs")
	must(t, "ListGroupPolicies", err)
	wantEqual(t, "ListGroupPolicies", ps, []store.GroupPolicy{q, p})
}

// testMemberships checks adding users to groups and removing them.
func testMemberships(t *testing.T, m store.Meta) {
	withUser(t, m)
	devs := store.Group{Account: account, Name: "devs", ID: "AGPADEVS", Path: "/"}
	ops := store.Group{Account: account, Name: "ops", ID: "AGPAOPS", Path: "/"}
	wantErr(t, "AddUserToGroup without group", m.AddUserToGroup(ctx(t), account, "bob", "devs"),
		store.ErrNotFound)
	must(t, "PutGroup", m.PutGroup(ctx(t), devs))
	must(t, "PutGroup", m.PutGroup(ctx(t), ops))
	wantErr(t, "AddUserToGroup without user", m.AddUserToGroup(ctx(t), account, "eve", "devs"),
		store.ErrNotFound)
	for _, g := range []string{"ops", "devs", "ops"} {
		must(t, "AddUserToGroup", m.AddUserToGroup(ctx(t), account, "bob", g))
	}
	gs, err := m.ListGroupsForUser(ctx(t), account, "bob")
	must(t, "ListGroupsForUser", err)
	wantEqual(t, "ListGroupsForUser", gs, []store.Group{devs, ops})

	must(t, "RemoveUserFromGroup", m.RemoveUserFromGroup(ctx(t), account, "bob", "ops"))
	wantErr(t, "RemoveUserFromGroup again", m.RemoveUserFromGroup(ctx(t), account, "bob", "ops"),
		store.ErrNotFound)
	gs, err = m.ListGroupsForUser(ctx(t), account, "bob")
	must(t, "ListGroupsForUser", err)
	wantEqual(t, "ListGroupsForUser after removal", gs, []store.Group{devs})
}

// attacher is a kind of principal that managed policies attach to, with
// the store's methods for it and the fixture principal the suite uses.
type attacher struct {
	kind, name string
	attach     func(store.Meta, context.Context, string, string, string) error
	detach     func(store.Meta, context.Context, string, string, string) error
	list       func(store.Meta, context.Context, string, string) ([]store.ManagedPolicy, error)
}

var attachers = []attacher{
	{"user", "bob", store.Meta.AttachUserPolicy, store.Meta.DetachUserPolicy,
		store.Meta.ListAttachedUserPolicies},
	{"group", "devs", store.Meta.AttachGroupPolicy, store.Meta.DetachGroupPolicy,
		store.Meta.ListAttachedGroupPolicies},
}

// testAttachedPolicies checks managed policy attachments to users and
// groups: they need the policy in the same account, list with documents,
// and detach once.
func testAttachedPolicies(t *testing.T, m store.Meta) {
	withUser(t, m)
	must(t, "PutGroup", m.PutGroup(ctx(t), store.Group{Account: account, Name: "devs",
		ID: "AGPADEVS", Path: "/"}))
	read := store.ManagedPolicy{Account: account, Name: "read", ID: "ANPAREAD", Path: "/",
		Document: doc("read")}
	admin := store.ManagedPolicy{Account: account, Name: "admin", ID: "ANPAADMIN", Path: "/x/",
		Document: doc("admin")}
	foreign := store.ManagedPolicy{Account: other, Name: "foreign", ID: "ANPAFOREIGN",
		Path: "/", Document: doc("foreign")}
	for _, p := range []store.ManagedPolicy{read, admin, foreign} {
		must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), p))
	}
	for _, a := range attachers {
		t.Run(a.kind, func(t *testing.T) {
			attach := func(p string) error { return a.attach(m, ctx(t), account, a.name, p) }
			detach := func(p string) error { return a.detach(m, ctx(t), account, a.name, p) }
			wantErr(t, "attach a missing policy", attach("none"), store.ErrNotFound)
			wantErr(t, "attach another account's policy", attach("foreign"), store.ErrNotFound)
			for _, p := range []string{"read", "admin", "read"} {
				must(t, "attach", attach(p))
			}
			list, err := a.list(m, ctx(t), account, a.name)
			must(t, "list", err)
			wantEqual(t, "list", list, []store.ManagedPolicy{admin, read})
			must(t, "detach", detach("admin"))
			wantErr(t, "detach again", detach("admin"), store.ErrNotFound)
			list, err = a.list(m, ctx(t), account, a.name)
			must(t, "list", err)
			wantEqual(t, "list after detach", list, []store.ManagedPolicy{read})
		})
	}
}

// testBoundary checks a user's permissions boundary, which must name a
// managed policy of the user's account.
func testBoundary(t *testing.T, m store.Meta) {
	withAccount(t, m)
	bob := store.User{Account: account, Name: "bob", ID: "AIDABOB", Path: "/", Boundary: "cap"}
	wantErr(t, "PutUser with a missing boundary", m.PutUser(ctx(t), bob), store.ErrNotFound)
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: other, Name: "cap", ID: "ANPAOTHER", Path: "/", Document: doc("o")}))
	wantErr(t, "PutUser with another account's boundary", m.PutUser(ctx(t), bob),
		store.ErrNotFound)
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: account, Name: "cap", ID: "ANPACAP", Path: "/", Document: doc("c")}))
	must(t, "PutUser", m.PutUser(ctx(t), bob))
	got, err := m.GetUser(ctx(t), account, "bob")
	must(t, "GetUser", err)
	wantEqual(t, "GetUser", got, bob)
	bob.Boundary = ""
	must(t, "PutUser without boundary", m.PutUser(ctx(t), bob))
	list, err := m.ListUsers(ctx(t), account)
	must(t, "ListUsers", err)
	wantEqual(t, "ListUsers after removing the boundary", list, []store.User{bob})
}

// testUserTags checks tagging and untagging users.
func testUserTags(t *testing.T, m store.Meta) {
	wantErr(t, "TagUser without user",
		m.TagUser(ctx(t), account, "bob", map[string]string{"k": "v"}), store.ErrNotFound)
	withUser(t, m)
	tags, err := m.ListUserTags(ctx(t), account, "bob")
	must(t, "ListUserTags", err)
	wantEqual(t, "tags of an untagged user", len(tags), 0)
	must(t, "TagUser", m.TagUser(ctx(t), account, "bob",
		map[string]string{"team": "web", "env": "dev", "empty": ""}))
	must(t, "TagUser", m.TagUser(ctx(t), account, "bob", map[string]string{"env": "prd"}))
	must(t, "UntagUser", m.UntagUser(ctx(t), account, "bob", []string{"team", "absent"}))
	tags, err = m.ListUserTags(ctx(t), account, "bob")
	must(t, "ListUserTags", err)
	wantEqual(t, "ListUserTags", tags, map[string]string{"env": "prd", "empty": ""})
	// Keys compare regardless of case: the last write's case stays.
	must(t, "TagUser", m.TagUser(ctx(t), account, "bob", map[string]string{"ENV": "stg"}))
	tags, err = m.ListUserTags(ctx(t), account, "bob")
	must(t, "ListUserTags", err)
	wantEqual(t, "tags after a case variant", tags, map[string]string{"ENV": "stg", "empty": ""})
	must(t, "UntagUser", m.UntagUser(ctx(t), account, "bob", []string{"Env", "EMPTY"}))
	tags, err = m.ListUserTags(ctx(t), account, "bob")
	must(t, "ListUserTags", err)
	wantEqual(t, "tags untagged in another case", len(tags), 0)
}
