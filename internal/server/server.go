// Package server assembles a running trove: it locks a data directory,
// opens the embedded stores under it, sweeps what an interrupted write left
// behind, reconciles the organization file, creates a management account on
// first start, and serves the S3 API, with the IAM query API on the same listener,
// until its context ends: over plain HTTP, or over HTTPS when the
// configuration names a certificate and its key or asks for a self-signed
// pair, which trove then keeps under the data directory.
//
// aws:SecureTransport and s3:TlsVersion describe the connection trove itself
// accepted. A TLS-terminating proxy in front of trove makes every request
// plain HTTP to trove; X-Forwarded-Proto is never trusted, since any client
// can send it.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/troveproject/trove/internal/iamapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/orgapi"
	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/store/fsblob"
	"github.com/troveproject/trove/internal/store/sqlite"
	"github.com/troveproject/trove/internal/sts"
)

// Config is the configuration of `trove serve`. The zero value serves the
// embedded default: ./trove-data on 127.0.0.1:9000 in us-east-1.
type Config struct {
	Listen     string   // address to listen on; default 127.0.0.1:9000
	DataDir    string   // metadata and object bytes; default ./trove-data
	ConfigFile string   // organization file to reconcile at start; optional
	Region     string   // region of buckets that name none; default us-east-1
	Domains    []string // virtual-host domains; default localhost
	// TLSCert and TLSKey name PEM files: a certificate chain, leaf first, and
	// its private key. With both, trove serves HTTPS (TLS 1.2 and later);
	// with neither, plain HTTP. Naming one alone is ErrTLSPair.
	TLSCert string
	TLSKey  string
	// TLSSelfSigned serves HTTPS with the self-signed pair at
	// SelfSignedFiles(DataDir), generated (ECDSA P-256, its own CA, valid
	// for 90 days) when missing, valid for less than a day more, or not
	// covering 127.0.0.1, ::1, localhost and every domain with its
	// wildcard. Combined with TLSCert or TLSKey it is ErrTLSSelfSigned.
	TLSSelfSigned bool
	// Now is the clock requests are signed against and sessions expire
	// by; nil means time.Now. It exists for tests.
	Now func() time.Time
}

// ErrTLSPair is Run's error for a configuration that names a TLS
// certificate without its key, or a key without its certificate.
var ErrTLSPair = errors.New("server: a TLS certificate and its key go together: " +
	"name both files or neither")

func (c *Config) defaults() {
	if c.Listen == "" {
		c.Listen = "127.0.0.1:9000"
	}
	if c.DataDir == "" {
		c.DataDir = "trove-data"
	}
	if c.Region == "" {
		c.Region = "us-east-1"
	}
	if len(c.Domains) == 0 {
		c.Domains = []string{"localhost"}
	}
}

// Stores are the open metadata and blob stores.
type Stores struct {
	Meta  store.Meta
	Blobs store.Blobs
	lock  *os.File // holds the data directory's lock until Close
}

// ErrDataDirInUse is Open's error for a data directory that another process,
// such as a second trove serving it, holds open.
var ErrDataDirInUse = errors.New("server: the data directory is in use by another process")

// lockFile is the file in the data directory whose lock Open holds.
const lockFile = "trove.lock"

// Open opens (creating if needed) the embedded stores under dir and removes
// blobs that no record references, which a crash can leave behind. It holds
// an exclusive lock on the directory until Close, and returns
// ErrDataDirInUse when another process holds it: the sweep would remove
// the blobs of that process's writes in progress, and of writes it records
// while the sweep runs.
func Open(ctx context.Context, dir string, log *slog.Logger) (*Stores, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("server: data directory: %w", err)
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return nil, err
	}
	meta, err := sqlite.Open(ctx, filepath.Join(dir, "meta.db"), log)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("server: metadata: %w", err)
	}
	s := &Stores{Meta: meta, lock: lock}
	if s.Blobs, err = fsblob.Open(filepath.Join(dir, "blobs")); err != nil {
		s.Close()
		return nil, fmt.Errorf("server: blobs: %w", err)
	}
	if err := s.sweep(ctx, log); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Stores) sweep(ctx context.Context, log *slog.Logger) error {
	known := make(map[string]bool)
	err := s.Meta.BlobIDs(ctx, func(id string) error { known[id] = true; return nil })
	if err != nil {
		return fmt.Errorf("server: list blobs: %w", err)
	}
	n, err := s.Blobs.Sweep(ctx, func(id string) bool { return known[id] })
	if err != nil {
		return fmt.Errorf("server: sweep blobs: %w", err)
	}
	if n > 0 {
		log.Info("removed orphaned blobs", "count", n)
	}
	return nil
}

// Close closes the stores and lets the data directory's lock go.
func (s *Stores) Close() error {
	err := s.Meta.Close()
	if s.lock != nil {
		err = errors.Join(err, s.lock.Close())
		s.lock = nil
	}
	return err
}

