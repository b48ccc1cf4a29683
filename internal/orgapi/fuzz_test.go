package orgapi

import (
	"errors"
	"testing"
)

// FuzzDecode feeds request bodies to the decoder of every input shape: it
// must never panic, and every refusal must be a SerializationException.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		``, `{}`, `{"ParentId":"r-abcd","Name":"x"}`, `{"MaxResults":5,"NextToken":"dHJvdmU6NQ"}`,
		`{"Name":"a","Name":"b"}`, `[1]`, `{"MaxResults":"5"}`, `{"PolicyId":null}`,
		`{"Content":"{\"Version\":\"2012-10-17\"}","Type":"SERVICE_CONTROL_POLICY"}`,
		`{} {}`, `{"a":`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		inputs := []any{&createOUInput{}, &createAccountInput{}, &moveAccountInput{},
			&createPolicyInput{}, &updatePolicyInput{}, &attachInput{}, &policyTypeInput{},
			&pageInput{}}
		for _, in := range inputs {
			err := decode(body, in)
			var e *Error
			if err != nil && (!errors.As(err, &e) || e.Code != Serialization) {
				t.Fatalf("decode(%q) into %T: %v, want a SerializationException", body, in, err)
			}
		}
	})
}

// TestDecode pins the decoder's answers to the shapes clients send.
func TestDecode(t *testing.T) {
	tests := []struct {
		name, body string
		ok         bool
	}{
		{"empty body", "", true},
		{"object", `{"ParentId":"r-abcd","Name":"x","Unknown":1}`, true},
		{"duplicated member", `{"Name":"a","Name":"b"}`, false},
		{"array", `[]`, false},
		{"wrong type", `{"Name":5}`, false},
		{"two values", `{} {}`, false},
		{"truncated", `{"Name":`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var in createOUInput
			if err := decode([]byte(tt.body), &in); (err == nil) != tt.ok {
				t.Errorf("decode(%q): %v, want ok %v", tt.body, err, tt.ok)
			}
		})
	}
}
