//go:build unix

package server_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"

	"github.com/troveproject/trove/internal/server"
)

// TestOpenLocksDataDir checks that a data directory open in one Stores
// cannot be opened, and so swept, by another until the first is closed.
func TestOpenLocksDataDir(t *testing.T) {
	ctx, log := context.Background(), slog.New(slog.DiscardHandler)
	dir := t.TempDir()
	first, err := server.Open(ctx, dir, log)
	if err != nil {
		t.Fatal(err)
	}
	if second, err := server.Open(ctx, dir, log); !errors.Is(err, server.ErrDataDirInUse) {
		if err == nil {
			second.Close()
		}
		t.Fatalf("second Open = %v, want ErrDataDirInUse", err)
	}
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	again, err := server.Open(ctx, dir, log)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	if err := again.Close(); err != nil {
		t.Fatal(err)
	}
}
