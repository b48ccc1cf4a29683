package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

const (
	scp = store.ServiceControlPolicy
	rcp = store.ResourceControlPolicy
)

// withOrg stores an organization with root r-abcd, an OU and the fixture
// accounts, account in the OU.
func withOrg(t *testing.T, m store.Meta) {
	t.Helper()
	must(t, "PutOrganization", m.PutOrganization(ctx(t), store.Organization{
		ID: "o-abcdefghij", RootID: "r-abcd", ManagementAccount: other}))
	must(t, "PutOU", m.PutOU(ctx(t), store.OU{ID: "ou-abcd-11111111", Name: "eng",
		ParentID: "r-abcd"}))
	must(t, "PutAccount", m.PutAccount(ctx(t), store.Account{ID: account, Name: "one",
		ParentID: "ou-abcd-11111111"}))
	must(t, "PutAccount", m.PutAccount(ctx(t), store.Account{ID: other, Name: "two",
		ParentID: "r-abcd"}))
}

// testPolicyTypes checks enabling and disabling policy types.
func testPolicyTypes(t *testing.T, m store.Meta) {
	types, err := m.ListEnabledPolicyTypes(ctx(t))
	must(t, "ListEnabledPolicyTypes", err)
	wantEqual(t, "types enabled at first", len(types), 0)
	for _, pt := range []store.PolicyType{scp, rcp, scp} {
		must(t, "EnablePolicyType", m.EnablePolicyType(ctx(t), pt))
	}
	types, err = m.ListEnabledPolicyTypes(ctx(t))
	must(t, "ListEnabledPolicyTypes", err)
	wantEqual(t, "ListEnabledPolicyTypes", types, []store.PolicyType{rcp, scp})
	if err := m.EnablePolicyType(ctx(t), "TAG_POLICY"); err == nil {
		t.Errorf("EnablePolicyType of an unknown type succeeded")
	}
	must(t, "DisablePolicyType", m.DisablePolicyType(ctx(t), rcp))
	wantErr(t, "DisablePolicyType again", m.DisablePolicyType(ctx(t), rcp), store.ErrNotFound)
	types, err = m.ListEnabledPolicyTypes(ctx(t))
	must(t, "ListEnabledPolicyTypes", err)
	wantEqual(t, "ListEnabledPolicyTypes after disabling", types, []store.PolicyType{scp})
}

// testOrgPolicies checks SCP and RCP documents, by type and name.
func testOrgPolicies(t *testing.T, m store.Meta) {
	deny := store.OrgPolicy{Type: scp, Name: "deny", ID: "p-11111111", Document: doc("s")}
	allow := store.OrgPolicy{Type: scp, Name: "allow", ID: "p-22222222", Document: doc("a")}
	rdeny := store.OrgPolicy{Type: rcp, Name: "deny", ID: "p-33333333", Document: doc("r")}
	for _, p := range []store.OrgPolicy{deny, allow, rdeny} {
		must(t, "PutOrgPolicy", m.PutOrgPolicy(ctx(t), p))
	}
	if err := m.PutOrgPolicy(ctx(t), store.OrgPolicy{Type: "X", Name: "x"}); err == nil {
		t.Errorf("PutOrgPolicy of an unknown type succeeded")
	}
	deny.Document = doc("s2")
	must(t, "PutOrgPolicy changed", m.PutOrgPolicy(ctx(t), deny))
	tests := []struct {
		name string
		typ  store.PolicyType
		want []store.OrgPolicy
	}{
		{"scps", scp, []store.OrgPolicy{allow, deny}},
		{"rcps", rcp, []store.OrgPolicy{rdeny}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := m.ListOrgPolicies(ctx(t), tt.typ)
			must(t, "ListOrgPolicies", err)
			wantEqual(t, "ListOrgPolicies", got, tt.want)
		})
	}
}

