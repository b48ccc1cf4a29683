package storetest

import (
	"context"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// testOrganization checks the one organization record.
func testOrganization(t *testing.T, m store.Meta) {
	_, err := m.GetOrganization(ctx(t))
	wantErr(t, "GetOrganization before Put", err, store.ErrNotFound)

	org := store.Organization{ID: "o-abcdefghij", RootID: "r-abcd", ManagementAccount: account}
	must(t, "PutOrganization", m.PutOrganization(ctx(t), org))
	got, err := m.GetOrganization(ctx(t))
	must(t, "GetOrganization", err)
	wantEqual(t, "GetOrganization", got, org)

	org.RootID = "r-wxyz"
	must(t, "PutOrganization changed", m.PutOrganization(ctx(t), org))
	got, err = m.GetOrganization(ctx(t))
	must(t, "GetOrganization", err)
	wantEqual(t, "GetOrganization after change", got, org)
}

// testOUsAndAccounts checks OUs and accounts, listed by id.
func testOUsAndAccounts(t *testing.T, m store.Meta) {
	ous := []store.OU{
		{ID: "ou-abcd-11111111", Name: "eng", ParentID: "r-abcd"},
		{ID: "ou-abcd-22222222", Name: "ops", ParentID: "ou-abcd-11111111"},
	}
	for _, ou := range []store.OU{ous[1], ous[0]} {
		must(t, "PutOU", m.PutOU(ctx(t), ou))
	}
	gotOUs, err := m.ListOUs(ctx(t))
	must(t, "ListOUs", err)
	wantEqual(t, "ListOUs", gotOUs, ous)

	_, err = m.GetAccount(ctx(t), account)
	wantErr(t, "GetAccount missing", err, store.ErrNotFound)
	accounts := []store.Account{
		{ID: account, Name: "one", ParentID: "ou-abcd-11111111"},
		{ID: other, Name: "two"},
	}
	for _, a := range []store.Account{accounts[1], accounts[0]} {
		must(t, "PutAccount", m.PutAccount(ctx(t), a))
	}
	got, err := m.GetAccount(ctx(t), account)
	must(t, "GetAccount", err)
	wantEqual(t, "GetAccount", got, accounts[0])
	list, err := m.ListAccounts(ctx(t))
	must(t, "ListAccounts", err)
	wantEqual(t, "ListAccounts", list, accounts)

	accounts[1].ParentID = "r-abcd"
	must(t, "PutAccount changed", m.PutAccount(ctx(t), accounts[1]))
	got, err = m.GetAccount(ctx(t), other)
	must(t, "GetAccount", err)
	wantEqual(t, "GetAccount after change", got, accounts[1])
}

// testUsers checks IAM users and that they need their account.
func testUsers(t *testing.T, m store.Meta) {
	bob := store.User{Account: account, Name: "bob", ID: "AIDABOB", Path: "/"}
	wantErr(t, "PutUser without account", m.PutUser(ctx(t), bob), store.ErrNotFound)
	withAccount(t, m)
	alice := store.User{Account: account, Name: "alice", ID: "AIDAALICE", Path: "/team/"}
	carol := store.User{Account: other, Name: "carol", ID: "AIDACAROL", Path: "/"}
	for _, u := range []store.User{bob, alice, carol} {
		must(t, "PutUser", m.PutUser(ctx(t), u))
	}
	checkGetAndList(t, "User", m.GetUser, m.ListUsers, bob, "bob", []store.User{alice, bob})
}

// checkGetAndList checks the Get and List methods of a record kept by
// account and name: get finds want, named name, in account and not in the
// other account, and list returns all for account. kind names the methods.
func checkGetAndList[T any](t *testing.T, kind string,
	get func(ctx context.Context, account, name string) (T, error),
	list func(ctx context.Context, account string) ([]T, error),
	want T, name string, all []T) {
	t.Helper()
	got, err := get(ctx(t), account, name)
	must(t, "Get"+kind, err)
	wantEqual(t, "Get"+kind, got, want)
	_, err = get(ctx(t), other, name)
	wantErr(t, "Get"+kind+" in the wrong account", err, store.ErrNotFound)
	gotAll, err := list(ctx(t), account)
	must(t, "List"+kind+"s", err)
	wantEqual(t, "List"+kind+"s", gotAll, all)
}

// testAccessKeys checks root and user keys, and that they need their owner.
func testAccessKeys(t *testing.T, m store.Meta) {
	root := store.AccessKey{ID: "AKIAROOT", Secret: "s1", Account: account, Active: true,
		Created: at(1, 5)}
	wantErr(t, "PutAccessKey without account", m.PutAccessKey(ctx(t), root), store.ErrNotFound)
	withAccount(t, m)
	user := store.AccessKey{ID: "AKIABOB", Secret: "s2", Account: account, User: "bob",
		Created: at(2, 0)}
	wantErr(t, "PutAccessKey without user", m.PutAccessKey(ctx(t), user), store.ErrNotFound)
	must(t, "PutUser", m.PutUser(ctx(t), store.User{Account: account, Name: "bob", Path: "/"}))
	root2 := store.AccessKey{ID: "AKIAROOT2", Secret: "s3", Account: account, Active: true}
	for _, k := range []store.AccessKey{root2, user, root} {
		must(t, "PutAccessKey", m.PutAccessKey(ctx(t), k))
	}
	got, err := m.GetAccessKey(ctx(t), "AKIAROOT")
	must(t, "GetAccessKey", err)
	wantEqual(t, "GetAccessKey", normKey(got), root)
	_, err = m.GetAccessKey(ctx(t), "AKIANONE")
	wantErr(t, "GetAccessKey missing", err, store.ErrNotFound)

	tests := []struct {
		name, user string
		want       []store.AccessKey
	}{
		{"root user", "", []store.AccessKey{root, root2}},
		{"iam user", "bob", []store.AccessKey{user}},
		{"user without keys", "alice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list, err := m.ListAccessKeys(ctx(t), account, tt.user)
			must(t, "ListAccessKeys", err)
			for i := range list {
				list[i] = normKey(list[i])
			}
			if len(list) != 0 || len(tt.want) != 0 {
				wantEqual(t, "ListAccessKeys", list, tt.want)
			}
		})
	}
	root.Active = false
	must(t, "PutAccessKey deactivate", m.PutAccessKey(ctx(t), root))
	got, err = m.GetAccessKey(ctx(t), "AKIAROOT")
	must(t, "GetAccessKey", err)
	wantEqual(t, "GetAccessKey after change", normKey(got), root)
}

