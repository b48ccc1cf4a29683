package s3api_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/testutil"
	"github.com/troveproject/trove/internal/webhook"
)

const hookSecret = "s3api-test-webhook-secret-0123456789"

// hook is a webhook receiver that checks signatures and records events
// as "eventName key".
type hook struct {
	mu     sync.Mutex // guards events
	events []string
	got    chan string
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := webhook.ReadVerified(r, []byte(hookSecret), 1<<20)
	if err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var m struct {
		Records []struct {
			EventName string
			S3        struct{ Object struct{ Key string } }
		}
	}
	if err := json.Unmarshal(body, &m); err != nil || len(m.Records) != 1 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	ev := m.Records[0].EventName + " " + m.Records[0].S3.Object.Key
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
	h.got <- ev
}

// await returns the next n events, failing after ten seconds.
func (h *hook) await(t *testing.T, n int) []string {
	t.Helper()
	var out []string
	for range n {
		select {
		case ev := <-h.got:
			out = append(out, ev)
		case <-time.After(10 * time.Second):
			t.Fatalf("got events %q, want %d", out, n)
		}
	}
	return out
}

// newNotifyEnv is newEnv with the webhooks "hook", open to the devtools
// account (dev-main's owner), and "prd-only", open to the prd account,
// declared, and a dispatcher delivering to a recording receiver, over
// path-style plain HTTP.
func newNotifyEnv(t *testing.T) (*env, *hook) {
	t.Helper()
	st := testutil.Stores(t, "testdata/org.yaml")
	rcv := &hook{got: make(chan string, 100)}
	srv := httptest.NewServer(rcv)
	t.Cleanup(srv.Close)
	d := notify.New(notify.Options{Meta: st.Meta, MinBackoff: 5 * time.Millisecond,
		Poll: 50 * time.Millisecond, Webhooks: []notify.Webhook{
			{ID: "hook", Endpoint: srv.URL, Secret: []byte(hookSecret),
				Accounts: []string{"111111111111"}},
			{ID: "prd-only", Endpoint: srv.URL, Accounts: []string{"222222222222"}}}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); d.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	e := &env{stores: st}
	e.h = s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(tlog{t}, nil)),
		Webhook: d.Declared, Notify: d.Wake})
	e.start(t, modes[0])
	return e, rcv
}

// putNotification sets dev-main's configuration through the SDK.
func putNotification(t *testing.T, c *s3.Client, qs ...types.QueueConfiguration) {
	t.Helper()
	_, err := c.PutBucketNotificationConfiguration(context.Background(),
		&s3.PutBucketNotificationConfigurationInput{Bucket: aws.String("dev-main"),
			NotificationConfiguration: &types.NotificationConfiguration{QueueConfigurations: qs}})
	if err != nil {
		t.Fatalf("PutBucketNotificationConfiguration: %v", err)
	}
}

// queueTo selects events of the webhook "hook", with a prefix and suffix
// filter when they are not "".
func queueTo(prefix, suffix string, events ...types.Event) types.QueueConfiguration {
	q := types.QueueConfiguration{QueueArn: aws.String(notify.ARN("hook")), Events: events}
	var rules []types.FilterRule
	if prefix != "" {
		rules = append(rules, types.FilterRule{Name: "prefix", Value: aws.String(prefix)})
	}
	if suffix != "" {
		rules = append(rules, types.FilterRule{Name: "suffix", Value: aws.String(suffix)})
	}
	if rules != nil {
		q.Filter = &types.NotificationConfigurationFilter{
			Key: &types.S3KeyFilter{FilterRules: rules}}
	}
	return q
}

