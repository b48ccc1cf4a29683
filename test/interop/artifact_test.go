package interop

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

// artifact is a file the workflow uploads.
type artifact struct {
	name string // the file's base name, also the last segment of its keys
	path string // where TestMain wrote it
	size int64
	sum  [sha256.Size]byte
	// multipart is whether every client uploads it in parts: it is larger than each
	// client's multipart threshold (8 MiB for the aws CLI and boto3, 16 MiB for the
	// transfer manager and minio-go, the test's 8 MiB upload cutoff for rclone).
	multipart bool
}

// The artifacts, set by TestMain. The small one spans several aws-chunked chunks; the
// large one has a short last part.
var (
	smallArtifact = &artifact{name: "app-1.0.0.tgz", size: 300<<10 + 7}
	largeArtifact = &artifact{name: "app-1.0.0-debug.tar", size: 17<<20 + 123, multipart: true}
	// rivalArtifact is what a conditional overwrite tries to store.
	rivalArtifact = &artifact{name: "rival.tgz", size: 4<<10 + 1}
)

// writeArtifacts writes each artifact into dir with pseudo-random bytes from a fixed seed.
func writeArtifacts(dir string) error {
	for i, a := range []*artifact{smallArtifact, largeArtifact, rivalArtifact} {
		a.path = filepath.Join(dir, a.name)
		seed := [32]byte{byte(i + 1), 't', 'r', 'o', 'v', 'e'}
		if err := writeRandom(a.path, a.size, rand.NewChaCha8(seed)); err != nil {
			return err
		}
		sum, err := fileSum(a.path)
		if err != nil {
			return err
		}
		a.sum = sum
	}
	return nil
}

// writeRandom writes size bytes from src into a new file at path.
func writeRandom(path string, size int64, src io.Reader) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("interop: %w", err)
	}
	if _, err := io.CopyN(f, src, size); err != nil {
		f.Close()
		return fmt.Errorf("interop: write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("interop: %w", err)
	}
	return nil
}

// fileSum returns the SHA-256 of the file at path.
func fileSum(path string) ([sha256.Size]byte, error) {
	var sum [sha256.Size]byte
	f, err := os.Open(path)
	if err != nil {
		return sum, fmt.Errorf("interop: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return sum, fmt.Errorf("interop: read %s: %w", path, err)
	}
	copy(sum[:], h.Sum(nil))
	return sum, nil
}

// checkFile fails the test unless the file at path holds exactly a's bytes.
func checkFile(t *testing.T, path string, a *artifact) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := fileSum(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != a.size || sum != a.sum {
		t.Fatalf("%s: %d bytes with SHA-256 %x, want %s's %d bytes with %x", path, fi.Size(),
			sum, a.name, a.size, a.sum)
	}
}

// checkBytes fails the test unless got is exactly a's bytes.
func checkBytes(t *testing.T, what string, got []byte, a *artifact) {
	t.Helper()
	want, err := os.ReadFile(a.path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: %d bytes with SHA-256 %x, want %s's %d bytes with %x", what, len(got),
			sha256.Sum256(got), a.name, a.size, a.sum)
	}
}
