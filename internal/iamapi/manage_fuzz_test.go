package iamapi

import (
	"net/url"
	"testing"
)

// FuzzManageParams feeds the parsers of the management actions' parameters
// (names, paths, tags, policy documents) arbitrary values: they must return
// a value or an *Error, never panic, and accept only what IAM's rules allow.
func FuzzManageParams(f *testing.F) {
	f.Add("alice", "/team/", "env", "prd", `{"Version":"2012-10-17","Statement":[]}`)
	f.Add("a b", "team", "aws:x", "", `{"Version":`)
	f.Fuzz(func(t *testing.T, name, path, key, value, doc string) {
		p := params{url.Values{"UserName": {name}, "Path": {path}, "Tags.member.1.Key": {key},
			"Tags.member.1.Value": {value}, "PolicyDocument": {doc}}}
		if got, err := p.name("UserName", maxUserName); err == nil && (got != name ||
			len(got) > maxUserName) {
			t.Fatalf("name %q accepted as %q", name, got)
		}
		if got, err := p.path("Path"); err == nil && (len(got) > maxPath || got[0] != '/' ||
			got[len(got)-1] != '/') {
			t.Fatalf("path %q accepted", got)
		}
		if tags, err := p.tags(); err == nil && len(tags) == 1 && tags[0].Key == "" {
			t.Fatalf("empty tag key accepted")
		}
		if d, err := p.policyDocument(maxManagedChars); err == nil &&
			policyChars(string(d)) > maxManagedChars {
			t.Fatalf("document over the limit accepted")
		}
	})
}
