package notify_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestBodyGolden pins the event records of a created and a removed object
// in testdata/events.golden.json.
func TestBodyGolden(t *testing.T) {
	at := time.Date(2026, 3, 1, 12, 30, 45, 123456789, time.FixedZone("x", 3600))
	base := store.Event{Seq: 42, Time: at, Principal: "AWS:AIDAEXAMPLE",
		SourceIP: "127.0.0.1", RequestID: "0123456789ABCDEF", HostID: "aG9zdA==",
		Bucket: "devtools-artifacts", Region: "us-east-1", BucketOwner: "111111111111"}
	created := base
	created.Name, created.Key = "ObjectCreated:Put", "charts/my app=1.0.0+build.tgz"
	created.Size, created.ETag, created.VersionID = 1024, `"0123abcd"`, "v1"
	removed := base
	removed.Seq, removed.Name, removed.Key = 43, store.EventDelete, "charts/old.tgz"
	var out bytes.Buffer
	for _, e := range []store.Event{created, removed} {
		body, err := notify.Body(e, "charts-config")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Indent(&out, body, "", "  "); err != nil {
			t.Fatal(err)
		}
		out.WriteByte('\n')
	}
	golden(t, "testdata/events.golden.json", out.String())
}

// golden compares got with the file at path, or rewrites it with -update.
// (testutil.Golden would link the whole server into this package's test.)
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs (run go test -update to accept); got:\n%s", path, got)
	}
}

func TestEncodeKey(t *testing.T) {
	tests := []struct{ name, key, want string }{
		{"plain", "charts/app-1.0.0.tgz", "charts/app-1.0.0.tgz"},
		{"space is plus", "my file.txt", "my+file.txt"},
		{"plus is escaped", "a+b", "a%2Bb"},
		{"hive partition", "dt=2026-01-01/part.parquet", "dt%3D2026-01-01/part.parquet"},
		{"unicode", "é/😀", "%C3%A9/%F0%9F%98%80"},
		{"reserved", "a?b#c&d%", "a%3Fb%23c%26d%25"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := notify.EncodeKey(tt.key); got != tt.want {
				t.Errorf("EncodeKey(%q) = %q, want %q", tt.key, got, tt.want)
			}
		})
	}
}