func TestNotificationConfigurationRoundTrip(t *testing.T) {
	e, _ := newNotifyEnv(t)
	c := e.s3(devRoot)
	get := func() *s3.GetBucketNotificationConfigurationOutput {
		out, err := c.GetBucketNotificationConfiguration(context.Background(),
			&s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("dev-main")})
		if err != nil {
			t.Fatalf("GetBucketNotificationConfiguration: %v", err)
		}
		return out
	}
	if out := get(); len(out.QueueConfigurations) != 0 {
		t.Fatalf("fresh bucket has %+v", out.QueueConfigurations)
	}
	putNotification(t, c, queueTo("charts/", ".tgz", "s3:ObjectCreated:*"))
	qs := get().QueueConfigurations
	if len(qs) != 1 || aws.ToString(qs[0].Id) == "" ||
		aws.ToString(qs[0].QueueArn) != "arn:trove:sqs::hook:webhook" ||
		!slices.Equal(qs[0].Events, []types.Event{"s3:ObjectCreated:*"}) ||
		len(qs[0].Filter.Key.FilterRules) != 2 {
		t.Fatalf("stored configuration %+v", qs)
	}
	putNotification(t, c)
	if out := get(); len(out.QueueConfigurations) != 0 {
		t.Errorf("after an empty configuration: %+v", out.QueueConfigurations)
	}
	_, err := e.s3(reader).GetBucketNotificationConfiguration(context.Background(),
		&s3.GetBucketNotificationConfigurationInput{Bucket: aws.String("dev-main")})
	wantErr(t, err, "AccessDenied", http.StatusForbidden)
}

// s3Error is an error body's code and message.
type s3Error struct {
	Code, Message  string
	ArgumentName1  string
	ArgumentValue  string
	ArgumentValue1 string
}

// queueXML is a QueueConfiguration element.
func queueXML(arn, events, filter string) string {
	return "<QueueConfiguration><Queue>" + arn + "</Queue>" + events + filter +
		"</QueueConfiguration>"
}

// queues is n QueueConfiguration elements for "hook" with disjoint
// prefixes.
func queues(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(queueXML(notify.ARN("hook"), "<Event>s3:ObjectCreated:Put</Event>",
			fmt.Sprintf("<Filter><S3Key><FilterRule><Name>prefix</Name><Value>%d/</Value>"+
				"</FilterRule></S3Key></Filter>", i)))
	}
	return b.String()
}

// putNotificationXML sends body as bucket's notification configuration,
// signed by p.
func putNotificationXML(t *testing.T, e *env, p *principal, bucket, body string) (
	*http.Response, []byte) {
	t.Helper()
	req := signed(t, p, "us-east-1", http.MethodPut, e.endpoint()+"/"+bucket+"?notification",
		[]byte(body), nil)
	return e.do(t, req)
}

