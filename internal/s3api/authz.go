package s3api

import (
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
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

// authorize decides whether rq's caller may perform t, with extra request
// condition keys, records the decision on rq for the access log (with the
// full explanation when it denies), and returns AccessDenied unless the
// decision is Allow.
func (h *Handler) authorize(rq *request, t target, extra policy.Context) error {
	in, exempt, err := h.input(rq, t, targetKeys(t, extra))
	if err != nil {
		return err
	}
	if h.observe != nil {
		h.observe(rq.op, t.action, in.Request.Context)
	}
	rq.action, rq.resource = t.action, t.resource
	d := policy.Evaluate(in)
	rq.verdict = &verdict{effect: d.Effect}
	if d.Effect == policy.Allow {
		if exempt {
			rq.verdict.reason = ownerPolicyExemption
		}
		return nil
	}
	x := policy.Explain(in)
	rq.verdict.reason, rq.verdict.explain = x.Reason, x.String()
	return s3err.Newf(s3err.AccessDenied, "%s", denialMessage(rq, t, d))
}

// ownerPolicyExemption is the log's reason for the bucket owner's standing
// right to manage the bucket policy.
const ownerPolicyExemption = "the bucket owner's root user may always manage the bucket " +
	"policy: only SCPs and RCPs can stop it"

// verdict is what the access log says of a request's authorization.
type verdict struct {
	effect policy.Effect
	reason string // for denials and exemptions
	// explain is, for denials, policy.Explanation.String(); the server's
	// access logger bounds every logged value (server.maxAccessAttr).
	explain string
}

// allowed reports whether rq's caller may perform t with the extra
// condition keys, recording nothing; an error counts as a denial.
func (h *Handler) allowed(rq *request, t target, extra policy.Context) bool {
	in, _, err := h.input(rq, t, targetKeys(t, extra))
	return err == nil && policy.Evaluate(in).Effect == policy.Allow
}

// input builds the evaluation of t for rq's caller. exempt reports the bucket
// owner's root user managing the bucket policy, whose evaluation leaves the
// bucket policy out (bucketpolicy.OwnerExempt).
func (h *Handler) input(rq *request, t target, extra policy.Context) (
	in policy.Input, exempt bool, err error) {
	exempt = bucketpolicy.OwnerExempt(rq.caller.Principal, t.action, t.owner)
	// The owner's scope: its organization and RCPs. An owner the store does
	// not hold (none for an anonymous ListAllMyBuckets) is outside any.
	scope := identity.Scope{Account: t.owner}
	if t.owner != "" {
		scope, err = h.cfg.Directory.Scope(rq.ctx, t.owner)
		if err != nil && !errors.Is(err, identity.ErrUnknownAccount) {
			return in, false, fmt.Errorf("s3api: %w", err)
		}
	}
	var res *policy.Source
	if t.policy != nil && !exempt {
		bp, err := h.cfg.Directory.Parse(t.policy, policy.Resource)
		if err != nil {
			return in, false, fmt.Errorf("s3api: stored bucket policy: %w", err)
		}
		res = &policy.Source{Layer: policy.LayerResource, Policy: bp,
			Name: "bucket policy of " + t.bucket}
	}
	req := policy.Request{Action: t.action, Resource: t.resource, ResourceAccount: t.owner,
		Context: h.requestContext(rq, extra)}
	return rq.caller.Input(req, res, scope), exempt, nil
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