// Run serves until ctx ends. It writes the one-time credentials of a newly
// created management account to out, never to the log.
func Run(ctx context.Context, cfg Config, out io.Writer, log *slog.Logger) error {
	cfg.defaults()
	// Read and validate the TLS key pair and the organization file before the
	// data directory is touched, so that a bad file leaves no empty store
	// behind.
	if cfg.TLSSelfSigned && (cfg.TLSCert != "" || cfg.TLSKey != "") {
		return ErrTLSSelfSigned
	}
	tlsCfg, err := loadTLS(cfg.TLSCert, cfg.TLSKey, time.Now(), log)
	if err != nil {
		return err
	}
	var file *orgfile.File
	if cfg.ConfigFile != "" {
		f, err := orgfile.Load(cfg.ConfigFile)
		if err != nil {
			return err
		}
		file = f
	}
	st, err := Open(ctx, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer st.Close()
	if cfg.TLSSelfSigned {
		// Generating a pair writes into the data directory, so it comes
		// after Open.
		if tlsCfg, err = selfSignedTLS(cfg.DataDir, cfg.Domains, time.Now(), log); err != nil {
			return err
		}
	}
	if file != nil {
		if err := applyOrgFile(ctx, st.Meta, file, cfg.ConfigFile, cfg.Region, log); err != nil {
			return err
		}
	}
	// Listen before creating anything, so that a first start that cannot
	// serve does not print credentials the user may overlook.
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	defer ln.Close()
	if err := Bootstrap(ctx, st.Meta, out); err != nil {
		return err
	}
	d := startDispatcher(ctx, st.Meta, file, log)
	defer d.stop()
	return serve(ctx, ln, tlsCfg, newHandler(st, cfg, log, d.Dispatcher), log)
}

// dispatcher is the running notify.Dispatcher and how to stop it.
type dispatcher struct {
	*notify.Dispatcher
	stop func() // ends Run and waits for it to return
}

// startDispatcher runs the notification dispatcher with the webhooks the
// organization file declares (none without a file) until stop is called,
// which must come before the stores close.
func startDispatcher(ctx context.Context, meta store.Meta, file *orgfile.File,
	log *slog.Logger) dispatcher {
	var hooks []notify.Webhook
	if file != nil {
		for _, w := range file.Webhooks {
			hooks = append(hooks, notify.Webhook{ID: w.ID, Endpoint: w.Endpoint, Secret: w.Key,
				Accounts: w.Accounts})
			log.Info("webhook declared", "webhook", w) // Webhook.LogValue omits the secret
		}
	}
	d := notify.New(notify.Options{Meta: meta, Webhooks: hooks, Log: log})
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		d.Run(ctx)
	}()
	return dispatcher{Dispatcher: d, stop: func() { cancel(); <-done }}
}

// loadTLS reads the certificate and key files, checks that they are a pair,
// and returns the server's TLS configuration; nil, for plain HTTP, when both
// names are empty. A certificate outside its validity period at now is
// served all the same, with a warning: clients will refuse it, but a test
// set-up may mean to show exactly that.
// maxPEMFile bounds the certificate and key files: a chain of a few
// certificates is a few kilobytes.
const maxPEMFile = 1 << 20

func loadTLS(certFile, keyFile string, now time.Time, log *slog.Logger) (*tls.Config, error) {
	switch {
	case certFile == "" && keyFile == "":
		return nil, nil
	case certFile == "" || keyFile == "":
		return nil, ErrTLSPair
	}
	certPEM, err := orgfile.ReadFile(certFile, maxPEMFile)
	if err != nil {
		return nil, fmt.Errorf("server: TLS certificate: %w", err)
	}
	keyPEM, err := orgfile.ReadFile(keyFile, maxPEMFile)
	if err != nil {
		return nil, fmt.Errorf("server: TLS key: %w", err)
	}
	pair, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("server: TLS certificate %s and key %s: %w", certFile, keyFile,
			err)
	}
	if leaf := pair.Leaf; leaf != nil && (now.Before(leaf.NotBefore) || now.After(leaf.NotAfter)) {
		log.Warn("TLS certificate is not valid now; clients will refuse it", "file", certFile,
			"not_before", leaf.NotBefore, "not_after", leaf.NotAfter)
	}
	return &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12}, nil
}

// NewHandler returns what trove serves on its listener over st: the STS
// query API for the requests sts.Handles or sts.HandlesUnsigned (the
// web identity requests, which are not signed), the IAM query API for the
// requests iamapi.Handles, the Organizations API for those orgapi.Handles,
// the S3 API for every other.
// Bucket notifications need the dispatcher Run starts: with NewHandler no
// webhook is declared.
func NewHandler(st *Stores, cfg Config, log *slog.Logger) http.Handler {
	return newHandler(st, cfg, log, nil)
}

