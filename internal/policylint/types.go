package policylint

import (
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
)

// typeSet is a set of S3 resource types.
type typeSet map[s3catalog.ResourceType]bool

func (s typeSet) meets(types []s3catalog.ResourceType) bool {
	return slices.ContainsFunc(types, func(t s3catalog.ResourceType) bool { return s[t] })
}

// account is the pseudo type of s3catalog.AccountResource: what actions
// without resource-level permissions are evaluated against.
const account s3catalog.ResourceType = "(account)"

// typesOf returns the resource types a Resource entry can match, account
// included when it matches s3catalog.AccountResource.
func (l *linter) typesOf(text string) []s3catalog.ResourceType {
	types := s3catalog.TypesOf(text, l.vars)
	if text != "*" && policy.WildcardMatch(text, s3catalog.AccountResource, false) {
		types = append(types, account)
	}
	return types
}

// resourceTypes checks that each S3 action of a statement applies to one of
// its resources, and that each resource is of a type one of its actions
// applies to. flagged are the resources already reported as wrong on their
// own; a statement with such a resource, or an invalid one, is not checked
// further.
func (l *linter) resourceTypes(st *stmt, flagged map[string]bool) {
	if st.action == nil || st.resource == nil || st.action.not || st.resource.not ||
		len(st.resource.entries) == 0 {
		return
	}
	star, union := false, typeSet{}
	for _, r := range st.resource.entries {
		if !r.valid || flagged[r.text] {
			return
		}
		star = star || r.text == "*"
		for _, t := range l.typesOf(r.text) {
			union[t] = true
		}
	}
	mismatch := false
	for _, e := range st.action.entries {
		if acts := s3Actions(e); len(acts) > 0 && e.text != "*" && !fits(acts, star, union) {
			mismatch = true
			l.typeMismatch(st, e, acts)
		}
	}
	if !mismatch && !star {
		l.unusedResources(st)
	}
}

// s3Actions returns the S3 actions an Action entry stands for.
func s3Actions(e entry) []s3catalog.Action {
	if !e.valid || (e.text != "*" && service(e.text) != "s3") {
		return nil
	}
	return s3catalog.Match(e.text)
}

// fits reports whether one of the actions applies to one of the resources.
func fits(acts []s3catalog.Action, star bool, union typeSet) bool {
	for _, a := range acts {
		if star || a.Resources != nil && union.meets(a.Resources) ||
			a.Resources == nil && union[account] {
			return true
		}
	}
	return false
}

func (l *linter) typeMismatch(st *stmt, e entry, acts []s3catalog.Action) {
	where := at{stmt: st.index, elem: st.action.m.name, path: e.path, off: e.n.off}
	if len(acts) == 1 && acts[0].Resources == nil {
		l.add(ruleTypeMismatch, where, quote(e.text)+" supports no resource-level "+
			"permission: only Resource \"*\" (or \"arn:aws:s3:::*\") matches it, and the "+
			"statement has neither.",
			"Move "+quote(e.text)+" to a statement with \"Resource\": \"*\".")
		return
	}
	var types []s3catalog.ResourceType
	for _, a := range acts {
		for _, t := range a.Resources {
			if !slices.Contains(types, t) {
				types = append(types, t)
			}
		}
	}
	sortTypes(types)
	l.add(ruleTypeMismatch, where, quote(e.text)+" applies to "+typeNames(types)+
		"; none of the statement's resources is one, so the statement never matches it.",
		"Add a resource of that type, such as "+exampleARN(types)+", or move the action "+
			"to a statement about such resources.")
}

