package s3api

// Condition keys of the multipart upload calls. Every call but
// AbortMultipartUpload, ListParts and ListMultipartUploads is s3:PutObject
// (AWS's Service Authorization Reference, "Actions, resources, and
// condition keys for Amazon S3", maps CreateMultipartUpload, UploadPart,
// UploadPartCopy and CompleteMultipartUpload to s3:PutObject), so a policy
// written for PutObject governs each of them. Which of PutObject's keys
// each carries:
//
//   - The keys that describe the object to be made (encryption, ACL and
//     grants, storage class, website redirect, Object Lock, tags) come from
//     the headers of CreateMultipartUpload and are carried by that call and
//     by every later UploadPart, UploadPartCopy and CompleteMultipartUpload
//     of the upload. AWS's user guide says of SSE-S3 with the REST API:
//     "When uploading large objects using the multipart upload API, you can
//     specify server-side encryption by adding the
//     x-amz-server-side-encryption header to the Initiate Multipart Upload
//     request", and S3 refuses the header on UploadPart ("x-amz-server-side-
//     encryption header is not supported for this operation"). A part
//     therefore cannot carry the key itself; were it missing there, the
//     DenyUnEncryptedObjectUploads policy (Deny s3:PutObject when Null
//     s3:x-amz-server-side-encryption is true) would refuse every part of
//     every upload, even one created with --sse AES256, which S3 lets
//     through. Carrying the upload's value keeps the promise both ways: an
//     upload created without the header is refused at creation, one created
//     with it passes on every call. (docs/s3-multipart.md, choice.)
//   - s3:ObjectCreationOperation is "false" on CreateMultipartUpload,
//     UploadPart and UploadPartCopy and "true" on CompleteMultipartUpload:
//     AWS's "Enforce conditional writes on Amazon S3 buckets" says that for
//     multipart uploads a policy must use s3:ObjectCreationOperation "to
//     exempt the CreateMultipartUpload, UploadPart, and UploadPartCopy
//     operations, as these APIs don't accept conditional headers", while
//     CompleteMultipartUpload takes If-None-Match and If-Match.
//   - s3:if-match and s3:if-none-match: CompleteMultipartUpload's headers,
//     when sent; never on the other calls.
//   - s3:x-amz-copy-source (and the source's own s3:GetObject): UploadPartCopy,
//     as for CopyObject.

import (
	"net/http"
	"strconv"
	"time"

	"github.com/troveproject/trove/internal/policy"
)

// objectKeyHeaders are the CreateMultipartUpload headers whose condition
// keys every later call of the upload carries.
var objectKeyHeaders = append(append(append([]string{}, aclHeaders...), putHeaders...),
	"x-amz-object-lock-mode", "x-amz-object-lock-legal-hold",
	"x-amz-object-lock-retain-until-date", "x-amz-tagging")

// uploadKeyHeaders returns the objectKeyHeaders r sends, keyed in canonical
// form, for the upload's record.
func uploadKeyHeaders(r *http.Request) map[string]string {
	m := map[string]string{}
	for _, name := range objectKeyHeaders {
		if v, ok := headerValue(r.Header, name); ok {
			m[http.CanonicalHeaderKey(name)] = v
		}
	}
	return m
}

// multipartContext is the keys of an upload's s3:PutObject calls: those of
// the object headers the upload was created with (kept),
// s3:ObjectCreationOperation (creates), and the conditional-write headers
// of r when cond is true.
func multipartContext(kept map[string]string, r *http.Request, creates, cond bool,
	now time.Time) (policy.Context, error) {
	h := http.Header{}
	for k, v := range kept {
		h[http.CanonicalHeaderKey(k)] = []string{v}
	}
	c := policy.Context{}
	c.Set("s3:ObjectCreationOperation", strconv.FormatBool(creates))
	setHeaderKeys(c, h, aclHeaders...)
	setHeaderKeys(c, h, putHeaders...)
	objectLockKeys(c, h, now)
	if cond {
		conditionalWriteKeys(c, r.Header, "If-Match", "If-None-Match")
	}
	return c, requestTagKeys(c, h)
}
