package session

import (
	"maps"
	"testing"
)

func TestLookupTag(t *testing.T) {
	tests := []struct {
		name   string
		tags   map[string]string
		key    string
		wantK  string
		wantV  string
		wantOK bool
	}{
		{"exact", map[string]string{"team": "web"}, "team", "team", "web", true},
		{"another case", map[string]string{"Team": "web"}, "TEAM", "Team", "web", true},
		{"Kelvin sign folds to k", map[string]string{"\u212aey": "v"}, "key", "\u212aey", "v",
			true},
		{"missing", map[string]string{"team": "web"}, "owner", "", "", false},
		{"nil map", nil, "team", "", "", false},
		{"two spellings: the least key", map[string]string{"project": "b", "Project": "a"},
			"project", "Project", "a", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for range 50 { // map order must not matter
				k, v, ok := LookupTag(tt.tags, tt.key)
				if k != tt.wantK || v != tt.wantV || ok != tt.wantOK {
					t.Fatalf("LookupTag = %q, %q, %v; want %q, %q, %v", k, v, ok, tt.wantK,
						tt.wantV, tt.wantOK)
				}
			}
		})
	}
}

func TestMergeTags(t *testing.T) {
	tests := []struct {
		name       string
		base, over map[string]string
		want       map[string]string
	}{
		{"no session tags", map[string]string{"Team": "a"}, nil, map[string]string{"Team": "a"}},
		{"disjoint", map[string]string{"team": "a"}, map[string]string{"env": "dev"},
			map[string]string{"team": "a", "env": "dev"}},
		{"same key", map[string]string{"team": "a"}, map[string]string{"team": "b"},
			map[string]string{"team": "b"}},
		{"key in another case replaces", map[string]string{"Team": "a", "env": "x"},
			map[string]string{"team": "b"}, map[string]string{"team": "b", "env": "x"}},
		{"replaces every spelling of base", map[string]string{"Team": "a", "TEAM": "c"},
			map[string]string{"team": "b"}, map[string]string{"team": "b"}},
		{"no role tags", nil, map[string]string{"team": "b"}, map[string]string{"team": "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := maps.Clone(tt.base)
			got := MergeTags(tt.base, tt.over)
			if !maps.Equal(got, tt.want) {
				t.Errorf("MergeTags = %v, want %v", got, tt.want)
			}
			if !maps.Equal(tt.base, base) {
				t.Errorf("MergeTags changed base to %v", tt.base)
			}
		})
	}
}

func TestUniqueTags(t *testing.T) {
	tests := []struct {
		name       string
		tags       map[string]string
		transitive []string
		want       map[string]string
	}{
		{"unique", map[string]string{"Project": "a", "env": "x"}, nil,
			map[string]string{"Project": "a", "env": "x"}},
		{"transitive key wins", map[string]string{"Project": "alpha", "project": "beta"},
			[]string{"Project"}, map[string]string{"Project": "alpha"}},
		{"transitive key wins though not least", map[string]string{"Project": "alpha",
			"project": "beta"}, []string{"project"}, map[string]string{"project": "beta"}},
		{"else the least key", map[string]string{"project": "beta", "PROJECT": "gamma",
			"env": "x"}, nil, map[string]string{"PROJECT": "gamma", "env": "x"}},
		{"none", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Claims{Tags: tt.tags, Transitive: tt.transitive}
			for range 50 { // map order must not matter
				if got := c.UniqueTags(); !maps.Equal(got, tt.want) {
					t.Fatalf("UniqueTags = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// TestClaimsPolicyIDs checks that the managed session policies' ids
// survive sealing, and that a token without them still opens.
func TestClaimsPolicyIDs(t *testing.T) {
	tests := []struct {
		name string
		ids  []string
	}{
		{"with ids", []string{"ANPA1234567890ABCDEFG"}},
		{"without ids", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := claims()
			c.PolicyIDs = tt.ids
			token, err := Seal(key1, c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := Open(token, keysOf(key1))
			if err != nil {
				t.Fatal(err)
			}
			if len(got.PolicyIDs) != len(tt.ids) ||
				len(tt.ids) > 0 && got.PolicyIDs[0] != tt.ids[0] {
				t.Errorf("PolicyIDs = %v, want %v", got.PolicyIDs, tt.ids)
			}
		})
	}
}
