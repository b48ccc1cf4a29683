package storetest

import (
	"slices"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// policyVersionCases are the suite's cases for store.PolicyVersions;
// RunMeta runs them.
var policyVersionCases = []struct {
	name string
	run  func(t *testing.T, m store.Meta)
}{
	{"PolicyVersions", testPolicyVersions},
	{"PolicyVersionLimit", testPolicyVersionLimit},
	{"PutManagedPolicyMakesVersions", testPutMakesVersions},
	{"DeleteManagedPolicyVersions", testDeleteManagedVersions},
	{"PolicyVersionsMissing", testPolicyVersionsMissing},
	{"PolicyTags", testPolicyTags},
	{"PolicyVersionsBumpIdentityVersion", testPolicyVersionsBump},
}

// withPolicy stores the fixture accounts and managed policy "read" with
// the document doc("v1") and a description.
func withPolicy(t *testing.T, m store.Meta) store.ManagedPolicy {
	t.Helper()
	withAccount(t, m)
	p := store.ManagedPolicy{Account: account, Name: "read", ID: "ANPAREAD", Path: "/",
		Document: doc("v1"), Description: "reads"}
	must(t, "PutManagedPolicy", m.PutManagedPolicy(ctx(t), p))
	return p
}

// versionIDs lists the ids of a policy's versions and which is the default.
func versionIDs(t *testing.T, m store.Meta, policy string) (ids []string, def string) {
	t.Helper()
	vs, err := m.ListPolicyVersions(ctx(t), account, policy)
	must(t, "ListPolicyVersions", err)
	for _, v := range vs {
		ids = append(ids, v.ID)
		if v.Default {
			def = v.ID
		}
	}
	return ids, def
}

// defaultDocument is the document GetManagedPolicy returns.
func defaultDocument(t *testing.T, m store.Meta, policy string) string {
	t.Helper()
	p, err := m.GetManagedPolicy(ctx(t), account, policy)
	must(t, "GetManagedPolicy", err)
	return string(p.Document)
}

// testPolicyVersions checks that a policy starts with v1, that versions
// are added, read and made the default, that the default's document is
// the policy's, and that the default cannot be deleted.
func testPolicyVersions(t *testing.T, m store.Meta) {
	p := withPolicy(t, m)
	got, err := m.GetManagedPolicy(ctx(t), account, "read")
	must(t, "GetManagedPolicy", err)
	wantEqual(t, "GetManagedPolicy with a description", got, p)
	ids, def := versionIDs(t, m, "read")
	wantEqual(t, "versions of a new policy", ids, []string{"v1"})
	wantEqual(t, "default of a new policy", def, "v1")

	v2, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("v2"), false)
	must(t, "CreatePolicyVersion", err)
	wantEqual(t, "new version", []any{v2.ID, v2.Default, string(v2.Document)},
		[]any{"v2", false, string(doc("v2"))})
	if v2.Created.IsZero() {
		t.Error("CreatePolicyVersion: Created is zero")
	}
	wantEqual(t, "document after a non-default version", defaultDocument(t, m, "read"),
		string(doc("v1")))
	got2, err := m.GetPolicyVersion(ctx(t), account, "read", "v2")
	must(t, "GetPolicyVersion", err)
	wantEqual(t, "GetPolicyVersion", got2, v2)

	must(t, "SetDefaultPolicyVersion", m.SetDefaultPolicyVersion(ctx(t), account, "read", "v2"))
	wantEqual(t, "document after SetDefault", defaultDocument(t, m, "read"), string(doc("v2")))
	_, def = versionIDs(t, m, "read")
	wantEqual(t, "default after SetDefault", def, "v2")
	wantErr(t, "DeletePolicyVersion of the default",
		m.DeletePolicyVersion(ctx(t), account, "read", "v2"), store.ErrInUse)
	must(t, "DeletePolicyVersion", m.DeletePolicyVersion(ctx(t), account, "read", "v1"))
	_, err = m.GetPolicyVersion(ctx(t), account, "read", "v1")
	wantErr(t, "GetPolicyVersion deleted", err, store.ErrNotFound)

	v3, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("v3"), true)
	must(t, "CreatePolicyVersion default", err)
	wantEqual(t, "number after a deletion", v3.ID, "v3")
	wantEqual(t, "document of a new default", defaultDocument(t, m, "read"), string(doc("v3")))
	ids, def = versionIDs(t, m, "read")
	wantEqual(t, "versions, oldest first", ids, []string{"v2", "v3"})
	wantEqual(t, "default after CreatePolicyVersion default", def, "v3")
}

