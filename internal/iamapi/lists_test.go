package iamapi_test

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/iamapi"
)

// TestListMembers checks that a list parameter with a gap in its
// numbering, a tag without its Key or a member field IAM does not read is
// refused, naming the parameter, and changes nothing: none of them is
// dropped or read out of place.
func TestListMembers(t *testing.T) {
	srv := newServer(t)
	request := func(action string, pairs ...string) url.Values {
		f := url.Values{"Action": {action}, "Version": {iamapi.Version}}
		for i := 0; i+1 < len(pairs); i += 2 {
			f.Set(pairs[i], pairs[i+1])
		}
		return f
	}
	user := func(name string, pairs ...string) url.Values {
		return request("CreateUser", append([]string{"UserName", name}, pairs...)...)
	}
	provider := func(pairs ...string) url.Values {
		return request("CreateOpenIDConnectProvider", append([]string{
			"Url", "http://127.0.0.1:1/issuer", "ClientIDList.member.1", "a"}, pairs...)...)
	}
	tests := []struct {
		name    string
		form    url.Values
		code    string
		msg     string
		created string // a user that must not exist afterwards
	}{
		{"tag 3 after a missing 2", user("gap1", "Tags.member.1.Key", "a",
			"Tags.member.3.Key", "c", "Tags.member.3.Value", "x"), "InvalidInput",
			"The parameter Tags.member.2 is missing", "gap1"},
		{"tag 2 without 1", user("gap2", "Tags.member.2.Key", "b"), "InvalidInput",
			"The parameter Tags.member.1 is missing", "gap2"},
		{"value without a key", user("gap3", "Tags.member.1.Value", "x"), "ValidationError",
			"'Tags.member.1.Key'", "gap3"},
		{"unknown tag field", user("gap4", "Tags.member.1.Key", "a",
			"Tags.member.1.Colour", "red"), "InvalidInput",
			"The parameter Tags.member.1.Colour is not one IAM reads", "gap4"},
		{"TagUser with a gap", request("TagUser", "UserName", "delegate",
			"Tags.member.2.Key", "b"), "InvalidInput", "Tags.member.1 is missing", ""},
		{"UntagUser with a gap", request("UntagUser", "UserName", "delegate",
			"TagKeys.member.1", "a", "TagKeys.member.3", "c"), "InvalidInput",
			"TagKeys.member.2 is missing", ""},
		{"plain list member with a field", request("UntagUser", "UserName", "delegate",
			"TagKeys.member.1.Key", "a"), "InvalidInput",
			"The parameter TagKeys.member.1.Key is not one IAM reads", ""},
		{"simulation with a gap", form("PolicySourceArn", delegateARN,
			"ActionNames.member.1", "s3:GetObject", "ActionNames.member.3", "s3:PutObject"),
			"InvalidInput", "ActionNames.member.2 is missing", ""},
		{"provider tag without member 1", provider("Tags.member.2.Key", "b"),
			"InvalidInput", "trove keeps no tags on OpenID Connect providers", ""},
		{"provider tag value alone", provider("Tags.member.1.Value", "x"),
			"InvalidInput", "trove keeps no tags on OpenID Connect providers", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv, &prdRoot, tc.form)
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil || status != 400 ||
				doc.Error.Code != tc.code || !strings.Contains(doc.Error.Message, tc.msg) {
				t.Fatalf("status %d %+v, want %s saying %q", status, doc.Error, tc.code, tc.msg)
			}
			if tc.created == "" {
				return
			}
			status, _ = post(t, srv, &prdRoot, request("GetUser", "UserName", tc.created))
			if status != http.StatusNotFound {
				t.Fatalf("GetUser %s: status %d, want 404: the user was created", tc.created,
					status)
			}
		})
	}
}
