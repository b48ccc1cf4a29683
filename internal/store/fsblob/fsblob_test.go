package fsblob

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/storetest"
)

// openTest opens a store in a new temporary directory.
func openTest(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	storetest.RunBlobs(t, func(t *testing.T) store.Blobs { return openTest(t, t.TempDir()) })
}

func TestReopen(t *testing.T) {
	storetest.RunBlobsReopen(t, func(t *testing.T, dir string) store.Blobs {
		return openTest(t, dir)
	})
}

// TestLayout checks where a blob lives while written and once committed.
func TestLayout(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	w, err := s.Create(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n := countFiles(t, filepath.Join(dir, tmpDir)); n != 1 {
		t.Errorf("tmp/ holds %d files during a write, want 1", n)
	}
	id, err := w.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if !validID(id) {
		t.Errorf("id %q is not 32 lower-case hex digits", id)
	}
	want := filepath.Join(dir, "objects", id[:2], id[2:4], id)
	if _, err := os.Stat(want); err != nil {
		t.Errorf("committed blob not at %s: %v", want, err)
	}
	if n := countFiles(t, filepath.Join(dir, tmpDir)); n != 0 {
		t.Errorf("tmp/ holds %d files after Commit, want 0", n)
	}
}

// TestSweepLeavesStrangers checks that Sweep only removes what it owns in
// objects/: files that are not blobs in their place are not offered to keep.
func TestSweepLeavesStrangers(t *testing.T) {
	dir := t.TempDir()
	s := openTest(t, dir)
	id := "0123456789abcdef0123456789abcdef"
	misplaced := filepath.Join(dir, "objects", "ff", "ff", id)
	stranger := filepath.Join(dir, "objects", "README")
	for _, p := range []string{misplaced, stranger} {
		if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Sweep(t.Context(), func(string) bool { return false })
	if err != nil || n != 0 {
		t.Errorf("Sweep = %d, %v; want 0, nil", n, err)
	}
	for _, p := range []string{misplaced, stranger} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("Sweep removed %s", p)
		}
	}
}

func TestValidID(t *testing.T) {
	tests := []struct {
		name string
		id   string
		want bool
	}{
		{"valid", "0123456789abcdef0123456789abcdef", true},
		{"upper case", "0123456789ABCDEF0123456789abcdef", false},
		{"short", "0123456789abcdef", false},
		{"long", "0123456789abcdef0123456789abcdef0", false},
		{"dot dot", "../3456789abcdef0123456789abcdef", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := validID(tt.id); got != tt.want {
				t.Errorf("validID(%q) = %v, want %v", tt.id, got, tt.want)
			}
			err := checkID(tt.id)
			if (err == nil) != tt.want || (err != nil && !errors.Is(err, ErrInvalidID)) {
				t.Errorf("checkID(%q) = %v", tt.id, err)
			}
		})
	}
}

// countFiles counts the entries of dir.
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return len(entries)
}

// TestOpenLayout checks that Open creates the layout under missing parents,
// reopens an existing one, and refuses a path that is a file.
func TestOpenLayout(t *testing.T) {
	tests := []struct {
		name    string
		prepare func(t *testing.T, dir string) // may create dir ahead of Open
		wantErr bool
	}{
		{name: "missing parents", prepare: func(*testing.T, string) {}},
		{name: "existing", prepare: func(t *testing.T, dir string) { openTest(t, dir) }},
		{name: "a file", prepare: func(t *testing.T, dir string) {
			if err := os.MkdirAll(filepath.Dir(dir), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir, []byte("x"), 0o640); err != nil {
				t.Fatal(err)
			}
		}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data", "blobs")
			tt.prepare(t, dir)
			_, err := Open(dir)
			if (err != nil) != tt.wantErr {
				t.Fatalf("Open = %v, want error: %v", err, tt.wantErr)
			}
			if tt.wantErr {
				return
			}
			for _, sub := range []string{objectsDir, tmpDir} {
				if fi, err := os.Stat(filepath.Join(dir, sub)); err != nil || !fi.IsDir() {
					t.Errorf("%s/ missing after Open: %v", sub, err)
				}
			}
		})
	}
}
