package orgfile

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/webhook"
)

// Webhook declares a destination of bucket notifications: a bucket's
// notification configuration names it by the queue ARN
// arn:trove:sqs::<id>:webhook. Only buckets of the Accounts listed may
// publish to it, as a queue's resource policy says in AWS; the list is
// required. Its secret, given inline (Secret) or, better, in an
// environment variable (SecretEnv), signs every body
// (X-Trove-Signature-256); with neither, bodies go unsigned.
type Webhook struct {
	ID        string   `yaml:"id"`
	Endpoint  string   `yaml:"endpoint"`
	Accounts  []string `yaml:"accounts"`
	Secret    string   `yaml:"secret"`
	SecretEnv string   `yaml:"secretEnv"`
	// Key is the resolved secret, filled in by Load; empty when unsigned.
	Key []byte `yaml:"-"`
}

// LogValue leaves the secret, and the endpoint's query, out of logs.
func (w Webhook) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", w.ID),
		slog.String("endpoint", webhook.Redact(w.Endpoint)),
		slog.Any("accounts", w.Accounts))
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
	if err := checkAccounts(w.Accounts); err != nil {
		return err
	}
	return w.resolveSecret(getenv)
}

// checkEndpoint accepts an absolute http or https URL with a host, a port
// (if any) from 1 to 65535, no space or control character, no user
// information (a credential in logs) and no fragment (never sent). Its
// errors show the endpoint as logs do, without query.
func checkEndpoint(s string) error {
	if s == "" {
		return errors.New("endpoint is required")
	}
	if i := strings.IndexFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r)
	}); i >= 0 {
		return fmt.Errorf("endpoint: has a space or control character at byte %d; "+
			"percent-encode it", i)
	}
	u, err := url.Parse(s)
	if err != nil {
		// The parser's message repeats parts of the URL, credentials and all.
		return errors.New("endpoint: does not parse as a URL (it is not shown: it may " +
			"hold a credential)")
	}
	return checkEndpointParts(s, u)
}

// checkEndpointParts checks the scheme, host, port, user information and
// fragment of endpoint s, parsed as u.
func checkEndpointParts(s string, u *url.URL) error {
	shown := webhook.Redact(u.String())
	switch {
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("endpoint %q: must be an http or https URL", shown)
	case u.Hostname() == "":
		return fmt.Errorf("endpoint %q: has no host", shown)
	case u.User != nil:
		return errors.New("endpoint: must not carry user information; use a secret")
	case strings.Contains(s, "#"):
		return fmt.Errorf("endpoint %q: must not have a fragment (#...), which is never "+
			"sent", shown)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return fmt.Errorf("endpoint %q: port %s is not from 1 to 65535", shown, p)
		}
	}
	return nil
}

// checkAccounts requires a list of distinct 12-digit account ids.
func checkAccounts(ids []string) error {
	if len(ids) == 0 {
		return errors.New("accounts is required: list the 12-digit ids of the accounts " +
			"whose buckets may send notifications to this webhook, such as " +
			`accounts: ["111111111111"]`)
	}
	seen := make(map[string]bool, len(ids))
	for i, id := range ids {
		switch {
		case !accountRe.MatchString(id):
			return fmt.Errorf("accounts[%d] %q: an account id is 12 digits", i, id)
		case seen[id]:
			return fmt.Errorf("accounts[%d] %q: listed twice", i, id)
		}
		seen[id] = true
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
