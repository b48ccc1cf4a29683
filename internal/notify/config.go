package notify

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"regexp"
	"strings"
)

// Config is a bucket's notification configuration, S3's
// NotificationConfiguration document. Only queue configurations naming
// declared webhooks are valid (Check); topic and function configurations
// are read so that Check can name their ARNs in its refusal.
type Config struct {
	XMLName   xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ NotificationConfiguration"`
	Queues    []Queue  `xml:"QueueConfiguration"`
	Topics    []Other  `xml:"TopicConfiguration,omitempty"`
	Functions []Other  `xml:"CloudFunctionConfiguration,omitempty"`
}

// Queue is one QueueConfiguration: the events it selects, sent to the
// webhook its queue ARN names.
type Queue struct {
	ID     string   `xml:"Id"`
	ARN    string   `xml:"Queue"`
	Events []string `xml:"Event"`
	Filter *Filter  `xml:"Filter,omitempty"`
}

// Other is a TopicConfiguration or CloudFunctionConfiguration: a
// destination trove cannot send to, kept only to be named in a refusal.
type Other struct {
	Topic    string `xml:"Topic,omitempty"`
	Function string `xml:"CloudFunction,omitempty"`
}

// ARN is the topic's or function's ARN.
func (o Other) ARN() string { return o.Topic + o.Function }

// Filter narrows a configuration to the keys its rules match.
type Filter struct {
	Rules []FilterRule `xml:"S3Key>FilterRule"`
}

// FilterRule is a prefix or suffix the key must have; Name is "prefix" or
// "suffix" once Check has run.
type FilterRule struct {
	Name  string `xml:"Name"`
	Value string `xml:"Value"`
}

// Event names a configuration may select. The store's event names are
// these without "s3:".
var eventNames = map[string]bool{
	"s3:ObjectCreated:*": true, "s3:ObjectCreated:Put": true, "s3:ObjectCreated:Post": true,
	"s3:ObjectCreated:Copy": true, "s3:ObjectCreated:CompleteMultipartUpload": true,
	"s3:ObjectRemoved:*": true, "s3:ObjectRemoved:Delete": true,
	"s3:ObjectRemoved:DeleteMarkerCreated": true,
}

// ARN of a webhook: arn:trove:sqs::<id>:webhook, as a queue ARN names a
// MinIO target.
const (
	arnPrefix = "arn:trove:sqs::"
	arnSuffix = ":webhook"
)

// ValidID matches the ids of webhooks declared in trove's configuration.
var ValidID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// ARN returns the queue ARN that names webhook id.
func ARN(id string) string { return arnPrefix + id + arnSuffix }

// WebhookID returns the webhook id a queue ARN names, or false when arn is
// not a webhook's ARN.
func WebhookID(arn string) (string, bool) {
	id, ok := strings.CutPrefix(arn, arnPrefix)
	if !ok {
		return "", false
	}
	id, ok = strings.CutSuffix(id, arnSuffix)
	return id, ok && ValidID.MatchString(id)
}

// Limits on a configuration.
const (
	// MaxConfigurations bounds the configurations of one document.
	MaxConfigurations = 100
	// MaxEvents bounds the Event elements of one configuration.
	MaxEvents = 64
	// MaxRuleValue bounds a filter rule's value, in bytes: S3's longest key.
	MaxRuleValue = 1024
	maxIDLength  = 255
)

// Check validates c as PutBucketNotificationConfiguration does, with
// declared saying which webhook ids trove's configuration declares. It
// fills in missing ids and writes rule names in lower case. Its error is
// a *ConfigError.
func (c *Config) Check(declared func(id string) bool) error {
	if err := c.checkDestinations(declared); err != nil {
		return err
	}
	ids := make(map[string]bool, len(c.Queues))
	for i := range c.Queues {
		q := &c.Queues[i]
		if err := q.check(); err != nil {
			return err
		}
		if q.ID == "" {
			q.ID = newID()
		}
		if ids[q.ID] {
			return &ConfigError{Kind: ErrDuplicateID, Value: q.ID}
		}
		ids[q.ID] = true
	}
	return c.checkOverlap()
}

