package artifacts

import (
	"bytes"
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// TestDeliveryWithBadIDIsForgotten checks that a delivery the webhook
// package refuses at once for its id leaves the state and its slot, with a
// warning, instead of staying pending forever. Loading a state file drops
// such deliveries already; this is the watcher's own defence.
func TestDeliveryWithBadIDIsForgotten(t *testing.T) {
	var posts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		posts.Add(1)
	}))
	defer srv.Close()
	c, err := New(aws.Config{}, Source{Endpoint: "http://127.0.0.1:1", Bucket: "bkt",
		Pattern: "a-*"})
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	w, err := NewWatcher(WatchConfig{Sources: []WatchSource{{Name: "app", Client: c}},
		StatePath: filepath.Join(t.TempDir(), "watch.state"), Webhook: srv.URL,
		Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	bad := delivery{ID: "bad\nid", Body: []byte(`{}`)}
	w.state.doc.Pending = []delivery{bad}
	var wg sync.WaitGroup
	w.startDelivery(context.Background(), &wg, bad)
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the delivery is still being retried")
	}
	if len(w.state.doc.Pending) != 0 || len(w.sem) != 0 || posts.Load() != 0 {
		t.Errorf("pending %v, %d slots taken, %d posts; want none of them",
			w.state.doc.Pending, len(w.sem), posts.Load())
	}
	if !strings.Contains(logs.String(), `dropped a delivery whose id the webhook refuses`) {
		t.Errorf("no warning in the logs:\n%s", logs.String())
	}
}

func TestFileKind(t *testing.T) {
	tests := []struct {
		name string
		mode fs.FileMode
		want string
	}{
		{"character device", fs.ModeDevice | fs.ModeCharDevice, "a character device"},
		{"block device", fs.ModeDevice, "a block device"},
		{"symlink", fs.ModeSymlink, "a symbolic link"},
		{"directory", fs.ModeDir, "a directory"},
		{"fifo", fs.ModeNamedPipe, "a named pipe (FIFO)"},
		{"socket", fs.ModeSocket, "a socket"},
		{"irregular", fs.ModeIrregular, "an irregular file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := fileKind(tc.mode); got != tc.want {
				t.Errorf("fileKind(%v) = %q, want %q", tc.mode, got, tc.want)
			}
		})
	}
}
