package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestServeHelpNamesEnvironment(t *testing.T) {
	var out bytes.Buffer
	code := Execute(context.Background(), []string{"serve", "--help"},
		Streams{Out: &out, Err: &out})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	for _, env := range []string{"TROVE_LISTEN", "TROVE_DATA_DIR", "TROVE_CONFIG", "TROVE_REGION",
		"TROVE_DOMAIN", "TROVE_LOG_LEVEL", "TROVE_LOG_FORMAT"} {
		if !strings.Contains(out.String(), env) {
			t.Errorf("help does not name %s", env)
		}
	}
}

func TestEnvironmentSetsFlags(t *testing.T) {
	tests := []struct {
		name, env, value, wantErr string
	}{
		{"bad log level", "TROVE_LOG_LEVEL", "chatty", `log level "chatty"`},
		{"bad log format", "TROVE_LOG_FORMAT", "xml", `log format "xml"`},
		{"missing config", "TROVE_CONFIG", "/nonexistent/org.yaml", "/nonexistent/org.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			t.Setenv("TROVE_DATA_DIR", t.TempDir())
			t.Setenv("TROVE_LISTEN", "127.0.0.1:0")
			var out, errs bytes.Buffer
			code := Execute(context.Background(), []string{"serve"}, Streams{Out: &out, Err: &errs})
			if code == 0 || !strings.Contains(errs.String(), tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want failure naming %q",
					code, errs.String(), tc.wantErr)
			}
		})
	}
}

func TestFlagBeatsEnvironment(t *testing.T) {
	t.Setenv("TROVE_LOG_LEVEL", "chatty")
	t.Setenv("TROVE_DATA_DIR", t.TempDir())
	var out, errs bytes.Buffer
	// A valid flag wins over the invalid variable, so serve gets as far as
	// the missing config file.
	code := Execute(context.Background(), []string{"serve", "--log-level", "error",
		"--listen", "127.0.0.1:0", "--config", "/nonexistent/x.yaml"},
		Streams{Out: &out, Err: &errs})
	if code == 0 || strings.Contains(errs.String(), "chatty") ||
		!strings.Contains(errs.String(), "/nonexistent/x.yaml") {
		t.Errorf("exit %d, stderr %q", code, errs.String())
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	code := Execute(context.Background(), []string{"version"}, Streams{Out: &out, Err: &out})
	if code != 0 || !strings.HasPrefix(out.String(), "trove ") {
		t.Errorf("exit %d, output %q", code, out.String())
	}
}
