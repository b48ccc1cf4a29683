package sts

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/session"
)

// Limits of AssumeRole's parameters, from AWS's API reference.
const (
	minDuration      = 900 * time.Second
	maxDuration      = 43200 * time.Second
	defaultDuration  = 3600 * time.Second
	chainedDuration  = 3600 * time.Second // role chaining's cap
	maxPolicyChars   = 2048               // the inline session policy, as sent
	maxPolicyARNs    = 10
	maxSessionTags   = 50
	maxTagKeyChars   = 128
	maxTagValueChars = 256
	// packedLimit is the packed size trove allows the session policy and
	// tags together, the denominator of PackedPolicySize's percentage.
	packedLimit = 2048
)

var (
	sessionNameRe = regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	externalIDRe  = regexp.MustCompile(`^[\w+=,.@:/-]*$`)
	tagTextRe     = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
	roleARNRe     = regexp.MustCompile(
		`^arn:aws:iam::([0-9]{12}):role(/(?:[\x21-\x7e]*/)?)([\w+=,.@-]{1,64})$`)
)

// roleRef is a role named by its ARN.
type roleRef struct {
	arn, account, path, name string
}

// assumeParams are AssumeRole's parameters once checked.
type assumeParams struct {
	role           roleRef
	sessionName    string
	duration       time.Duration // 0 when not given
	externalID     string
	hasExternalID  bool
	policy         string // compacted JSON; "" for none
	policyARNs     []string
	tags           map[string]string
	tagKeys        []string // in the order given
	transitive     []string // TransitiveTagKeys as given
	transitiveKeys []string // the same spelled as in tags, each once
	sourceIdentity string
}

// parseAssumeRole checks AssumeRole's parameters as AWS documents them.
func parseAssumeRole(f url.Values) (*assumeParams, error) {
	p := &assumeParams{}
	var err error
	if p.role, err = parseRoleARN(f.Get("RoleArn")); err != nil {
		return nil, err
	}
	if p.sessionName, err = parseSessionName(f); err != nil {
		return nil, err
	}
	if p.duration, err = parseDuration(f.Get("DurationSeconds")); err != nil {
		return nil, err
	}
	if f.Has("ExternalId") {
		p.externalID, p.hasExternalID = f.Get("ExternalId"), true
		if n := len(p.externalID); n < 2 || n > 1224 || !externalIDRe.MatchString(p.externalID) {
			return nil, validation("externalId", "2 to 1224 characters of [\\w+=,.@:/-]")
		}
	}
	if p.policy, err = parsePolicy(f); err != nil {
		return nil, err
	}
	if p.policyARNs, err = parsePolicyARNs(f); err != nil {
		return nil, err
	}
	if err := p.parseTags(f); err != nil {
		return nil, err
	}
	return p, p.parseSourceIdentity(f)
}

// validation is ValidationError for a parameter failing its constraint.
func validation(param, constraint string) *Error {
	return errorf(ValidationError, "1 validation error detected: Value at '%s' failed to "+
		"satisfy constraint: Member must be %s", param, constraint)
}

func missing(param string) *Error {
	return errorf(MissingParameter, "The request must contain the parameter %s.", param)
}

// parseRoleARN reads a role ARN; a path is optional.
func parseRoleARN(s string) (roleRef, error) {
	if s == "" {
		return roleRef{}, missing("RoleArn")
	}
	m := roleARNRe.FindStringSubmatch(s)
	if m == nil || len(s) > 2048 || strings.Contains(m[2], "//") {
		return roleRef{}, errorf(ValidationError, "%s is invalid", truncate(s))
	}
	return roleRef{arn: s, account: m[1], path: m[2], name: m[3]}, nil
}

func parseSessionName(f url.Values) (string, error) {
	name := f.Get("RoleSessionName")
	switch {
	case !f.Has("RoleSessionName"):
		return "", missing("RoleSessionName")
	case !sessionNameRe.MatchString(name):
		return "", validation("roleSessionName",
			"2 to 64 characters satisfying regular expression pattern: [\\w+=,.@-]*")
	}
	return name, nil
}

func parseDuration(s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	d := time.Duration(n) * time.Second
	if err != nil || d < minDuration || d > maxDuration {
		return 0, validation("durationSeconds", "between 900 and 43200 seconds")
	}
	return d, nil
}

// parsePolicy checks the inline session policy and returns it compacted.
func parsePolicy(f url.Values) (string, error) {
	if !f.Has("Policy") {
		return "", nil
	}
	doc := f.Get("Policy")
	if doc == "" || len([]rune(doc)) > maxPolicyChars {
		return "", validation("policy", "of length between 1 and 2048")
	}
	if _, err := policy.Parse([]byte(doc), policy.Identity); err != nil {
		return "", &Error{Code: MalformedPolicyDocument, Message: malformedMessage(err),
			Cause: err}
	}
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(doc)); err != nil {
		return "", &Error{Code: MalformedPolicyDocument, Message: "The policy is not JSON.",
			Cause: err}
	}
	return b.String(), nil
}

