package store

import (
	"context"
	"time"
)

// Event is one write that a bucket's notification configuration may
// report: an object created or removed. The writer describes the request
// (Name, Time and the request fields) and carries the Event on the write's
// context (WithEvent); the store fills in the rest from the write itself.
type Event struct {
	// Seq orders queued events, larger being later; the store sets it, and
	// never reuses one.
	Seq int64
	// Name is the event type without the "s3:" prefix, such as
	// "ObjectCreated:Put" or "ObjectRemoved:Delete". A DeleteObject that
	// adds a delete marker queues "ObjectRemoved:DeleteMarkerCreated"
	// whatever removal name the writer gave.
	Name string
	// Time is when the request was made.
	Time time.Time
	// Principal, SourceIP, RequestID and HostID describe the request: the
	// caller's principal id, its address, and the x-amz-request-id and
	// x-amz-id-2 it was answered with.
	Principal string
	SourceIP  string
	RequestID string
	HostID    string

	// Set by the store from the write: the bucket with its region and
	// owner, the key, and the version written or removed. Size and ETag are
	// those of a created object; zero for a removal.
	Bucket      string
	Region      string
	BucketOwner string
	Key         string
	Size        int64
	ETag        string // quoted, as in Object.ETag
	VersionID   string // "" when the bucket's versioning was never enabled
}

// Removal and creation names the store treats specially.
const (
	EventDelete              = "ObjectRemoved:Delete"
	EventDeleteMarkerCreated = "ObjectRemoved:DeleteMarkerCreated"
)

// eventKey is the context key of a write's Event.
type eventKey struct{}

// WithEvent returns ctx carrying e for the next object write made with it
// (PutObject, DeleteObject, DeleteObjectVersion, CompleteUpload): when the
// write commits and the bucket has a notification configuration, the store
// queues e, completed from the write, in the write's own transaction, so
// that a write that returned is never without its event. A bucket without
// a configuration queues nothing and costs nothing more.
func WithEvent(ctx context.Context, e Event) context.Context {
	return context.WithValue(ctx, eventKey{}, e)
}

// EventFrom returns the Event ctx carries, for store implementations.
func EventFrom(ctx context.Context) (Event, bool) {
	e, ok := ctx.Value(eventKey{}).(Event)
	return e, ok
}

// Delivery is one queued event rendered for one destination: a body to
// POST until the destination acknowledges it.
type Delivery struct {
	// Seq orders a destination's deliveries; the store sets it.
	Seq int64
	// ID stays the same across retries and restarts; receivers deduplicate
	// on it.
	ID          string
	Destination string
	Body        []byte
}

// Notifications is the part of Meta that keeps bucket notification
// configurations and the outbox of events they select. Events move
// through two queues: the events writes queue (WithEvent), and the
// deliveries a dispatcher fans each event out to, one per destination, so
// that a destination that is down holds back only its own deliveries.
type Notifications interface {
	// PutBucketNotification stores doc as the bucket's notification
	// configuration, which GetBucket returns in Bucket.Notification; nil or
	// empty removes it. It returns ErrNotFound when the bucket does not
	// exist.
	PutBucketNotification(ctx context.Context, bucket string, doc []byte) error
	// QueuedEvents returns up to limit queued events whose Seq is above
	// after, in Seq order.
	QueuedEvents(ctx context.Context, after int64, limit int) ([]Event, error)
	// FanOut removes the queued event seq and records ds, in one
	// transaction; ds may be empty. Fanning out an event already removed
	// records nothing and returns ErrNotFound.
	FanOut(ctx context.Context, seq int64, ds []Delivery) error
	// Deliveries returns up to limit deliveries to destination whose Seq is
	// above after, in Seq order.
	Deliveries(ctx context.Context, destination string, after int64, limit int) (
		[]Delivery, error)
	// DeliveryDestinations lists the destinations that have deliveries.
	DeliveryDestinations(ctx context.Context) ([]string, error)
	// DeleteDelivery removes an acknowledged delivery; removing one that is
	// gone is not an error.
	DeleteDelivery(ctx context.Context, seq int64) error
}
