// Package s3catalog is what trove's policy tools know about the names a
// policy may use: every IAM action of Amazon S3 with the resource types its
// Resource element may name and the condition keys it supports, the ARN
// forms of those resource types, S3's condition keys, and AWS's global
// condition keys with the kinds of policy whose request context can hold
// them.
//
// The tables are data, transcribed from AWS's Service Authorization
// Reference for Amazon S3 (service prefix s3) and the IAM global condition
// context key reference; see actions.go and keys.go for the dates. Names
// compare the way AWS compares them: action names and condition keys
// case-insensitively, ARNs case-sensitively. The package holds no state
// beyond its read-only tables and is safe for concurrent use.
package s3catalog

import (
	"slices"
	"strings"
)

// AccountResource is the resource trove evaluates S3 actions without
// resource-level permissions against (s3:ListAllMyBuckets, ...). It matches
// both "Resource": "*" and the "arn:aws:s3:::*" that AWS's own examples grant
// s3:ListAllMyBuckets on, and no pattern naming a bucket.
const AccountResource = "arn:aws:s3:::*"

// ResourceType is a resource type of Amazon S3 as the Service Authorization
// Reference names it.
type ResourceType string

// The resource types of Amazon S3.
const (
	Bucket                        ResourceType = "bucket"
	Object                        ResourceType = "object"
	AccessPoint                   ResourceType = "accesspoint"
	AccessPointObject             ResourceType = "accesspointobject"
	Job                           ResourceType = "job"
	StorageLensConfiguration      ResourceType = "storagelensconfiguration"
	StorageLensGroup              ResourceType = "storagelensgroup"
	MultiRegionAccessPoint        ResourceType = "multiregionaccesspoint"
	MultiRegionAccessPointRequest ResourceType = "multiregionaccesspointrequestarn"
	ObjectLambdaAccessPoint       ResourceType = "objectlambdaaccesspoint"
	AccessGrantsInstance          ResourceType = "accessgrantsinstance"
	AccessGrantsLocation          ResourceType = "accessgrantslocation"
	AccessGrant                   ResourceType = "accessgrant"
)

// Action is one IAM action of Amazon S3.
type Action struct {
	// Name is the action as AWS writes it, without the service prefix:
	// "GetObject".
	Name string
	// Resources are the resource types the action's Resource element may
	// name. Nil means the action supports no resource-level permission:
	// only Resource "*" matches it.
	Resources []ResourceType
	// Keys are the condition keys the action supports, S3's own and the
	// global tag keys (aws:RequestTag/${TagKey}, aws:ResourceTag/${TagKey},
	// aws:TagKeys) where the reference lists them, as AWS writes them.
	Keys []string
}

// String returns the action as a policy names it: "s3:GetObject".
func (a Action) String() string { return "s3:" + a.Name }

// AppliesTo reports whether the action's Resource element may name a
// resource of type t.
func (a Action) AppliesTo(t ResourceType) bool { return slices.Contains(a.Resources, t) }

// Supports reports whether the action supports the condition key, written
// as a policy writes it (any case; a tag key in place of ${TagKey} or
// <key>).
func (a Action) Supports(key string) bool {
	name := keyName(key)
	for _, k := range a.Keys {
		if keyName(k) == name {
			return true
		}
	}
	return false
}

var (
	byName  map[string]int // lower-case action name, without prefix, to its index in table
	ordered []Action       // table sorted by name
)

func init() {
	ordered = slices.Clone(table)
	slices.SortFunc(ordered, func(a, b Action) int { return strings.Compare(a.Name, b.Name) })
	byName = make(map[string]int, len(ordered))
	for i, a := range ordered {
		byName[strings.ToLower(a.Name)] = i
	}
}

// Actions returns every action of the catalog, sorted by name. The slice is
// the caller's; the actions' own slices are shared and must not be changed.
func Actions() []Action { return slices.Clone(ordered) }

// Lookup finds the action a policy names, such as "s3:GetObject", in any
// case. It reports false for other services, for patterns and for names
// S3 does not define.
func Lookup(action string) (Action, bool) {
	name, ok := cutService(action)
	if !ok || strings.ContainsAny(name, "*?") {
		return Action{}, false
	}
	i, ok := byName[strings.ToLower(name)]
	if !ok {
		return Action{}, false
	}
	return ordered[i], true
}

// Match returns the actions an Action element value stands for: "*", an
// S3 action, or a pattern such as "s3:Get*" in which * and ? are
// wildcards; names compare in any case. It returns nil for other services
// and for patterns that match no S3 action.
func Match(pattern string) []Action {
	if pattern == "*" {
		return Actions()
	}
	name, ok := cutService(pattern)
	if !ok {
		return nil
	}
	if !strings.ContainsAny(name, "*?") {
		if a, ok := Lookup(pattern); ok {
			return []Action{a}
		}
		return nil
	}
	var out []Action
	name = strings.ToLower(name)
	for _, a := range ordered {
		if wildcard(name, strings.ToLower(a.Name)) {
			out = append(out, a)
		}
	}
	return out
}

// wildcard reports whether s matches pattern, in which * matches any run of
// characters and ? one. Action names are ASCII, so bytes are characters.
func wildcard(pattern, s string) bool {
	star, mark := -1, 0 // the last * seen, and where in s its run ends
	for p, i := 0, 0; i < len(s) || p < len(pattern); {
		switch {
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case p < len(pattern) && i < len(s) && (pattern[p] == '?' || pattern[p] == s[i]):
			p, i = p+1, i+1
		case star >= 0 && mark < len(s):
			mark++
			p, i = star+1, mark
		default:
			return false
		}
	}
	return true
}

// cutService returns the action name after an "s3:" prefix written in any
// case.
func cutService(action string) (string, bool) {
	svc, name, ok := strings.Cut(action, ":")
	if !ok || !strings.EqualFold(svc, "s3") {
		return "", false
	}
	return name, true
}