// newHandler is NewHandler with the webhooks d declares and wakes; d nil
// declares none.
func newHandler(st *Stores, cfg Config, log *slog.Logger, d *notify.Dispatcher) http.Handler {
	cfg.defaults()
	dir := identity.New(st.Meta)
	dir.Now = cfg.Now
	access := slog.New(capStrings(log.Handler(), maxAccessAttr)).With("log", "access")
	s3cfg := s3api.Config{Meta: st.Meta, Blobs: st.Blobs, Directory: dir,
		Region: cfg.Region, Domains: cfg.Domains, Logger: log, AccessLog: access, Now: cfg.Now}
	if d != nil {
		s3cfg.Webhook, s3cfg.Notify = d.Declared, d.Wake
	}
	s3 := s3api.New(s3cfg)
	iam := iamapi.New(iamapi.Config{Meta: st.Meta, Directory: dir, Logger: log,
		AccessLog: access, Now: cfg.Now})
	tokens := sts.New(sts.Config{Directory: dir, Logger: log, AccessLog: access, Now: cfg.Now,
		WebIdentity: sts.WebIdentity{Providers: st.Meta}})
	orgs := orgapi.New(orgapi.Config{Meta: st.Meta, Directory: dir, Logger: log,
		AccessLog: access, Now: cfg.Now})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if sts.Handles(r) || sts.HandlesUnsigned(r) {
			tokens.ServeHTTP(w, r)
			return
		}
		if orgapi.Handles(r) {
			orgs.ServeHTTP(w, r)
			return
		}
		if iamapi.Handles(r) {
			iam.ServeHTTP(w, r)
			return
		}
		s3.ServeHTTP(w, r)
	})
}

// serve serves h on ln, over TLS when tlsCfg is not nil, until ctx ends.
// HTTPS speaks HTTP/1.1 only, as plain HTTP does here, so that a request
// behaves the same over either transport.
func serve(ctx context.Context, ln net.Listener, tlsCfg *tls.Config, h http.Handler,
	log *slog.Logger) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 30 * time.Second,
		// S3 allows 8 KB of headers, which the handlers answer in XML; past
		// 64 KB the server refuses before reading more.
		MaxHeaderBytes: 64 << 10, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelDebug)}
	scheme := "http://"
	if tlsCfg != nil {
		scheme = "https://"
		srv.Protocols = new(http.Protocols)
		srv.Protocols.SetHTTP1(true)
		ln = tls.NewListener(ln, tlsCfg)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("trove listening", "url", scheme+ln.Addr().String())
	select {
	case err := <-errc:
		return fmt.Errorf("server: %w", err)
	case <-ctx.Done():
	}
	log.Info("trove shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("server: shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("server: %w", err)
	}
	return nil
}

// LoadOrgFile reconciles meta towards the organization file at path.
func LoadOrgFile(ctx context.Context, meta store.Meta, path, region string,
	log *slog.Logger) error {
	f, err := orgfile.Load(path)
	if err != nil {
		return err
	}
	return applyOrgFile(ctx, meta, f, path, region, log)
}

func applyOrgFile(ctx context.Context, meta store.Meta, f *orgfile.File, path, region string,
	log *slog.Logger) error {
	ch, err := orgfile.Apply(ctx, meta, f, region)
	if err != nil {
		return err
	}
	log.Info("organization file applied", "file", path, "created", ch.Created,
		"updated", ch.Updated, "removed", ch.Removed)
	return nil
}

// Bootstrap creates, when the store holds no account at all, a management
// account with a root access key, and prints the key and secret to out once.
func Bootstrap(ctx context.Context, meta store.Meta, out io.Writer) error {
	accounts, err := meta.ListAccounts(ctx)
	if err != nil {
		return fmt.Errorf("server: bootstrap: %w", err)
	}
	if len(accounts) > 0 {
		return nil
	}
	id, orgID := randomDigits(12), "o-"+randomString(10, lowerAlnum)
	rootID := "r-" + randomString(4, lowerAlnum)
	key := store.AccessKey{ID: "AKIA" + randomString(16, upperAlnum),
		Secret: randomString(40, secretChars), Account: id, Active: true,
		Created: time.Now().UTC().Truncate(time.Second)}
	org := store.Organization{ID: orgID, RootID: rootID, ManagementAccount: id}
	if err := meta.PutOrganization(ctx, org); err != nil {
		return fmt.Errorf("server: bootstrap: %w", err)
	}
	acct := store.Account{ID: id, Name: "management", ParentID: rootID}
	if err := meta.PutAccount(ctx, acct); err != nil {
		return fmt.Errorf("server: bootstrap: %w", err)
	}
	if err := meta.PutAccessKey(ctx, key); err != nil {
		return fmt.Errorf("server: bootstrap: %w", err)
	}
	_, err = fmt.Fprintf(out, "trove: first start: created organization %s with management "+
		"account %s.\nIts root user's access key (shown only now, store it safely):\n"+
		"  aws_access_key_id     = %s\n  aws_secret_access_key = %s\n",
		orgID, id, key.ID, key.Secret)
	return err
}

const (
	lowerAlnum  = "abcdefghijklmnopqrstuvwxyz0123456789"
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}

func randomDigits(n int) string {
	s := randomString(n, "0123456789")
	if s[0] == '0' {
		s = "1" + s[1:]
	}
	return s
}
