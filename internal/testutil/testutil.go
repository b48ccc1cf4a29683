// Package testutil holds what the tests of several packages share: a trove
// over an organization file, on stores in a temporary directory or serving
// on 127.0.0.1, and golden files. Only tests import it.
//
// It imports package server, and so everything a server is made of: the
// in-package tests of those packages cannot use it, their external test
// packages can.
package testutil

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/server"
)

// discard is the logger of everything this package starts.
var discard = slog.New(slog.DiscardHandler)

// Stores opens trove's stores in a temporary directory, loads the
// organization file at orgFile into them for region us-east-1, and closes
// them when the test ends.
func Stores(tb testing.TB, orgFile string) *server.Stores {
	tb.Helper()
	ctx := context.Background()
	st, err := server.Open(ctx, tb.TempDir(), discard)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = st.Close() })
	if err := server.LoadOrgFile(ctx, st.Meta, orgFile, "us-east-1", discard); err != nil {
		tb.Fatal(err)
	}
	return st
}

// Handler returns the whole server handler over st, the S3 and IAM APIs on
// one listener, with the default configuration and no logs.
func Handler(st *server.Stores) http.Handler {
	return server.NewHandler(st, server.Config{}, discard)
}

// Start serves the Handler of the Stores of orgFile on 127.0.0.1 over plain
// HTTP until the test ends.
func Start(tb testing.TB, orgFile string) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(Handler(Stores(tb, orgFile)))
	tb.Cleanup(srv.Close)
	return srv
}

// Golden compares got with the golden file at path and fails the test,
// listing the lines that differ, when they are not the same. With update
// set it writes got to the file instead; callers set it from their -update
// flag.
func Golden(tb testing.TB, path, got string, update bool) {
	tb.Helper()
	if update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		tb.Errorf("%s differs (run go test -update to accept):\n%s", path,
			lineDiff(string(want), got))
	}
}

// lineDiff lists the lines only want has (-) and only got has (+); when
// both have the same lines, in another order or number, it shows got.
func lineDiff(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for _, l := range wl {
		if !slices.Contains(gl, l) {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range gl {
		if !slices.Contains(wl, l) {
			b.WriteString("+ " + l + "\n")
		}
	}
	if b.Len() == 0 {
		return "the same lines in another order or number; got:\n" + got
	}
	return b.String()
}

// WaitFor calls cond every 20 ms until it returns true, and fails tb,
// naming what it waited for, when timeout passes first.
func WaitFor(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	for deadline := time.Now().Add(timeout); !cond(); {
		if time.Now().After(deadline) {
			tb.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
