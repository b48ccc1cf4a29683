package orgfile

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// exportRootKeys is the account section of its root user's keys.
func (e *exporter) exportRootKeys(a store.Account, m *mapping) error {
	keys, err := e.meta.ListAccessKeys(e.ctx, a.ID, "")
	if err != nil {
		return fmt.Errorf("root access keys: %w", err)
	}
	e.addKeys(m, "rootAccessKeys", keys)
	return nil
}

// addKeys adds the active keys under field, with their secrets when the
// options include them; otherwise a comment on m names their ids.
func (e *exporter) addKeys(m *mapping, field string, keys []store.AccessKey) {
	var active []store.AccessKey
	for _, k := range keys {
		if k.Active {
			active = append(active, k)
		}
	}
	if len(active) == 0 {
		return
	}
	if !e.opt.IncludeSecrets {
		ids := make([]string, 0, len(active))
		for _, k := range active {
			ids = append(ids, k.ID)
		}
		note := field + " left out (" + strings.Join(ids, ", ") +
			"): export with --include-secrets to include them"
		if m.n.HeadComment != "" {
			note = m.n.HeadComment + "\n" + note
		}
		m.n.HeadComment = note
		return
	}
	list := seq()
	for _, k := range active {
		km := newMapping()
		km.add("id", str(k.ID))
		km.add("secret", quoted(k.Secret))
		list.Content = append(list.Content, km.n)
	}
	m.add(field, list)
}

// exportManaged is the account section of its managed policies.
func (e *exporter) exportManaged(a store.Account, m *mapping) error {
	ps, err := e.meta.ListManagedPolicies(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("managed policies: %w", err)
	}
	if len(ps) == 0 {
		return nil
	}
	list := seq()
	for _, p := range ps {
		pm := newMapping()
		pm.add("name", str(p.Name))
		if p.Path != "/" && p.Path != "" {
			pm.add("path", str(p.Path))
		}
		pm.add("document", documentNode(p.Document))
		list.Content = append(list.Content, pm.n)
	}
	m.add("managedPolicies", list)
	return nil
}

// exportGroups is the account section of its groups.
func (e *exporter) exportGroups(a store.Account, m *mapping) error {
	gs, err := e.meta.ListGroups(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("groups: %w", err)
	}
	list := seq()
	for _, g := range gs {
		gm, err := e.group(g)
		if err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
		list.Content = append(list.Content, gm.n)
	}
	if len(list.Content) > 0 {
		m.add("groups", list)
	}
	return nil
}

func (e *exporter) group(g store.Group) (mapping, error) {
	gm := newMapping()
	gm.add("name", str(g.Name))
	if g.Path != "/" && g.Path != "" {
		gm.add("path", str(g.Path))
	}
	inline, err := e.meta.ListGroupPolicies(e.ctx, g.Account, g.Name)
	if err != nil {
		return gm, err
	}
	addInline(&gm, len(inline), func(i int) (string, []byte) {
		return inline[i].Name, inline[i].Document
	})
	attached, err := e.meta.ListAttachedGroupPolicies(e.ctx, g.Account, g.Name)
	if err != nil {
		return gm, err
	}
	gm.addList("managedPolicies", managedNames(attached), str)
	return gm, nil
}

// addInline adds n inline policies, each given by at(i), under policies.
func addInline(m *mapping, n int, at func(i int) (string, []byte)) {
	if n == 0 {
		return
	}
	list := seq()
	for i := range n {
		name, doc := at(i)
		pm := newMapping()
		pm.add("name", str(name))
		pm.add("document", documentNode(doc))
		list.Content = append(list.Content, pm.n)
	}
	m.add("policies", list)
}

// exportUsers is the account section of its users.
func (e *exporter) exportUsers(a store.Account, m *mapping) error {
	us, err := e.meta.ListUsers(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("users: %w", err)
	}
	list := seq()
	for _, u := range us {
		um, err := e.user(u)
		if err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		list.Content = append(list.Content, um.n)
	}
	if len(list.Content) > 0 {
		m.add("users", list)
	}
	return nil
}

func (e *exporter) user(u store.User) (mapping, error) {
	um := newMapping()
	um.add("name", str(u.Name))
	if u.Path != "/" && u.Path != "" {
		um.add("path", str(u.Path))
	}
	keys, err := e.meta.ListAccessKeys(e.ctx, u.Account, u.Name)
	if err != nil {
		return um, err
	}
	e.addKeys(&um, "accessKeys", keys)
	inline, err := e.meta.ListUserPolicies(e.ctx, u.Account, u.Name)
	if err != nil {
		return um, err
	}
	addInline(&um, len(inline), func(i int) (string, []byte) {
		return inline[i].Name, inline[i].Document
	})
	return um, e.userLinks(u, &um)
}

// userLinks adds a user's groups, managed policies, boundary and tags.
func (e *exporter) userLinks(u store.User, um *mapping) error {
	groups, err := e.meta.ListGroupsForUser(e.ctx, u.Account, u.Name)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(groups))
	for _, g := range groups {
		names = append(names, g.Name)
	}
	if len(names) > 0 {
		um.add("groups", flowList(names))
	}
	attached, err := e.meta.ListAttachedUserPolicies(e.ctx, u.Account, u.Name)
	if err != nil {
		return err
	}
	um.addList("managedPolicies", managedNames(attached), str)
	if u.Boundary != "" {
		um.add("permissionsBoundary", str(u.Boundary))
	}
	tags, err := e.meta.ListUserTags(e.ctx, u.Account, u.Name)
	if err != nil {
		return err
	}
	if len(tags) > 0 {
		tm := newMapping()
		for _, k := range slices.Sorted(maps.Keys(tags)) {
			tm.add(k, str(tags[k]))
		}
		um.add("tags", tm.n)
	}
	return nil
}

// exportBuckets is the account section of its buckets, with their
// policies inline.
func (e *exporter) exportBuckets(a store.Account, m *mapping) error {
	bs, err := e.meta.ListBuckets(e.ctx, a.ID)
	if err != nil {
		return fmt.Errorf("buckets: %w", err)
	}
	list := seq()
	for _, b := range bs {
		bm := newMapping()
		bm.add("name", str(b.Name))
		bm.add("region", str(b.Region))
		if b.Policy != nil {
			bm.add("policy", documentNode(b.Policy))
		}
		list.Content = append(list.Content, bm.n)
	}
	if len(list.Content) > 0 {
		m.add("buckets", list)
	}
	return nil
}
