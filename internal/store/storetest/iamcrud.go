package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// iamCRUDCases are the suite's cases for store.IAMDeletes; RunMeta runs
// them.
var iamCRUDCases = []struct {
	name string
	run  func(t *testing.T, m store.Meta)
}{
	{"DeleteUser", testDeleteUser},
	{"RenameUser", testRenameUser},
	{"DeleteInlinePolicies", testDeleteInline},
	{"DeleteAccessKey", testDeleteAccessKey},
	{"DeleteGroup", testDeleteGroup},
	{"DeleteManagedPolicy", testDeleteManaged},
	{"DeletesBumpIdentityVersion", testDeletesBumpVersion},
}

// withBobLinks gives bob an access key, an inline policy, an attached
// managed policy and a group, each of which keeps him from being deleted.
func withBobLinks(t *testing.T, m store.Meta) {
	t.Helper()
	withUser(t, m)
	must(t, "PutAccessKey", m.PutAccessKey(ctx(t), store.AccessKey{ID: "AKIABOB",
		Secret: "s", Account: account, User: "bob", Active: true, Created: at(1, 0)}))
	must(t, "PutUserPolicy", m.PutUserPolicy(ctx(t), store.UserPolicy{Account: account,
		User: "bob", Name: "inline", Document: doc("i")}))
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), store.ManagedPolicy{
		Account: account, Name: "read", ID: "ANPAREAD", Path: "/", Document: doc("r")}))
	must(t, "AttachUserPolicy", m.AttachUserPolicy(ctx(t), account, "bob", "read"))
	must(t, "PutGroup", m.PutGroup(ctx(t), store.Group{Account: account, Name: "devs",
		ID: "AGPADEVS", Path: "/"}))
	must(t, "AddUserToGroup", m.AddUserToGroup(ctx(t), account, "bob", "devs"))
	must(t, "TagUser", m.TagUser(ctx(t), account, "bob", map[string]string{"k": "v"}))
}

// testDeleteUser checks that a user goes only once nothing but tags depend
// on it, and takes its tags along.
func testDeleteUser(t *testing.T, m store.Meta) {
	wantErr(t, "DeleteUser missing", m.DeleteUser(ctx(t), account, "bob"), store.ErrNotFound)
	withBobLinks(t, m)
	steps := []struct {
		what   string
		remove func() error
	}{
		{"access key", func() error { return m.DeleteAccessKey(ctx(t), "AKIABOB") }},
		{"inline policy", func() error {
			return m.DeleteUserPolicy(ctx(t), account, "bob", "inline")
		}},
		{"attachment", func() error { return m.DetachUserPolicy(ctx(t), account, "bob", "read") }},
		{"membership", func() error {
			return m.RemoveUserFromGroup(ctx(t), account, "bob", "devs")
		}},
	}
	for _, s := range steps {
		wantErr(t, "DeleteUser with "+s.what, m.DeleteUser(ctx(t), account, "bob"),
			store.ErrInUse)
		must(t, "remove "+s.what, s.remove())
	}
	must(t, "DeleteUser", m.DeleteUser(ctx(t), account, "bob"))
	_, err := m.GetUser(ctx(t), account, "bob")
	wantErr(t, "GetUser after DeleteUser", err, store.ErrNotFound)
	wantErr(t, "DeleteUser again", m.DeleteUser(ctx(t), account, "bob"), store.ErrNotFound)
	withUser(t, m)
	tags, err := m.ListUserTags(ctx(t), account, "bob")
	must(t, "ListUserTags", err)
	wantEqual(t, "tags of a user created again", len(tags), 0)
}

