package cli

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestServeTLSFlags checks that --tls-cert and --tls-key, or their
// variables, go together and exclude --tls-self-signed, that a pair that
// does not load stops serve, and that neither leaves a data directory
// behind.
func TestServeTLSFlags(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	if err := os.WriteFile(junk, []byte("no PEM here\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantCode int
		wantErr  string
	}{
		{name: "certificate alone", args: []string{"--tls-cert", junk}, wantCode: exitUsage,
			wantErr: "--tls-cert and --tls-key"},
		{name: "key alone", args: []string{"--tls-key", junk}, wantCode: exitUsage,
			wantErr: "--tls-cert and --tls-key"},
		{name: "key from the environment alone", env: map[string]string{"TROVE_TLS_KEY": junk},
			wantCode: exitUsage, wantErr: "TROVE_TLS_CERT and TROVE_TLS_KEY"},
		{name: "flag and variable make a pair that does not load",
			args: []string{"--tls-cert", junk}, env: map[string]string{"TROVE_TLS_KEY": junk},
			wantCode: 1, wantErr: "junk.pem"},
		{name: "self-signed and a certificate",
			args:     []string{"--tls-self-signed", "--tls-cert", junk, "--tls-key", junk},
			wantCode: exitUsage, wantErr: "--tls-self-signed"},
		{name: "self-signed from the environment and a key",
			args: []string{"--tls-key", junk}, env: map[string]string{"TROVE_TLS_SELF_SIGNED": "1"},
			wantCode: exitUsage, wantErr: "TROVE_TLS_SELF_SIGNED) excludes"},
		{name: "self-signed and a certificate from the environment",
			args: []string{"--tls-self-signed"}, env: map[string]string{"TROVE_TLS_CERT": junk},
			wantCode: exitUsage, wantErr: "excludes --tls-cert"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			t.Setenv("TROVE_DATA_DIR", data)
			t.Setenv("TROVE_LISTEN", "127.0.0.1:0")
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			var out, errs bytes.Buffer
			code := Execute(context.Background(), append([]string{"serve"}, tc.args...),
				Streams{Out: &out, Err: &errs})
			if code != tc.wantCode || !strings.Contains(errs.String(), tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d naming %q", code, errs.String(),
					tc.wantCode, tc.wantErr)
			}
			if _, err := os.Stat(data); !errors.Is(err, fs.ErrNotExist) || out.Len() != 0 {
				t.Errorf("data dir: %v, printed %q", err, out.String())
			}
		})
	}
}

// TestServeHelpNamesTLS checks that serve's help documents the TLS flags,
// their variables, how to trust a self-signed certificate, and that
// X-Forwarded-Proto is not trusted.
func TestServeHelpNamesTLS(t *testing.T) {
	var out bytes.Buffer
	code := Execute(context.Background(), []string{"serve", "--help"},
		Streams{Out: &out, Err: &out})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	for _, want := range []string{"--tls-cert", "--tls-key", "TROVE_TLS_CERT", "TROVE_TLS_KEY",
		"--tls-self-signed", "TROVE_TLS_SELF_SIGNED", "--ca-bundle", "X-Forwarded-Proto"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("help does not name %s", want)
		}
	}
}
