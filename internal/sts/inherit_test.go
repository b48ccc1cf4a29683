package sts

import (
	"maps"
	"slices"
	"testing"

	"github.com/troveproject/trove/internal/session"
)

// TestInherit checks what a chained session takes from its parent: the
// transitive tags, spelled as the parent has them, never two keys equal but
// for case, and the transitive keys to pass on further.
func TestInherit(t *testing.T) {
	parent := &session.Claims{Tags: map[string]string{"Project": "atlas", "env": "dev"},
		Transitive: []string{"Project"}}
	// legacy holds two spellings of a key, as tokens sealed before trove
	// refused them may: the transitive one is what passes on.
	legacy := &session.Claims{Tags: map[string]string{"Project": "atlas", "project": "zeus"},
		Transitive: []string{"Project"}}
	tests := []struct {
		name           string
		parent         *session.Claims
		tags           map[string]string
		transitive     []string
		wantTags       map[string]string
		wantTransitive []string
		wantErr        bool
	}{
		{"nothing asked", parent, nil, nil, map[string]string{"Project": "atlas"},
			[]string{"Project"}, false},
		{"a new tag", parent, map[string]string{"team": "a"}, []string{"team"},
			map[string]string{"Project": "atlas", "team": "a"}, []string{"team", "Project"},
			false},
		{"same value, another case", parent, map[string]string{"project": "atlas"},
			[]string{"project"}, map[string]string{"Project": "atlas"}, []string{"Project"},
			false},
		{"another value, another case", parent, map[string]string{"PROJECT": "zeus"}, nil,
			nil, nil, true},
		{"value in another case", parent, map[string]string{"Project": "ATLAS"}, nil, nil,
			nil, true},
		{"legacy parent with two spellings", legacy, nil, nil,
			map[string]string{"Project": "atlas"}, []string{"Project"}, false},
		{"legacy parent, the other spelling's value", legacy,
			map[string]string{"project": "zeus"}, nil, nil, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			asked := maps.Clone(tt.tags)
			g := &grant{tags: tt.tags, transitive: slices.Clone(tt.transitive)}
			err := g.inherit(tt.parent)
			if (err != nil) != tt.wantErr {
				t.Fatalf("inherit: %v, want error %v", err, tt.wantErr)
			}
			if !maps.Equal(tt.tags, asked) {
				t.Errorf("inherit changed the request's tags to %v", tt.tags)
			}
			if err != nil {
				return
			}
			if !maps.Equal(g.tags, tt.wantTags) || !slices.Equal(g.transitive,
				tt.wantTransitive) {
				t.Errorf("inherit: tags %v transitive %v, want %v %v", g.tags, g.transitive,
					tt.wantTags, tt.wantTransitive)
			}
		})
	}
}
