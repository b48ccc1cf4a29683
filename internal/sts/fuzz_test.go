package sts

import (
	"errors"
	"net/url"
	"testing"

	"github.com/troveproject/trove/internal/session"
)

// FuzzParseAssumeRole checks that AssumeRole's parameter parser never
// panics, fails only with an *Error, and keeps its limits on what it
// accepts.
func FuzzParseAssumeRole(f *testing.F) {
	f.Add("RoleArn=arn:aws:iam::222222222222:role/a/b&RoleSessionName=s1" +
		"&Tags.member.1.Key=k&Tags.member.1.Value=v&TransitiveTagKeys.member.1=k")
	f.Add("RoleArn=arn:aws:iam::222222222222:role/r&RoleSessionName=ab&DurationSeconds=900" +
		"&Policy=%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%5D%7D")
	f.Add("RoleArn=x&RoleSessionName=&ExternalId=e&PolicyArns.member.1.arn=arn:aws:iam::1:p")
	f.Fuzz(func(t *testing.T, query string) {
		form, err := url.ParseQuery(query)
		if err != nil {
			return
		}
		p, err := parseAssumeRole(form)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Status() >= 500 {
				t.Fatalf("error %v is not a client *Error", err)
			}
			return
		}
		if len(p.tags) > maxSessionTags || len(p.policyARNs) > maxPolicyARNs ||
			!sessionNameRe.MatchString(p.sessionName) || p.duration > maxDuration {
			t.Fatalf("accepted out of limits: %+v", p)
		}
		for _, k := range p.transitiveKeys {
			if _, ok := p.tags[k]; !ok {
				t.Fatalf("transitive key %q is not spelled as a tag: %+v", k, p)
			}
		}
		for k := range p.tags {
			if tk, _, _ := session.LookupTag(p.tags, k); tk != k {
				t.Fatalf("tags %q and %q differ only in case", k, tk)
			}
		}
	})
}
