package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/webhook"
)

// watchOptions are the flags of `trove artifacts watch`.
type watchOptions struct {
	sourceOptions
	state                  string
	interval               time.Duration
	webhook, webhookSecret string // webhookSecret names an environment variable
	eventsListen           string
	eventsSecret           string // names an environment variable
}

// minWatchInterval is the shortest --interval: a poll lists the whole
// prefix, which on a large bucket takes seconds.
const minWatchInterval = time.Second

// flagSourceName names the source given with flags rather than a file, in
// events and in the state file.
const flagSourceName = "default"

const watchLong = `Poll sources at --interval and print each new artifact once as a JSON
line: a key not listed before ("change":"new"), or a key listed before with
another ETag ("changed"). The first poll of a source records a baseline and
prints nothing; removed keys print nothing. Fields: id, source, bucket, key,
version, etag, size, lastModified, change, previousEtag (for "changed") and
detectedAt.

--state FILE keeps what each source showed and the webhook deliveries not yet
acknowledged, so a restart neither repeats old artifacts nor misses those
published meanwhile. One watcher at a time may use a state file.

With --webhook URL each event is also POSTed as JSON, signed with HMAC-SHA256
in X-Trove-Signature-256 when --webhook-secret-env names a variable holding
the secret, and retried with backoff until a 2xx answer; X-Trove-Delivery
carries the event's id, the same on every retry.

With --events-listen ADDR, S3 event notifications POSTed to ADDR (such as
trove's bucket notifications) make the sources they concern poll at once;
polling goes on regardless. Sources come from flags (named "default") or
from --sources FILE.`

func newArtifactsWatch(s Streams) *cobra.Command {
	var o watchOptions
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Report each new artifact once, as a JSON line and to a webhook",
		Long:  watchLong,
		Example: "  trove artifacts watch --sources sources.yaml --state watch.state \\\n" +
			"    --webhook http://127.0.0.1:8080/hook --webhook-secret-env HOOK_SECRET",
	}
	withUsageErrors(cmd, noArgs, func(cmd *cobra.Command, _ []string) error {
		return runArtifactsWatch(cmd.Context(), s, o)
	})
	fs := cmd.Flags()
	o.addSourceFlags(fs)
	fs.StringVar(&o.state, "state", "", "file keeping what was seen and the pending "+
		"deliveries (required)")
	fs.DurationVar(&o.interval, "interval", artifacts.DefaultInterval, "time between two "+
		"polls of a source, at least 1s")
	fs.StringVar(&o.webhook, "webhook", "", "URL to POST each event to")
	fs.StringVar(&o.webhookSecret, "webhook-secret-env", "", "name of the environment "+
		"variable holding the webhook's HMAC secret")
	fs.StringVar(&o.eventsListen, "events-listen", "", "address such as 127.0.0.1:8089 "+
		"to take S3 event notifications on, as hints to poll at once")
	fs.StringVar(&o.eventsSecret, "events-secret-env", "", "name of the environment "+
		"variable holding the secret event notifications are signed with")
	annotateEnv(fs)
	return cmd
}

// check validates the watch's own flags and returns the secrets the
// variables they name hold.
func (o watchOptions) check() (hook, events []byte, err error) {
	switch {
	case o.state == "":
		return nil, nil, usageErrorf("--state FILE is required: it keeps what was seen " +
			"across restarts")
	case o.interval < minWatchInterval:
		return nil, nil, usageErrorf("--interval %v: want at least %v", o.interval,
			minWatchInterval)
	case o.webhookSecret != "" && o.webhook == "":
		return nil, nil, usageErrorf("--webhook-secret-env needs --webhook")
	case o.eventsSecret != "" && o.eventsListen == "":
		return nil, nil, usageErrorf("--events-secret-env needs --events-listen")
	}
	if err := checkWebhook(o.webhook); err != nil {
		return nil, nil, err
	}
	if hook, err = secretFromEnv("--webhook-secret-env", o.webhookSecret); err != nil {
		return nil, nil, err
	}
	if events, err = secretFromEnv("--events-secret-env", o.eventsSecret); err != nil {
		return nil, nil, err
	}
	return hook, events, checkEventsListen(o.eventsListen, len(events) > 0)
}

// checkWebhook checks --webhook, when given: an absolute http or https URL
// of a host, without user information. The URL is quoted redacted.
func checkWebhook(hook string) error {
	if err := artifacts.CheckWebhook(hook); err != nil {
		return usageErrorf("--webhook: %w", err)
	}
	return nil
}

// secretFromEnv returns the value of the environment variable name, which
// flag names; the variable must be set and not empty.
func secretFromEnv(flag, name string) ([]byte, error) {
	if name == "" {
		return nil, nil
	}
	v := os.Getenv(name)
	if v == "" {
		return nil, usageErrorf("%s %s: the variable is unset or empty", flag, name)
	}
	return []byte(v), nil
}

// checkEventsListen checks --events-listen: host:port, and a loopback host
// unless the events are signed.
func checkEventsListen(addr string, signed bool) error {
	if addr == "" {
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return usageErrorf("--events-listen %q: want host:port, such as 127.0.0.1:8089", addr)
	}
	ip := net.ParseIP(host)
	if !signed && (ip == nil || !ip.IsLoopback()) {
		return usageErrorf("--events-listen %q: unsigned events are taken on a loopback "+
			"address only; give --events-secret-env to listen elsewhere", addr)
	}
	return nil
}

// watchSources returns the sources to watch with their clients.
func (o watchOptions) watchSources(ctx context.Context) ([]artifacts.WatchSource, error) {
	var srcs []artifacts.NamedSource
	if o.sourcesFile == "" {
		src, err := o.flagSource()
		if err != nil {
			return nil, err
		}
		srcs = []artifacts.NamedSource{{Name: flagSourceName, Source: src}}
	} else {
		var err error
		if srcs, err = o.chooseSources(); err != nil {
			return nil, err
		}
	}
	var out []artifacts.WatchSource
	for _, src := range srcs {
		c, err := openSource(ctx, src.Source)
		if err != nil {
			return nil, fmt.Errorf("source %s: %w", src.Name, err)
		}
		out = append(out, artifacts.WatchSource{Name: src.Name, Client: c})
	}
	return out, nil
}

func runArtifactsWatch(ctx context.Context, s Streams, o watchOptions) error {
	hookSecret, eventsSecret, err := o.check()
	if err != nil {
		return err
	}
	srcs, err := o.watchSources(ctx)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(s.Err, nil))
	w, err := artifacts.NewWatcher(artifacts.WatchConfig{Sources: srcs, StatePath: o.state,
		Interval: o.interval, Out: s.Out, Webhook: o.webhook,
		Sender:   &webhook.Sender{Secret: hookSecret, Log: log},
		HintAddr: o.eventsListen, HintSecret: eventsSecret, Log: log})
	if errors.Is(err, artifacts.ErrStateLocked) {
		return fmt.Errorf("%w (is another trove artifacts watch running with --state %s?)",
			err, o.state)
	}
	if err != nil {
		return err
	}
	if addr := w.HintAddr(); addr != "" {
		log.Info("taking event notifications", "addr", addr)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return w.Run(ctx)
}
