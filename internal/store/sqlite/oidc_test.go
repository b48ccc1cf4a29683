package sqlite

import (
	"path/filepath"
	"reflect"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// TestOIDCProviderSurvivesReopen checks that a provider is on disk: a
// closed and reopened database returns it whole.
func TestOIDCProviderSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	p := store.OIDCProvider{Account: "111111111111", URL: "http://127.0.0.1:8080",
		ClientIDs: []string{"sts.amazonaws.com"}, Thumbprints: []string{"ab"},
		JWKSURL: "http://127.0.0.1:8080/keys"}
	db, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PutAccount(t.Context(), store.Account{ID: p.Account, Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutOIDCProvider(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(t.Context(), path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	got, err := db.GetOIDCProvider(t.Context(), p.Account, p.URL)
	if err != nil || !reflect.DeepEqual(got, p) {
		t.Errorf("after reopen: %+v, %v; want %+v", got, err, p)
	}
}
