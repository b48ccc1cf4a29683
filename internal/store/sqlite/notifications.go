package sqlite

import (
	"context"
	"database/sql"

	"github.com/troveproject/trove/internal/store"
)

// notificationMigration is migration 5: bucket notification
// configurations and the outbox. notification_events holds the events
// writes queue, in the write's own transaction; notification_deliveries
// the bodies a dispatcher fans each event out to, one row per destination.
// AUTOINCREMENT keeps seq from ever being reused, so that a delivery's
// order and an event's sequencer hold across deletes and restarts.
const notificationMigration = `
ALTER TABLE buckets ADD COLUMN notification BLOB; -- NULL when there is none
CREATE TABLE notification_events (
	seq        INTEGER PRIMARY KEY AUTOINCREMENT,
	name       TEXT NOT NULL,
	time       INTEGER NOT NULL, -- Unix nanoseconds
	principal  TEXT NOT NULL,
	source_ip  TEXT NOT NULL,
	request_id TEXT NOT NULL,
	host_id    TEXT NOT NULL,
	bucket     TEXT NOT NULL,
	region     TEXT NOT NULL,
	owner      TEXT NOT NULL,
	key        BLOB NOT NULL,
	size       INTEGER NOT NULL,
	etag       TEXT NOT NULL,
	version_id TEXT NOT NULL
);
CREATE TABLE notification_deliveries (
	seq         INTEGER PRIMARY KEY AUTOINCREMENT,
	id          TEXT NOT NULL,
	destination TEXT NOT NULL,
	body        BLOB NOT NULL
);
CREATE INDEX notification_deliveries_by_destination
	ON notification_deliveries (destination, seq);
`

// eventColumns is the column list of notification_events scanEvent reads,
// seq excepted.
const eventColumns = `name, time, principal, source_ip, request_id, host_id, bucket,
	region, owner, key, size, etag, version_id`

// PutBucketNotification stores doc as the bucket's notification
// configuration; nil or empty removes it. It returns store.ErrNotFound
// when there is no such bucket.
func (db *DB) PutBucketNotification(ctx context.Context, bucket string, doc []byte) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		if err := needBucket(ctx, tx, bucket); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx,
			`UPDATE buckets SET notification = ?1 WHERE name = ?2 AND notification IS NOT ?1`,
			policyValue(doc), bucket)
		return err
	})
	return fail(err, "put notification configuration of bucket %s", bucket)
}

// queueEvent queues the store.Event ctx carries, if any, completed by fill
// with what the write did, when the bucket has a notification
// configuration: one statement, which inserts nothing for a bucket without.
func queueEvent(ctx context.Context, tx *sql.Tx, bucket, key string,
	fill func(e *store.Event)) error {
	e, ok := store.EventFrom(ctx)
	if !ok {
		return nil
	}
	fill(&e)
	_, err := tx.ExecContext(ctx, `INSERT INTO notification_events (`+eventColumns+`)
SELECT ?, ?, ?, ?, ?, ?, name, region, owner, ?, ?, ?, ? FROM buckets
WHERE name = ? AND notification IS NOT NULL`,
		e.Name, toNanos(e.Time), e.Principal, e.SourceIP, e.RequestID, e.HostID,
		[]byte(key), e.Size, e.ETag, e.VersionID, bucket)
	return err
}

// QueuedEvents returns up to limit queued events with Seq above after.
func (db *DB) QueuedEvents(ctx context.Context, after int64, limit int) ([]store.Event,
	error) {
	evs, err := list(ctx, db.r, `SELECT seq, `+eventColumns+` FROM notification_events
WHERE seq > ? ORDER BY seq LIMIT ?`, []any{after, limit}, scanEvent)
	return evs, fail(err, "list queued events")
}

// scanEvent scans seq and eventColumns into e.
func scanEvent(rows *sql.Rows, e *store.Event) error {
	var at int64
	var key []byte
	err := rows.Scan(&e.Seq, &e.Name, &at, &e.Principal, &e.SourceIP, &e.RequestID,
		&e.HostID, &e.Bucket, &e.Region, &e.BucketOwner, &key, &e.Size, &e.ETag,
		&e.VersionID)
	e.Time, e.Key = fromNanos(at), string(key)
	return err
}

// FanOut removes queued event seq and records ds in one transaction.
func (db *DB) FanOut(ctx context.Context, seq int64, ds []store.Delivery) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM notification_events WHERE seq = ?`, seq)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return orMissing(false, err, "event %d", seq)
		}
		for _, d := range ds {
			_, err := tx.ExecContext(ctx, `INSERT INTO notification_deliveries
(id, destination, body) VALUES (?, ?, ?)`, d.ID, d.Destination, d.Body)
			if err != nil {
				return err
			}
		}
		return nil
	})
	return fail(err, "fan out event %d", seq)
}

// Deliveries returns up to limit deliveries to destination with Seq above
// after.
func (db *DB) Deliveries(ctx context.Context, destination string, after int64, limit int) (
	[]store.Delivery, error) {
	ds, err := list(ctx, db.r, `SELECT seq, id, destination, body FROM notification_deliveries
WHERE destination = ? AND seq > ? ORDER BY seq LIMIT ?`, []any{destination, after, limit},
		func(rows *sql.Rows, d *store.Delivery) error {
			return rows.Scan(&d.Seq, &d.ID, &d.Destination, &d.Body)
		})
	return ds, fail(err, "list deliveries to %s", destination)
}

// DeliveryDestinations lists the destinations that have deliveries.
func (db *DB) DeliveryDestinations(ctx context.Context) ([]string, error) {
	ds, err := list(ctx, db.r,
		`SELECT DISTINCT destination FROM notification_deliveries ORDER BY destination`, nil,
		func(rows *sql.Rows, d *string) error { return rows.Scan(d) })
	return ds, fail(err, "list delivery destinations")
}

// DeleteDelivery removes a delivery; one already gone is not an error.
func (db *DB) DeleteDelivery(ctx context.Context, seq int64) error {
	err := db.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM notification_deliveries WHERE seq = ?`, seq)
		return err
	})
	return fail(err, "delete delivery %d", seq)
}
