// Package troveproc builds the trove binary and runs `trove serve` as a
// separate process on a free loopback port, for the tests and benchmarks
// that drive trove as its users do: with real clients, signals and
// restarts. Only tests import it.
package troveproc

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

const (
	// StartTimeout bounds how long a started server may take to listen.
	StartTimeout = 60 * time.Second
	// StopTimeout bounds how long a server may take to exit after an
	// interrupt.
	StopTimeout = 10 * time.Second
)

// Build compiles ./cmd/trove of the module that holds the working
// directory into dir and returns the binary's path.
func Build(dir string) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "trove")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/trove")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("troveproc: go build ./cmd/trove: %w\n%s", err, out)
	}
	return bin, nil
}

// Main is a TestMain that builds trove once into a temporary directory,
// sets *bin to the binary, runs the package's tests and exits.
func Main(m *testing.M, bin *string) {
	os.Exit(Run(m, bin))
}

// Run is Main returning the exit code, for a TestMain with more to do.
func Run(m *testing.M, bin *string) int {
	dir, err := os.MkdirTemp("", "trove-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if *bin, err = Build(dir); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// BuildT is Build into a temporary directory of tb, failing tb on error.
func BuildT(tb testing.TB) string {
	tb.Helper()
	bin, err := Build(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// moduleRoot is the nearest directory, from the working directory up, that
// holds a go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("troveproc: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("troveproc: no go.mod above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("find a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Server is a running `trove serve` process.
type Server struct {
	// Addr is the listen address, 127.0.0.1:PORT; Endpoint is its URL.
	Addr     string
	Endpoint string
	cmd      *exec.Cmd
	out      *Buffer
	exited   chan struct{} // closed once the process has been reaped
	waitErr  error         // valid once exited is closed
	stopOnce sync.Once
}

// Start runs `bin serve --listen 127.0.0.1:PORT args...` on a free port and
// returns once the port accepts connections; scheme is what the server
// speaks there, http or https. When tb ends a server still running is
// stopped (Stop) and, if tb failed, its Summary is logged.
func Start(tb testing.TB, bin, scheme string, args ...string) *Server {
	tb.Helper()
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(FreePort(tb)))
	s := &Server{Addr: addr, Endpoint: scheme + "://" + addr, out: &Buffer{},
		exited: make(chan struct{})}
	s.cmd = exec.Command(bin, append([]string{"serve", "--listen", addr}, args...)...)
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		tb.Fatalf("start trove: %v", err)
	}
	go func() {
		s.waitErr = s.cmd.Wait()
		close(s.exited)
	}()
	tb.Cleanup(func() {
		s.Stop(tb)
		if tb.Failed() {
			tb.Logf("trove serve on %s printed:\n%s", addr, s.Summary())
		}
	})
	s.awaitListening(tb)
	return s
}

// awaitListening waits until the server accepts a TCP connection, failing
// tb if it exits first or StartTimeout passes.
func (s *Server) awaitListening(tb testing.TB) {
	tb.Helper()
	deadline := time.Now().Add(StartTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			tb.Fatalf("trove serve exited before listening (%v):\n%s", s.waitErr, s.Output())
		default:
		}
		if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	tb.Fatalf("trove serve did not listen on %s within %v:\n%s", s.Addr, StartTimeout,
		s.Output())
}

// Output is what the server has printed so far, stdout and stderr merged.
func (s *Server) Output() string { return s.out.String() }

// Summary is what the server printed but for its access log, then the
// last accessTail lines of that.
func (s *Server) Summary() string {
	const accessTail = 20
	var other, access []string
	for _, line := range strings.Split(s.Output(), "\n") {
		if strings.Contains(line, "log=access") {
			access = append(access, line)
		} else if line != "" {
			other = append(other, line)
		}
	}
	access = access[max(0, len(access)-accessTail):]
	return strings.Join(append(other, access...), "\n")
}

// Pid is the server's process id.
func (s *Server) Pid() int { return s.cmd.Process.Pid }

// Exited is closed once the process has exited and been reaped.
func (s *Server) Exited() <-chan struct{} { return s.exited }

// Stop interrupts the server, kills it if it has not exited within
// StopTimeout, and waits for it. An unclean exit, or an exit before Stop
// was called, is a test error. Calling Stop again, or after Kill, does
// nothing.
func (s *Server) Stop(tb testing.TB) {
	tb.Helper()
	s.stopOnce.Do(func() {
		select {
		case <-s.exited:
			tb.Errorf("trove serve exited while the test ran (%v)", s.waitErr)
			return
		default:
		}
		if err := s.cmd.Process.Signal(os.Interrupt); err != nil {
			tb.Errorf("interrupt trove serve: %v", err)
		}
		select {
		case <-s.exited:
		case <-time.After(StopTimeout):
			_ = s.cmd.Process.Kill()
			<-s.exited
			tb.Errorf("trove serve did not exit within %v of an interrupt", StopTimeout)
			return
		}
		if s.waitErr != nil {
			tb.Errorf("trove serve exited with %v", s.waitErr)
		}
	})
}

// Kill sends SIGKILL and returns once the process is reaped, so that no
// request can take effect after Kill returns.
func (s *Server) Kill(tb testing.TB) {
	tb.Helper()
	s.stopOnce.Do(func() {
		if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			tb.Fatalf("kill trove: %v", err)
		}
		<-s.exited
	})
}

// Buffer is a bytes.Buffer that several goroutines may write, such as a
// process's stdout and stderr.
type Buffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

// Write appends p.
func (b *Buffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *Buffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
