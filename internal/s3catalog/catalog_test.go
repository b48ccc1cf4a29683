package s3catalog

import (
	"slices"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

func TestLookup(t *testing.T) {
	tests := []struct {
		name, action, want string
	}{
		{"exact", "s3:GetObject", "GetObject"},
		{"any case", "S3:getobject", "GetObject"},
		{"action-only table entry", "s3:ListAllMyBuckets", "ListAllMyBuckets"},
		{"unknown action", "s3:Fly", ""},
		{"operation that is no action", "s3:DeleteBucketOwnershipControls", ""},
		{"other service", "iam:GetUser", ""},
		{"pattern", "s3:Get*", ""},
		{"no prefix", "GetObject", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, ok := Lookup(tc.action)
			if ok != (tc.want != "") || a.Name != tc.want {
				t.Errorf("Lookup(%q) = %q, %v; want %q", tc.action, a.Name, ok, tc.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	tests := []struct {
		name, pattern string
		count         int      // -1: do not check
		has, hasNot   []string // action names
	}{
		{"everything", "*", len(table), []string{"GetObject", "ListAllMyBuckets"}, nil},
		{"all of s3", "s3:*", len(table), nil, nil},
		{"prefix", "s3:Get*", -1, []string{"GetObject", "GetBucketPolicy"},
			[]string{"PutObject", "ListBucket"}},
		{"single character", "s3:?etObject", 1, []string{"GetObject"}, nil},
		{"any case", "S3:LISTBUCKET", 1, []string{"ListBucket"}, nil},
		{"nothing matches", "s3:Fly*", 0, nil, nil},
		{"other service", "iam:*", 0, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Match(tc.pattern)
			if tc.count >= 0 && len(got) != tc.count {
				t.Errorf("Match(%q) has %d actions, want %d", tc.pattern, len(got), tc.count)
			}
			names := make([]string, len(got))
			for i, a := range got {
				names[i] = a.Name
			}
			for _, n := range tc.has {
				if !slices.Contains(names, n) {
					t.Errorf("Match(%q) lacks %s", tc.pattern, n)
				}
			}
			for _, n := range tc.hasNot {
				if slices.Contains(names, n) {
					t.Errorf("Match(%q) holds %s", tc.pattern, n)
				}
			}
		})
	}
}

func TestTableIsWellFormed(t *testing.T) {
	seen := map[string]bool{}
	for _, a := range table {
		low := strings.ToLower(a.Name)
		if seen[low] {
			t.Errorf("%s is listed twice", a.Name)
		}
		seen[low] = true
		for _, k := range a.Keys {
			if _, ok := LookupKey(k); !ok {
				t.Errorf("%s names condition key %s, which the key tables lack", a.Name, k)
			}
		}
		for _, r := range a.Resources {
			if !slices.ContainsFunc(arnForms, func(f struct {
				typ  ResourceType
				form string
			}) bool {
				return f.typ == r
			}) {
				t.Errorf("%s names resource type %s, which has no ARN form", a.Name, r)
			}
		}
	}
	for _, list := range [][]Key{S3Keys(), GlobalKeys()} {
		byName := func(a, b Key) int { return strings.Compare(a.Name, b.Name) }
		if !slices.IsSortedFunc(list, byName) {
			t.Errorf("key table starting %s is not sorted by name", list[0].Name)
		}
	}
}

func TestActionFacts(t *testing.T) {
	get, _ := Lookup("s3:GetObject")
	list, _ := Lookup("s3:ListBucket")
	all, _ := Lookup("s3:ListAllMyBuckets")
	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"GetObject on objects", get.AppliesTo(Object), true},
		{"GetObject on buckets", get.AppliesTo(Bucket), false},
		{"ListBucket on buckets", list.AppliesTo(Bucket), true},
		{"ListBucket on objects", list.AppliesTo(Object), false},
		{"ListAllMyBuckets has no resource type", all.Resources == nil, true},
		{"ListBucket supports s3:prefix", list.Supports("s3:prefix"), true},
		{"keys compare in any case", list.Supports("S3:Prefix"), true},
		{"GetObject lacks s3:prefix", get.Supports("s3:prefix"), false},
		{"tag template", get.Supports("s3:ExistingObjectTag/team"), true},
		{"global tag key", get.Supports("aws:ResourceTag/team"), true},
		{"request tags are for tagging", get.Supports("aws:RequestTag/team"), false},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestTypesOf(t *testing.T) {
	tests := []struct {
		name, resource string
		variables      bool
		want           []ResourceType
	}{
		{"a bucket", "arn:aws:s3:::art", false, []ResourceType{Bucket}},
		{"its objects", "arn:aws:s3:::art/*", false, []ResourceType{Object}},
		{"one object", "arn:aws:s3:::art/charts/a.tgz", false, []ResourceType{Object}},
		{"every bucket and object", "arn:aws:s3:::*", false, []ResourceType{Bucket, Object}},
		{"a wildcard may reach into keys", "arn:aws:s3:::art*", false,
			[]ResourceType{Bucket, Object}},
		{"single characters", "arn:aws:s3:::ar?", false, []ResourceType{Bucket}},
		{"an access point", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap", false,
			[]ResourceType{AccessPoint}},
		{"its objects", "arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/*", false,
			[]ResourceType{AccessPointObject}},
		{"access points and their objects", "arn:aws:s3:*:111122223333:accesspoint/*", false,
			[]ResourceType{AccessPoint, AccessPointObject, MultiRegionAccessPoint}},
		{"multi-region", "arn:aws:s3::111122223333:accesspoint/x.mrap", false,
			[]ResourceType{MultiRegionAccessPoint}},
		{"a job", "arn:aws:s3:us-east-1:111122223333:job/j1", false, []ResourceType{Job}},
		{"object lambda", "arn:aws:s3-object-lambda:us-east-1:111122223333:accesspoint/o",
			false, []ResourceType{ObjectLambdaAccessPoint}},
		{"everything", "*", false, allTypes()},
		{"every ARN", "arn:*", false, allTypes()},
		{"variable stands for text", "arn:aws:s3:::${aws:username}/*", true,
			[]ResourceType{Object}},
		{"variable in a key", "arn:aws:s3:::home/${aws:username}", true,
			[]ResourceType{Object}},
		{"2008-10-17 keeps the text, colon and all", "arn:aws:s3:::${aws:username}", false,
			nil},
		{"so it is an object key there", "arn:aws:s3:::b/${aws:username}", false,
			[]ResourceType{Object}},
		{"escape is literal", "arn:aws:s3:::a${*}", true, []ResourceType{Bucket}},
		{"another service", "arn:aws:iam::111122223333:user/ana", false, nil},
		{"bucket with a region", "arn:aws:s3:us-east-1:111122223333:bucket/art", false, nil},
		{"colon in a bucket name", "arn:aws:s3:::a:b", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := TypesOf(tc.resource, tc.variables)
			slices.Sort(got)
			want := slices.Clone(tc.want)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("TypesOf(%q) = %v, want %v", tc.resource, got, want)
			}
		})
	}
}

func allTypes() []ResourceType {
	var out []ResourceType
	for _, f := range arnForms {
		out = append(out, f.typ)
	}
	return out
}

func TestLookupKey(t *testing.T) {
	tests := []struct {
		name, key string
		want      string // the key's Name, "" when unknown
		multi     bool
	}{
		{"global", "aws:SourceIp", "aws:SourceIp", false},
		{"any case", "AWS:SOURCEIP", "aws:SourceIp", false},
		{"tag template", "aws:PrincipalTag/team", "aws:PrincipalTag/${TagKey}", false},
		{"s3 tag template", "s3:ExistingObjectTag/env", "s3:ExistingObjectTag/<key>", false},
		{"multivalued", "aws:TagKeys", "aws:TagKeys", true},
		{"s3 key", "s3:prefix", "s3:prefix", false},
		{"unknown global", "aws:SourceIpAddress", "", false},
		{"empty tag", "aws:RequestTag/", "", false},
		{"slash on a plain key", "aws:SourceIp/x", "", false},
		{"other service", "kms:ViaService", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			k, ok := LookupKey(tc.key)
			if ok != (tc.want != "") || k.Name != tc.want || k.Multivalued != tc.multi {
				t.Errorf("LookupKey(%q) = %+v, %v; want %q", tc.key, k, ok, tc.want)
			}
		})
	}
}

func TestKinds(t *testing.T) {
	src, _ := LookupKey("aws:SourceArn")
	ip, _ := LookupKey("aws:SourceIp")
	tests := []struct {
		name string
		set  KindSet
		kind policy.Kind
		want bool
	}{
		{"service keys reach bucket policies", src.Kinds, policy.Resource, true},
		{"and RCPs", src.Kinds, policy.ResourceControl, true},
		{"not identity policies", src.Kinds, policy.Identity, false},
		{"nor SCPs", src.Kinds, policy.ServiceControl, false},
		{"other keys reach all", ip.Kinds, policy.ServiceControl, true},
		{"out of range", AllKinds, policy.Kind(9), false},
	}
	for _, tc := range tests {
		if got := tc.set.Has(tc.kind); got != tc.want {
			t.Errorf("%s: Has(%v) = %v, want %v", tc.name, tc.kind, got, tc.want)
		}
	}
}

// TestWildcard checks Match's matcher against the policy engine's.
func TestWildcard(t *testing.T) {
	tests := []struct {
		pattern, s string
		want       bool
	}{
		{"getobject", "getobject", true},
		{"get*", "getobject", true},
		{"*object", "getobject", true},
		{"*", "", true},
		{"?", "", false},
		{"g?tobject", "getobject", true},
		{"get*acl", "getobjectversionacl", true},
		{"get*acl", "getobjectacls", false},
		{"*a*a*", "aa", true},
		{"*a*a*", "a", false},
		{"get**", "get", true},
		{"getobject", "getobjects", false},
	}
	for _, tc := range tests {
		got := wildcard(tc.pattern, tc.s)
		if got != tc.want || got != policy.WildcardMatch(tc.pattern, tc.s, true) {
			t.Errorf("wildcard(%q, %q) = %v, want %v (as the policy engine)", tc.pattern, tc.s,
				got, tc.want)
		}
	}
}
