package iamapi

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
)

// IAM's limits on the size of identity-based policies, in characters
// other than white space, as IAM counts them.
const (
	maxManagedChars     = 6144 // one managed policy version
	maxUserInlineChars  = 2048 // all inline policies of one user together
	maxGroupInlineChars = 5120 // all inline policies of one group together
)

// policyDocument reads the required parameter PolicyDocument and checks it
// as an identity-based policy: UTF-8 text that the policy parser accepts
// as a policy without Principal, of at most limit characters other than
// white space. A document that fails is MalformedPolicyDocument naming the
// problem, or LimitExceeded for its size.
func (p params) policyDocument(limit int) ([]byte, error) {
	doc := p.str("PolicyDocument")
	if doc == "" {
		return nil, missingParam("PolicyDocument")
	}
	if n := policyChars(doc); n > limit {
		return nil, errorf(LimitExceeded, "Cannot exceed quota for PolicySize: %d (the "+
			"document has %d characters other than white space).", limit, n)
	}
	if !utf8.ValidString(doc) {
		return nil, errorf(MalformedPolicyDocument, "The policy document is not valid UTF-8.")
	}
	if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil {
		return nil, malformed("PolicyDocument", err)
	}
	return []byte(doc), nil
}

// policyChars counts the characters of doc other than white space.
func policyChars(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// encodeDocument URL-encodes a policy document as IAM returns documents
// (RFC 3986: spaces as %20, unreserved characters left as they are).
func encodeDocument(doc []byte) string {
	return strings.ReplaceAll(url.QueryEscape(string(doc)), "+", "%20")
}
