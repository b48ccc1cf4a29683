// Package storetest is the conformance suite for store.Meta and store.Blobs.
// Every backend runs it from its own tests against a real instance:
//
//	func TestConformance(t *testing.T) {
//		storetest.RunMeta(t, func(t *testing.T) store.Meta { ... })
//	}
//
// A factory returns a fresh, empty store for each subtest and arranges, with
// t.Cleanup, for it to be closed. The Reopen suites take an opener instead,
// which opens the store kept in a directory; the suite closes what it opens.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// Fixture names the suites use.
const (
	account = "111111111111"
	other   = "222222222222"
	bucket  = "bucket-one"
)

// RunMeta runs the store.Meta conformance suite; newMeta returns a fresh,
// empty store for each subtest.
func RunMeta(t *testing.T, newMeta func(t *testing.T) store.Meta) {
	tests := []struct {
		name string
		run  func(t *testing.T, m store.Meta)
	}{
		{"Organization", testOrganization},
		{"OUsAndAccounts", testOUsAndAccounts},
		{"Users", testUsers},
		{"AccessKeys", testAccessKeys},
		{"UserPolicies", testUserPolicies},
		{"ManagedPolicies", testManagedPolicies},
		{"Groups", testGroups},
		{"Memberships", testMemberships},
		{"AttachedPolicies", testAttachedPolicies},
		{"PermissionsBoundary", testBoundary},
		{"UserTags", testUserTags},
		{"PolicyTypes", testPolicyTypes},
		{"OrgPolicies", testOrgPolicies},
		{"OrgAttachments", testOrgAttachments},
		{"OrgAdmin", testOrgAdmin},
		{"IdentityVersion", testIdentityVersion},
		{"PutIsIdempotent", testPutIdempotent},
		{"Buckets", testBuckets},
		{"BucketExists", testBucketExists},
		{"BucketNotEmpty", testBucketNotEmpty},
		{"BucketPolicy", testBucketPolicy},
		{"Objects", testObjects},
		{"ObjectMissingBucket", testObjectMissingBucket},
		{"ListObjects", testListObjects},
		{"ListObjectsPaging", testListPaging},
		{"ConcurrentPutObject", testConcurrentPut},
		{"ConditionalPutObject", testConditionalPut},
		{"ConditionalDeleteObject", testConditionalDelete},
		{"ConcurrentCreateOnly", testConcurrentCreateOnly},
		{"BlobIDs", testBlobIDs},
		{"VersioningEnabled", testVersioningEnabled},
		{"VersioningSuspended", testVersioningSuspended},
		{"VersionedConditions", testVersionedConditions},
		{"ListObjectVersions", testListVersions},
		{"ConcurrentVersionedPut", testConcurrentVersionedPut},
		{"VersionMissingBucket", testVersionMissingBucket},
		{"PartSizes", testPartSizes},
		{"BucketTags", testBucketTags},
		{"ObjectTags", testObjectTags},
		{"Uploads", testUploads},
		{"UploadParts", testParts},
		{"UploadsOfDeletedBucket", testUploadsOfDeletedBucket},
		{"CompleteUpload", testCompleteUpload},
		{"UploadBlobIDs", testUploadBlobIDs},
		{"ListUploads", testListUploads},
		{"BucketNotification", testBucketNotification},
		{"EventsNeedConfiguration", testEventsNeedConfiguration},
		{"EventsQueued", testEventsQueued},
		{"Deliveries", testDeliveries},
	}
	tests = append(tests, iamCRUDCases...)
	tests = append(tests, oidcCases...)
	tests = append(tests, policyVersionCases...)
	for _, tt := range append(tests, roleCases...) {
		t.Run(tt.name, func(t *testing.T) { tt.run(t, newMeta(t)) })
	}
}

// RunMetaReopen checks that a closed store keeps its data: open opens the
// store kept in dir, creating it when dir is empty, and the suite closes it.
func RunMetaReopen(t *testing.T, open func(t *testing.T, dir string) store.Meta) {
	dir := t.TempDir()
	m := open(t, dir)
	want := Fill(t, m)
	if err := m.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	m = open(t, dir)
	defer m.Close()
	if got := Dump(t, m); !reflect.DeepEqual(got, want) {
		t.Errorf("after reopen:\n got %+v\nwant %+v", got, want)
	}
}

// ctx is the context every call in the suites uses.
func ctx(t *testing.T) context.Context { return t.Context() }

// must fails the test at once when err is not nil.
func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantErr fails the test unless errors.Is(err, target).
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

// wantEqual fails the test unless got and want are deeply equal.
func wantEqual(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s:\n got %+v\nwant %+v", what, got, want)
	}
}

// at returns a UTC time sec seconds and nsec nanoseconds after 2025-01-01.
func at(sec, nsec int64) time.Time {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(
		time.Duration(sec)*time.Second + time.Duration(nsec))
}

// utc returns t in UTC without a monotonic reading, so that equal instants
// compare deeply equal whatever zone a backend returns them in.
func utc(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC()
}

// withAccount stores the fixture accounts.
func withAccount(t *testing.T, m store.Meta) {
	t.Helper()
	must(t, "PutAccount", m.PutAccount(ctx(t), store.Account{ID: account, Name: "one"}))
	must(t, "PutAccount", m.PutAccount(ctx(t), store.Account{ID: other, Name: "two"}))
}

// withBucket stores the fixture accounts and a bucket owned by account.
func withBucket(t *testing.T, m store.Meta) {
	t.Helper()
	withAccount(t, m)
	b := store.Bucket{Name: bucket, Owner: account, Region: "us-east-1", Created: at(0, 0)}
	must(t, "CreateBucket", m.CreateBucket(ctx(t), b))
}

// object returns a record with every field set, distinct per key and blob.
func object(key, blobID string) store.Object {
	return store.Object{
		Bucket:       bucket,
		Key:          key,
		BlobID:       blobID,
		Size:         int64(len(key) + len(blobID)),
		ETag:         fmt.Sprintf("%q", "etag-"+blobID),
		LastModified: at(int64(len(key)), 123456789),
		Headers:      map[string]string{"Content-Type": "text/plain", "X-Blob": blobID},
		UserMeta:     map[string]string{"owner": "tester", "blob": blobID},
		Checksums:    map[string]string{"CRC32": "AAAAAA==", "SHA256": blobID},
	}
}

// current returns o as a bucket whose versioning was never enabled reads it
// back: the null version, current.
func current(o store.Object) store.Object {
	o.VersionID, o.IsLatest = store.NullVersion, true
	return o
}

// normObject returns o with its time in UTC and empty maps and part sizes
// nil, so that backends may return either form.
func normObject(o store.Object) store.Object {
	o.LastModified = utc(o.LastModified)
	if len(o.PartSizes) == 0 {
		o.PartSizes = nil
	}
	for _, m := range []*map[string]string{&o.Headers, &o.UserMeta, &o.Checksums, &o.Tags} {
		if len(*m) == 0 {
			*m = nil
		}
	}
	return o
}
