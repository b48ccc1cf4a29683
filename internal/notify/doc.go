// Package notify implements S3 bucket notifications to webhooks: the
// NotificationConfiguration model that PutBucketNotificationConfiguration
// validates and stores (Config), the S3 event message a webhook receives
// (Body), and the Dispatcher that delivers queued events.
//
// Delivery is at least once and never holds up a request. A write that a
// configured bucket may report queues its event in the store, in the
// write's own transaction (store.WithEvent), so a write that returned
// never loses its event. The Dispatcher then works in two steps, each one
// transaction in the store:
//
//  1. Fan-out: each queued event, in order, is matched against the
//     bucket's configuration as it is then, and replaced by one delivery
//     per matching configuration whose webhook is declared: the JSON body,
//     fixed from then on, and a delivery id that stays the same across
//     retries and restarts. An event that matches nothing is dropped.
//  2. Delivery: each declared webhook has its own worker, which POSTs its
//     deliveries in order with webhook.Sender, retrying with exponential
//     backoff until a 2xx, and removes each once acknowledged.
//
// So a receiver that is down or hangs delays only its own deliveries
// (head of line: later ones wait for the first), never another webhook's,
// and a delivery acknowledged by one is not sent to it again. A crash
// between a POST and its removal sends that delivery again: receivers
// deduplicate on the X-Trove-Delivery id. Deliveries to a webhook no
// longer declared stay queued until it is declared again.
package notify