// checkDestinations refuses topics, functions and queue ARNs that name no
// declared webhook, naming the first such ARN.
func (c *Config) checkDestinations(declared func(id string) bool) error {
	if n := len(c.Queues) + len(c.Topics) + len(c.Functions); n > MaxConfigurations {
		return &ConfigError{Kind: ErrTooMany, Value: fmt.Sprint(n)}
	}
	if others := append(append([]Other(nil), c.Topics...), c.Functions...); len(others) > 0 {
		return &ConfigError{Kind: ErrDestination, Value: others[0].ARN()}
	}
	for _, q := range c.Queues {
		id, ok := WebhookID(q.ARN)
		if !ok || !declared(id) {
			return &ConfigError{Kind: ErrDestination, Value: q.ARN}
		}
	}
	return nil
}

// check validates one queue configuration's id, events and filter.
func (q *Queue) check() error {
	if len(q.ID) > maxIDLength {
		return &ConfigError{Kind: ErrIDTooLong, Value: q.ID}
	}
	switch {
	case len(q.Events) == 0:
		return &ConfigError{Kind: ErrNoEvent, Value: q.ARN}
	case len(q.Events) > MaxEvents:
		return &ConfigError{Kind: ErrTooManyEvents, Value: q.ARN}
	}
	for _, e := range q.Events {
		if !eventNames[e] {
			return &ConfigError{Kind: ErrEvent, Value: e}
		}
	}
	if q.Filter == nil {
		return nil
	}
	var seen [2]bool
	for i := range q.Filter.Rules {
		r := &q.Filter.Rules[i]
		r.Name = strings.ToLower(r.Name)
		k := 0
		switch r.Name {
		case "prefix":
		case "suffix":
			k = 1
		default:
			return &ConfigError{Kind: ErrRuleName, Value: r.Name}
		}
		if seen[k] {
			return &ConfigError{Kind: ErrRuleTwice, Value: r.Name}
		}
		if len(r.Value) > MaxRuleValue {
			return &ConfigError{Kind: ErrRuleTooLong, Value: r.Name}
		}
		seen[k] = true
	}
	return nil
}

// checkOverlap refuses two configurations that could both select one
// event of one key: a common event type, prefixes of which one starts the
// other, and suffixes of which one ends the other.
func (c *Config) checkOverlap() error {
	for i, a := range c.Queues {
		for _, b := range c.Queues[i+1:] {
			if shareEvent(a.Events, b.Events) &&
				(strings.HasPrefix(a.Prefix(), b.Prefix()) ||
					strings.HasPrefix(b.Prefix(), a.Prefix())) &&
				(strings.HasSuffix(a.Suffix(), b.Suffix()) ||
					strings.HasSuffix(b.Suffix(), a.Suffix())) {
				return &ConfigError{Kind: ErrOverlap, Value: a.ID + ", " + b.ID}
			}
		}
	}
	return nil
}

// shareEvent reports whether an event type is selected by both lists.
func shareEvent(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y || covers(x, y) || covers(y, x) {
				return true
			}
		}
	}
	return false
}

// covers reports whether wildcard w ("s3:ObjectCreated:*") selects name.
func covers(w, name string) bool {
	family, ok := strings.CutSuffix(w, "*")
	return ok && strings.HasPrefix(name, family)
}

// Prefix returns the queue's prefix rule's value, "" when it has none.
func (q Queue) Prefix() string { return q.rule("prefix") }

// Suffix returns the queue's suffix rule's value, "" when it has none.
func (q Queue) Suffix() string { return q.rule("suffix") }

func (q Queue) rule(name string) string {
	if q.Filter == nil {
		return ""
	}
	for _, r := range q.Filter.Rules {
		if strings.EqualFold(r.Name, name) {
			return r.Value
		}
	}
	return ""
}

// newID draws an id for a configuration that has none, as S3 does.
func newID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return hex.EncodeToString(b[:])
}

// Marshal returns c as the document GetBucketNotificationConfiguration
// answers with and the store keeps.
func (c *Config) Marshal() ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(xml.Header)
	if err := xml.NewEncoder(&b).Encode(c); err != nil {
		return nil, fmt.Errorf("notify: encode configuration: %w", err)
	}
	return b.Bytes(), nil
}

// Parse reads a configuration that Marshal wrote (the stored form).
func Parse(doc []byte) (*Config, error) {
	var c Config
	if err := xml.Unmarshal(doc, &c); err != nil {
		return nil, fmt.Errorf("notify: stored configuration: %w", err)
	}
	return &c, nil
}
