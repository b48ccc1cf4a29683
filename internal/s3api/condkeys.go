package s3api

// Condition keys: what the request context holds for each operation, and
// when. docs/condition-keys.md is the reference; every rule below follows
// AWS's Service Authorization Reference for Amazon S3 and the IAM global
// condition key reference. A key is set only when AWS sets it: a header or
// query parameter the request does not carry leaves its key missing, one
// sent empty makes it present with the value "". Values keep the request's
// case. The keys the policy engine derives itself (aws:Principal*,
// aws:userid, aws:username, aws:ResourceAccount, aws:ResourceOrg*) are not
// set here.

import (
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
)

// signatureVersion4 is s3:signatureversion for SigV4; trove refuses SigV2.
const signatureVersion4 = "AWS4-HMAC-SHA256"

// requestContext holds the condition keys every S3 request carries, plus
// extra, whose keys replace any of the same name.
func (h *Handler) requestContext(rq *request, extra policy.Context) policy.Context {
	c := policy.Context{}
	now := h.cfg.Now().UTC()
	h.globalKeys(c, rq, now)
	authKeys(c, rq.auth, now)
	transportKeys(c, rq.r)
	for k, v := range extra {
		c.Set(k, v...)
	}
	return c
}

// globalKeys sets the aws: keys that describe the request itself.
// aws:RequestedRegion is the credential scope's region for a signed request
// and the configured region, which anonymous requests are taken to address,
// otherwise. aws:UserAgent is always present, "" when no User-Agent was
// sent; aws:referer only when a Referer header was.
func (h *Handler) globalKeys(c policy.Context, rq *request, now time.Time) {
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(rq.r.TLS != nil))
	c.Set("aws:ViaAWSService", "false")
	if ip, ok := sourceIP(rq.r.RemoteAddr); ok {
		c.Set("aws:SourceIp", ip)
	}
	ua, _ := headerValue(rq.r.Header, "User-Agent")
	c.Set("aws:UserAgent", ua)
	if ref, ok := headerValue(rq.r.Header, "Referer"); ok {
		c.Set("aws:referer", ref)
	}
	region := h.cfg.Region
	if rq.auth != nil && rq.auth.Method != sigv4.None {
		region = rq.auth.Region
	}
	c.Set("aws:RequestedRegion", region)
}

// sourceIP is the address of the connection's peer, without port or zone,
// an IPv4-mapped IPv6 address written as IPv4.
func sourceIP(remote string) (string, bool) {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return "", false
	}
	return ap.Addr().Unmap().WithZone("").String(), true
}

// authKeys sets the keys of a signed request: s3:signatureversion and
// s3:authType always, s3:signatureAge (milliseconds since the signing time)
// for presigned URLs only, as AWS documents it. Anonymous requests have none.
func authKeys(c policy.Context, a *sigv4.Auth, now time.Time) {
	if a == nil || a.Method == sigv4.None {
		return
	}
	c.Set("s3:signatureversion", signatureVersion4)
	switch a.Method {
	case sigv4.Header:
		c.Set("s3:authType", "REST-HEADER")
	case sigv4.Presigned:
		c.Set("s3:authType", "REST-QUERY-STRING")
		age := max(now.Sub(a.SignedAt).Milliseconds(), 0)
		c.Set("s3:signatureAge", strconv.FormatInt(age, 10))
	}
}

// transportKeys sets s3:TlsVersion on TLS connections and
// s3:x-amz-content-sha256 when the header (never the query parameter) is sent.
func transportKeys(c policy.Context, r *http.Request) {
	if r.TLS != nil {
		c.Set("s3:TlsVersion", tlsVersion(r.TLS.Version))
	}
	if v, ok := headerValue(r.Header, "X-Amz-Content-Sha256"); ok {
		c.Set("s3:x-amz-content-sha256", v)
	}
}

// tlsVersion is s3:TlsVersion: the protocol version as a number.
func tlsVersion(v uint16) string {
	switch v {
	case 0x0304:
		return "1.3"
	case 0x0303:
		return "1.2"
	case 0x0302:
		return "1.1"
	default:
		return "1.0"
	}
}

// headerValue returns a header's lines joined by commas, as HTTP combines
// them, and whether the header was sent at all.
func headerValue(h http.Header, name string) (string, bool) {
	vs, ok := h[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", false
	}
	return strings.Join(vs, ","), true
}

// setHeaderKeys sets "s3:<header>" for each named header the request sends.
func setHeaderKeys(c policy.Context, h http.Header, names ...string) {
	for _, name := range names {
		if v, ok := headerValue(h, name); ok {
			c.Set("s3:"+name, v)
		}
	}
}

// targetKeys adds to extra the keys of the target itself: s3:ResourceAccount,
// the account that owns (or, for CreateBucket and ListAllMyBuckets, will
// own or lists) the resource. extra is not modified.
func targetKeys(t target, extra policy.Context) policy.Context {
	c := make(policy.Context, len(extra)+1)
	for k, v := range extra {
		c[k] = v
	}
	if t.owner != "" {
		c.Set("s3:ResourceAccount", t.owner)
	}
	return c
}

// aclHeaders are the canned ACL and grant headers of CreateBucket and
// PutObject, each a condition key of the same name under s3:.
var aclHeaders = []string{"x-amz-acl", "x-amz-grant-full-control", "x-amz-grant-read",
	"x-amz-grant-read-acp", "x-amz-grant-write", "x-amz-grant-write-acp"}

