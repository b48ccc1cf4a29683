package s3api

// Bucket notifications: GetBucketNotificationConfiguration and
// PutBucketNotificationConfiguration, and the events object writes carry to
// the store. Package notify holds the configuration model, its validation
// and the delivery of events; here documents are read, authorized and
// answered, and writes to a bucket with a configuration are given their
// event (store.WithEvent), which the store queues in the write's own
// transaction.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// Bounds of a NotificationConfiguration document: at most
// notify.MaxConfigurations configurations, each a few dozen tokens. The
// reader stops at the first configuration or Event element over
// notify's limits, answering as Check does.
const (
	maxNotificationBody = 1 << 20
	notificationTokens  = 64 << 10
)

// emptyNotification is the answer for a bucket without a configuration.
var emptyNotification = notify.Config{}

// getBucketNotification answers with the stored configuration, or an empty
// NotificationConfiguration when the bucket has none, as S3 does.
func (h *Handler) getBucketNotification(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:GetBucketNotification", b), nil); err != nil {
		return err
	}
	if b.Notification == nil {
		return writeXML(rq, http.StatusOK, emptyNotification)
	}
	rq.w.Header().Set("Content-Type", "application/xml")
	rq.writeHeader(http.StatusOK)
	_, _ = rq.w.Write(b.Notification)
	return nil
}

// putBucketNotification validates and stores a configuration; one with no
// configurations removes the bucket's.
func (h *Handler) putBucketNotification(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:PutBucketNotification", b), nil); err != nil {
		return err
	}
	c, err := parseNotification(rq.r.Body)
	if err != nil {
		return err
	}
	// A webhook the bucket's owner may not publish to is refused as one not
	// declared: the answer tells nothing about which ids exist.
	declared := func(id string) bool {
		return h.cfg.Webhook != nil && h.cfg.Webhook(id, b.Owner)
	}
	if err := c.Check(declared); err != nil {
		return notificationError(err)
	}
	var doc []byte
	if len(c.Queues) > 0 {
		if doc, err = c.Marshal(); err != nil {
			return err
		}
	}
	err = h.cfg.Meta.PutBucketNotification(rq.ctx, b.Name, doc)
	if err := bucketError(err, b.Name, "put bucket notification"); err != nil {
		return err
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

// notificationError is the client's answer to Check's refusal.
func notificationError(err error) error {
	var ce *notify.ConfigError
	if !errors.As(err, &ce) {
		return fmt.Errorf("s3api: check notification configuration: %w", err)
	}
	e := s3err.Newf(s3err.InvalidArgument, "%s", ce.Message()).WithCause(err)
	switch ce.Kind {
	case notify.ErrDestination:
		return e.With("ArgumentName1", ce.Value).With("ArgumentValue1",
			"The destination is not a webhook declared in trove's configuration")
	case notify.ErrEvent:
		return s3err.Newf(s3err.InvalidArgument,
			"The event is not supported for notifications: %s", ce.Value).
			With("ArgumentName", "Event").With("ArgumentValue", ce.Value)
	case notify.ErrRuleTooLong:
		return e.With("ArgumentName", "FilterRule").With("ArgumentValue", ce.Value)
	}
	return e
}

// parseNotification reads a NotificationConfiguration document from r up
// to its end. Unknown elements are skipped, as S3 reads documents;
// EventBridgeConfiguration is refused, never ignored.
func parseNotification(r io.Reader) (*notify.Config, error) {
	x := newXMLBody(r, xmlLimits{bytes: maxNotificationBody, tokens: notificationTokens})
	if err := x.open("NotificationConfiguration"); err != nil {
		return nil, err
	}
	c := &notify.Config{}
	for {
		name, ok, err := x.child()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		if err := parseNotificationChild(x, c, name); err != nil {
			return nil, err
		}
	}
	if err := x.close(); err != nil {
		return nil, err
	}
	return c, nil
}

// parseNotificationChild reads one child of NotificationConfiguration
// into c.
func parseNotificationChild(x *xmlBody, c *notify.Config, name string) error {
	if n := len(c.Queues) + len(c.Topics) + len(c.Functions); n >= notify.MaxConfigurations &&
		name != "EventBridgeConfiguration" {
		return notificationError(&notify.ConfigError{Kind: notify.ErrTooMany,
			Value: fmt.Sprint("over ", n)})
	}
	switch name {
	case "QueueConfiguration":
		q, err := parseDestination(x, "Queue")
		c.Queues = append(c.Queues, q)
		return err
	case "TopicConfiguration":
		q, err := parseDestination(x, "Topic")
		c.Topics = append(c.Topics, notify.Other{Topic: q.ARN})
		return err
	case "CloudFunctionConfiguration":
		q, err := parseDestination(x, "CloudFunction")
		c.Functions = append(c.Functions, notify.Other{Function: q.ARN})
		return err
	case "EventBridgeConfiguration":
		return s3err.Newf(s3err.NotImplemented,
			"trove does not send notifications to EventBridge; use a QueueConfiguration.")
	}
	return x.skip()
}

// parseDestination reads one configuration whose destination ARN is in
// the element arnName: Id and the ARN at most once, Event one or more
// times, Filter at most once.
func parseDestination(x *xmlBody, arnName string) (notify.Queue, error) {
	var q notify.Queue
	var seenID, seenARN, seenFilter bool
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			if err == nil && !seenARN {
				err = malformed("a notification configuration without %s", arnName)
			}
			return q, err
		}
		switch name {
		case "Id":
			q.ID, err = x.textOnce(name, &seenID)
		case arnName:
			q.ARN, err = x.textOnce(name, &seenARN)
		case "Event":
			err = appendEvent(x, &q)
		case "Filter":
			q.Filter, err = parseFilter(x, &seenFilter)
		default:
			err = x.skip()
		}
		if err != nil {
			return q, err
		}
	}
}

