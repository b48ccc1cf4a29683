package notify

import "strings"

// Target is one configuration an event matched: the configuration's id and
// the webhook its queue ARN names.
type Target struct {
	ConfigID string
	Webhook  string
}

// Match returns the configurations of c that select the event name (the
// store's form, without "s3:") for key, in document order. Check keeps
// configurations from overlapping, so a webhook named by several gets the
// event once per configuration that selects it.
func (c *Config) Match(name, key string) []Target {
	var out []Target
	for _, q := range c.Queues {
		if !q.selects("s3:"+name) || !strings.HasPrefix(key, q.Prefix()) ||
			!strings.HasSuffix(key, q.Suffix()) {
			continue
		}
		if id, ok := WebhookID(q.ARN); ok {
			out = append(out, Target{ConfigID: q.ID, Webhook: id})
		}
	}
	return out
}

// selects reports whether one of the queue's events is name or a wildcard
// covering it.
func (q Queue) selects(name string) bool {
	for _, e := range q.Events {
		if e == name || covers(e, name) {
			return true
		}
	}
	return false
}
