package cli

import (
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/troveproject/trove/internal/server"
)

func newServe(s Streams) *cobra.Command {
	var cfg server.Config
	var level, format string
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the S3 API from the embedded store",
		Long: "Serve the S3 API. With no flags, trove keeps its data under ./trove-data\n" +
			"(SQLite metadata, object bytes in files) and listens on 127.0.0.1:9000. On\n" +
			"first start it creates a management account and prints its root key once.\n\n" +
			"With --tls-cert and --tls-key, trove serves HTTPS (TLS 1.2 and later) on\n" +
			"--listen, and aws:SecureTransport is true for its requests. Behind a proxy\n" +
			"that terminates TLS, every request is plain HTTP to trove: X-Forwarded-Proto\n" +
			"is ignored, since any client could send it.\n\n" +
			"With --tls-self-signed instead, trove serves HTTPS with a certificate of its\n" +
			"own, kept in DATA_DIR/tls/self-signed.crt (key: self-signed.key, mode 0600)\n" +
			"and regenerated when it has less than a day left: ECDSA P-256, valid 90 days\n" +
			"for 127.0.0.1, ::1, localhost and each --domain with its buckets. The log\n" +
			"names the file and its SHA-256 fingerprint; clients trust it with\n" +
			"aws --ca-bundle FILE or AWS_CA_BUNDLE=FILE.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := bindEnv(cmd.Flags()); err != nil {
				return err
			}
			if cfg.TLSSelfSigned && (cfg.TLSCert != "" || cfg.TLSKey != "") {
				return usageErrorf("--tls-self-signed (or TROVE_TLS_SELF_SIGNED) excludes " +
					"--tls-cert and --tls-key: serve your certificate or a generated one")
			}
			if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
				return usageErrorf("--tls-cert and --tls-key (or TROVE_TLS_CERT and " +
					"TROVE_TLS_KEY) go together: give both to serve HTTPS, or neither")
			}
			log, err := newLogger(s.Err, level, format)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return server.Run(ctx, cfg, s.Out, log)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&cfg.Listen, "listen", "127.0.0.1:9000", "address to listen on")
	fs.StringVar(&cfg.DataDir, "data-dir", "trove-data", "directory for metadata and objects")
	fs.StringVar(&cfg.ConfigFile, "config", "", "organization file to load at start")
	fs.StringVar(&cfg.Region, "region", "us-east-1",
		"region of buckets that name none (the organization file's and anonymous requests')")
	fs.StringSliceVar(&cfg.Domains, "domain", []string{"localhost"},
		"domains for virtual-host-style addressing: <bucket>.<domain>")
	fs.StringVar(&cfg.TLSCert, "tls-cert", "",
		"PEM certificate chain (leaf first); with --tls-key, serve HTTPS")
	fs.StringVar(&cfg.TLSKey, "tls-key", "", "PEM private key of --tls-cert")
	fs.BoolVar(&cfg.TLSSelfSigned, "tls-self-signed", false,
		"serve HTTPS with a self-signed certificate kept under --data-dir/tls")
	fs.StringVar(&level, "log-level", "info", "log level: debug, info, warn or error")
	fs.StringVar(&format, "log-format", "text", "log format: text or json")
	annotateEnv(fs)
	return cmd
}