// createBucketContext is the keys of CreateBucket: s3:LocationConstraint
// when the body names one (present but empty for an empty element), the ACL
// and grant headers and s3:x-amz-object-ownership, when sent.
func createBucketContext(r *http.Request, lc *string) policy.Context {
	c := policy.Context{}
	if lc != nil {
		c.Set("s3:LocationConstraint", *lc)
	}
	setHeaderKeys(c, r.Header, aclHeaders...)
	setHeaderKeys(c, r.Header, "x-amz-object-ownership")
	return c
}

// listContext is the keys of ListBucket for ListObjects and ListObjectsV2:
// s3:prefix, s3:delimiter and s3:max-keys, each only when the query names it.
func listContext(q url.Values) policy.Context {
	c := policy.Context{}
	for _, k := range []string{"prefix", "delimiter", "max-keys"} {
		if q.Has(k) {
			c.Set("s3:"+k, q.Get(k))
		}
	}
	return c
}

// putHeaders are the PutObject request headers that are condition keys of
// the same name under s3:, besides the ACL headers.
var putHeaders = []string{"x-amz-server-side-encryption",
	"x-amz-server-side-encryption-aws-kms-key-id",
	"x-amz-server-side-encryption-customer-algorithm",
	"x-amz-storage-class", "x-amz-website-redirect-location"}

// putContext is the keys of PutObject: s3:ObjectCreationOperation "true",
// the ACL, encryption, storage class and redirect headers, the object lock
// headers, If-Match and If-None-Match, and the tags of x-amz-tagging, each
// when sent. It fails only on an x-amz-tagging header that is not a valid
// tag set.
func putContext(r *http.Request, now time.Time) (policy.Context, error) {
	c := policy.Context{}
	c.Set("s3:ObjectCreationOperation", "true")
	setHeaderKeys(c, r.Header, aclHeaders...)
	setHeaderKeys(c, r.Header, putHeaders...)
	objectLockKeys(c, r.Header, now)
	conditionalWriteKeys(c, r.Header, "If-Match", "If-None-Match")
	return c, requestTagKeys(c, r.Header)
}

// copyContext is the keys of CopyObject's s3:PutObject on the destination:
// PutObject's, plus s3:x-amz-copy-source, the header as sent, and
// s3:x-amz-metadata-directive, when sent.
func copyContext(r *http.Request, now time.Time) (policy.Context, error) {
	c, err := putContext(r, now)
	setHeaderKeys(c, r.Header, "x-amz-copy-source", "x-amz-metadata-directive")
	return c, err
}

// objectLockKeys sets s3:object-lock-mode, s3:object-lock-legal-hold and
// s3:object-lock-retain-until-date from their x-amz-object-lock-* headers,
// and s3:object-lock-remaining-retention-days, the whole days from now to
// the retain-until date rounded up, when that date can be read.
func objectLockKeys(c policy.Context, h http.Header, now time.Time) {
	for _, name := range []string{"mode", "legal-hold", "retain-until-date"} {
		if v, ok := headerValue(h, "x-amz-object-lock-"+name); ok {
			c.Set("s3:object-lock-"+name, v)
		}
	}
	v, ok := headerValue(h, "x-amz-object-lock-retain-until-date")
	if !ok {
		return
	}
	until, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return
	}
	days := (until.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour)
	c.Set("s3:object-lock-remaining-retention-days", strconv.FormatInt(int64(max(days, 0)), 10))
}

// conditionalWriteKeys sets s3:if-match and s3:if-none-match from the
// conditional headers named, when sent.
func conditionalWriteKeys(c policy.Context, h http.Header, names ...string) {
	for _, name := range names {
		if v, ok := headerValue(h, name); ok {
			c.Set("s3:"+strings.ToLower(name), v)
		}
	}
}

// requestTagKeys sets s3:RequestObjectTagKeys, the set of tag keys of the
// x-amz-tagging header (present and empty for an empty header), and
// s3:RequestObjectTag/<key> for each tag, when the header is sent.
func requestTagKeys(c policy.Context, h http.Header) error {
	tags, err := parseTaggingHeader(h)
	if err != nil || tags == nil {
		return err
	}
	setRequestTagKeys(c, tags)
	return nil
}

// versionContext is s3:versionid for the actions that name an object version.
func versionContext(rq *request) policy.Context {
	c := policy.Context{}
	c.Set("s3:versionid", rq.query("versionId"))
	return c
}

// deleteContext is the keys of DeleteObject (s3:if-match, when sent) or, for a
// request naming a version, DeleteObjectVersion (s3:versionid).
func deleteContext(rq *request) policy.Context {
	if rq.hasQuery("versionId") {
		return versionContext(rq)
	}
	c := policy.Context{}
	conditionalWriteKeys(c, rq.r.Header, "If-Match")
	return c
}

// refuseConditional answers, once the request is authorized, a conditional
// write (the headers named) that trove does not serve: ignoring the
// condition would break the promise a policy that requires it relies on.
func refuseConditional(h http.Header, names ...string) error {
	for _, name := range names {
		if _, ok := h[http.CanonicalHeaderKey(name)]; ok {
			return s3err.Newf(s3err.NotImplemented,
				"trove does not implement conditional writes (%s) for this operation yet.", name)
		}
	}
	return nil
}

// refuseUnsupportedPut answers, once a PutObject is authorized, the options
// trove cannot honour rather than ignoring them: Object Lock, which no
// bucket has. Conditional writes (writeExpect) and tags (uploadTags) are
// served.
func refuseUnsupportedPut(h http.Header) error {
	for name := range h {
		if strings.HasPrefix(strings.ToLower(name), "x-amz-object-lock-") {
			return s3err.Newf(s3err.InvalidRequest, "Bucket is missing Object Lock Configuration")
		}
	}
	return nil
}