// normKey returns k with its time in UTC.
func normKey(k store.AccessKey) store.AccessKey {
	k.Created = utc(k.Created)
	return k
}

// testUserPolicies checks inline user policies and that they need the user.
func testUserPolicies(t *testing.T, m store.Meta) {
	withAccount(t, m)
	p := store.UserPolicy{Account: account, User: "bob", Name: "read",
		Document: []byte(`{"Version":"2012-10-17","Statement":[]}`)}
	wantErr(t, "PutUserPolicy without user", m.PutUserPolicy(ctx(t), p), store.ErrNotFound)
	must(t, "PutUser", m.PutUser(ctx(t), store.User{Account: account, Name: "bob", Path: "/"}))
	q := store.UserPolicy{Account: account, User: "bob", Name: "admin", Document: []byte(`{}`)}
	must(t, "PutUserPolicy", m.PutUserPolicy(ctx(t), p))
	must(t, "PutUserPolicy", m.PutUserPolicy(ctx(t), q))
	list, err := m.ListUserPolicies(ctx(t), account, "bob")
	must(t, "ListUserPolicies", err)
	wantEqual(t, "ListUserPolicies", list, []store.UserPolicy{q, p})

	p.Document = []byte(`{"Version":"2012-10-17"}`)
	must(t, "PutUserPolicy changed", m.PutUserPolicy(ctx(t), p))
	list, err = m.ListUserPolicies(ctx(t), account, "bob")
	must(t, "ListUserPolicies", err)
	wantEqual(t, "ListUserPolicies after change", list, []store.UserPolicy{q, p})
}

// testPutIdempotent puts every kind of record twice and checks that the
// second put leaves what the first stored, as seen through the interface.
// Backends check their stored rows themselves as well.
func testPutIdempotent(t *testing.T, m store.Meta) {
	want := Fill(t, m)
	Fill(t, m)
	wantEqual(t, "state after putting it all again", Dump(t, m), want)
}
