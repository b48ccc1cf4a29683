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
		{"bad id", "id: a.b\n  endpoint: http://127.0.0.1/h", "",
			`webhooks[0] "a.b": id must be 1-64 letters, digits, '-' or '_'`},
		{"no endpoint", "id: a", "", `webhooks[0] "a": endpoint is required`},
		{"ftp endpoint", "id: a\n  endpoint: ftp://127.0.0.1/h", "",
			`webhooks[0] "a": endpoint "ftp://127.0.0.1/h": must be an http or https URL`},
		{"relative endpoint", "id: a\n  endpoint: /hook", "",
			`webhooks[0] "a": endpoint "/hook": must be an http or https URL`},
		{"user in endpoint", "id: a\n  endpoint: http://u:p@127.0.0.1/h", "",
			`webhooks[0] "a": endpoint: must not carry user information; use a secret`},
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
			f, err := parseWith([]byte("webhooks:\n- "+tt.yaml+"\n"), getenv)
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Parse: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Parse = %v, want an error containing %q", err, tt.wantErr)
			case err != nil && strings.Contains(err.Error(), secret):
				t.Fatalf("error %v shows the secret", err)
			case err == nil && string(f.Webhooks[0].Key) != tt.wantKey:
				t.Errorf("Key = %q, want %q", f.Webhooks[0].Key, tt.wantKey)
			}
		})
	}
}

// TestWebhookTwice checks that an id is declared once.
func TestWebhookTwice(t *testing.T) {
	doc := "webhooks:\n- {id: a, endpoint: 'http://127.0.0.1/1'}\n" +
		"- {id: a, endpoint: 'http://127.0.0.1/2'}\n"
	_, err := parseWith([]byte(doc), func(string) string { return "" })
	if err == nil || !strings.Contains(err.Error(), `webhooks[1] "a": declared twice`) {
		t.Fatalf("Parse = %v, want declared twice", err)
	}
}

// TestWebhookLogValue checks that logging a webhook leaves its secret out.
func TestWebhookLogValue(t *testing.T) {
	var b bytes.Buffer
	w := Webhook{ID: "a", Endpoint: "http://127.0.0.1/h", Secret: "inline-secret",
		Key: []byte("resolved-secret")}
	slog.New(slog.NewTextHandler(&b, nil)).Info("declared", "webhook", w)
	if strings.Contains(b.String(), "secret") || !strings.Contains(b.String(), "webhook.id=a") {
		t.Errorf("log line %q", b.String())
	}
}

// parseWith is Parse reading the environment through getenv.
func parseWith(data []byte, getenv func(string) string) (*File, error) {
	old := osGetenv
	osGetenv = getenv
	defer func() { osGetenv = old }()
	return Parse(data, "testdata")
}
