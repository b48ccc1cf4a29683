package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/troveproject/trove/internal/store"
)

// testBucketNotification checks that a notification configuration is
// stored, read back with the bucket, replaced and removed, and that a
// missing bucket is ErrNotFound.
func testBucketNotification(t *testing.T, m store.Meta) {
	withBucket(t, m)
	for _, doc := range [][]byte{[]byte("<a/>"), []byte("<b/>"), nil} {
		must(t, "PutBucketNotification", m.PutBucketNotification(ctx(t), bucket, doc))
		b, err := m.GetBucket(ctx(t), bucket)
		must(t, "GetBucket", err)
		wantEqual(t, "Notification", string(b.Notification), string(doc))
		if doc == nil && b.Notification != nil {
			t.Errorf("Notification after removal = %q, want nil", b.Notification)
		}
	}
	err := m.PutBucketNotification(ctx(t), "no-such-bucket", []byte("<a/>"))
	wantErr(t, "PutBucketNotification of a missing bucket", err, store.ErrNotFound)
}

// withEvent returns the suite's context carrying an event named name.
func withEvent(t *testing.T, name string) context.Context {
	return store.WithEvent(ctx(t), store.Event{Name: name, Time: at(9, 0),
		Principal: "AIDAEXAMPLE", SourceIP: "127.0.0.1", RequestID: "REQ", HostID: "HOST"})
}

// queued lists the queued events as "name key size etag version".
func queued(t *testing.T, m store.Meta) []string {
	t.Helper()
	evs, err := m.QueuedEvents(ctx(t), 0, 100)
	must(t, "QueuedEvents", err)
	var out []string
	var last int64
	for _, e := range evs {
		if e.Seq <= last {
			t.Errorf("event seq %d after %d", e.Seq, last)
		}
		last = e.Seq
		out = append(out, fmt.Sprintf("%s %s %d %s %s", e.Name, e.Key, e.Size, e.ETag,
			e.VersionID))
	}
	return out
}

// testEventsNeedConfiguration checks that writes carrying an event queue
// nothing in a bucket without a notification configuration, and that
// writes without one queue nothing in a bucket with one.
func testEventsNeedConfiguration(t *testing.T, m store.Meta) {
	withBucket(t, m)
	_, err := m.PutObject(withEvent(t, "ObjectCreated:Put"), object("k", "b1"), store.Expect{})
	must(t, "PutObject", err)
	_, err = m.DeleteObject(withEvent(t, store.EventDelete), bucket, "k", store.Expect{})
	must(t, "DeleteObject", err)
	must(t, "PutBucketNotification", m.PutBucketNotification(ctx(t), bucket, []byte("<c/>")))
	_, err = m.PutObject(ctx(t), object("k", "b2"), store.Expect{})
	must(t, "PutObject without an event", err)
	wantEqual(t, "queued", queued(t, m), []string(nil))
}

