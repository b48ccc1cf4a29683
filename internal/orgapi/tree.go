package orgapi

import (
	"crypto/rand"
	"fmt"
	"maps"
	"slices"

	"github.com/troveproject/trove/internal/store"
)

// tree is the organization as the store holds it at one moment: its units,
// its member accounts (those with a parent) and the enabled policy types.
type tree struct {
	org      store.Organization
	ous      map[string]store.OU
	accounts map[string]store.Account // in the organization only
	order    []string                 // account ids, sorted
	enabled  []store.PolicyType
}

// load reads the tree of rq.org.
func (h *Handler) load(rq *request) (*tree, error) {
	meta := h.cfg.Meta
	t := &tree{org: rq.org, ous: make(map[string]store.OU),
		accounts: make(map[string]store.Account)}
	ous, err := meta.ListOUs(rq.ctx)
	if err != nil {
		return nil, fmt.Errorf("orgapi: units: %w", err)
	}
	for _, ou := range ous {
		t.ous[ou.ID] = ou
	}
	accounts, err := meta.ListAccounts(rq.ctx)
	if err != nil {
		return nil, fmt.Errorf("orgapi: accounts: %w", err)
	}
	for _, a := range accounts {
		if a.ParentID != "" {
			t.accounts[a.ID] = a
			t.order = append(t.order, a.ID)
		}
	}
	slices.Sort(t.order)
	if t.enabled, err = meta.ListEnabledPolicyTypes(rq.ctx); err != nil {
		return nil, fmt.Errorf("orgapi: policy types: %w", err)
	}
	return t, nil
}

// isParent reports whether id is the root or an OU.
func (t *tree) isParent(id string) bool {
	_, ok := t.ous[id]
	return ok || id == t.org.RootID
}

// kind is the node type of id ("" when it is no node of the tree).
func (t *tree) kind(id string) string {
	if id == t.org.RootID {
		return typeRoot
	}
	if _, ok := t.ous[id]; ok {
		return typeOU
	}
	if _, ok := t.accounts[id]; ok {
		return typeAccount
	}
	return ""
}

// name is what ListTargetsForPolicy calls a node.
func (t *tree) name(id string) string {
	if ou, ok := t.ous[id]; ok {
		return ou.Name
	}
	if a, ok := t.accounts[id]; ok {
		return a.Name
	}
	return "Root"
}

// depth is how many levels below the root the OU id is (1 for the root's
// own units); 0 for the root.
func (t *tree) depth(id string) int {
	d := 0
	for seen := 0; id != t.org.RootID && seen <= len(t.ous); seen++ {
		ou, ok := t.ous[id]
		if !ok {
			break
		}
		d++
		id = ou.ParentID
	}
	return d
}

// nodes lists the root, every OU and every member account.
func (t *tree) nodes() []string {
	out := append([]string{t.org.RootID}, slices.Sorted(maps.Keys(t.ous))...)
	return append(out, t.order...)
}

// isEnabled reports whether policy type pt is enabled.
func (t *tree) isEnabled(pt store.PolicyType) bool { return slices.Contains(t.enabled, pt) }

// policyTypes is the root's PolicyTypes.
func (t *tree) policyTypes() []policyTypeSummary {
	out := []policyTypeSummary{}
	for _, pt := range t.enabled {
		out = append(out, policyTypeSummary{Type: pt, Status: "ENABLED"})
	}
	return out
}

func (t *tree) rootShape() rootShape {
	return rootShape{ID: t.org.RootID, ARN: arns{t.org}.root(), Name: "Root",
		PolicyTypes: t.policyTypes()}
}

// randomString returns n characters of alphabet from crypto/rand.
func randomString(n int, alphabet string) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

const (
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
	digits     = "0123456789"
)