// testRenameUser checks that a rename carries every record along.
func testRenameUser(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	must(t, "PutUser", m.PutUser(ctx(t), store.User{Account: account, Name: "eve",
		ID: "AIDAEVE", Path: "/"}))
	wantErr(t, "RenameUser onto eve", m.RenameUser(ctx(t), account, "bob", "eve", "/"),
		store.ErrExists)
	wantErr(t, "RenameUser missing", m.RenameUser(ctx(t), account, "zed", "zoe", "/"),
		store.ErrNotFound)
	must(t, "RenameUser", m.RenameUser(ctx(t), account, "bob", "robert", "/ops/"))
	got, err := m.GetUser(ctx(t), account, "robert")
	must(t, "GetUser", err)
	wantEqual(t, "renamed user", got, store.User{Account: account, Name: "robert",
		ID: "AIDABOB", Path: "/ops/"})
	k, err := m.GetAccessKey(ctx(t), "AKIABOB")
	must(t, "GetAccessKey", err)
	wantEqual(t, "key's user", k.User, "robert")
	ps, err := m.ListUserPolicies(ctx(t), account, "robert")
	must(t, "ListUserPolicies", err)
	wantEqual(t, "inline policies", len(ps), 1)
	att, err := m.ListAttachedUserPolicies(ctx(t), account, "robert")
	must(t, "ListAttachedUserPolicies", err)
	wantEqual(t, "attached policies", len(att), 1)
	gs, err := m.ListGroupsForUser(ctx(t), account, "robert")
	must(t, "ListGroupsForUser", err)
	wantEqual(t, "groups", len(gs), 1)
	tags, err := m.ListUserTags(ctx(t), account, "robert")
	must(t, "ListUserTags", err)
	wantEqual(t, "tags", tags, map[string]string{"k": "v"})
	must(t, "RenameUser path only", m.RenameUser(ctx(t), account, "robert", "robert", "/"))
	got, err = m.GetUser(ctx(t), account, "robert")
	must(t, "GetUser", err)
	wantEqual(t, "path after a move", got.Path, "/")
}

// testDeleteInline checks removing inline policies of users and groups.
func testDeleteInline(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	must(t, "PutGroupPolicy", m.PutGroupPolicy(ctx(t), store.GroupPolicy{Account: account,
		Group: "devs", Name: "g", Document: doc("g")}))
	must(t, "DeleteUserPolicy", m.DeleteUserPolicy(ctx(t), account, "bob", "inline"))
	wantErr(t, "DeleteUserPolicy again", m.DeleteUserPolicy(ctx(t), account, "bob", "inline"),
		store.ErrNotFound)
	must(t, "DeleteGroupPolicy", m.DeleteGroupPolicy(ctx(t), account, "devs", "g"))
	wantErr(t, "DeleteGroupPolicy again", m.DeleteGroupPolicy(ctx(t), account, "devs", "g"),
		store.ErrNotFound)
	ps, err := m.ListGroupPolicies(ctx(t), account, "devs")
	must(t, "ListGroupPolicies", err)
	wantEqual(t, "group policies left", len(ps), 0)
}

// testDeleteAccessKey checks removing keys.
func testDeleteAccessKey(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	must(t, "DeleteAccessKey", m.DeleteAccessKey(ctx(t), "AKIABOB"))
	_, err := m.GetAccessKey(ctx(t), "AKIABOB")
	wantErr(t, "GetAccessKey after delete", err, store.ErrNotFound)
	wantErr(t, "DeleteAccessKey again", m.DeleteAccessKey(ctx(t), "AKIABOB"), store.ErrNotFound)
}

// testDeleteGroup checks that a group goes once it has no members or
// policies, and lists its members while it has them.
func testDeleteGroup(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	members, err := m.ListGroupMembers(ctx(t), account, "devs")
	must(t, "ListGroupMembers", err)
	wantEqual(t, "ListGroupMembers", members, []store.User{{Account: account, Name: "bob",
		ID: "AIDABOB", Path: "/"}})
	must(t, "PutGroupPolicy", m.PutGroupPolicy(ctx(t), store.GroupPolicy{Account: account,
		Group: "devs", Name: "g", Document: doc("g")}))
	must(t, "AttachGroupPolicy", m.AttachGroupPolicy(ctx(t), account, "devs", "read"))
	steps := []func() error{
		func() error { return m.RemoveUserFromGroup(ctx(t), account, "bob", "devs") },
		func() error { return m.DeleteGroupPolicy(ctx(t), account, "devs", "g") },
		func() error { return m.DetachGroupPolicy(ctx(t), account, "devs", "read") },
	}
	for _, step := range steps {
		wantErr(t, "DeleteGroup in use", m.DeleteGroup(ctx(t), account, "devs"), store.ErrInUse)
		must(t, "unlink", step())
	}
	must(t, "DeleteGroup", m.DeleteGroup(ctx(t), account, "devs"))
	wantErr(t, "DeleteGroup again", m.DeleteGroup(ctx(t), account, "devs"), store.ErrNotFound)
}

