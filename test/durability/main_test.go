package durability

import (
	"bytes"
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
	// orgFile declares the account, its key and the bucket the tests use.
	orgFile = "testdata/organization.yaml"
	bucket  = "crash-bucket"
	keyID   = "AKIATESTDURABILITY01"
	secret  = "test/durability-root/00000000000000000000"

	startTimeout = 60 * time.Second // how long a start may take to listen
	stopTimeout  = 10 * time.Second // how long a graceful stop may take
)

// troveBin is the trove binary TestMain builds for every test.
var troveBin string

// TestMain builds trove once for every test of the package.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "trove-durability-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	troveBin = filepath.Join(dir, "trove")
	cmd := exec.Command("go", "build", "-o", troveBin, "./cmd/trove")
	cmd.Dir = filepath.Join("..", "..")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build ./cmd/trove: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// lockedBuffer collects a server's output; stdout and stderr share it.
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

// process is one run of `trove serve` on a data directory.
type process struct {
	addr    string // 127.0.0.1:port
	cmd     *exec.Cmd
	out     *lockedBuffer
	exited  chan struct{} // closed once the process has been reaped
	waitErr error         // valid once exited is closed
}

// startTrove runs trove on dataDir on a free loopback port and returns once
// the port accepts connections. A process still running when the test ends
// is killed.
func startTrove(t *testing.T, dataDir string) *process {
	t.Helper()
	p := &process{addr: net.JoinHostPort("127.0.0.1", strconv.Itoa(freePort(t))),
		out: &lockedBuffer{}, exited: make(chan struct{})}
	p.cmd = exec.Command(troveBin, "serve", "--listen", p.addr, "--data-dir", dataDir,
		"--config", orgFile)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start trove: %v", err)
	}
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		select {
		case <-p.exited:
		default:
			p.cmd.Process.Kill()
			<-p.exited
		}
		if t.Failed() {
			t.Logf("trove serve on %s printed:\n%s", p.addr, p.summary())
		}
	})
	p.awaitListening(t)
	return p
}

// summary is what the server printed but for its access log, and the last
// accessTail lines of that.
func (p *process) summary() string {
	const accessTail = 10
	var other, access []string
	for _, line := range strings.Split(p.out.String(), "\n") {
		if strings.Contains(line, "log=access") {
			access = append(access, line)
		} else if line != "" {
			other = append(other, line)
		}
	}
	access = access[max(0, len(access)-accessTail):]
	return strings.Join(append(other, access...), "\n")
}

// endpoint is the server's base URL.
func (p *process) endpoint() string { return "http://" + p.addr }

// awaitListening waits until the server accepts a TCP connection.
func (p *process) awaitListening(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-p.exited:
			t.Fatalf("trove serve exited before listening (%v):\n%s", p.waitErr, p.out.String())
		default:
		}
		if conn, err := net.DialTimeout("tcp", p.addr, time.Second); err == nil {
			conn.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("trove serve did not listen on %s within %v", p.addr, startTimeout)
}

// kill sends SIGKILL and returns once the process is reaped, so that no
// request can take effect after kill returns.
func (p *process) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill trove: %v", err)
	}
	<-p.exited
}

// stop interrupts the server and waits for a clean exit.
func (p *process) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatalf("interrupt trove: %v", err)
	}
	select {
	case <-p.exited:
		if p.waitErr != nil {
			t.Errorf("trove serve exited with %v", p.waitErr)
		}
	case <-time.After(stopTimeout):
		t.Errorf("trove serve did not exit within %v of an interrupt", stopTimeout)
	}
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
