package s3api

import (
	"net"
	"net/http"
	"sort"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
)

// address sets rq.bucket and rq.key from the Host header and the path.
// "<bucket>.<domain>" addresses a bucket virtual-host-style; otherwise the
// first path segment is the bucket. The key is the rest of the path, decoded,
// exactly as sent (no cleaning of "." or "//").
func (h *Handler) address(rq *request) error {
	path := rq.r.URL.Path
	if !strings.HasPrefix(path, "/") {
		return s3err.Newf(s3err.InvalidRequest, "The request path %q must begin with /.", path)
	}
	path = path[1:]
	if b := h.virtualBucket(rq.r.Host); b != "" {
		rq.bucket, rq.key = b, path
		return nil
	}
	rq.bucket, rq.key, _ = strings.Cut(path, "/")
	return nil
}

func (h *Handler) virtualBucket(host string) string {
	if hp, _, err := net.SplitHostPort(host); err == nil {
		host = hp
	}
	host = strings.ToLower(host)
	for _, d := range h.cfg.Domains {
		if b, ok := strings.CutSuffix(host, "."+strings.ToLower(d)); ok && b != "" {
			return b
		}
	}
	return ""
}

// op is one S3 operation.
type op struct {
	name string
	fn   func(h *Handler, rq *request) error
}

// Subresources that select an operation on a bucket or object. A request
// naming one that trove does not serve gets NotImplemented, never a wrong
// operation. dispatch serves CopyObject, UploadPartCopy and the POST
// operations before consulting these tables.
var bucketOps = map[string]map[string]op{
	http.MethodGet: {
		"":           {"ListObjects", (*Handler).listObjects},
		"location":   {"GetBucketLocation", (*Handler).getBucketLocation},
		"policy":     {"GetBucketPolicy", (*Handler).getBucketPolicy},
		"list-type":  {"ListObjectsV2", (*Handler).listObjects},
		"versioning": {"GetBucketVersioning", (*Handler).getBucketVersioning},
		"versions":   {"ListObjectVersions", (*Handler).listObjectVersions},
		"tagging":    {"GetBucketTagging", (*Handler).getBucketTagging},
		"uploads":    {"ListMultipartUploads", (*Handler).listMultipartUploads},
		"notification": {"GetBucketNotificationConfiguration",
			(*Handler).getBucketNotification},
	},
	http.MethodHead: {"": {"HeadBucket", (*Handler).headBucket}},
	http.MethodPut: {
		"":           {"CreateBucket", (*Handler).createBucket},
		"policy":     {"PutBucketPolicy", (*Handler).putBucketPolicy},
		"versioning": {"PutBucketVersioning", (*Handler).putBucketVersioning},
		"tagging":    {"PutBucketTagging", (*Handler).putBucketTagging},
		"notification": {"PutBucketNotificationConfiguration",
			(*Handler).putBucketNotification},
	},
	http.MethodDelete: {
		"":        {"DeleteBucket", (*Handler).deleteBucket},
		"policy":  {"DeleteBucketPolicy", (*Handler).deleteBucketPolicy},
		"tagging": {"DeleteBucketTagging", (*Handler).deleteBucketTagging},
	},
}

var objectOps = map[string]map[string]op{
	http.MethodGet: {
		"":         {"GetObject", (*Handler).getObject},
		"tagging":  {"GetObjectTagging", (*Handler).getObjectTagging},
		"uploadId": {"ListParts", (*Handler).listParts},
	},
	http.MethodHead: {"": {"HeadObject", (*Handler).headObject}},
	http.MethodPut: {
		"":           {"PutObject", (*Handler).putObject},
		"tagging":    {"PutObjectTagging", (*Handler).putObjectTagging},
		"partNumber": {"UploadPart", (*Handler).uploadPart},
	},
	http.MethodDelete: {
		"":         {"DeleteObject", (*Handler).deleteObject},
		"tagging":  {"DeleteObjectTagging", (*Handler).deleteObjectTagging},
		"uploadId": {"AbortMultipartUpload", (*Handler).abortMultipartUpload},
	},
}