// testEventsQueued checks the event each kind of write queues, completed
// from the write, and that a write that fails queues none.
func testEventsQueued(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "PutBucketNotification", m.PutBucketNotification(ctx(t), bucket, []byte("<c/>")))
	o := object("k", "b1")
	_, err := m.PutObject(withEvent(t, "ObjectCreated:Put"), o, store.Expect{})
	must(t, "PutObject", err)
	_, err = m.PutObject(withEvent(t, "ObjectCreated:Put"), object("k", "b2"),
		store.Expect{Absent: true})
	wantErr(t, "PutObject failing its condition", err, store.ErrPrecondition)
	must(t, "CreateUpload", m.CreateUpload(ctx(t), upload("mp", "u1")))
	_, _, err = m.CompleteUpload(withEvent(t, "ObjectCreated:CompleteMultipartUpload"), "u1",
		object("mp", "b3"), store.Expect{})
	must(t, "CompleteUpload", err)
	_, err = m.DeleteObject(withEvent(t, store.EventDelete), bucket, "k", store.Expect{})
	must(t, "DeleteObject", err)
	must(t, "SetBucketVersioning",
		m.SetBucketVersioning(ctx(t), bucket, store.VersioningEnabled))
	marker, err := m.DeleteObject(withEvent(t, store.EventDelete), bucket, "mp",
		store.Expect{})
	must(t, "DeleteObject in a versioned bucket", err)
	_, err = m.DeleteObjectVersion(withEvent(t, store.EventDelete), bucket, "mp",
		marker.VersionID)
	must(t, "DeleteObjectVersion", err)
	mp := object("mp", "b3")
	wantEqual(t, "queued", queued(t, m), []string{
		fmt.Sprintf("ObjectCreated:Put k %d %s ", o.Size, o.ETag),
		fmt.Sprintf("ObjectCreated:CompleteMultipartUpload mp %d %s ", mp.Size, mp.ETag),
		"ObjectRemoved:Delete k 0  ",
		"ObjectRemoved:DeleteMarkerCreated mp 0  " + marker.VersionID,
		"ObjectRemoved:Delete mp 0  " + marker.VersionID,
	})
	evs, err := m.QueuedEvents(ctx(t), 0, 1)
	must(t, "QueuedEvents", err)
	e := evs[0]
	e.Seq, e.Time = 0, utc(e.Time)
	wantEqual(t, "first event", e, store.Event{Name: "ObjectCreated:Put", Time: at(9, 0),
		Principal: "AIDAEXAMPLE", SourceIP: "127.0.0.1", RequestID: "REQ", HostID: "HOST",
		Bucket: bucket, Region: "us-east-1", BucketOwner: account, Key: "k", Size: o.Size,
		ETag: o.ETag})
}

// testDeliveries checks that FanOut replaces an event by its deliveries at
// once, that each destination lists its own in order, and that delivered
// ones go.
func testDeliveries(t *testing.T, m store.Meta) {
	withBucket(t, m)
	must(t, "PutBucketNotification", m.PutBucketNotification(ctx(t), bucket, []byte("<c/>")))
	for _, k := range []string{"a", "b"} {
		_, err := m.PutObject(withEvent(t, "ObjectCreated:Put"), object(k, k), store.Expect{})
		must(t, "PutObject", err)
	}
	evs, err := m.QueuedEvents(ctx(t), 0, 10)
	must(t, "QueuedEvents", err)
	for _, e := range evs {
		ds := []store.Delivery{
			{ID: e.Key + "-x", Destination: "x", Body: []byte(e.Key)},
			{ID: e.Key + "-y", Destination: "y", Body: []byte(e.Key)},
		}
		must(t, "FanOut", m.FanOut(ctx(t), e.Seq, ds))
	}
	wantErr(t, "FanOut again", m.FanOut(ctx(t), evs[0].Seq, nil), store.ErrNotFound)
	wantEqual(t, "queued after fan-out", queued(t, m), []string(nil))
	dests, err := m.DeliveryDestinations(ctx(t))
	must(t, "DeliveryDestinations", err)
	wantEqual(t, "destinations", dests, []string{"x", "y"})
	xs, err := m.Deliveries(ctx(t), "x", 0, 10)
	must(t, "Deliveries", err)
	if len(xs) != 2 || xs[0].ID != "a-x" || xs[1].ID != "b-x" || string(xs[1].Body) != "b" ||
		xs[0].Seq >= xs[1].Seq {
		t.Fatalf("Deliveries(x) = %+v, want a-x then b-x", xs)
	}
	rest, err := m.Deliveries(ctx(t), "x", xs[0].Seq, 10)
	must(t, "Deliveries after the first", err)
	wantEqual(t, "deliveries after the first", len(rest), 1)
	must(t, "DeleteDelivery", m.DeleteDelivery(ctx(t), xs[0].Seq))
	must(t, "DeleteDelivery again", m.DeleteDelivery(ctx(t), xs[0].Seq))
	xs, err = m.Deliveries(ctx(t), "x", 0, 10)
	must(t, "Deliveries", err)
	wantEqual(t, "deliveries left to x", len(xs), 1)
	ys, err := m.Deliveries(ctx(t), "y", 0, 10)
	must(t, "Deliveries", err)
	wantEqual(t, "deliveries to y", len(ys), 2)
}
