package e2e

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"slices"
	"strings"
	"testing"
)

// all combines checks; each runs in turn.
func all(checks ...func(*testing.T, result)) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		for _, c := range checks {
			c(t, r)
		}
	}
}

// objectInfo is the part of head-object's and get-object's JSON output that is checked.
type objectInfo struct {
	ServerSideEncryption string
	ContentLength        int64
}

// showsSSE checks that the JSON a head-object or get-object printed names sse as the
// object's server-side encryption and the size of the local file as its length.
func showsSSE(sse, local string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		var info objectInfo
		if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
			t.Fatalf("parse the CLI's JSON: %v\n%v", err, r)
		}
		fi, err := os.Stat(local)
		if err != nil {
			t.Fatal(err)
		}
		if info.ServerSideEncryption != sse || info.ContentLength != fi.Size() {
			t.Fatalf("ServerSideEncryption %q ContentLength %d, want %q and %d:\n%v",
				info.ServerSideEncryption, info.ContentLength, sse, fi.Size(), r)
		}
	}
}

// sameFile checks that the downloaded file got has the bytes of want.
func sameFile(got, want string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		g, err := os.ReadFile(got)
		if err != nil {
			t.Fatalf("read the download: %v\n%v", err, r)
		}
		w, err := os.ReadFile(want)
		if err != nil {
			t.Fatal(err)
		}
		if gs, ws := sha256.Sum256(g), sha256.Sum256(w); !bytes.Equal(gs[:], ws[:]) {
			t.Fatalf("download %s has sha256 %x, %s has %x", got, gs, want, ws)
		}
	}
}

// listed returns the names in the output of `aws s3 ls`: the last field of each line,
// which is a bucket name, an object's key relative to the prefix, or "PREFIX/".
func listed(stdout string) []string {
	var names []string
	for line := range strings.SplitSeq(stdout, "\n") {
		if f := strings.Fields(line); len(f) > 0 {
			names = append(names, f[len(f)-1])
		}
	}
	slices.Sort(names)
	return names
}

// listsExactly checks that `aws s3 ls` printed exactly names, in any order.
func listsExactly(names ...string) func(*testing.T, result) {
	want := slices.Sorted(slices.Values(names))
	return func(t *testing.T, r result) {
		t.Helper()
		if got := listed(r.stdout); !slices.Equal(got, want) {
			t.Fatalf("listed %q, want %q:\n%v", got, want, r)
		}
	}
}

// lacks checks that the call's output does not mention s.
func lacks(s string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		if strings.Contains(r.stdout, s) {
			t.Fatalf("output mentions %q:\n%v", s, r)
		}
	}
}

// noFile checks that a refused download left no file at path.
func noFile(path string) func(*testing.T, result) {
	return func(t *testing.T, r result) {
		t.Helper()
		if _, err := os.Stat(path); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("%s exists after a refused download (stat: %v):\n%v", path, err, r)
		}
	}
}