// testOrgAttachments checks attaching SCPs and RCPs to the root, OUs and
// accounts, and that disabling a type detaches its policies.
func testOrgAttachments(t *testing.T, m store.Meta) {
	withOrg(t, m)
	must(t, "PutOrgPolicy", m.PutOrgPolicy(ctx(t), store.OrgPolicy{Type: scp, Name: "deny",
		ID: "p-11111111", Document: doc("s")}))
	must(t, "EnablePolicyType", m.EnablePolicyType(ctx(t), scp))
	bad := []struct {
		name string
		a    store.OrgAttachment
	}{
		{"missing target", store.OrgAttachment{Type: scp, Policy: "deny", Target: "ou-abcd-x"}},
		{"missing policy", store.OrgAttachment{Type: scp, Policy: "none", Target: "r-abcd"}},
		{"policy of the other type", store.OrgAttachment{Type: rcp, Policy: "deny",
			Target: "r-abcd"}},
		{"built-in of the other type", store.OrgAttachment{Type: scp,
			Policy: store.RCPFullAWSAccess, Target: "r-abcd"}},
	}
	for _, tt := range bad {
		wantErr(t, "AttachOrgPolicy with "+tt.name, m.AttachOrgPolicy(ctx(t), tt.a),
			store.ErrNotFound)
	}
	want := []store.OrgAttachment{
		{Type: scp, Policy: "FullAWSAccess", Target: account},
		{Type: scp, Policy: "deny", Target: "ou-abcd-11111111"},
		{Type: scp, Policy: "FullAWSAccess", Target: "r-abcd"},
		{Type: scp, Policy: "deny", Target: "r-abcd"},
	}
	for _, i := range []int{3, 1, 0, 2, 3} {
		must(t, "AttachOrgPolicy", m.AttachOrgPolicy(ctx(t), want[i]))
	}
	rfull := store.OrgAttachment{Type: rcp, Policy: store.RCPFullAWSAccess, Target: other}
	must(t, "AttachOrgPolicy RCPFullAWSAccess", m.AttachOrgPolicy(ctx(t), rfull))
	got, err := m.ListOrgAttachments(ctx(t), scp)
	must(t, "ListOrgAttachments", err)
	wantEqual(t, "ListOrgAttachments", got, want)

	must(t, "DetachOrgPolicy", m.DetachOrgPolicy(ctx(t), want[1]))
	wantErr(t, "DetachOrgPolicy again", m.DetachOrgPolicy(ctx(t), want[1]), store.ErrNotFound)
	must(t, "DisablePolicyType", m.DisablePolicyType(ctx(t), scp))
	got, err = m.ListOrgAttachments(ctx(t), scp)
	must(t, "ListOrgAttachments", err)
	wantEqual(t, "SCP attachments after disabling SCPs", len(got), 0)
	got, err = m.ListOrgAttachments(ctx(t), rcp)
	must(t, "ListOrgAttachments", err)
	wantEqual(t, "RCP attachments after disabling SCPs", got, []store.OrgAttachment{rfull})
}

// testIdentityVersion checks that every kind of identity write changes the
// identity version.
func testIdentityVersion(t *testing.T, m store.Meta) {
	withOrg(t, m)
	user := store.User{Account: account, Name: "bob", ID: "AIDABOB", Path: "/"}
	pol := store.ManagedPolicy{Account: account, Name: "p", ID: "ANPAP", Path: "/",
		Document: doc("p")}
	grp := store.Group{Account: account, Name: "g", ID: "AGPAG", Path: "/"}
	att := store.OrgAttachment{Type: scp, Policy: store.FullAWSAccess, Target: account}
	writes := []struct {
		name  string
		write func() error
	}{
		{"PutOU", func() error {
			return m.PutOU(ctx(t), store.OU{ID: "ou-abcd-22222222", Name: "x", ParentID: "r-abcd"})
		}},
		{"PutUser", func() error { return m.PutUser(ctx(t), user) }},
		{"PutUserPolicy", func() error {
			return m.PutUserPolicy(ctx(t), store.UserPolicy{Account: account, User: "bob",
				Name: "i", Document: doc("i")})
		}},
		{"PutManagedPolicy", func() error { return m.PutManagedPolicy(ctx(t), pol) }},
		{"PutGroup", func() error { return m.PutGroup(ctx(t), grp) }},
		{"PutGroupPolicy", func() error {
			return m.PutGroupPolicy(ctx(t), store.GroupPolicy{Account: account, Group: "g",
				Name: "i", Document: doc("g")})
		}},
		{"AddUserToGroup", func() error { return m.AddUserToGroup(ctx(t), account, "bob", "g") }},
		{"AttachUserPolicy", func() error {
			return m.AttachUserPolicy(ctx(t), account, "bob", "p")
		}},
		{"AttachGroupPolicy", func() error {
			return m.AttachGroupPolicy(ctx(t), account, "g", "p")
		}},
		{"TagUser", func() error {
			return m.TagUser(ctx(t), account, "bob", map[string]string{"k": "v"})
		}},
		{"PutUser with a boundary", func() error {
			u := user
			u.Boundary = "p"
			return m.PutUser(ctx(t), u)
		}},
		{"EnablePolicyType", func() error { return m.EnablePolicyType(ctx(t), scp) }},
		{"PutOrgPolicy", func() error {
			return m.PutOrgPolicy(ctx(t), store.OrgPolicy{Type: scp, Name: "s", ID: "p-1",
				Document: doc("s")})
		}},
		{"AttachOrgPolicy", func() error { return m.AttachOrgPolicy(ctx(t), att) }},
		{"DetachOrgPolicy", func() error { return m.DetachOrgPolicy(ctx(t), att) }},
		{"DisablePolicyType", func() error { return m.DisablePolicyType(ctx(t), scp) }},
		{"UntagUser", func() error { return m.UntagUser(ctx(t), account, "bob", []string{"k"}) }},
		{"DetachUserPolicy", func() error {
			return m.DetachUserPolicy(ctx(t), account, "bob", "p")
		}},
		{"DetachGroupPolicy", func() error {
			return m.DetachGroupPolicy(ctx(t), account, "g", "p")
		}},
		{"RemoveUserFromGroup", func() error {
			return m.RemoveUserFromGroup(ctx(t), account, "bob", "g")
		}},
		{"PutAccount", func() error {
			return m.PutAccount(ctx(t), store.Account{ID: other, Name: "renamed"})
		}},
	}
	for _, w := range writes {
		before, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		must(t, w.name, w.write())
		after, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		if after == before {
			t.Errorf("%s left the identity version at %d", w.name, after)
		}
	}
}