// testPolicyVersionLimit checks that a policy holds MaxPolicyVersions
// versions and no more, and that its numbers are never reused.
func testPolicyVersionLimit(t *testing.T, m store.Meta) {
	withPolicy(t, m)
	for i := 2; i <= store.MaxPolicyVersions; i++ {
		_, err := m.CreatePolicyVersion(ctx(t), account, "read", doc(store.VersionID(i)), false)
		must(t, "CreatePolicyVersion", err)
	}
	_, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("extra"), true)
	wantErr(t, "CreatePolicyVersion over the limit", err, store.ErrLimit)
	wantEqual(t, "document after a refused version", defaultDocument(t, m, "read"),
		string(doc("v1")))
	must(t, "DeletePolicyVersion", m.DeletePolicyVersion(ctx(t), account, "read", "v5"))
	v, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("v6"), false)
	must(t, "CreatePolicyVersion after a deletion", err)
	wantEqual(t, "number after deleting the newest", v.ID, "v6")
}

// testPutMakesVersions checks that PutManagedPolicy makes a new default
// version of a changed document, none of an equal one, and makes room at
// the limit by removing the oldest version that is not the default.
func testPutMakesVersions(t *testing.T, m store.Meta) {
	p := withPolicy(t, m)
	must(t, "PutManagedPolicy unchanged", m.PutManagedPolicy(ctx(t), p))
	p.Description = ""
	must(t, "PutManagedPolicy without description", m.PutManagedPolicy(ctx(t), p))
	got, err := m.GetManagedPolicy(ctx(t), account, "read")
	must(t, "GetManagedPolicy", err)
	wantEqual(t, "description after a Put without", got.Description, "reads")
	ids, _ := versionIDs(t, m, "read")
	wantEqual(t, "versions after an equal Put", ids, []string{"v1"})
	for i := 2; i <= store.MaxPolicyVersions+1; i++ {
		p.Document = doc(store.VersionID(i))
		must(t, "PutManagedPolicy changed", m.PutManagedPolicy(ctx(t), p))
	}
	ids, def := versionIDs(t, m, "read")
	wantEqual(t, "versions after six documents", ids, []string{"v2", "v3", "v4", "v5", "v6"})
	wantEqual(t, "default after Put", def, "v6")
	wantEqual(t, "document after Put", defaultDocument(t, m, "read"), string(doc("v6")))

	must(t, "SetDefaultPolicyVersion", m.SetDefaultPolicyVersion(ctx(t), account, "read", "v2"))
	p.Document = doc("v7")
	must(t, "PutManagedPolicy at the limit", m.PutManagedPolicy(ctx(t), p))
	ids, def = versionIDs(t, m, "read")
	wantEqual(t, "the oldest non-default went", ids, []string{"v2", "v4", "v5", "v6", "v7"})
	wantEqual(t, "default after Put at the limit", def, "v7")
}

// testDeleteManagedVersions checks that a policy with versions other than
// its default is in use, and that deleting it removes its versions and
// tags: a policy created again under the name starts afresh.
func testDeleteManagedVersions(t *testing.T, m store.Meta) {
	p := withPolicy(t, m)
	must(t, "TagPolicy", m.TagPolicy(ctx(t), account, "read", map[string]string{"k": "v"}))
	_, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("v2"), true)
	must(t, "CreatePolicyVersion", err)
	wantErr(t, "DeleteManagedPolicy with two versions",
		m.DeleteManagedPolicy(ctx(t), account, "read"), store.ErrInUse)
	must(t, "DeletePolicyVersion", m.DeletePolicyVersion(ctx(t), account, "read", "v1"))
	must(t, "DeleteManagedPolicy", m.DeleteManagedPolicy(ctx(t), account, "read"))
	_, err = m.ListPolicyVersions(ctx(t), account, "read")
	wantErr(t, "ListPolicyVersions of a deleted policy", err, store.ErrNotFound)

	must(t, "PutManagedPolicy again", m.PutManagedPolicy(ctx(t), p))
	ids, _ := versionIDs(t, m, "read")
	wantEqual(t, "versions of the new policy", ids, []string{"v1"})
	tags, err := m.ListPolicyTags(ctx(t), account, "read")
	must(t, "ListPolicyTags", err)
	if len(tags) != 0 {
		t.Errorf("the new policy has the old one's tags %v", tags)
	}
}

