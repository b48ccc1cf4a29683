package storetest

import (
	"errors"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// State is everything a store.Meta holds, as read through the interface, with
// times in UTC.
type State struct {
	Org      store.Organization
	OUs      []store.OU
	Accounts []store.Account
	Users    []store.User
	Keys     []store.AccessKey
	Policies []store.UserPolicy
	Buckets  []store.Bucket
	Objects  []store.Object
}

// Fill stores one record of every kind (several of most) and returns the
// State it expects m to hold afterwards, when m was empty. Calling it again
// puts the same records again.
func Fill(t *testing.T, m store.Meta) State {
	t.Helper()
	var s State
	s.Org = store.Organization{ID: "o-abcdefghij", RootID: "r-abcd", ManagementAccount: account}
	must(t, "PutOrganization", m.PutOrganization(ctx(t), s.Org))
	s.OUs = []store.OU{{ID: "ou-abcd-11111111", Name: "eng", ParentID: "r-abcd"}}
	must(t, "PutOU", m.PutOU(ctx(t), s.OUs[0]))
	s.Accounts = []store.Account{
		{ID: account, Name: "one", ParentID: "ou-abcd-11111111"},
		{ID: other, Name: "two"},
	}
	s.Users = []store.User{{Account: account, Name: "bob", ID: "AIDABOB", Path: "/"}}
	s.Keys = []store.AccessKey{
		{ID: "AKIAROOT", Secret: "root-secret", Account: account, Active: true, Created: at(1, 1)},
		{ID: "AKIABOB", Secret: "bob-secret", Account: account, User: "bob", Created: at(2, 2)},
	}
	s.Policies = []store.UserPolicy{{Account: account, User: "bob", Name: "p",
		Document: []byte(`{"Version":"2012-10-17"}`)}}
	fillIdentities(t, m, s)
	fillBuckets(t, m, &s)
	return s
}

// fillIdentities stores the accounts, users, keys and policies of s.
func fillIdentities(t *testing.T, m store.Meta, s State) {
	t.Helper()
	for _, a := range s.Accounts {
		must(t, "PutAccount", m.PutAccount(ctx(t), a))
	}
	for _, u := range s.Users {
		must(t, "PutUser", m.PutUser(ctx(t), u))
	}
	for _, k := range s.Keys {
		must(t, "PutAccessKey", m.PutAccessKey(ctx(t), k))
	}
	for _, p := range s.Policies {
		must(t, "PutUserPolicy", m.PutUserPolicy(ctx(t), p))
	}
}

// fillBuckets creates two buckets, unless they exist, and stores objects.
func fillBuckets(t *testing.T, m store.Meta, s *State) {
	t.Helper()
	s.Buckets = []store.Bucket{
		{Name: bucket, Owner: account, Region: "us-east-1", Created: at(3, 3)},
		{Name: "bucket-two", Owner: account, Region: "eu-west-1", Created: at(4, 4),
			Policy: []byte(`{"Statement":[]}`)},
	}
	for _, b := range s.Buckets {
		err := m.CreateBucket(ctx(t), b)
		if !errors.Is(err, store.ErrBucketExists) {
			must(t, "CreateBucket", err)
		}
	}
	must(t, "PutBucketPolicy", m.PutBucketPolicy(ctx(t), "bucket-two", s.Buckets[1].Policy))
	bare := store.Object{Bucket: bucket, Key: "bare", BlobID: "b0", ETag: `"e"`,
		LastModified: at(5, 0)}
	s.Objects = []store.Object{bare, object("dir/é", "b1"), object("dir/😀", "b2")}
	for _, o := range s.Objects {
		_, err := m.PutObject(ctx(t), o)
		must(t, "PutObject", err)
	}
}

// Dump reads the State of m through the interface.
func Dump(t *testing.T, m store.Meta) State {
	t.Helper()
	var s State
	var err error
	s.Org, err = m.GetOrganization(ctx(t))
	must(t, "GetOrganization", err)
	s.OUs, err = m.ListOUs(ctx(t))
	must(t, "ListOUs", err)
	s.Accounts, err = m.ListAccounts(ctx(t))
	must(t, "ListAccounts", err)
	for _, a := range s.Accounts {
		dumpAccount(t, m, a.ID, &s)
	}
	return s
}

// dumpAccount adds one account's users, keys, policies, buckets and objects.
func dumpAccount(t *testing.T, m store.Meta, id string, s *State) {
	t.Helper()
	users, err := m.ListUsers(ctx(t), id)
	must(t, "ListUsers", err)
	s.Users = append(s.Users, users...)
	for _, name := range append([]string{""}, userNames(users)...) {
		keys, err := m.ListAccessKeys(ctx(t), id, name)
		must(t, "ListAccessKeys", err)
		for _, k := range keys {
			s.Keys = append(s.Keys, normKey(k))
		}
		if name == "" {
			continue
		}
		ps, err := m.ListUserPolicies(ctx(t), id, name)
		must(t, "ListUserPolicies", err)
		s.Policies = append(s.Policies, ps...)
	}
	buckets, err := m.ListBuckets(ctx(t), id)
	must(t, "ListBuckets", err)
	for _, b := range buckets {
		b.Created = utc(b.Created)
		s.Buckets = append(s.Buckets, b)
		page, err := m.ListObjects(ctx(t), b.Name, store.ListParams{MaxKeys: 1 << 20})
		must(t, "ListObjects", err)
		for _, o := range page.Objects {
			s.Objects = append(s.Objects, normObject(o))
		}
	}
}

// userNames returns the names of users.
func userNames(users []store.User) []string {
	var names []string
	for _, u := range users {
		names = append(names, u.Name)
	}
	return names
}
