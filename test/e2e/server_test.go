package e2e

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"
)

// repoRoot is the main module's directory, seen from this package's directory.
var repoRoot = filepath.Join("..", "..")

const (
	// startTimeout bounds how long a started server may take to accept connections.
	startTimeout = 60 * time.Second
	// stopTimeout bounds how long a server may take to exit after an interrupt.
	stopTimeout = 10 * time.Second
)

// buildTrove compiles ./cmd/trove into a temporary directory and returns the binary's path.
func buildTrove(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "trove")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/trove")
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/trove: %v\n%s", err, out)
	}
	return bin
}

// freePort returns a loopback TCP port that was free a moment ago.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// lockedBuffer is a bytes.Buffer that the server's stdout and stderr may share.
type lockedBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// server is a running `trove serve` subprocess.
type server struct {
	endpoint string // http://127.0.0.1:PORT, or https://
	cmd      *exec.Cmd
	out      *lockedBuffer
	exited   chan struct{} // closed once the process has been waited for
	waitErr  error         // valid after exited is closed
	stopOnce sync.Once
}

// startTrove runs `bin serve` on a free loopback port with dataDir and the organization
// file config, and returns once the port accepts connections. The server is stopped when
// the test ends, and its output is logged if the test failed.
func startTrove(t *testing.T, bin, dataDir, config string) *server {
	t.Helper()
	return startServe(t, bin, "http", "--data-dir", dataDir, "--config", config)
}

// startServe runs `bin serve` with args on a free loopback port, as startTrove does; scheme
// is what the server speaks there, http or https.
func startServe(t *testing.T, bin, scheme string, args ...string) *server {
	t.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t)))
	s := &server{endpoint: scheme + "://" + addr, out: &lockedBuffer{},
		exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr}, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start trove: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("trove serve on %s printed:\n%s", addr, s.out.String())
		}
	})
	s.awaitListening(t, addr)
	return s
}

// awaitListening waits until addr accepts a TCP connection, failing the test if the
// server exits first or startTimeout passes.
func (s *server) awaitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			t.Fatalf("trove serve exited before listening (%v):\n%s", s.waitErr, s.out.String())
		default:
		}
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("trove serve did not listen on %s within %v:\n%s", addr, startTimeout,
		s.out.String())
}

// stop interrupts the server, kills it if it has not exited within stopTimeout, and
// waits for it. It reports an unclean exit as a test error; calling it again does nothing.
func (s *server) stop(t *testing.T) {
	t.Helper()
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
			t.Errorf("trove serve exited while the test ran (%v)", s.waitErr)
			return
		default:
		}
		if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
			t.Errorf("interrupt trove serve: %v", err)
		}
		select {
		case <-s.exited:
		case <-time.After(stopTimeout):
			s.cmd.Process.Kill()
			<-s.exited
			t.Errorf("trove serve did not exit within %v of an interrupt", stopTimeout)
			return
		}
		var exitErr *exec.ExitError
		if s.waitErr != nil && !errors.As(s.waitErr, &exitErr) {
			t.Errorf("wait for trove serve: %v", s.waitErr)
		}
	})
}