func TestNotificationConfigurationErrors(t *testing.T) {
	e, _ := newNotifyEnv(t)
	queue := queueXML
	put := "<Event>s3:ObjectCreated:Put</Event>"
	hookARN := "arn:trove:sqs::hook:webhook"
	prefix := func(v string) string {
		return "<Filter><S3Key><FilterRule><Name>prefix</Name><Value>" + v +
			"</Value></FilterRule></S3Key></Filter>"
	}
	tests := []struct {
		name, body string
		status     int
		code, msg  string
	}{
		{"not xml", "{}", 400, "MalformedXML", "The XML you provided was not well-formed " +
			"or did not validate against our published schema"},
		{"no destination", "<NotificationConfiguration><QueueConfiguration>" + put +
			"</QueueConfiguration></NotificationConfiguration>", 400, "MalformedXML", ""},
		{"undeclared webhook", "<NotificationConfiguration>" +
			queue("arn:trove:sqs::nope:webhook", put, "") + "</NotificationConfiguration>",
			400, "InvalidArgument", "Unable to validate the following destination " +
				"configurations"},
		{"topic", "<NotificationConfiguration><TopicConfiguration><Topic>" +
			"arn:aws:sns:us-east-1:111111111111:t</Topic>" + put +
			"</TopicConfiguration></NotificationConfiguration>", 400, "InvalidArgument",
			"Unable to validate the following destination configurations"},
		{"unknown event", "<NotificationConfiguration>" + queue(hookARN,
			"<Event>s3:ObjectCreated:Patch</Event>", "") + "</NotificationConfiguration>",
			400, "InvalidArgument",
			"The event is not supported for notifications: s3:ObjectCreated:Patch"},
		{"overlapping", "<NotificationConfiguration>" + queue(hookARN, put, prefix("a/")) +
			queue(hookARN, "<Event>s3:ObjectCreated:*</Event>", prefix("a/b")) +
			"</NotificationConfiguration>", 400, "InvalidArgument",
			"Configuration is ambiguously defined. Cannot have overlapping suffixes in two " +
				"rules if the prefixes are overlapping for the same event type."},
		{"prefix twice", "<NotificationConfiguration>" + queue(hookARN, put,
			"<Filter><S3Key><FilterRule><Name>prefix</Name><Value>a</Value></FilterRule>"+
				"<FilterRule><Name>Prefix</Name><Value>b</Value></FilterRule></S3Key></Filter>") +
			"</NotificationConfiguration>", 400, "InvalidArgument",
			"Cannot specify more than one prefix rule in a filter."},
		{"bad rule name", "<NotificationConfiguration>" + queue(hookARN, put,
			"<Filter><S3Key><FilterRule><Name>infix</Name><Value>a</Value></FilterRule>"+
				"</S3Key></Filter>") + "</NotificationConfiguration>", 400, "InvalidArgument",
			"filter rule name must be either prefix or suffix"},
		{"eventbridge", "<NotificationConfiguration><EventBridgeConfiguration/>" +
			"</NotificationConfiguration>", 501, "NotImplemented", ""},
		{"100 configurations", "<NotificationConfiguration>" + queues(100) +
			"</NotificationConfiguration>", 200, "", ""},
		{"too many configurations", "<NotificationConfiguration>" + queues(101) +
			"</NotificationConfiguration>", 400, "InvalidArgument",
			"Too many notification configurations: a bucket has at most 100."},
		{"64 events", "<NotificationConfiguration>" + queue(hookARN,
			strings.Repeat(put, 64), "") + "</NotificationConfiguration>", 200, "", ""},
		{"too many events", "<NotificationConfiguration>" + queue(hookARN,
			strings.Repeat(put, 65), "") + "</NotificationConfiguration>", 400,
			"InvalidArgument", "Too many events in a notification configuration: at most 64."},
		{"longest prefix", "<NotificationConfiguration>" + queue(hookARN, put,
			prefix(strings.Repeat("p", 1024))) + "</NotificationConfiguration>", 200, "", ""},
		{"prefix too long", "<NotificationConfiguration>" + queue(hookARN, put,
			prefix(strings.Repeat("p", 1025))) + "</NotificationConfiguration>", 400,
			"InvalidArgument", "The value of the prefix filter rule is too long: at most " +
				"1024 bytes, the longest key."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := putNotificationXML(t, e, &devRoot, "dev-main", tt.body)
			var got s3Error
			_ = xml.Unmarshal(body, &got)
			if resp.StatusCode != tt.status || got.Code != tt.code ||
				(tt.msg != "" && got.Message != tt.msg) {
				t.Errorf("got %d %s %q, want %d %s %q", resp.StatusCode, got.Code,
					got.Message, tt.status, tt.code, tt.msg)
			}
			if tt.name == "undeclared webhook" &&
				got.ArgumentName1 != "arn:trove:sqs::nope:webhook" {
				t.Errorf("ArgumentName1 = %q, want the ARN", got.ArgumentName1)
			}
		})
	}
}

