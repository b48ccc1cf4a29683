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

	Managed       []store.ManagedPolicy
	Groups        []store.Group
	GroupPolicies []store.GroupPolicy
	// Members, UserAttached and GroupAttached map "account/user" or
	// "account/group" to group or policy names; Tags "account/user" to tags.
	Members       map[string][]string
	UserAttached  map[string][]string
	GroupAttached map[string][]string
	Tags          map[string]map[string]string
	PolicyTypes   []store.PolicyType
	OrgPolicies   []store.OrgPolicy
	OrgAttached   []store.OrgAttachment
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
	s.Users = []store.User{{Account: account, Name: "bob", ID: "AIDABOB", Path: "/",
		Boundary: "cap"}}
	s.Managed = []store.ManagedPolicy{{Account: account, Name: "cap", ID: "ANPACAP", Path: "/",
		Document: doc("cap")}, {Account: account, Name: "read", ID: "ANPAREAD",
		Path: "/team/", Document: doc("read")}}
	s.Keys = []store.AccessKey{
		{ID: "AKIAROOT", Secret: "root-secret", Account: account, Active: true, Created: at(1, 1)},
		{ID: "AKIABOB", Secret: "bob-secret", Account: account, User: "bob", Created: at(2, 2)},
	}
	s.Policies = []store.UserPolicy{{Account: account, User: "bob", Name: "p",
		Document: []byte(`{"Version":"2012-10-17"}`)}}
	fillIdentities(t, m, s)
	fillIAM(t, m, &s)
	fillOrgPolicies(t, m, &s)
	fillBuckets(t, m, &s)
	return s
}

// fillIdentities stores the accounts, users, keys and policies of s.
func fillIdentities(t *testing.T, m store.Meta, s State) {
	t.Helper()
	for _, a := range s.Accounts {
		must(t, "PutAccount", m.PutAccount(ctx(t), a))
	}
	for _, p := range s.Managed {
		must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), p))
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

// fillIAM stores a group with an inline policy, bob's membership, managed
// policy attachments and tags.
func fillIAM(t *testing.T, m store.Meta, s *State) {
	t.Helper()
	s.Groups = []store.Group{{Account: account, Name: "devs", ID: "AGPADEVS", Path: "/"}}
	s.GroupPolicies = []store.GroupPolicy{{Account: account, Group: "devs", Name: "g",
		Document: doc("g")}}
	must(t, "PutGroup", m.PutGroup(ctx(t), s.Groups[0]))
	must(t, "PutGroupPolicy", m.PutGroupPolicy(ctx(t), s.GroupPolicies[0]))
	key := account + "/"
	s.Members = map[string][]string{key + "bob": {"devs"}}
	must(t, "AddUserToGroup", m.AddUserToGroup(ctx(t), account, "bob", "devs"))
	s.UserAttached = map[string][]string{key + "bob": {"read"}}
	must(t, "AttachUserPolicy", m.AttachUserPolicy(ctx(t), account, "bob", "read"))
	s.GroupAttached = map[string][]string{key + "devs": {"cap", "read"}}
	for _, p := range s.GroupAttached[key+"devs"] {
		must(t, "AttachGroupPolicy", m.AttachGroupPolicy(ctx(t), account, "devs", p))
	}
	s.Tags = map[string]map[string]string{key + "bob": {"team": "web", "cost": ""}}
	must(t, "TagUser", m.TagUser(ctx(t), account, "bob", s.Tags[key+"bob"]))
}