// testPolicyVersionsMissing checks ErrNotFound for a missing policy or
// version, ids not of the form vN included.
func testPolicyVersionsMissing(t *testing.T, m store.Meta) {
	withPolicy(t, m)
	_, errCreate := m.CreatePolicyVersion(ctx(t), account, "none", doc("x"), true)
	_, errList := m.ListPolicyVersions(ctx(t), account, "none")
	_, errTags := m.ListPolicyTags(ctx(t), account, "none")
	_, errOther := m.GetPolicyVersion(ctx(t), other, "read", "v1")
	calls := []struct {
		what string
		err  error
	}{
		{"CreatePolicyVersion", errCreate},
		{"ListPolicyVersions", errList},
		{"ListPolicyTags", errTags},
		{"GetPolicyVersion of another account", errOther},
		{"SetDefaultPolicyVersion v9", m.SetDefaultPolicyVersion(ctx(t), account, "read", "v9")},
		{"DeletePolicyVersion v01", m.DeletePolicyVersion(ctx(t), account, "read", "v01")},
		{"TagPolicy", m.TagPolicy(ctx(t), account, "none", map[string]string{"k": "v"})},
		{"UntagPolicy", m.UntagPolicy(ctx(t), account, "none", []string{"k"})},
	}
	for _, c := range calls {
		wantErr(t, c.what, c.err, store.ErrNotFound)
	}
	for _, id := range []string{"", "v", "v0", "1", "V1", "v1.0", "v-1"} {
		_, err := m.GetPolicyVersion(ctx(t), account, "read", id)
		wantErr(t, "GetPolicyVersion "+id, err, store.ErrNotFound)
	}
}

// testPolicyTags checks that tags are added, replaced and removed.
func testPolicyTags(t *testing.T, m store.Meta) {
	withPolicy(t, m)
	tags, err := m.ListPolicyTags(ctx(t), account, "read")
	must(t, "ListPolicyTags", err)
	wantEqual(t, "tags of a new policy", len(tags), 0)
	must(t, "TagPolicy", m.TagPolicy(ctx(t), account, "read",
		map[string]string{"team": "a", "env": "prd"}))
	must(t, "TagPolicy replace", m.TagPolicy(ctx(t), account, "read",
		map[string]string{"team": "b"}))
	must(t, "UntagPolicy", m.UntagPolicy(ctx(t), account, "read", []string{"env", "none"}))
	tags, err = m.ListPolicyTags(ctx(t), account, "read")
	must(t, "ListPolicyTags", err)
	wantEqual(t, "tags", tags, map[string]string{"team": "b"})
}

// testPolicyVersionsBump checks that every change of versions moves the
// identity version: a change of the default changes what policies grant.
func testPolicyVersionsBump(t *testing.T, m store.Meta) {
	withPolicy(t, m)
	changes := []struct {
		what string
		do   func() error
	}{
		{"CreatePolicyVersion", func() error {
			_, err := m.CreatePolicyVersion(ctx(t), account, "read", doc("v2"), false)
			return err
		}},
		{"SetDefaultPolicyVersion", func() error {
			return m.SetDefaultPolicyVersion(ctx(t), account, "read", "v2")
		}},
		{"DeletePolicyVersion", func() error {
			return m.DeletePolicyVersion(ctx(t), account, "read", "v1")
		}},
		{"TagPolicy", func() error {
			return m.TagPolicy(ctx(t), account, "read", map[string]string{"k": "v"})
		}},
		{"UntagPolicy", func() error {
			return m.UntagPolicy(ctx(t), account, "read", []string{"k"})
		}},
	}
	for _, c := range changes {
		before, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		must(t, c.what, c.do())
		after, err := m.IdentityVersion(ctx(t))
		must(t, "IdentityVersion", err)
		if after == before {
			t.Errorf("%s: the identity version stayed %d", c.what, before)
		}
	}
	if ids, _ := versionIDs(t, m, "read"); !slices.Equal(ids, []string{"v2"}) {
		t.Errorf("versions %v, want [v2]", ids)
	}
}
