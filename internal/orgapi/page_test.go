package orgapi

import (
	"encoding/json"
	"testing"
)

// TestListing pins a listing's JSON to what a struct of the member and
// NextToken encodes, member first and NextToken left out when empty.
func TestListing(t *testing.T) {
	type shaped struct {
		Parents   []parentShape `json:"Parents"`
		NextToken string        `json:"NextToken,omitempty"`
	}
	tests := []struct {
		name  string
		items []parentShape
		next  string
	}{
		{"last page", []parentShape{{ID: "r-ab", Type: "ROOT"}}, ""},
		{"more follow", []parentShape{{ID: "ou-<&>", Type: "ORGANIZATIONAL_UNIT"}}, "dG9r"},
		{"empty", []parentShape{}, ""},
		{"nil", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(listing[parentShape]{"Parents", tc.items, tc.next})
			if err != nil {
				t.Fatal(err)
			}
			want, _ := json.Marshal(shaped{tc.items, tc.next})
			if string(got) != string(want) {
				t.Fatalf("listing = %s, want %s", got, want)
			}
		})
	}
}
