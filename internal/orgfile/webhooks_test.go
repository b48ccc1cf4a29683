package orgfile

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

// TestWebhooks pins what the webhooks section accepts and each error,
// which names the element and never the secret.
func TestWebhooks(t *testing.T) {
	const secret = "a-secret-of-at-least-32-characters!!"
	env := map[string]string{"HOOK_SECRET": secret, "SHORT": "short"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		yaml    string
		wantKey string
		wantErr string
	}{
		{"unsigned", "id: a\n  endpoint: http://127.0.0.1:8088/hook", "", ""},
		{"inline secret", "id: a\n  endpoint: https://127.0.0.1/h\n  secret: " + secret,
			secret, ""},
		{"secret from the environment",
			"id: a_b-1\n  endpoint: http://[::1]:9/h\n  secretEnv: HOOK_SECRET", secret, ""},
		{"query and highest port", "id: a\n  endpoint: http://127.0.0.1:65535/h?x=%20y", "",
			""},
		{"bad id", "id: a.b\n  endpoint: http://127.0.0.1/h", "",
			`webhooks[0] "a.b": id must be 1-64 letters, digits, '-' or '_'`},
		{"no endpoint", "id: a", "", `webhooks[0] "a": endpoint is required`},
		{"ftp endpoint", "id: a\n  endpoint: ftp://127.0.0.1/h", "",
			`webhooks[0] "a": endpoint "ftp://127.0.0.1/h": must be an http or https URL`},
		{"relative endpoint", "id: a\n  endpoint: /hook", "",
			`webhooks[0] "a": endpoint "(URL without a host)": must be an http or https URL`},
		{"opaque endpoint", "id: a\n  endpoint: 'http:127.0.0.1/h'", "",
			`webhooks[0] "a": endpoint "(URL without a host)": has no host`},
		{"port only", "id: a\n  endpoint: 'http://:8080/h'", "",
			`webhooks[0] "a": endpoint "http://:8080/h": has no host`},
		{"port too high", "id: a\n  endpoint: http://127.0.0.1:99999/", "",
			`webhooks[0] "a": endpoint "http://127.0.0.1:99999/": port 99999 is not ` +
				`from 1 to 65535`},
		{"port zero", "id: a\n  endpoint: http://127.0.0.1:0/", "",
			`webhooks[0] "a": endpoint "http://127.0.0.1:0/": port 0 is not from 1 to 65535`},
		{"space in path", "id: a\n  endpoint: http://127.0.0.1:1/a b", "",
			`webhooks[0] "a": endpoint: has a space or control character at byte 20; ` +
				`percent-encode it`},
		{"tab", "id: a\n  endpoint: \"http://127.0.0.1/\\t\"", "",
			`webhooks[0] "a": endpoint: has a space or control character at byte 17`},
		{"bad escape", "id: a\n  endpoint: http://127.0.0.1/%zz?token=hidden", "",
			`webhooks[0] "a": endpoint: does not parse as a URL (it is not shown`},
		{"user in endpoint", "id: a\n  endpoint: http://u:p@127.0.0.1/h", "",
			`webhooks[0] "a": endpoint: must not carry user information; use a secret`},
		{"fragment", "id: a\n  endpoint: http://127.0.0.1/h#part", "",
			`webhooks[0] "a": endpoint "http://127.0.0.1/h": must not have a fragment`},
		{"empty fragment", "id: a\n  endpoint: http://127.0.0.1/h#", "",
			`webhooks[0] "a": endpoint "http://127.0.0.1/h": must not have a fragment`},
		{"query not shown", "id: a\n  endpoint: ftp://127.0.0.1/h?token=hidden", "",
			`webhooks[0] "a": endpoint "ftp://127.0.0.1/h": must be an http or https URL`},
		{"no accounts", "id: a\n  endpoint: http://127.0.0.1/h", "",
			`webhooks[0] "a": accounts is required: list the 12-digit ids of the ` +
				`accounts whose buckets may send notifications to this webhook`},
		{"empty accounts", "id: a\n  endpoint: http://127.0.0.1/h\n  accounts: []", "",
			`webhooks[0] "a": accounts is required`},
		{"short account id", "id: a\n  endpoint: http://127.0.0.1/h\n  accounts: ['1234']",
			"", `webhooks[0] "a": accounts[0] "1234": an account id is 12 digits`},
		{"account twice", "id: a\n  endpoint: http://127.0.0.1/h\n  accounts: " +
			"['111111111111', '222222222222', '111111111111']", "",
			`webhooks[0] "a": accounts[2] "111111111111": listed twice`},
		{"both secrets", "id: a\n  endpoint: http://127.0.0.1/h\n  secret: " + secret +
			"\n  secretEnv: HOOK_SECRET", "",
			`webhooks[0] "a": give secret or secretEnv, not both`},
		{"unset variable", "id: a\n  endpoint: http://127.0.0.1/h\n  secretEnv: NOPE", "",
			`webhooks[0] "a": secretEnv: NOPE is unset or empty`},
		{"short secret", "id: a\n  endpoint: http://127.0.0.1/h\n  secretEnv: SHORT", "",
			`webhooks[0] "a": secret must be at least 32 characters`},
		{"unknown field", "id: a\n  endpoint: http://127.0.0.1/h\n  url: x", "",
			"field url not found in a webhook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := "webhooks:\n- " + tt.yaml + "\n"
			if !strings.Contains(tt.yaml, "accounts:") && tt.name != "no accounts" {
				doc += "  accounts: ['111111111111']\n"
			}
			f, err := parseWith([]byte(doc), getenv)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.wantErr)
			case err != nil && (strings.Contains(err.Error(), secret) ||
				strings.Contains(err.Error(), "hidden")):
				t.Fatalf("error %v shows the secret or the query", err)
			case err == nil && string(f.Webhooks[0].Key) != tt.wantKey:
				t.Errorf("Key = %q, want %q", f.Webhooks[0].Key, tt.wantKey)
			}
		})
	}
}

// TestWebhookTwice checks that an id is declared once.
func TestWebhookTwice(t *testing.T) {
	doc := "webhooks:\n- {id: a, endpoint: 'http://127.0.0.1/1', accounts: ['111111111111']}\n" +
		"- {id: a, endpoint: 'http://127.0.0.1/2', accounts: ['111111111111']}\n"
	_, err := parseWith([]byte(doc), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), `webhooks[1] "a": declared twice`) {
		t.Fatalf("Parse = %v, want declared twice", err)
	}
}

// TestWebhookLogValue checks that logging a webhook leaves its secret out.
func TestWebhookLogValue(t *testing.T) {
	var b bytes.Buffer
	w := Webhook{ID: "a", Endpoint: "http://127.0.0.1/h?token=hidden", Secret: "inline-secret",
		Key: []byte("resolved-secret"), Accounts: []string{"111111111111"}}
	slog.New(slog.NewTextHandler(&b, nil)).Info("declared", "webhook", w)
	line := b.String()
	if strings.Contains(line, "secret") || strings.Contains(line, "hidden") ||
		!strings.Contains(line, "webhook.id=a") ||
		!strings.Contains(line, "webhook.accounts=[111111111111]") {
		t.Errorf("log line %q", line)
	}
}

// parseWith is Parse reading the environment through getenv.
func parseWith(data []byte, getenv func(string) string) (*File, error) {
	old := osGetenv
	osGetenv = getenv
	defer func() { osGetenv = old }()
	return Parse(data, "testdata")
}
