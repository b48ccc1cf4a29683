package sqlite

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/storetest"
)

// openVersion1 creates a database at path holding only migration 1's schema,
// as a trove release before migration 2 left it, with an account and a user.
func openVersion1(t *testing.T, path string) {
	t.Helper()
	ctx := context.Background()
	w, err := openPool(path, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	steps := []string{
		`CREATE TABLE schema_version (version INTEGER NOT NULL)`,
		migrations[0],
		`INSERT INTO schema_version (version) VALUES (1)`,
		`INSERT INTO accounts (id, name, parent_id) VALUES ('111111111111', 'one', '')`,
		`INSERT INTO users (account, name, id, path) VALUES ('111111111111', 'bob', 'AIDA', '/')`,
	}
	for _, q := range steps {
		if _, err := w.ExecContext(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// TestUpgradeInPlace opens a version 1 database: it migrates to the current
// version, keeps its rows, and takes every new kind of record.
func TestUpgradeInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	openVersion1(t, path)
	db, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	var v int
	if err := db.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != len(migrations) {
		t.Errorf("schema_version = %d, want %d", v, len(migrations))
	}
	u, err := db.GetUser(t.Context(), "111111111111", "bob")
	want := store.User{Account: "111111111111", Name: "bob", ID: "AIDA", Path: "/"}
	if err != nil || u != want {
		t.Errorf("user after upgrade = %+v, %v; want %+v", u, err, want)
	}
	p := store.ManagedPolicy{Account: "111111111111", Name: "cap", ID: "ANPA", Path: "/",
		Document: []byte(`{}`)}
	if err := db.PutManagedPolicy(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	want.Boundary = "cap"
	if err := db.PutUser(t.Context(), want); err != nil {
		t.Fatal(err)
	}
	if u, err := db.GetUser(t.Context(), "111111111111", "bob"); err != nil || u != want {
		t.Errorf("user with boundary = %+v, %v; want %+v", u, err, want)
	}
}

// TestIdentityVersionStable checks that the identity version stays put when
// nothing identity-related changes: equal puts, and bucket and object writes.
func TestIdentityVersionStable(t *testing.T) {
	db := openTest(t)
	storetest.Fill(t, db)
	before, err := db.IdentityVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, db)
	o := store.Object{Bucket: "bucket-one", Key: "new", BlobID: "b9", ETag: `"e"`}
	if _, err := db.PutObject(t.Context(), o, store.Expect{}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutBucketPolicy(t.Context(), "bucket-one", []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	after, err := db.IdentityVersion(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if after != before {
		t.Errorf("identity version moved from %d to %d", before, after)
	}
}

// TestPolicyVersionMigration opens a database of schema version 7 holding a
// managed policy: migration 8 gives the policy its document as v1, the
// default, of unknown creation time, and the policy's next version is v2.
func TestPolicyVersionMigration(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	w, err := openPool(path, false, 1)
	if err != nil {
		t.Fatal(err)
	}
	steps := append([]string{`CREATE TABLE schema_version (version INTEGER NOT NULL)`},
		migrations[:7]...)
	steps = append(steps, `INSERT INTO schema_version (version) VALUES (7)`,
		`INSERT INTO accounts (id, name, parent_id) VALUES ('111111111111', 'one', '')`,
		`INSERT INTO managed_policies (account, name, id, path, document)
VALUES ('111111111111', 'read', 'ANPA', '/', '{"v":1}')`)
	for _, q := range steps {
		if _, err := w.ExecContext(t.Context(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	w.Close()
	db, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer db.Close()
	vs, err := db.ListPolicyVersions(t.Context(), "111111111111", "read")
	want := []store.PolicyVersion{{ID: "v1", Document: []byte(`{"v":1}`), Default: true}}
	if err != nil || !reflect.DeepEqual(vs, want) {
		t.Fatalf("versions after migration = %+v, %v; want %+v", vs, err, want)
	}
	v, err := db.CreatePolicyVersion(t.Context(), "111111111111", "read", []byte(`{}`), true)
	if err != nil || v.ID != "v2" {
		t.Errorf("CreatePolicyVersion after migration = %+v, %v; want v2", v, err)
	}
}
