// Package bucketpolicy validates bucket policies as S3's PutBucketPolicy
// does: on top of the policy language's own rules (package policy), a bucket
// policy is at most 20 KB, names only S3 actions that exist, and names only
// resources of its own bucket.
package bucketpolicy

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
)

// ownerActions are the actions the bucket owner's root user keeps whatever
// the bucket policy says, so that a policy that locks everyone out can be
// repaired.
var ownerActions = map[string]bool{
	"s3:getbucketpolicy": true, "s3:putbucketpolicy": true, "s3:deletebucketpolicy": true,
}

// OwnerExempt reports whether the bucket policy takes no part in deciding
// action for p on a bucket of account owner: AWS lets the bucket owner's
// root user read, replace and delete the bucket policy whatever it says.
// Only the bucket policy is left out: SCPs and RCPs still apply, as AWS
// documents ("unless blocked by ... AWS Organizations policies").
func OwnerExempt(p policy.Principal, action, owner string) bool {
	return p.Type == policy.TypeAccount && p.Account == owner && owner != "" &&
		ownerActions[strings.ToLower(action)]
}

// MaxSize is S3's limit on a bucket policy's size in bytes.
const MaxSize = 20 * 1024

// Validate parses doc as the bucket policy of bucket. Errors are
// *policy.MalformedError whose Msg is fit for a MalformedPolicy response.
func Validate(doc []byte, bucket string) (*policy.Policy, error) {
	if len(doc) > MaxSize {
		return nil, &policy.MalformedError{Msg: fmt.Sprintf(
			"Policies must not exceed %d bytes (this one has %d).", MaxSize, len(doc))}
	}
	if !utf8.Valid(doc) {
		return nil, &policy.MalformedError{Msg: "Policies must be valid UTF-8 text."}
	}
	p, err := policy.Parse(doc, policy.Resource)
	if err != nil {
		return nil, err
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		if err := checkActions(st); err != nil {
			return nil, err
		}
		if err := checkResources(st, bucket); err != nil {
			return nil, err
		}
		if err := checkApplies(st, p.Variables()); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// checkApplies rejects, as S3 does, a statement with an action that applies
// to none of its resources (s3:GetObject on the bucket's ARN, s3:ListBucket
// on its objects): such a grant could never match.
func checkApplies(st *policy.Statement, vars bool) error {
	if st.NotAction() || st.NotResource() || slices.Contains(st.Resources(), "*") {
		return nil
	}
	var types []s3catalog.ResourceType
	for _, r := range st.Resources() {
		types = append(types, s3catalog.TypesOf(r, vars)...)
	}
	for _, a := range st.Actions() {
		if a == "*" || appliesToAny(s3catalog.Match(a), types) {
			continue
		}
		return &policy.MalformedError{Msg: fmt.Sprintf(
			"Action does not apply to any resource(s) in statement (%s: %q)", where(st), a)}
	}
	return nil
}

func appliesToAny(acts []s3catalog.Action, types []s3catalog.ResourceType) bool {
	for _, a := range acts {
		for _, t := range types {
			if a.AppliesTo(t) {
				return true
			}
		}
	}
	return false
}

func where(st *policy.Statement) string {
	if st.Sid != "" {
		return "statement " + strconv.Quote(st.Sid)
	}
	return "statement " + strconv.Itoa(st.Index)
}

// checkActions accepts "*", "s3:*" and S3 actions, or wildcard patterns that
// match at least one S3 action of package s3catalog's table.
func checkActions(st *policy.Statement) error {
	for _, a := range st.Actions() {
		if a == "*" || knownAction(a) {
			continue
		}
		return &policy.MalformedError{Msg: fmt.Sprintf(
			"Policy has invalid action (%s: %q is not an S3 action)", where(st), a)}
	}
	return nil
}

// knownAction reports whether a names an S3 action or is a pattern matching
// at least one, as the catalog of S3's actions lists them.
func knownAction(a string) bool { return len(s3catalog.Match(a)) > 0 }

// checkResources accepts "*" and ARNs of the bucket or of objects in it;
// wildcards may stand for part of the name.
func checkResources(st *policy.Statement, bucket string) error {
	for _, r := range st.Resources() {
		if r == "*" || ownResource(r, bucket) {
			continue
		}
		return &policy.MalformedError{Msg: fmt.Sprintf(
			"Policy has invalid resource (%s: %q is not bucket %s or an object in it)",
			where(st), r, bucket)}
	}
	return nil
}

func ownResource(r, bucket string) bool {
	rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
	if !ok {
		return false
	}
	arn := "arn:aws:s3:::" + bucket
	name, _, hasKey := strings.Cut(rest, "/")
	if hasKey {
		return policy.WildcardMatch(name, bucket, false)
	}
	return policy.WildcardMatch(r, arn, false) || policy.WildcardMatch(r, arn+"/x", false)
}
