package orgfile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/store"
)

// ExportOptions say what Export writes besides the structure.
type ExportOptions struct {
	// IncludeSecrets writes every active access key with its secret. By
	// default keys are left out, and a comment lists their ids.
	IncludeSecrets bool
}

// Export writes the state meta holds as an organization file to w: the
// organization with its units, policy types, SCPs and RCPs and their
// attachments, and every account with its root keys, managed policies,
// groups, users, roles, buckets and OIDC identity providers. Loading the
// output into an empty data directory and exporting again writes the same
// bytes, and Apply of the output to meta itself changes nothing. What the
// file cannot say is left out: unique ids the store gave users, groups,
// roles and policies, inactive keys, key and role creation times, bucket
// versioning, tags and notifications.
//
// Policy documents are written as YAML when loading that YAML gives back
// the stored text byte for byte, and as the stored JSON string otherwise,
// so that a reload finds every document unchanged.
func Export(ctx context.Context, meta store.Meta, w io.Writer, opt ExportOptions) error {
	e := &exporter{ctx: ctx, meta: meta, opt: opt}
	doc, err := e.document()
	if err != nil {
		return fmt.Errorf("orgfile: export: %w", err)
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("orgfile: export: %w", err)
	}
	return enc.Close()
}

// accountSection adds one section of an account (its keys, its users...)
// to m, the account's mapping. Sections run in the order of
// accountSections; a new kind of record is one more entry.
type accountSection func(e *exporter, a store.Account, m *mapping) error

// accountSections are the sections of each account, in the file's order.
var accountSections = []accountSection{
	(*exporter).exportAttachments,
	(*exporter).exportRootKeys,
	(*exporter).exportManaged,
	(*exporter).exportGroups,
	(*exporter).exportUsers,
	(*exporter).exportRoles,
	(*exporter).exportBuckets,
	(*exporter).exportOIDC,
}

// exporter holds what the sections share: the store and what was read of
// the organization.
type exporter struct {
	ctx  context.Context
	meta store.Meta
	opt  ExportOptions

	org      *store.Organization // nil when the store holds none
	ous      []store.OU
	accounts []store.Account
	enabled  []store.PolicyType
	attached map[store.PolicyType]map[string][]string // type, target: policy names
}

// document builds the whole file.
func (e *exporter) document() (*yaml.Node, error) {
	if err := e.read(); err != nil {
		return nil, err
	}
	top := newMapping()
	if e.org != nil {
		org, err := e.exportOrganization()
		if err != nil {
			return nil, err
		}
		top.add("organization", org.n)
	}
	accounts := seq()
	for _, a := range e.accounts {
		m := newMapping()
		m.add("id", quoted(a.ID))
		if a.Name != "" {
			m.add("name", str(a.Name))
		}
		for _, section := range accountSections {
			if err := section(e, a, &m); err != nil {
				return nil, fmt.Errorf("account %s: %w", a.ID, err)
			}
		}
		accounts.Content = append(accounts.Content, m.n)
	}
	top.add("accounts", accounts)
	return &yaml.Node{Kind: yaml.DocumentNode, Content: []*yaml.Node{top.n}}, nil
}

// read loads the organization, its tree and its attachments.
func (e *exporter) read() error {
	org, err := e.meta.GetOrganization(e.ctx)
	switch {
	case err == nil:
		e.org = &org
	case !errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("organization: %w", err)
	}
	if e.ous, err = e.meta.ListOUs(e.ctx); err != nil {
		return fmt.Errorf("units: %w", err)
	}
	if e.accounts, err = e.meta.ListAccounts(e.ctx); err != nil {
		return fmt.Errorf("accounts: %w", err)
	}
	if e.enabled, err = e.meta.ListEnabledPolicyTypes(e.ctx); err != nil {
		return fmt.Errorf("policy types: %w", err)
	}
	e.attached = make(map[store.PolicyType]map[string][]string)
	for _, t := range e.enabled {
		as, err := e.meta.ListOrgAttachments(e.ctx, t)
		if err != nil {
			return fmt.Errorf("%s attachments: %w", t, err)
		}
		byTarget := make(map[string][]string)
		for _, a := range as {
			byTarget[a.Target] = append(byTarget[a.Target], a.Policy)
		}
		e.attached[t] = byTarget
	}
	return nil
}

// exportOrganization builds the organization section.
func (e *exporter) exportOrganization() (mapping, error) {
	o := newMapping()
	o.add("id", str(e.org.ID))
	o.add("managementAccount", quoted(e.org.ManagementAccount))
	o.add("rootId", str(e.org.RootID))
	if len(e.enabled) > 0 {
		types := seq()
		types.Style = yaml.FlowStyle
		for _, t := range e.enabled {
			types.Content = append(types.Content, str(string(t)))
		}
		o.add("enabledPolicyTypes", types)
	}
	for _, s := range []struct {
		field string
		t     store.PolicyType
	}{
		{"serviceControlPolicies", store.ServiceControlPolicy},
		{"resourceControlPolicies", store.ResourceControlPolicy},
	} {
		if err := e.exportOrgPolicies(&o, s.field, s.t); err != nil {
			return o, err
		}
	}
	e.addAttachments(&o, e.org.RootID)
	o.addList("accounts", e.accountsUnder(e.org.RootID), quoted)
	if units := e.units(e.org.RootID); len(units.Content) > 0 {
		o.add("units", units)
	}
	return o, nil
}