// TestNotificationEvents checks one event per write of each kind, in
// order, and that the filter leaves out the keys it does not match.
func TestNotificationEvents(t *testing.T) {
	e, rcv := newNotifyEnv(t)
	c := e.s3(devRoot)
	ctx := context.Background()
	putNotification(t, c, queueTo("", ".tgz", "s3:ObjectCreated:*"),
		queueTo("", "", "s3:ObjectRemoved:*"))
	put(t, c, "dev-main", "charts/a b.tgz", "one")
	put(t, c, "dev-main", "charts/skip.json", "not a chart")
	_, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("dev-main"),
		Key: aws.String("copy.tgz"), CopySource: aws.String("dev-main/charts/a%20b.tgz")})
	if err != nil {
		t.Fatal(err)
	}
	multipartPut(t, c, "big.tgz")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("dev-main"),
		Key: aws.String("charts/a b.tgz")})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ObjectCreated:Put charts/a+b.tgz", "ObjectCreated:Copy copy.tgz",
		"ObjectCreated:CompleteMultipartUpload big.tgz",
		"ObjectRemoved:Delete charts/a+b.tgz"}
	if got := rcv.await(t, len(want)); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
	_, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("dev-main"),
		Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: aws.String("copy.tgz")},
			{Key: aws.String("big.tgz")}}}})
	if err != nil {
		t.Fatal(err)
	}
	got := rcv.await(t, 2)
	slices.Sort(got)
	want = []string{"ObjectRemoved:Delete big.tgz", "ObjectRemoved:Delete copy.tgz"}
	if !slices.Equal(got, want) {
		t.Errorf("DeleteObjects events %q, want %q", got, want)
	}
	enableVersioning(t, e, "dev-main", "Enabled")
	put(t, c, "dev-main", "v.tgz", "v1")
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("dev-main"),
		Key: aws.String("v.tgz")})
	if err != nil {
		t.Fatal(err)
	}
	want = []string{"ObjectCreated:Put v.tgz", "ObjectRemoved:DeleteMarkerCreated v.tgz"}
	if got := rcv.await(t, 2); !slices.Equal(got, want) {
		t.Errorf("versioned events %q, want %q", got, want)
	}
	select {
	case ev := <-rcv.got:
		t.Errorf("unexpected event %q", ev)
	case <-time.After(100 * time.Millisecond):
	}
}

// multipartPut uploads key to dev-main in one part.
func multipartPut(t *testing.T, c *s3.Client, key string) {
	t.Helper()
	ctx := context.Background()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{
		Bucket: aws.String("dev-main"), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	part, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("dev-main"),
		Key: aws.String(key), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("part one")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{
		Bucket: aws.String("dev-main"), Key: aws.String(key), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{ETag: part.ETag, PartNumber: aws.Int32(1)}}}})
	if err != nil {
		t.Fatal(err)
	}
}

// TestNotificationWebhookAccounts checks that a bucket can name a webhook
// only when the webhook lists the bucket's owner, and that the refusal is
// the one for a webhook that is not declared, so that ids cannot be told
// apart by trying them.
func TestNotificationWebhookAccounts(t *testing.T) {
	e, _ := newNotifyEnv(t)
	doc := func(id string) string {
		return "<NotificationConfiguration>" + queueXML(notify.ARN(id),
			"<Event>s3:ObjectCreated:*</Event>", "") + "</NotificationConfiguration>"
	}
	tests := []struct {
		name, bucket, webhook string
		p                     *principal
		accepted              bool
	}{
		{"owner listed", "dev-main", "hook", &devRoot, true},
		{"owner not listed", "dev-main", "prd-only", &devRoot, false},
		{"other account's bucket", "out-data", "hook", &outsider, false},
		{"webhook not declared", "out-data", "nope", &outsider, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := putNotificationXML(t, e, tt.p, tt.bucket, doc(tt.webhook))
			if tt.accepted {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("got %d %s, want 200", resp.StatusCode, body)
				}
				return
			}
			var got s3Error
			_ = xml.Unmarshal(body, &got)
			want := s3Error{Code: "InvalidArgument", Message: "Unable to validate the " +
				"following destination configurations", ArgumentName1: notify.ARN(tt.webhook),
				ArgumentValue1: "The destination is not a webhook declared in trove's " +
					"configuration"}
			if resp.StatusCode != http.StatusBadRequest || got != want {
				t.Errorf("got %d %+v, want 400 %+v", resp.StatusCode, got, want)
			}
		})
	}
}
