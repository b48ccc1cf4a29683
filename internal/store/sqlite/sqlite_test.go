package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/storetest"
)

// openTest opens a database in a new temporary directory, closed at cleanup.
func openTest(t testing.TB) *DB {
	t.Helper()
	db, err := Open(context.Background(), filepath.Join(t.TempDir(), "meta.db"), nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) {
	storetest.RunMeta(t, func(t *testing.T) store.Meta { return openTest(t) })
}

func TestReopen(t *testing.T) {
	storetest.RunMetaReopen(t, func(t *testing.T, dir string) store.Meta {
		db, err := Open(t.Context(), filepath.Join(dir, "meta.db"), nil)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return db
	})
}

// TestPutUnchangedWritesNothing puts every record a second time and checks
// that no row changed: the tables dump the same and SQLite counted no
// changed rows on the write connection.
func TestPutUnchangedWritesNothing(t *testing.T) {
	db := openTest(t)
	storetest.Fill(t, db)
	before, changes := dumpTables(t, db), totalChanges(t, db)
	storetest.Fill(t, db)
	if got := totalChanges(t, db); got != changes {
		t.Errorf("putting equal records changed %d rows", got-changes)
	}
	if after := dumpTables(t, db); after != before {
		t.Errorf("tables changed:\nbefore\n%s\nafter\n%s", before, after)
	}
}

// totalChanges returns how many rows the write connection has changed.
func totalChanges(t *testing.T, db *DB) int64 {
	t.Helper()
	var n int64
	if err := db.w.QueryRow(`SELECT total_changes()`).Scan(&n); err != nil {
		t.Fatalf("total_changes: %v", err)
	}
	return n
}

// dumpTables renders every row of every table, rowids included where the
// table has them, in a stable order.
func dumpTables(t *testing.T, db *DB) string {
	t.Helper()
	tables := []string{"organization", "ous", "accounts", "users", "access_keys",
		"user_policies", "buckets", "objects", "managed_policies", "iam_groups",
		"group_policies", "group_members", "user_attached_policies",
		"group_attached_policies", "user_tags", "enabled_policy_types", "org_policies",
		"org_attachments", "identity_version"}
	var b strings.Builder
	for _, table := range tables {
		cols, order := "rowid, *", "1"
		if table == "objects" { // objects is WITHOUT ROWID
			cols, order = "*", "1, 2, 3"
		}
		rows, err := db.r.Query(`SELECT ` + cols + ` FROM ` + table + ` ORDER BY ` + order)
		if err != nil {
			t.Fatalf("dump %s: %v", table, err)
		}
		fmt.Fprintf(&b, "%s:\n", table)
		dumpRows(t, &b, rows)
	}
	return b.String()
}

// dumpRows writes each row as a line of values and closes rows.
func dumpRows(t *testing.T, b *strings.Builder, rows *sql.Rows) {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "  %q\n", vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestSchemaVersion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "meta.db")
	db, err := Open(t.Context(), path, nil)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	var v int
	if err := db.r.QueryRow(`SELECT version FROM schema_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != len(migrations) {
		t.Errorf("schema_version = %d, want %d", v, len(migrations))
	}
	if _, err := db.w.Exec(`UPDATE schema_version SET version = ?`, v+1); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if db, err := Open(t.Context(), path, nil); err == nil {
		db.Close()
		t.Errorf("Open of a newer schema succeeded")
	}
}

// TestPragmas checks the durability settings on both pools.
func TestPragmas(t *testing.T) {
	db := openTest(t)
	tests := []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"}, // FULL
		{"foreign_keys", "1"},
		{"busy_timeout", fmt.Sprint(busyTimeoutMillis)},
	}
	for _, tt := range tests {
		for pool, conn := range map[string]*sql.DB{"write": db.w, "read": db.r} {
			t.Run(pool+" "+tt.pragma, func(t *testing.T) {
				var got string
				if err := conn.QueryRow(`PRAGMA ` + tt.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("PRAGMA %s = %q, want %q", tt.pragma, got, tt.want)
				}
			})
		}
	}
}

func TestSuccessor(t *testing.T) {
	tests := []struct {
		name, in string
		want     []byte
	}{
		{"empty", "", nil},
		{"ascii", "a/", []byte("a0")},
		{"multi-byte delimiter", "c::", []byte("c:;")},
		{"trailing 0xff", "a\xff\xff", []byte("b")},
		{"all 0xff", "\xff\xff", nil},
		{"non-ASCII", "é", []byte("\xc3\xaa")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := successor(tt.in)
			if string(got) != string(tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("successor(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// TestOpenPathWithURICharacters checks that a path is not read as a URI: the
// file lands exactly where asked, whatever characters the path holds.
func TestOpenPathWithURICharacters(t *testing.T) {
	tests := []struct{ name, dir string }{
		{"space", "a b"},
		{"query and fragment", "x?mode=ro#y"},
		{"percent escape", "p%20q"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), tt.dir, "meta.db")
			if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
				t.Fatal(err)
			}
			db, err := Open(t.Context(), path, nil)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			db.Close()
			if _, err := os.Stat(path); err != nil {
				t.Errorf("database not at %s: %v", path, err)
			}
		})
	}
}