// unusedResources reports the resources none of the statement's actions
// applies to, when every action is an S3 action.
func (l *linter) unusedResources(st *stmt) {
	var acts []s3catalog.Action
	for _, e := range st.action.entries {
		if !e.valid || e.text == "*" || service(e.text) != "s3" {
			return // other services' resource types are not in the catalog
		}
		acts = append(acts, s3catalog.Match(e.text)...)
	}
	for _, r := range st.resource.entries {
		types := l.typesOf(r.text)
		set := typeSet{}
		for _, t := range types {
			set[t] = true
		}
		if len(acts) == 0 || fits(acts, false, set) {
			continue
		}
		what := "is of no S3 resource type"
		types = slices.DeleteFunc(types, func(t s3catalog.ResourceType) bool {
			return t == account
		})
		sortTypes(types)
		if len(types) > 0 {
			what = "is " + typeNames(types)
		}
		l.add(ruleResourceUnused, at{stmt: st.index, elem: st.resource.m.name, path: r.path,
			off: r.n.off}, quote(r.text)+" "+what+", and none of the statement's actions "+
			"applies to it.", "Remove it, or add the actions meant for it (in a statement "+
			"of their own when their resources differ).")
	}
}

// sortTypes puts the common types first: buckets, objects, access points.
func sortTypes(types []s3catalog.ResourceType) {
	rank := func(t s3catalog.ResourceType) int {
		if i := slices.Index(commonTypes, t); i >= 0 {
			return i
		}
		return len(commonTypes)
	}
	slices.SortStableFunc(types, func(a, b s3catalog.ResourceType) int {
		return rank(a) - rank(b)
	})
}

var commonTypes = []s3catalog.ResourceType{s3catalog.Bucket, s3catalog.Object,
	s3catalog.AccessPoint, s3catalog.AccessPointObject}

// typeNames names resource types in a sentence: "a bucket or an object".
func typeNames(types []s3catalog.ResourceType) string {
	var names []string
	for _, t := range types {
		names = append(names, typeArticle[t]+" "+typeLabel(t))
	}
	if len(names) <= 1 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

func typeLabel(t s3catalog.ResourceType) string {
	if s, ok := typeLabels[t]; ok {
		return s
	}
	return string(t)
}

var typeLabels = map[s3catalog.ResourceType]string{
	s3catalog.AccessPointObject:             "object through an access point",
	s3catalog.AccessPoint:                   "access point",
	s3catalog.Job:                           "Batch Operations job",
	s3catalog.StorageLensConfiguration:      "Storage Lens configuration",
	s3catalog.StorageLensGroup:              "Storage Lens group",
	s3catalog.MultiRegionAccessPoint:        "Multi-Region Access Point",
	s3catalog.MultiRegionAccessPointRequest: "Multi-Region Access Point request",
	s3catalog.ObjectLambdaAccessPoint:       "Object Lambda access point",
	s3catalog.AccessGrantsInstance:          "Access Grants instance",
	s3catalog.AccessGrantsLocation:          "Access Grants location",
	s3catalog.AccessGrant:                   "access grant",
}

var typeArticle = map[s3catalog.ResourceType]string{
	s3catalog.Bucket: "a", s3catalog.Object: "an", s3catalog.AccessPoint: "an",
	s3catalog.AccessPointObject: "an", s3catalog.Job: "a",
	s3catalog.StorageLensConfiguration: "a", s3catalog.StorageLensGroup: "a",
	s3catalog.MultiRegionAccessPoint: "a", s3catalog.MultiRegionAccessPointRequest: "a",
	s3catalog.ObjectLambdaAccessPoint: "an", s3catalog.AccessGrantsInstance: "an",
	s3catalog.AccessGrantsLocation: "an", s3catalog.AccessGrant: "an",
}

// exampleARN gives an ARN of the first of types that has a plain example.
func exampleARN(types []s3catalog.ResourceType) string {
	for _, pref := range []s3catalog.ResourceType{s3catalog.Object, s3catalog.Bucket,
		s3catalog.AccessPoint, s3catalog.Job} {
		if slices.Contains(types, pref) {
			return examples[pref]
		}
	}
	return "an ARN of " + typeNames(types[:1])
}

var examples = map[s3catalog.ResourceType]string{
	s3catalog.Object:      "arn:aws:s3:::my-bucket/*",
	s3catalog.Bucket:      "arn:aws:s3:::my-bucket",
	s3catalog.AccessPoint: "arn:aws:s3:us-east-1:111122223333:accesspoint/my-access-point",
	s3catalog.Job:         "arn:aws:s3:us-east-1:111122223333:job/*",
}