// fillOrgPolicies enables both policy types and stores and attaches an SCP
// and an RCP.
func fillOrgPolicies(t *testing.T, m store.Meta, s *State) {
	t.Helper()
	s.PolicyTypes = []store.PolicyType{rcp, scp}
	for _, pt := range s.PolicyTypes {
		must(t, "EnablePolicyType", m.EnablePolicyType(ctx(t), pt))
	}
	s.OrgPolicies = []store.OrgPolicy{
		{Type: scp, Name: "deny", ID: "p-11111111", Document: doc("scp")},
		{Type: rcp, Name: "deny", ID: "p-22222222", Document: doc("rcp")},
	}
	s.OrgAttached = []store.OrgAttachment{
		{Type: scp, Policy: "deny", Target: "ou-abcd-11111111"},
		{Type: scp, Policy: store.FullAWSAccess, Target: "r-abcd"},
		{Type: rcp, Policy: "deny", Target: account},
	}
	for _, p := range s.OrgPolicies {
		must(t, "PutOrgPolicy", m.PutOrgPolicy(ctx(t), p))
	}
	for _, a := range s.OrgAttached {
		must(t, "AttachOrgPolicy", m.AttachOrgPolicy(ctx(t), a))
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
	for i, o := range s.Objects {
		_, err := m.PutObject(ctx(t), o, store.Expect{})
		must(t, "PutObject", err)
		s.Objects[i] = current(o)
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
		dumpIAM(t, m, a.ID, &s)
	}
	dumpOrgPolicies(t, m, &s)
	return s
}

// dumpIAM adds one account's managed policies, groups, memberships,
// attachments and tags; empty maps stay nil.
func dumpIAM(t *testing.T, m store.Meta, id string, s *State) {
	t.Helper()
	managed, err := m.ListManagedPolicies(ctx(t), id)
	must(t, "ListManagedPolicies", err)
	s.Managed = append(s.Managed, managed...)
	groups, err := m.ListGroups(ctx(t), id)
	must(t, "ListGroups", err)
	s.Groups = append(s.Groups, groups...)
	for _, g := range groups {
		ps, err := m.ListGroupPolicies(ctx(t), id, g.Name)
		must(t, "ListGroupPolicies", err)
		s.GroupPolicies = append(s.GroupPolicies, ps...)
		attached, err := m.ListAttachedGroupPolicies(ctx(t), id, g.Name)
		must(t, "ListAttachedGroupPolicies", err)
		addNames(&s.GroupAttached, id+"/"+g.Name, managedNames(attached))
	}
	users, err := m.ListUsers(ctx(t), id)
	must(t, "ListUsers", err)
	for _, u := range users {
		key := id + "/" + u.Name
		gs, err := m.ListGroupsForUser(ctx(t), id, u.Name)
		must(t, "ListGroupsForUser", err)
		var names []string
		for _, g := range gs {
			names = append(names, g.Name)
		}
		addNames(&s.Members, key, names)
		attached, err := m.ListAttachedUserPolicies(ctx(t), id, u.Name)
		must(t, "ListAttachedUserPolicies", err)
		addNames(&s.UserAttached, key, managedNames(attached))
		tags, err := m.ListUserTags(ctx(t), id, u.Name)
		must(t, "ListUserTags", err)
		if len(tags) > 0 {
			if s.Tags == nil {
				s.Tags = make(map[string]map[string]string)
			}
			s.Tags[key] = tags
		}
	}
}

// dumpOrgPolicies adds the enabled policy types, SCPs, RCPs and their
// attachments.
func dumpOrgPolicies(t *testing.T, m store.Meta, s *State) {
	t.Helper()
	var err error
	s.PolicyTypes, err = m.ListEnabledPolicyTypes(ctx(t))
	must(t, "ListEnabledPolicyTypes", err)
	for _, pt := range []store.PolicyType{scp, rcp} {
		ps, err := m.ListOrgPolicies(ctx(t), pt)
		must(t, "ListOrgPolicies", err)
		s.OrgPolicies = append(s.OrgPolicies, ps...)
		as, err := m.ListOrgAttachments(ctx(t), pt)
		must(t, "ListOrgAttachments", err)
		s.OrgAttached = append(s.OrgAttached, as...)
	}
}

// addNames sets (*m)[key] to names unless names is empty.
func addNames(m *map[string][]string, key string, names []string) {
	if len(names) == 0 {
		return
	}
	if *m == nil {
		*m = make(map[string][]string)
	}
	(*m)[key] = names
}

// managedNames returns the names of ps.
func managedNames(ps []store.ManagedPolicy) []string {
	var names []string
	for _, p := range ps {
		names = append(names, p.Name)
	}
	return names
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
		for _, listed := range page.Objects {
			o, err := m.GetObject(ctx(t), b.Name, listed.Key)
			must(t, "GetObject", err)
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
