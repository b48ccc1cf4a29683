package iamapi_test

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/smithy-go"
)

// syncBuffer is a log destination the test reads while the server writes.
type syncBuffer struct {
	mu  sync.Mutex // guards buf
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// serving serves answer at every path until the test ends.
func serving(t *testing.T, status int, answer string) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(status)
		fmt.Fprint(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// closedPort is a loopback URL on which nothing listens.
func closedPort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	_ = ln.Close()
	return u
}

// TestDiscoveryFailuresSayNothing checks that CreateOpenIDConnectProvider
// answers every failed discovery of a loopback issuer alike, so that it
// cannot serve to probe the host's other loopback services: a closed port,
// a 404, a document that is not one or names another issuer, a key set
// that is not one. The server log says what failed.
func TestDiscoveryFailuresSayNothing(t *testing.T) {
	log := &syncBuffer{}
	e := newLoggedEnv(t, slog.New(slog.NewTextHandler(log, nil)))
	c := e.iam(creds(prdRoot))
	tests := []struct {
		name, issuer string
		logged       string // in the server log
	}{
		{"closed port", closedPort(t), "connection refused"},
		{"not found", serving(t, http.StatusNotFound, "no such page"), "404"},
		{"not JSON", serving(t, http.StatusOK, "SSH-2.0-OpenSSH_9.6 banner"),
			"not JSON"},
		{"another issuer", discovery(t, "http://127.0.0.1:1/internal-admin", ""),
			"internal-admin"},
		{"remote jwks_uri", discovery(t, "", eksURL+"/keys"), "jwks_uri"},
		{"key set without keys", discovery(t, "", ""), "the key set at"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := createProvider(tc.issuer, "a")(t.Context(), c)
			want := "trove could not read the provider's discovery document or keys from " +
				tc.issuer + "; see the server log."
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != "InvalidInput" ||
				ae.ErrorMessage() != want {
				t.Fatalf("got %v, want InvalidInput: %s", err, want)
			}
			logged := log.String()
			if !strings.Contains(logged, "level=WARN") ||
				!strings.Contains(logged, tc.issuer) || !strings.Contains(logged, tc.logged) {
				t.Fatalf("the log does not say %q of %s:\n%s", tc.logged, tc.issuer, logged)
			}
		})
	}
}
