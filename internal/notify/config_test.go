package notify_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/notify"
)

// declared declares the webhooks "hook" and "other".
func declared(id string) bool { return id == "hook" || id == "other" }

// queue is a queue configuration for the webhook "hook".
func queue(id, prefix, suffix string, events ...string) notify.Queue {
	q := notify.Queue{ID: id, ARN: notify.ARN("hook"), Events: events}
	if prefix != "" || suffix != "" {
		q.Filter = &notify.Filter{}
		if prefix != "" {
			q.Filter.Rules = append(q.Filter.Rules, notify.FilterRule{Name: "Prefix",
				Value: prefix})
		}
		if suffix != "" {
			q.Filter.Rules = append(q.Filter.Rules, notify.FilterRule{Name: "suffix",
				Value: suffix})
		}
	}
	return q
}

// repeat returns n copies of event.
func repeat(event string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = event
	}
	return out
}

// queues returns n configurations of disjoint prefixes.
func queues(n int, events ...string) []notify.Queue {
	qs := make([]notify.Queue, n)
	for i := range qs {
		qs[i] = queue(fmt.Sprint("q", i), fmt.Sprint(i, "/"), "", events...)
	}
	return qs
}

func TestCheck(t *testing.T) {
	put, del := "s3:ObjectCreated:Put", "s3:ObjectRemoved:*"
	tests := []struct {
		name      string
		c         notify.Config
		wantKind  notify.ConfigErrorKind
		wantValue string
	}{
		{"empty", notify.Config{}, 0, ""},
		{"one queue", notify.Config{Queues: []notify.Queue{queue("a", "p/", ".tgz", put)}},
			0, ""},
		{"disjoint prefixes", notify.Config{Queues: []notify.Queue{
			queue("a", "x/", "", put), queue("b", "y/", "", put)}}, 0, ""},
		{"disjoint suffixes", notify.Config{Queues: []notify.Queue{
			queue("a", "", ".tgz", put), queue("b", "", ".json", put)}}, 0, ""},
		{"different events", notify.Config{Queues: []notify.Queue{
			queue("a", "", "", put), queue("b", "", "", del)}}, 0, ""},
		{"topic", notify.Config{Topics: []notify.Other{{Topic: "arn:aws:sns:us-east-1:1:t"}}},
			notify.ErrDestination, "arn:aws:sns:us-east-1:1:t"},
		{"function", notify.Config{Functions: []notify.Other{{Function: "arn:aws:lambda:f"}}},
			notify.ErrDestination, "arn:aws:lambda:f"},
		{"undeclared webhook", notify.Config{Queues: []notify.Queue{{
			ARN: notify.ARN("nope"), Events: []string{put}}}},
			notify.ErrDestination, "arn:trove:sqs::nope:webhook"},
		{"aws queue", notify.Config{Queues: []notify.Queue{{
			ARN: "arn:aws:sqs:us-east-1:1:q", Events: []string{put}}}},
			notify.ErrDestination, "arn:aws:sqs:us-east-1:1:q"},
		{"unknown event", notify.Config{Queues: []notify.Queue{
			queue("a", "", "", "s3:ObjectCreated:Patch")}},
			notify.ErrEvent, "s3:ObjectCreated:Patch"},
		{"event trove never sends", notify.Config{Queues: []notify.Queue{
			queue("a", "", "", "s3:ObjectRestore:*")}},
			notify.ErrEvent, "s3:ObjectRestore:*"},
		{"no event", notify.Config{Queues: []notify.Queue{queue("a", "", "")}},
			notify.ErrNoEvent, "arn:trove:sqs::hook:webhook"},
		{"bad rule name", notify.Config{Queues: []notify.Queue{{ARN: notify.ARN("hook"),
			Events: []string{put}, Filter: &notify.Filter{Rules: []notify.FilterRule{
				{Name: "infix", Value: "x"}}}}}},
			notify.ErrRuleName, "infix"},
		{"prefix twice", notify.Config{Queues: []notify.Queue{{ARN: notify.ARN("hook"),
			Events: []string{put}, Filter: &notify.Filter{Rules: []notify.FilterRule{
				{Name: "prefix", Value: "a"}, {Name: "PREFIX", Value: "b"}}}}}},
			notify.ErrRuleTwice, "prefix"},
		{"same event, nested prefixes", notify.Config{Queues: []notify.Queue{
			queue("a", "x/", "", put), queue("b", "x/y/", "", put)}},
			notify.ErrOverlap, "a, b"},
		{"wildcard overlaps its member", notify.Config{Queues: []notify.Queue{
			queue("a", "", ".tgz", "s3:ObjectCreated:*"), queue("b", "", "app.tgz", put)}},
			notify.ErrOverlap, "a, b"},
		{"duplicate id", notify.Config{Queues: []notify.Queue{
			queue("a", "x/", "", put), queue("a", "y/", "", put)}},
			notify.ErrDuplicateID, "a"},
		{"id too long", notify.Config{Queues: []notify.Queue{
			queue(strings.Repeat("i", 256), "", "", put)}},
			notify.ErrIDTooLong, strings.Repeat("i", 256)},
		{"64 events", notify.Config{Queues: []notify.Queue{
			queue("a", "", "", repeat(put, notify.MaxEvents)...)}}, 0, ""},
		{"too many events", notify.Config{Queues: []notify.Queue{
			queue("a", "", "", repeat(put, notify.MaxEvents+1)...)}},
			notify.ErrTooManyEvents, "arn:trove:sqs::hook:webhook"},
		{"longest rule values", notify.Config{Queues: []notify.Queue{queue("a",
			strings.Repeat("p", 1024), strings.Repeat("s", 1024), put)}}, 0, ""},
		{"prefix too long", notify.Config{Queues: []notify.Queue{queue("a",
			strings.Repeat("p", 1025), "", put)}}, notify.ErrRuleTooLong, "prefix"},
		{"suffix too long", notify.Config{Queues: []notify.Queue{queue("a",
			"", strings.Repeat("s", 1025), put)}}, notify.ErrRuleTooLong, "suffix"},
		{"100 configurations", notify.Config{Queues: queues(100, put)}, 0, ""},
		{"too many configurations", notify.Config{Queues: queues(100, put),
			Topics: []notify.Other{{Topic: "arn:aws:sns:us-east-1:1:t"}}},
			notify.ErrTooMany, "101"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.c.Check(declared)
			var ce *notify.ConfigError
			switch {
			case tt.wantKind == 0 && err != nil:
				t.Fatalf("Check = %v, want nil", err)
			case tt.wantKind == 0:
			case !errors.As(err, &ce):
				t.Fatalf("Check = %v, want a *ConfigError", err)
			case ce.Kind != tt.wantKind || ce.Value != tt.wantValue:
				t.Errorf("Check = kind %d value %q, want kind %d value %q", ce.Kind, ce.Value,
					tt.wantKind, tt.wantValue)
			}
		})
	}
}

