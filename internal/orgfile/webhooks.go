package orgfile

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/webhook"
)

// Webhook declares a destination of bucket notifications: a bucket's
// notification configuration names it by the queue ARN
// arn:trove:sqs::<id>:webhook. Its secret, given inline (Secret) or, better,
// in an environment variable (SecretEnv), signs every body
// (X-Trove-Signature-256); with neither, bodies go unsigned.
type Webhook struct {
	ID        string `yaml:"id"`
	Endpoint  string `yaml:"endpoint"`
	Secret    string `yaml:"secret"`
	SecretEnv string `yaml:"secretEnv"`
	// Key is the resolved secret, filled in by Load; empty when unsigned.
	Key []byte `yaml:"-"`
}

// LogValue leaves the secret, and the endpoint's query, out of logs.
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID),
		slog.String("endpoint", webhook.Redact(w.Endpoint)))
}

var envNameRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// minWebhookSecret is the shortest secret accepted: 128 bits as hex.
const minWebhookSecret = 32

// validateWebhooks checks the declared webhooks, each under its position
// and id, and resolves their secrets; getenv reads the environment.
func validateWebhooks(ws []Webhook, getenv func(string) string) error {
	seen := make(map[string]bool, len(ws))
	for i := range ws {
		w := &ws[i]
		if err := w.validate(seen, getenv); err != nil {
			return fmt.Errorf("webhooks[%d] %q: %w", i, w.ID, err)
		}
	}
	return nil
}

func (w *Webhook) validate(seen map[string]bool, getenv func(string) string) error {
	switch {
	case !notify.ValidID.MatchString(w.ID):
		return errors.New("id must be 1-64 letters, digits, '-' or '_'")
	case seen[w.ID]:
		return errors.New("declared twice")
	}
	seen[w.ID] = true
	if err := checkEndpoint(w.Endpoint); err != nil {
		return err
	}
	return w.resolveSecret(getenv)
}

// checkEndpoint accepts an absolute http or https URL without user
// information, which would put a credential in logs.
func checkEndpoint(s string) error {
	u, err := url.Parse(s)
	switch {
	case s == "":
		return errors.New("endpoint is required")
	case err != nil:
		return fmt.Errorf("endpoint: %w", err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("endpoint %q: must be an http or https URL", s)
	case u.Host == "":
		return fmt.Errorf("endpoint %q: has no host", s)
	case u.User != nil:
		return errors.New("endpoint: must not carry user information; use a secret")
	}
	return nil
}

// resolveSecret sets Key from Secret or SecretEnv; giving both is an
// error, and so is a variable that is unset or empty, or a secret shorter
// than minWebhookSecret. Errors never contain the secret.
func (w *Webhook) resolveSecret(getenv func(string) string) error {
	secret := w.Secret
	switch {
	case w.Secret != "" && w.SecretEnv != "":
		return errors.New("give secret or secretEnv, not both")
	case w.SecretEnv != "":
		if !envNameRe.MatchString(w.SecretEnv) {
			return fmt.Errorf("secretEnv %q: not an environment variable name", w.SecretEnv)
		}
		if secret = getenv(w.SecretEnv); secret == "" {
			return fmt.Errorf("secretEnv: %s is unset or empty", w.SecretEnv)
		}
	case w.Secret == "":
		return nil
	}
	if len(secret) < minWebhookSecret {
		return fmt.Errorf("secret must be at least %d characters", minWebhookSecret)
	}
	w.Key = []byte(secret)
	return nil
}

// osGetenv is how Load reads the environment; tests replace it.
var osGetenv = os.Getenv
