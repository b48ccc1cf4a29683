// Package notify implements S3 bucket notifications to webhooks: the
// NotificationConfiguration model that PutBucketNotificationConfiguration
// validates and stores (Config), the S3 event message a webhook receives
// (Body), and the Dispatcher that delivers queued events.
//
// A webhook lists the accounts whose buckets may publish to it, as a
// queue's resource policy does in AWS; access is denied by default. A
// configuration on a bucket whose owner the webhook does not list is
// refused exactly as one naming an undeclared webhook (Dispatcher.Declared),
// so that webhook ids cannot be discovered by trying them, and the
// Dispatcher checks again at fan-out and before each POST.
//
// Delivery is at least once and never holds up a request. A write that a
// configured bucket may report queues its event in the store, in the
// write's own transaction (store.WithEvent), so a write that returned
// never loses its event. The Dispatcher then works in two steps, each one
// transaction in the store:
//
//  1. Fan-out: each queued event, in order, is matched against the
//     bucket's configuration as it is then, and replaced by one delivery
//     per matching configuration whose webhook is declared and lists the
//     bucket's owner: the JSON body, fixed from then on, and a delivery id
//     that stays the same across retries and restarts. An event that
//     matches nothing is dropped.
//  2. Delivery: each declared webhook has its own worker. It POSTs new
//     deliveries one at a time, in order, with webhook.Sender; a delivery
//     whose POST fails is set aside and retried with its own exponential
//     backoff (Sender.Backoff), several side by side, while the worker
//     goes on with the next ones; at most MaxInFlight POSTs run at once.
//     A delivery is removed once a 2xx acknowledged it.
//
// So a receiver that is down or hangs delays only its own deliveries,
// never another webhook's, and a delivery it refuses delays none of its
// later ones: order is best effort (the sequencer of a record orders the
// events of one key). Attempt counts and retry times live in memory: after
// a restart every queued delivery is tried once more at once. A crash
// between a POST and its removal sends that delivery again: receivers
// deduplicate on the X-Trove-Delivery id. Deliveries to a webhook no
// longer declared stay queued until it is declared again; those whose
// bucket owner the webhook no longer lists are dropped with a warning.
package notify
