// Package interop holds the interoperability suite: tests that build the trove binary,
// run it on a loopback port over plain HTTP and over HTTPS, and drive it with the S3
// clients people use against it — the aws CLI, boto3, aws-sdk-go-v2 with its transfer
// manager, minio-go and rclone. Every client runs the same artifact workflow (upload,
// list, download and compare, copy to a release prefix, conditional overwrite refused,
// delete), and every SDK's presigned URLs are fetched, expired and over-long.
//
// The tests need go, aws, python3 with boto3, and rclone on PATH; a missing client fails
// the tests rather than skipping them. Every client is given the loopback endpoint, static
// test keys and, over HTTPS, the test's own CA bundle explicitly: nothing is read from the
// user's AWS or rclone configuration. Run them with `go test ./test/interop/`;
// docs/interop.md describes what each client runs.
package interop