// TestCheckFillsIn checks that Check draws missing ids and writes rule
// names in lower case, and that the stored form reads back equal.
func TestCheckFillsIn(t *testing.T) {
	c := notify.Config{Queues: []notify.Queue{queue("", "P/", ".tgz", "s3:ObjectCreated:*")}}
	if err := c.Check(declared); err != nil {
		t.Fatal(err)
	}
	q := c.Queues[0]
	if len(q.ID) != 32 || q.Filter.Rules[0].Name != "prefix" {
		t.Errorf("after Check: %+v", q)
	}
	doc, err := c.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	back, err := notify.Parse(doc)
	if err != nil {
		t.Fatal(err)
	}
	if back.Queues[0].ID != q.ID || back.Queues[0].Prefix() != "P/" ||
		back.Queues[0].Suffix() != ".tgz" || back.Queues[0].ARN != q.ARN {
		t.Errorf("Parse(Marshal) = %+v, want %+v", back.Queues[0], q)
	}
}

func TestWebhookID(t *testing.T) {
	tests := []struct {
		arn    string
		wantID string
		wantOK bool
	}{
		{"arn:trove:sqs::hook:webhook", "hook", true},
		{"arn:trove:sqs::a_b-C9:webhook", "a_b-C9", true},
		{"arn:trove:sqs::hook:queue", "", false},
		{"arn:trove:sqs:::webhook", "", false},
		{"arn:trove:sqs::a/b:webhook", "", false},
		{"arn:minio:sqs::hook:webhook", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			id, ok := notify.WebhookID(tt.arn)
			if ok != tt.wantOK || (ok && id != tt.wantID) {
				t.Errorf("WebhookID = %q, %v; want %q, %v", id, ok, tt.wantID, tt.wantOK)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	c := notify.Config{Queues: []notify.Queue{
		queue("charts", "charts/", ".tgz", "s3:ObjectCreated:*"),
		queue("removed", "", "", "s3:ObjectRemoved:DeleteMarkerCreated"),
		{ID: "docs", ARN: notify.ARN("other"), Events: []string{"s3:ObjectCreated:Put"},
			Filter: &notify.Filter{Rules: []notify.FilterRule{{Name: "prefix",
				Value: "docs/"}}}},
	}}
	tests := []struct {
		name, event, key string
		want             []string
	}{
		{"put under prefix with suffix", "ObjectCreated:Put", "charts/app-1.0.0.tgz",
			[]string{"charts>hook"}},
		{"copy by wildcard", "ObjectCreated:Copy", "charts/a.tgz", []string{"charts>hook"}},
		{"multipart by wildcard", "ObjectCreated:CompleteMultipartUpload", "charts/a.tgz",
			[]string{"charts>hook"}},
		{"wrong suffix", "ObjectCreated:Put", "charts/app.json", nil},
		{"prefix is case-sensitive", "ObjectCreated:Put", "Charts/app.tgz", nil},
		{"delete not selected", "ObjectRemoved:Delete", "charts/a.tgz", nil},
		{"delete marker", "ObjectRemoved:DeleteMarkerCreated", "x", []string{"removed>hook"}},
		{"other webhook", "ObjectCreated:Put", "docs/readme", []string{"docs>other"}},
		{"copy not selected by Put", "ObjectCreated:Copy", "docs/readme", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, m := range c.Match(tt.event, tt.key) {
				got = append(got, m.ConfigID+">"+m.Webhook)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("Match = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestConfigErrorMessage pins the client-facing text of the limits.
func TestConfigErrorMessage(t *testing.T) {
	tests := []struct {
		name string
		err  notify.ConfigError
		want string
	}{
		{"too many configurations", notify.ConfigError{Kind: notify.ErrTooMany, Value: "101"},
			"Too many notification configurations: a bucket has at most 100."},
		{"too many events", notify.ConfigError{Kind: notify.ErrTooManyEvents, Value: "arn"},
			"Too many events in a notification configuration: at most 64."},
		{"rule too long", notify.ConfigError{Kind: notify.ErrRuleTooLong, Value: "suffix"},
			"The value of the suffix filter rule is too long: at most 1024 bytes, " +
				"the longest key."},
		{"rule twice", notify.ConfigError{Kind: notify.ErrRuleTwice, Value: "prefix"},
			"Cannot specify more than one prefix rule in a filter."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Message(); got != tt.want {
				t.Errorf("Message() = %q, want %q", got, tt.want)
			}
		})
	}
}
