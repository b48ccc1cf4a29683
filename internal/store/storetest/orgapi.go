package storetest

import (
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// testOrgAdmin checks what the Organizations API adds: reading an OU and a
// policy by id, renaming a policy with its attachments, and deleting only
// a policy attached nowhere.
func testOrgAdmin(t *testing.T, m store.Meta) {
	withOrg(t, m)
	ou, err := m.GetOU(ctx(t), "ou-abcd-11111111")
	must(t, "GetOU", err)
	wantEqual(t, "GetOU", ou, store.OU{ID: "ou-abcd-11111111", Name: "eng", ParentID: "r-abcd"})
	_, err = m.GetOU(ctx(t), "ou-abcd-99999999")
	wantErr(t, "GetOU of a missing OU", err, store.ErrNotFound)

	deny := store.OrgPolicy{Type: scp, Name: "deny", ID: "p-11111111", Document: doc("s")}
	keep := store.OrgPolicy{Type: scp, Name: "keep", ID: "p-22222222", Document: doc("k")}
	for _, p := range []store.OrgPolicy{deny, keep} {
		must(t, "PutOrgPolicy", m.PutOrgPolicy(ctx(t), p))
	}
	got, err := m.GetOrgPolicyByID(ctx(t), "p-11111111")
	must(t, "GetOrgPolicyByID", err)
	wantEqual(t, "GetOrgPolicyByID", got, deny)
	_, err = m.GetOrgPolicyByID(ctx(t), "p-99999999")
	wantErr(t, "GetOrgPolicyByID of a missing policy", err, store.ErrNotFound)

	at := store.OrgAttachment{Type: scp, Policy: "deny", Target: "ou-abcd-11111111"}
	must(t, "AttachOrgPolicy", m.AttachOrgPolicy(ctx(t), at))
	testRenameOrgPolicy(t, m)
	renamed := at
	renamed.Policy = "denied"
	wantErr(t, "DeleteOrgPolicy of an attached policy",
		m.DeleteOrgPolicy(ctx(t), scp, "denied"), store.ErrInUse)
	must(t, "DetachOrgPolicy", m.DetachOrgPolicy(ctx(t), renamed))
	must(t, "DeleteOrgPolicy", m.DeleteOrgPolicy(ctx(t), scp, "denied"))
	wantErr(t, "DeleteOrgPolicy again", m.DeleteOrgPolicy(ctx(t), scp, "denied"),
		store.ErrNotFound)
	ps, err := m.ListOrgPolicies(ctx(t), scp)
	must(t, "ListOrgPolicies", err)
	wantEqual(t, "policies after delete", ps, []store.OrgPolicy{keep})
}

// testRenameOrgPolicy renames the SCP "deny", attached to the OU, to
// "denied", after the renames that must fail.
func testRenameOrgPolicy(t *testing.T, m store.Meta) {
	bad := []struct {
		name, from, to string
		want           error
	}{
		{"onto another policy", "deny", "keep", store.ErrExists},
		{"onto FullAWSAccess", "deny", store.FullAWSAccess, store.ErrExists},
		{"of a missing policy", "none", "other", store.ErrNotFound},
	}
	for _, tt := range bad {
		wantErr(t, "RenameOrgPolicy "+tt.name, m.RenameOrgPolicy(ctx(t), scp, tt.from, tt.to),
			tt.want)
	}
	before, err := m.IdentityVersion(ctx(t))
	must(t, "IdentityVersion", err)
	must(t, "RenameOrgPolicy", m.RenameOrgPolicy(ctx(t), scp, "deny", "denied"))
	after, err := m.IdentityVersion(ctx(t))
	must(t, "IdentityVersion", err)
	if after == before {
		t.Errorf("RenameOrgPolicy left the identity version at %d", after)
	}
	got, err := m.GetOrgPolicyByID(ctx(t), "p-11111111")
	must(t, "GetOrgPolicyByID", err)
	wantEqual(t, "renamed policy", got.Name, "denied")
	as, err := m.ListOrgAttachments(ctx(t), scp)
	must(t, "ListOrgAttachments", err)
	wantEqual(t, "attachments after rename", as, []store.OrgAttachment{
		{Type: scp, Policy: "denied", Target: "ou-abcd-11111111"}})
}