// malformedMessage is what the client is told of a session policy Parse
// refused: the policy engine's AWS-worded phrase, without Go's "policy:
// malformed:" prefix.
func malformedMessage(err error) string {
	var me *policy.MalformedError
	if !errors.As(err, &me) {
		return "The policy is malformed."
	}
	return truncate(me.Msg)
}

// parsePolicyARNs reads PolicyArns.member.N.arn, N from 1.
func parsePolicyARNs(f url.Values) ([]string, error) {
	arns, err := members(f, "PolicyArns", maxPolicyARNs, func(prefix string) (string, bool) {
		v := f.Get(prefix + ".arn")
		return v, f.Has(prefix + ".arn")
	})
	if err != nil {
		return nil, err
	}
	for _, a := range arns {
		if len(a) < 20 || len(a) > 2048 || !strings.HasPrefix(a, "arn:aws:iam::") {
			return nil, errorf(InvalidParameterValue, "The policy ARN %s is invalid.",
				truncate(a))
		}
	}
	return arns, nil
}

// members reads the list NAME.member.1, NAME.member.2, ... until the first
// missing index, with get reading one member; more than limit is an error.
func members(f url.Values, name string, limit int,
	get func(prefix string) (string, bool)) ([]string, error) {
	var out []string
	for i := 1; ; i++ {
		v, ok := get(name + ".member." + strconv.Itoa(i))
		if !ok {
			break
		}
		if len(out) == limit {
			return nil, validation(lowerFirst(name), "a list of at most "+
				strconv.Itoa(limit)+" members")
		}
		out = append(out, v)
	}
	return out, nil
}

func lowerFirst(s string) string { return strings.ToLower(s[:1]) + s[1:] }

// parseTags reads Tags.member.N.Key and .Value and TransitiveTagKeys.member.N.
func (p *assumeParams) parseTags(f url.Values) error {
	_, err := members(f, "Tags", maxSessionTags, func(prefix string) (string, bool) {
		if !f.Has(prefix + ".Key") {
			return "", false
		}
		p.tagKeys = append(p.tagKeys, f.Get(prefix+".Key"))
		if p.tags == nil {
			p.tags = map[string]string{}
		}
		p.tags[f.Get(prefix+".Key")] = f.Get(prefix + ".Value")
		return "", true
	})
	if err != nil {
		return err
	}
	if err := checkTags(p.tagKeys, p.tags); err != nil {
		return err
	}
	if p.transitive, err = members(f, "TransitiveTagKeys", maxSessionTags,
		func(prefix string) (string, bool) { return f.Get(prefix), f.Has(prefix) }); err != nil {
		return err
	}
	for _, k := range p.transitive {
		tk, _, ok := session.LookupTag(p.tags, k)
		if !ok {
			return errorf(InvalidParameterValue, "The transitive tag key %s is not among "+
				"the session tags.", truncate(k))
		}
		if !slices.Contains(p.transitiveKeys, tk) {
			p.transitiveKeys = append(p.transitiveKeys, tk)
		}
	}
	return nil
}

// checkTags applies AWS's rules to session tags: keys of 1-128 and values
// of 0-256 characters from the tag alphabet, no aws: prefix, and no key
// twice, case ignored (as strings.EqualFold ignores it, like the policy
// engine matching aws:PrincipalTag keys).
func checkTags(keys []string, tags map[string]string) error {
	for i, k := range keys {
		v := tags[k]
		switch {
		case k == "" || len([]rune(k)) > maxTagKeyChars || !tagTextRe.MatchString(k):
			return validation("tags.key", "1 to 128 characters of letters, numbers, spaces "+
				"and _.:/=+-@")
		case len([]rune(v)) > maxTagValueChars || !tagTextRe.MatchString(v):
			return validation("tags.value", "0 to 256 characters of letters, numbers, "+
				"spaces and _.:/=+-@")
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return errorf(InvalidParameterValue, "Tag keys may not start with aws:.")
		case slices.ContainsFunc(keys[:i], func(s string) bool {
			return strings.EqualFold(s, k)
		}):
			return errorf(InvalidParameterValue, "Duplicate tag keys found. Please note "+
				"that Tag keys are case insensitive.")
		}
	}
	return nil
}

func (p *assumeParams) parseSourceIdentity(f url.Values) error {
	if !f.Has("SourceIdentity") {
		return nil
	}
	p.sourceIdentity = f.Get("SourceIdentity")
	if !sessionNameRe.MatchString(p.sourceIdentity) {
		return validation("sourceIdentity",
			"2 to 64 characters satisfying regular expression pattern: [\\w+=,.@-]*")
	}
	if strings.HasPrefix(strings.ToLower(p.sourceIdentity), "aws:") {
		return errorf(InvalidParameterValue, "SourceIdentity may not start with aws:.")
	}
	return nil
}

// packedPercent is PackedPolicySize: the size of the session policy and
// tags as a percentage of what trove allows, and whether it is too large.
func packedPercent(policyDoc string, tags map[string]string) (int, bool) {
	n := len(policyDoc)
	for k, v := range tags {
		n += len(k) + len(v)
	}
	pct := (n*100 + packedLimit - 1) / packedLimit
	return pct, pct > 100
}