// postOps are the POST operations; those without a function are not served
// yet. A plain POST to a bucket is a browser upload (PostObject).
var postOps = map[string]map[string]op{
	"bucket": {
		"delete":  {"DeleteObjects", (*Handler).deleteObjects},
		"":        {"PostObject", nil},
		"restore": {"RestoreObject", nil},
		"select":  {"SelectObjectContent", nil},
	},
	"object": {
		"uploads":  {"CreateMultipartUpload", (*Handler).createMultipartUpload},
		"uploadId": {"CompleteMultipartUpload", (*Handler).completeMultipartUpload},
		"restore":  {"RestoreObject", nil},
		"select":   {"SelectObjectContent", nil},
	},
}

// selectors are the query parameters that choose an operation. Others (such
// as prefix or versionId) are arguments.
var selectors = map[string]bool{
	"acl": true, "accelerate": true, "analytics": true, "attributes": true, "cors": true,
	"delete": true, "encryption": true, "intelligent-tiering": true, "inventory": true,
	"legal-hold": true, "lifecycle": true, "list-type": true, "location": true,
	"logging": true, "metrics": true, "notification": true, "object-lock": true,
	"ownershipControls": true, "partNumber": true, "policy": true, "policyStatus": true,
	"publicAccessBlock": true, "replication": true, "requestPayment": true,
	"restore": true, "retention": true, "select": true, "session": true, "tagging": true,
	"torrent": true, "uploadId": true, "uploads": true, "versioning": true,
	"versions": true, "website": true,
}

func (h *Handler) dispatch(rq *request) error {
	if rq.bucket == "" {
		if rq.r.Method != http.MethodGet {
			return s3err.New(s3err.MethodNotAllowed)
		}
		rq.op = "ListBuckets"
		return h.listBuckets(rq)
	}
	table := bucketOps
	if rq.key != "" {
		table = objectOps
	}
	sel := selector(rq)
	if v := rq.r.Header.Get("x-amz-copy-source"); v != "" && rq.r.Method == http.MethodPut &&
		rq.key != "" {
		switch sel {
		case "":
			rq.op = "CopyObject"
			return h.copyObject(rq)
		case "partNumber":
			rq.op = "UploadPartCopy"
			return h.uploadPartCopy(rq)
		}
	}
	if rq.r.Method == http.MethodPost {
		return h.postOp(rq, sel)
	}
	byMethod, ok := table[rq.r.Method]
	if !ok {
		return s3err.New(s3err.MethodNotAllowed)
	}
	o, ok := byMethod[sel]
	if !ok {
		rq.op = strings.ToUpper(rq.r.Method[:1]) + strings.ToLower(rq.r.Method[1:]) + "?" + sel
		return s3err.Newf(s3err.NotImplemented,
			"trove does not implement the %s %s operation (?%s) yet.", rq.r.Method, kind(rq), sel)
	}
	rq.op = o.name
	return o.fn(h, rq)
}

// postOp serves a POST from postOps; a POST that selects no operation on
// an object is not an S3 operation.
func (h *Handler) postOp(rq *request, sel string) error {
	o, ok := postOps[kind(rq)][sel]
	if !ok {
		if rq.key != "" {
			return s3err.New(s3err.MethodNotAllowed)
		}
		return s3err.Newf(s3err.NotImplemented,
			"trove does not implement the POST bucket operation (?%s) yet.", sel)
	}
	rq.op = o.name
	if o.fn == nil {
		return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
	}
	return o.fn(h, rq)
}

func kind(rq *request) string {
	if rq.key == "" {
		return "bucket"
	}
	return "object"
}

// selector returns the operation-selecting query parameter, or "".
// partNumber selects UploadPart on a PUT, but is an argument of GetObject
// and HeadObject, so that ?tagging or ?uploadId still selects their
// operation when a partNumber comes with it.
func selector(rq *request) string {
	read := rq.r.Method == http.MethodGet || rq.r.Method == http.MethodHead
	var found []string
	for k := range rq.r.URL.Query() {
		if selectors[k] && !(read && k == "partNumber") {
			found = append(found, k)
		}
	}
	if len(found) == 0 {
		return ""
	}
	sort.Strings(found)
	return found[0]
}
