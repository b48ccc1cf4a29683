// Package helm tests trove's Helm repository view with the real helm
// client: it builds the trove binary, runs it on a loopback port with the
// cross-account example's organization, publishes charts through the S3 API
// and drives `helm repo add`, `helm search repo` and `helm pull` against
// http://127.0.0.1:PORT/-/helm/<bucket>/<prefix>, over HTTP and HTTPS.
//
// The tests need `helm` (v3 or v4) on PATH or in $(go env GOPATH)/bin; a
// missing helm fails them rather than skipping them. Every helm call runs
// with its configuration, cache, data, repository and registry files in the
// test's temporary directory, so the user's own helm setup is never read or
// changed.
package helm
