package orgfile

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/store"
)

// exportRoles is the account section of its roles: each with its trust
// policy, inline and managed policies, boundary, maximum session duration,
// tags, description and path, as the roles section of the file says them.
func (e *exporter) exportRoles(a store.Account, m *mapping) error {
	rs, err := e.meta.ListRoles(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("roles: %w", err)
	}
	list := seq()
	for _, r := range rs {
		rm, err := e.role(r)
		if err != nil {
			return fmt.Errorf("role %s: %w", r.Name, err)
		}
		list.Content = append(list.Content, rm.n)
	}
	if len(list.Content) > 0 {
		m.add("roles", list)
	}
	return nil
}

func (e *exporter) role(r store.Role) (mapping, error) {
	rm := newMapping()
	rm.add("name", str(r.Name))
	if r.Path != "/" && r.Path != "" {
		rm.add("path", str(r.Path))
	}
	if r.Description != "" {
		rm.add("description", str(r.Description))
	}
	if r.MaxSessionDuration != 0 {
		rm.add("maxSessionDuration", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int",
			Value: strconv.Itoa(r.MaxSessionDuration)})
	}
	if len(r.Tags) > 0 {
		tm := newMapping()
		for _, k := range slices.Sorted(maps.Keys(r.Tags)) {
			tm.add(k, str(r.Tags[k]))
		}
		rm.add("tags", tm.n)
	}
	if r.Boundary != "" {
		rm.add("permissionsBoundary", str(r.Boundary))
	}
	trust := newMapping()
	trust.add("document", documentNode(r.TrustPolicy))
	rm.add("trustPolicy", trust.n)
	inline, err := e.meta.ListRolePolicies(e.ctx, r.Account, r.Name)
	if err != nil {
		return rm, err
	}
	addInline(&rm, len(inline), func(i int) (string, []byte) {
		return inline[i].Name, inline[i].Document
	})
	attached, err := e.meta.ListAttachedRolePolicies(e.ctx, r.Account, r.Name)
	if err != nil {
		return rm, err
	}
	rm.addList("managedPolicies", managedNames(attached), str)
	return rm, nil
}

// exportOIDC is the account section of its OIDC identity providers, with
// their key sources as stored: a JWKS file by its absolute path, or a
// loopback JWKS URL.
func (e *exporter) exportOIDC(a store.Account, m *mapping) error {
	ps, err := e.meta.ListOIDCProviders(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("OIDC providers: %w", err)
	}
	if len(ps) == 0 {
		return nil
	}
	list := seq()
	for _, p := range ps {
		pm := newMapping()
		pm.add("url", str(p.URL))
		pm.add("clientIds", flowList(p.ClientIDs))
		if p.JWKSFile != "" {
			pm.add("jwksFile", str(p.JWKSFile))
		}
		if p.JWKSURL != "" {
			pm.add("jwksUrl", str(p.JWKSURL))
		}
		if len(p.Thumbprints) > 0 {
			pm.add("thumbprints", flowList(p.Thumbprints))
		}
		list.Content = append(list.Content, pm.n)
	}
	m.add("oidcProviders", list)
	return nil
}
