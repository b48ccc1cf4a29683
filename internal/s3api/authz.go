package s3api

import (
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

// target is what a request acts on, for authorization.
type target struct {
	action   string
	resource string // ARN, or "*" for account-level actions
	owner    string // the resource's account
	bucket   string // the bucket whose policy applies, "" when none
	policy   []byte // the bucket policy, nil when none
}

// bucketTarget is action on bucket b itself.
func bucketTarget(action string, b store.Bucket) target {
	return target{action: action, resource: bucketARN(b.Name), owner: b.Owner, bucket: b.Name,
		policy: b.Policy}
}

// objectTarget is action on key in bucket b.
func objectTarget(action string, b store.Bucket, key string) target {
	t := bucketTarget(action, b)
	t.resource += "/" + key
	return t
}

func bucketARN(name string) string { return "arn:aws:s3:::" + name }

// bucketPolicyActions are the actions the bucket owner's root user keeps
// whatever the bucket policy says, so that a policy that locks everyone out
// can be repaired.
var bucketPolicyActions = map[string]bool{
	"s3:GetBucketPolicy": true, "s3:PutBucketPolicy": true, "s3:DeleteBucketPolicy": true,
}

// authorize decides whether rq's caller may perform t, with extra request
// condition keys, records the decision on rq for the access log (with the
// full explanation when it denies), and returns AccessDenied unless the
// decision is Allow.
func (h *Handler) authorize(rq *request, t target, extra policy.Context) error {
	in, exempt, err := h.input(rq, t, extra)
	if err != nil {
		return err
	}
	rq.action, rq.resource = t.action, t.resource
	if exempt {
		rq.verdict = &verdict{effect: policy.Allow, reason: ownerPolicyExemption}
		return nil
	}
	d := policy.Evaluate(in)
	rq.verdict = &verdict{effect: d.Effect}
	if d.Effect == policy.Allow {
		return nil
	}
	x := policy.Explain(in)
	rq.verdict.reason, rq.verdict.explain = x.Reason, x.String()
	return s3err.Newf(s3err.AccessDenied, "%s", denialMessage(rq, t, d))
}

// ownerPolicyExemption is the log's reason for the bucket owner's standing
// right to manage the bucket policy.
const ownerPolicyExemption = "the bucket owner's root user may always manage the bucket policy"

// verdict is what the access log says of a request's authorization.
type verdict struct {
	effect  policy.Effect
	reason  string // for denials and exemptions
	explain string // for denials: policy.Explanation.String()
}

// allowed reports whether rq's caller may perform t, recording nothing.
func (h *Handler) allowed(rq *request, t target) (bool, error) {
	in, exempt, err := h.input(rq, t, nil)
	if err != nil {
		return false, err
	}
	return exempt || policy.Evaluate(in).Effect == policy.Allow, nil
}

// input builds the evaluation of t for rq's caller. exempt reports the bucket
// owner's root user managing the bucket policy, which AWS always allows so
// that a policy that locks everyone out can be repaired.
func (h *Handler) input(rq *request, t target, extra policy.Context) (
	in policy.Input, exempt bool, err error) {
	p := rq.caller.Principal
	if p.Type == policy.TypeAccount && p.Account == t.owner && bucketPolicyActions[t.action] {
		return in, true, nil
	}
	in = policy.Input{Identity: rq.caller.Policies, Request: policy.Request{
		Action: t.action, Resource: t.resource, ResourceAccount: t.owner, Principal: p,
		Context: h.requestContext(rq, extra),
	}}
	if t.policy != nil {
		bp, err := h.cfg.Directory.Parse(t.policy, policy.Resource)
		if err != nil {
			return in, false, fmt.Errorf("s3api: stored bucket policy: %w", err)
		}
		in.Resource = &policy.Source{Layer: policy.LayerResource, Policy: bp,
			Name: "bucket policy of " + t.bucket}
	}
	return in, false, nil
}

// requestContext holds the condition keys every S3 request carries, plus extra.
func (h *Handler) requestContext(rq *request, extra policy.Context) policy.Context {
	c := policy.Context{}
	now := h.cfg.Now().UTC()
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(rq.r.TLS != nil))
	if ip, _, err := net.SplitHostPort(rq.r.RemoteAddr); err == nil {
		c.Set("aws:SourceIp", ip)
	}
	if ua := rq.r.UserAgent(); ua != "" {
		c.Set("aws:UserAgent", ua)
	}
	if ref := rq.r.Referer(); ref != "" {
		c.Set("aws:Referer", ref)
	}
	if rq.auth != nil && rq.auth.Method != sigv4.None {
		c.Set("s3:signatureversion", "AWS4-HMAC-SHA256")
		c.Set("s3:authType", map[sigv4.Method]string{
			sigv4.Header: "REST-HEADER", sigv4.Presigned: "REST-QUERY-STRING"}[rq.auth.Method])
		c.Set("aws:RequestedRegion", rq.auth.Region)
	}
	if v := rq.r.Header.Get("x-amz-content-sha256"); v != "" {
		c.Set("s3:x-amz-content-sha256", v)
	}
	if rq.r.TLS != nil {
		c.Set("s3:TlsVersion", tlsVersion(rq.r.TLS.Version))
	}
	for k, v := range extra {
		c.Set(k, v...)
	}
	return c
}

func tlsVersion(v uint16) string {
	switch v {
	case 0x0304:
		return "1.3"
	case 0x0303:
		return "1.2"
	default:
		return "1.1"
	}
}

// denialMessage says, as AWS's newer messages do, who was denied what and
// which kind of policy decided, without revealing any policy text.
func denialMessage(rq *request, t target, d policy.Decision) string {
	p := rq.caller.Principal
	if p.Anonymous {
		return "Access Denied"
	}
	head := fmt.Sprintf("User: %s is not authorized to perform: %s on resource: \"%s\" ",
		p.ARN, t.action, t.resource)
	if d.Effect == policy.ExplicitDeny {
		return head + "with an explicit deny in a " + d.Deny.Source.Layer.String()
	}
	return head + "because no " + d.Missing.String() + " allows the " + t.action + " action"
}
