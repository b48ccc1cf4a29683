package e2e

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/server"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// Session token checks. A tampered token is shown against the trove binary. An expired
// one needs time to pass: sessions last at least 900 seconds and `trove serve` has no
// clock to set, so that part serves the same organization in process, through
// server.NewHandler with Config.Now, and drives it with the same aws CLI.

// TestProof6TokenChecks: a session token with one byte flipped is InvalidToken on S3 and
// InvalidClientTokenId on STS; once its session has ended, it is ExpiredToken on both.
func TestProof6TokenChecks(t *testing.T) {
	t.Parallel()
	t.Run("tampered token, trove binary", func(t *testing.T) {
		p := startProof6(t)
		creds := assumeAgent(t, p.aws, "delegate", "delegate-run",
			"--external-id", proof6ExternalID).Credentials
		tok := []byte(creds.SessionToken)
		tok[len(tok)/2] ^= 1
		tampered := creds
		tampered.SessionToken = string(tok)
		runParallel(t, "requests", []proof6Step{
			{who: p.aws.as(creds), step: step{name: "the intact token works",
				profile: anonymousProfile, args: []string{"sts", "get-caller-identity"},
				check: isSession("delegate-run")}},
			{who: p.aws.as(tampered), step: step{name: "S3 answers InvalidToken",
				profile: anonymousProfile, args: []string{"s3api", "list-objects-v2",
					"--bucket", bucket}, want: "InvalidToken", status: 400}},
			{who: p.aws.as(tampered), step: step{name: "STS answers InvalidClientTokenId",
				profile: anonymousProfile, args: []string{"sts", "get-caller-identity"},
				want: "InvalidClientTokenId", status: 403}},
		})
	})
	t.Run("expired session, in process with a clock", testExpiredSession)
}

// offsetClock is a server clock offset from the real one, which the aws CLI signs with.
type offsetClock struct{ offset atomic.Int64 }

func (c *offsetClock) now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

func (c *offsetClock) set(offset time.Duration) { c.offset.Store(int64(offset)) }

// testExpiredSession assumes the role for 900 seconds while the server's clock is ten
// minutes behind, so that the session ends five minutes from now; with the clock six
// minutes ahead, each request is still signed within the 15 minutes of skew trove
// allows, and the session has ended.
func testExpiredSession(t *testing.T) {
	clk := &offsetClock{}
	clk.set(-10 * time.Minute)
	org := proof6Org(t, oidcissuer.New(t))
	c := newCLI(t, org, serveInProcess(t, org, clk.now))
	a := assumeAgent(t, c, "delegate", "short", "--external-id", proof6ExternalID,
		"--duration-seconds", "900")
	exp, err := time.Parse(time.RFC3339, a.Credentials.Expiration)
	if off := time.Until(exp) - 5*time.Minute; err != nil || off.Abs() > time.Minute {
		t.Fatalf("expiration %q (%v), want about five minutes from now",
			a.Credentials.Expiration, err)
	}
	s := c.as(a.Credentials)
	list := []string{"s3api", "list-objects-v2", "--bucket", bucket}
	sequence(t, s, "before the end", []step{
		{name: "the session lists", profile: anonymousProfile, args: list},
	})
	clk.set(6 * time.Minute)
	runParallel(t, "after the end", []proof6Step{
		{who: s, step: step{name: "S3 answers ExpiredToken", profile: anonymousProfile,
			args: list, want: "ExpiredToken", status: 400}},
		{who: s, step: step{name: "STS answers ExpiredToken", profile: anonymousProfile,
			args: []string{"sts", "get-caller-identity"}, want: "ExpiredToken", status: 403}},
		{who: c, step: step{name: "the delegate's own key still works", profile: "delegate",
			args: list}},
	})
}

// serveInProcess serves the organization file org from a fresh data directory in this
// process, with now as the server's clock, on a loopback port, and returns its URL.
func serveInProcess(t *testing.T, org string, now func() time.Time) string {
	t.Helper()
	var out troveproc.Buffer
	log := slog.New(slog.NewTextHandler(&out, nil))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the in-process server logged:\n%s", out.String())
		}
	})
	ctx := context.Background()
	st, err := server.Open(ctx, filepath.Join(t.TempDir(), "data"), log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := server.LoadOrgFile(ctx, st.Meta, org, "us-east-1", log); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(server.NewHandler(st, server.Config{Now: now}, log))
	t.Cleanup(srv.Close)
	return srv.URL
}