// appendEvent reads one Event element into q.
func appendEvent(x *xmlBody, q *notify.Queue) error {
	if len(q.Events) == notify.MaxEvents {
		return notificationError(&notify.ConfigError{Kind: notify.ErrTooManyEvents,
			Value: q.ARN})
	}
	e, err := x.text()
	q.Events = append(q.Events, e)
	return err
}

// parseFilter reads a Filter element: S3Key at most once, holding
// FilterRule elements of a Name and a Value each.
func parseFilter(x *xmlBody, seen *bool) (*notify.Filter, error) {
	if *seen {
		return nil, malformed("element Filter twice")
	}
	*seen = true
	f := &notify.Filter{}
	var seenKey bool
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			return f, err
		}
		if name != "S3Key" {
			if err := x.skip(); err != nil {
				return f, err
			}
			continue
		}
		if seenKey {
			return f, malformed("element S3Key twice")
		}
		seenKey = true
		if f.Rules, err = parseRules(x); err != nil {
			return f, err
		}
	}
}

// parseRules reads the FilterRule elements of an S3Key element; more than
// two is left for Check to refuse by name.
func parseRules(x *xmlBody) ([]notify.FilterRule, error) {
	var rules []notify.FilterRule
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			return rules, err
		}
		if name != "FilterRule" {
			if err := x.skip(); err != nil {
				return rules, err
			}
			continue
		}
		if len(rules) == 2 {
			return rules, s3err.Newf(s3err.InvalidArgument,
				"A filter has at most one prefix rule and one suffix rule.")
		}
		var r notify.FilterRule
		dst := [...]*string{&r.Name, &r.Value}
		err = x.fields([]string{"Name", "Value"}, func(i int, v string) { *dst[i] = v })
		if err != nil {
			return rules, err
		}
		rules = append(rules, r)
	}
}

// createdEvents are the events of the operations that create objects.
var createdEvents = map[string]string{
	"PutObject":               "ObjectCreated:Put",
	"CopyObject":              "ObjectCreated:Copy",
	"CompleteMultipartUpload": "ObjectCreated:CompleteMultipartUpload",
}

// eventContext returns the context for rq's write of an object: when the
// bucket loadBucket read has a notification configuration and name is
// not "", rq.ctx carrying the event name describes; else rq.ctx itself,
// so that a bucket without a configuration costs nothing.
func (h *Handler) eventContext(rq *request, name string) context.Context {
	if !rq.notifies || name == "" {
		return rq.ctx
	}
	e := store.Event{Name: name, Time: h.cfg.Now(), RequestID: rq.id,
		HostID: rq.w.Header().Get("x-amz-id-2"), SourceIP: remoteIP(rq.r.RemoteAddr),
		Principal: principalID(rq)}
	return store.WithEvent(rq.ctx, e)
}

// notified tells the dispatcher, after a write with an event committed,
// that an event may be queued.
func (h *Handler) notified(rq *request) {
	if rq.notifies && h.cfg.Notify != nil {
		h.cfg.Notify()
	}
}

// principalID is the caller as an event record names it.
func principalID(rq *request) string {
	if rq.caller == nil || rq.caller.Principal.Anonymous {
		return "Anonymous"
	}
	return "AWS:" + rq.caller.Principal.UserID
}

// remoteIP is the host part of a RemoteAddr.
func remoteIP(addr string) string {
	if host, _, err := net.SplitHostPort(addr); err == nil {
		return host
	}
	return addr
}
