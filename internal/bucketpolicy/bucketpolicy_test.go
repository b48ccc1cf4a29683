package bucketpolicy

import (
	"strings"
	"testing"
)

func doc(action, resource string) string {
	return `{"Version":"2012-10-17","Statement":[{"Sid":"S","Effect":"Allow","Principal":"*",` +
		`"Action":` + action + `,"Resource":` + resource + `}]}`
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name, doc, wantErr string
	}{
		{"object read", doc(`"s3:GetObject"`, `"arn:aws:s3:::art/*"`), ""},
		{"bucket and objects", doc(`["s3:ListBucket","s3:GetObject"]`,
			`["arn:aws:s3:::art","arn:aws:s3:::art/charts/*"]`), ""},
		{"all actions", doc(`"*"`, `"*"`), ""},
		{"s3 wildcard", doc(`"s3:*"`, `"arn:aws:s3:::art/*"`), ""},
		{"action pattern", doc(`"s3:Get*"`, `"arn:aws:s3:::art/*"`), ""},
		{"action case", doc(`"S3:getobject"`, `"arn:aws:s3:::art/*"`), ""},
		{"bucket name pattern", doc(`"s3:GetObject"`, `"arn:aws:s3:::ar*/*"`), ""},
		{"all buckets", doc(`"s3:ListBucket"`, `"arn:aws:s3:::*"`), ""},
		{"unknown action", doc(`"s3:Fly"`, `"arn:aws:s3:::art/*"`),
			`Policy has invalid action (statement "S": "s3:Fly" is not an S3 action)`},
		{"pattern matching nothing", doc(`"s3:Fly*"`, `"arn:aws:s3:::art/*"`),
			"Policy has invalid action"},
		{"action the catalog added", doc(`"s3:GetBucketAbac"`, `"arn:aws:s3:::art"`), ""},
		{"operation that is no action", doc(`"s3:DeleteBucketOwnershipControls"`,
			`"arn:aws:s3:::art"`), "Policy has invalid action"},
		{"other service", doc(`"iam:CreateUser"`, `"arn:aws:s3:::art/*"`),
			"Policy has invalid action"},
		{"other bucket", doc(`"s3:GetObject"`, `"arn:aws:s3:::other/*"`),
			`Policy has invalid resource (statement "S": "arn:aws:s3:::other/*" is not bucket art`},
		{"other bucket itself", doc(`"s3:ListBucket"`, `"arn:aws:s3:::other"`),
			"Policy has invalid resource"},
		{"not s3", doc(`"s3:GetObject"`, `"arn:aws:iam::111111111111:root"`),
			"Policy has invalid resource"},
		{"object action on the bucket", doc(`"s3:GetObject"`, `"arn:aws:s3:::art"`),
			`Action does not apply to any resource(s) in statement (statement "S": ` +
				`"s3:GetObject")`},
		{"bucket action on objects", doc(`["s3:GetObject","s3:ListBucket"]`,
			`"arn:aws:s3:::art/*"`), `"s3:ListBucket"`},
		{"pattern with one fitting action", doc(`"s3:Get*"`, `"arn:aws:s3:::art"`), ""},
		{"NotResource is not checked", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny",` +
			`"Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::art"}]}`, ""},
		{"too big", doc(`"s3:GetObject"`, `"arn:aws:s3:::art/`+strings.Repeat("a", MaxSize)+`"`),
			"Policies must not exceed 20480 bytes"},
		{"not utf-8", doc(`"s3:GetObject"`, "\"arn:aws:s3:::art/\xff\""), "valid UTF-8"},
		{"language error", `{"Statement":[]}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Validate([]byte(tc.doc), "art")
			if tc.name == "language error" {
				if err == nil {
					t.Fatal("an empty statement list should be malformed")
				}
				return
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func FuzzValidate(f *testing.F) {
	f.Add([]byte(doc(`"s3:GetObject"`, `"arn:aws:s3:::art/*"`)), "art")
	f.Add([]byte(doc(`["s3:Get*","s3:?ist*"]`, `["*","arn:aws:s3:::a*"]`)), "abc")
	f.Fuzz(func(t *testing.T, data []byte, bucket string) {
		_, _ = Validate(data, bucket)
	})
}