// exportOrgPolicies adds the stored SCPs or RCPs under field.
func (e *exporter) exportOrgPolicies(o *mapping, field string, t store.PolicyType) error {
	ps, err := e.meta.ListOrgPolicies(e.ctx, t)
	if err != nil {
		return fmt.Errorf("%s policies: %w", t, err)
	}
	if len(ps) == 0 {
		return nil
	}
	list := seq()
	for _, p := range ps {
		m := newMapping()
		m.add("name", str(p.Name))
		m.add("document", documentNode(p.Document))
		list.Content = append(list.Content, m.n)
	}
	o.add(field, list)
	return nil
}

// units builds the units under parent, by name, with their subtrees.
func (e *exporter) units(parent string) *yaml.Node {
	var children []store.OU
	for _, ou := range e.ous {
		if ou.ParentID == parent {
			children = append(children, ou)
		}
	}
	slices.SortFunc(children, func(a, b store.OU) int { return strings.Compare(a.Name, b.Name) })
	list := seq()
	for _, ou := range children {
		m := newMapping()
		m.add("name", str(ou.Name))
		m.add("id", str(ou.ID))
		e.addAttachments(&m, ou.ID)
		m.addList("accounts", e.accountsUnder(ou.ID), quoted)
		if sub := e.units(ou.ID); len(sub.Content) > 0 {
			m.add("units", sub)
		}
		list.Content = append(list.Content, m.n)
	}
	return list
}

// accountsUnder lists the ids of the accounts whose parent is id.
func (e *exporter) accountsUnder(id string) []string {
	var out []string
	for _, a := range e.accounts {
		if a.ParentID == id {
			out = append(out, a.ID)
		}
	}
	return out
}

// addAttachments adds the scps and rcps of target as the file says them:
// scps only when it is not FullAWSAccess alone (the file's default), rcps
// without the implied RCPFullAWSAccess.
func (e *exporter) addAttachments(m *mapping, target string) {
	if slices.Contains(e.enabled, store.ServiceControlPolicy) {
		scps := e.attached[store.ServiceControlPolicy][target]
		if !slices.Equal(scps, []string{store.FullAWSAccess}) {
			m.add("scps", flowList(scps))
		}
	}
	var rcps []string
	for _, p := range e.attached[store.ResourceControlPolicy][target] {
		if p != store.RCPFullAWSAccess {
			rcps = append(rcps, p)
		}
	}
	if len(rcps) > 0 {
		m.add("rcps", flowList(rcps))
	}
}

// exportAttachments is the account section of its scps and rcps, for an
// account in the organization.
func (e *exporter) exportAttachments(a store.Account, m *mapping) error {
	if a.ParentID != "" && e.org != nil {
		e.addAttachments(m, a.ID)
	}
	return nil
}

// documentNode returns doc as YAML when the file would turn that YAML back
// into exactly doc (compact JSON with sorted keys), else as a string.
func documentNode(doc []byte) *yaml.Node {
	var v any
	if json.Unmarshal(doc, &v) == nil {
		var n yaml.Node
		var back any
		if n.Encode(v) == nil && n.Decode(&back) == nil {
			if out, err := json.Marshal(back); err == nil && bytes.Equal(out, doc) {
				return &n
			}
		}
	}
	return str(string(doc))
}

// mapping builds a YAML mapping node in insertion order.
type mapping struct{ n *yaml.Node }

func newMapping() mapping { return mapping{&yaml.Node{Kind: yaml.MappingNode}} }

// add appends key: v.
func (m *mapping) add(key string, v *yaml.Node) {
	m.n.Content = append(m.n.Content, str(key), v)
}

// addList appends key: a block list of items, unless items is empty.
func (m *mapping) addList(key string, items []string, node func(string) *yaml.Node) {
	if len(items) == 0 {
		return
	}
	list := seq()
	for _, it := range items {
		list.Content = append(list.Content, node(it))
	}
	m.add(key, list)
}

func seq() *yaml.Node { return &yaml.Node{Kind: yaml.SequenceNode} }

// flowList is items as a flow list ([a, b]), [] when there are none.
func flowList(items []string) *yaml.Node {
	list := seq()
	list.Style = yaml.FlowStyle
	for _, it := range items {
		list.Content = append(list.Content, str(it))
	}
	return list
}

// str is a string scalar; the encoder quotes it where YAML would read
// another type.
func str(s string) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
}

// quoted is a double-quoted string scalar, for account ids, as the
// documentation writes them.
func quoted(s string) *yaml.Node {
	n := str(s)
	n.Style = yaml.DoubleQuotedStyle
	return n
}
