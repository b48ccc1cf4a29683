package server_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/server"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// TestBootstrapOnce checks that a new data directory gets a management
// account whose root key works, printed once, and that a restart prints
// nothing and creates nothing.
func TestBootstrapOnce(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := server.Open(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := server.Bootstrap(ctx, st.Meta, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`aws_access_key_id\s+= (AKIA[A-Z2-7]{16})\n\s+` +
		`aws_secret_access_key = (\S{40})\n`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no credentials in %q", out.String())
	}
	c, err := identity.New(st.Meta).Resolve(ctx, m[1])
	if err != nil || !c.IsRoot() || c.Principal.OrgID == "" {
		t.Fatalf("printed key resolves to %+v, %v; want an organization's root user", c, err)
	}
	secret, err := identity.New(st.Meta).Secret(ctx, m[1])
	if err != nil || secret != m[2] {
		t.Fatalf("printed secret does not match the stored one")
	}
	st.Close()

	st, err = server.Open(ctx, dir, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	out.Reset()
	if err := server.Bootstrap(ctx, st.Meta, &out); err != nil {
		t.Fatal(err)
	}
	accounts, _ := st.Meta.ListAccounts(ctx)
	if out.Len() != 0 || len(accounts) != 1 {
		t.Errorf("second start printed %q and holds %d accounts", out.String(), len(accounts))
	}
}

// TestRunServesAndStops starts the server on a free port, checks that it
// answers in S3's vocabulary, and that cancelling the context stops it.
func TestRunServesAndStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logs syncBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	dir := t.TempDir()
	done := make(chan error, 1)
	go func() {
		done <- server.Run(ctx, server.Config{Listen: "127.0.0.1:0", DataDir: dir}, io.Discard, log)
	}()
	url := waitForURL(t, &logs)
	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body),
		"<Code>AccessDenied</Code>") {
		t.Errorf("anonymous ListBuckets: %d %s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server did not stop")
	}
	if _, err := os.Stat(filepath.Join(dir, "meta.db")); err != nil {
		t.Errorf("no metadata database: %v", err)
	}
}

func waitForURL(t *testing.T, logs *syncBuffer) string {
	t.Helper()
	re := regexp.MustCompile(`url=(https?://127\.0\.0\.1:\d+)`)
	for range 200 {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			return m[1]
		}
		time.Sleep(25 * time.Millisecond)
	}
	t.Fatalf("server did not report its address; logs:\n%s", logs.String())
	return ""
}

// TestNoCredentialsWhenListenFails checks that a first start that cannot
// listen prints no credentials, so none are shown for a server that never ran.
func TestNoCredentialsWhenListenFails(t *testing.T) {
	var out bytes.Buffer
	err := server.Run(context.Background(), server.Config{Listen: "nonsense",
		DataDir: t.TempDir()}, &out, quiet)
	if err == nil || !strings.Contains(err.Error(), "listen") || out.Len() != 0 {
		t.Errorf("err %v, printed %q", err, out.String())
	}
}

// TestBadConfigLeavesNoDataDir checks that an organization file that does not
// load stops the start before the data directory is created.
func TestBadConfigLeavesNoDataDir(t *testing.T) {
	cfgFile := filepath.Join(t.TempDir(), "organization.yaml")
	if err := os.WriteFile(cfgFile, []byte("organization: [\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	var out bytes.Buffer
	err := server.Run(context.Background(), server.Config{Listen: "127.0.0.1:0",
		DataDir: dir, ConfigFile: cfgFile}, &out, quiet)
	if err == nil || !strings.Contains(err.Error(), "organization.yaml") {
		t.Fatalf("err %v, want the file named", err)
	}
	if _, statErr := os.Stat(dir); !errors.Is(statErr, fs.ErrNotExist) || out.Len() != 0 {
		t.Errorf("data dir: %v, printed %q", statErr, out.String())
	}
}