// testDeleteManaged checks that a managed policy goes once nothing uses it,
// and ListPolicyEntities says who does.
func testDeleteManaged(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	must(t, "AttachGroupPolicy", m.AttachGroupPolicy(ctx(t), account, "devs", "read"))
	must(t, "PutUser", m.PutUser(ctx(t), store.User{Account: account, Name: "eve",
		ID: "AIDAEVE", Path: "/", Boundary: "read"}))
	got, err := m.ListPolicyEntities(ctx(t), account, "read")
	must(t, "ListPolicyEntities", err)
	wantEqual(t, "ListPolicyEntities", got, store.PolicyEntities{Users: []string{"bob"},
		Groups: []string{"devs"}, Boundaries: []string{"eve"}})
	_, err = m.ListPolicyEntities(ctx(t), account, "none")
	wantErr(t, "ListPolicyEntities missing", err, store.ErrNotFound)
	steps := []func() error{
		func() error { return m.DetachUserPolicy(ctx(t), account, "bob", "read") },
		func() error { return m.DetachGroupPolicy(ctx(t), account, "devs", "read") },
		func() error {
			return m.PutUser(ctx(t), store.User{Account: account, Name: "eve", ID: "AIDAEVE",
				Path: "/"})
		},
	}
	for _, step := range steps {
		wantErr(t, "DeleteManagedPolicy in use", m.DeleteManagedPolicy(ctx(t), account, "read"),
			store.ErrInUse)
		must(t, "unlink", step())
	}
	got, err = m.ListPolicyEntities(ctx(t), account, "read")
	must(t, "ListPolicyEntities", err)
	wantEqual(t, "entities of an unused policy", got, store.PolicyEntities{})
	must(t, "DeleteManagedPolicy", m.DeleteManagedPolicy(ctx(t), account, "read"))
	wantErr(t, "DeleteManagedPolicy again", m.DeleteManagedPolicy(ctx(t), account, "read"),
		store.ErrNotFound)
}

// testDeletesBumpVersion checks that removals and renames change the
// identity version, so that caches refresh at the next request.
func testDeletesBumpVersion(t *testing.T, m store.Meta) {
	withBobLinks(t, m)
	changes := []struct {
		what string
		do   func() error
	}{
		{"DeleteUserPolicy", func() error {
			return m.DeleteUserPolicy(ctx(t), account, "bob", "inline")
		}},
		{"RenameUser", func() error { return m.RenameUser(ctx(t), account, "bob", "rob", "/") }},
		{"DetachUserPolicy", func() error {
			return m.DetachUserPolicy(ctx(t), account, "rob", "read")
		}},
		{"RemoveUserFromGroup", func() error {
			return m.RemoveUserFromGroup(ctx(t), account, "rob", "devs")
		}},
		{"DeleteGroup", func() error { return m.DeleteGroup(ctx(t), account, "devs") }},
		{"DeleteManagedPolicy", func() error {
			return m.DeleteManagedPolicy(ctx(t), account, "read")
		}},
		{"DeleteAccessKey", func() error { return m.DeleteAccessKey(ctx(t), "AKIABOB") }},
		{"DeleteUser", func() error { return m.DeleteUser(ctx(t), account, "rob") }},
	}
	for _, c := range changes {
		before, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		must(t, c.what, c.do())
		after, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		if after == before && c.what != "DeleteAccessKey" {
			t.Errorf("%s: the identity version stayed %d", c.what, before)
		}
	}
}
