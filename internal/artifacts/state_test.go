package artifacts_test

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// newTestWatcher makes a watcher of one source, "app", on a port nothing
// listens on, with the state file state; NewWatcher calls no service. The
// watcher is closed when the test ends.
func newTestWatcher(t *testing.T, state string) (*artifacts.Watcher, error) {
	t.Helper()
	return newLoggedWatcher(t, state, nil)
}

// newLoggedWatcher is newTestWatcher logging to log.
func newLoggedWatcher(t *testing.T, state string, log *slog.Logger) (*artifacts.Watcher,
	error) {
	t.Helper()
	c, err := artifacts.New(aws.Config{}, artifacts.Source{Endpoint: "http://127.0.0.1:1",
		Bucket: bucket, Pattern: "charts/app-*.tgz"})
	if err != nil {
		t.Fatal(err)
	}
	w, err := artifacts.NewWatcher(artifacts.WatchConfig{StatePath: state, Log: log,
		Sources: []artifacts.WatchSource{{Name: "app", Client: c}}})
	if err == nil {
		t.Cleanup(func() { w.Close() })
	}
	return w, err
}

func TestStateFileStrict(t *testing.T) {
	const seen = `"seen":{"charts/app-1.0.0.tgz":"\"e1\""}`
	tests := []struct {
		name    string
		content string // "" for no file at all
		wantErr string // "" for none
	}{
		{name: "absent: a fresh start"},
		{name: "as written", content: `{"version":1,"sources":{"app":{"definition":"d",` +
			seen + `}},"pending":null}`},
		{name: "empty listing", content: `{"version":1,"sources":{"app":{"definition":"d",` +
			`"seen":{}}},"pending":[]}`},
		{name: "without pending", content: `{"version":1,"sources":{}}`},
		{name: "null", content: "null", wantErr: "not a trove artifacts state: null"},
		{name: "empty object", content: "{}", wantErr: "no version"},
		{name: "no version", content: `{"sources":{}}`, wantErr: "no version"},
		{name: "version 0", content: `{"version":0,"sources":{}}`, wantErr: "no version"},
		{name: "future version", content: `{"version":2,"sources":{}}`,
			wantErr: "version 2, want 1"},
		{name: "no sources", content: `{"version":1}`, wantErr: `no "sources" object`},
		{name: "null sources", content: `{"version":1,"sources":null}`,
			wantErr: `no "sources" object`},
		{name: "null source", content: `{"version":1,"sources":{"app":null}}`,
			wantErr: `source "app": null`},
		{name: "null seen", content: `{"version":1,"sources":{"app":{"definition":"d",` +
			`"seen":null}}}`, wantErr: `source "app": no "seen" object`},
		{name: "no seen", content: `{"version":1,"sources":{"app":{"definition":"d"}}}`,
			wantErr: `source "app": no "seen" object`},
		{name: "no definition", content: `{"version":1,"sources":{"app":{` + seen + `}}}`,
			wantErr: `source "app": no definition`},
		{name: "unknown field", content: `{"version":1,"sources":{},"sorces":{}}`,
			wantErr: `unknown field "sorces"`},
		{name: "trailing data", content: `{"version":1,"sources":{}} {}`,
			wantErr: "data after the JSON object"},
		{name: "array", content: `[]`, wantErr: "cannot unmarshal array"},
		{name: "empty file", content: " ", wantErr: "EOF"},
		{name: "garbled", content: `{"version":1,`, wantErr: "unexpected EOF"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			state := filepath.Join(t.TempDir(), "watch.state")
			if tc.content != "" {
				if err := os.WriteFile(state, []byte(tc.content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			_, err := newTestWatcher(t, state)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("error %v, want none", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), "artifacts: state file "+state+
				": ") || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %v; want one naming %s and saying %q", err, state, tc.wantErr)
			}
		})
	}
}

func TestStateDropsUndeliverable(t *testing.T) {
	state := filepath.Join(t.TempDir(), "watch.state")
	doc := `{"version":1,"sources":{},"pending":[` +
		`{"id":"bad\nid","body":{"k":1}},{"id":"good","body":{"k":2}},` +
		`{"id":"no-body"},{"id":"null-body","body":null},{"id":"","body":{}},` +
		`{"id":"` + strings.Repeat("x", 129) + `","body":{}}]}`
	if err := os.WriteFile(state, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	var logs troveproc.Buffer
	w, err := newLoggedWatcher(t, state, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got := logs.String()
	for _, id := range []string{`"bad\nid"`, "no-body", "null-body", `""`,
		strings.Repeat("x", 129)} {
		if !strings.Contains(got, "dropped a pending delivery") ||
			!strings.Contains(got, "delivery="+id+"\n") {
			t.Errorf("logs lack the drop of %s:\n%s", id, got)
		}
	}
	if strings.Contains(got, "delivery=good") || strings.Count(got, "\n") != 5 {
		t.Errorf("logs: want five drops, not of good:\n%s", got)
	}
	if ids := pendingIDs(t, state); ids != "good" {
		t.Errorf("pending in the state file: %q, want good alone", ids)
	}
}
