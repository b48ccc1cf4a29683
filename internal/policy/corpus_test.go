package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The proof corpus lives in testdata/corpus/*.yaml: each file holds a
// `defaults` mapping merged under every case (the case's own keys win) and a
// list of `cases`. _principals.yaml names the principals cases refer to. Each
// case says which documented AWS rule it pins, the policies of every layer,
// the request and what AWS decides. See TestCorpus.

const corpusDir = "testdata/corpus"

// minCorpusCases keeps the corpus from shrinking unnoticed.
const minCorpusCases = 330

// corpusCase is one decision of the corpus, as written in YAML.
type corpusCase struct {
	Name      string         `yaml:"name"`
	Rule      string         `yaml:"rule"`
	Principal yaml.Node      `yaml:"principal"`
	Identity  []corpusPolicy `yaml:"identity"`
	Boundary  *corpusPolicy  `yaml:"boundary"`
	Session   []corpusPolicy `yaml:"session"`
	Resource  *corpusPolicy  `yaml:"resource"`
	SCPs      []corpusLevel  `yaml:"scps"`
	RCPs      []corpusLevel  `yaml:"rcps"`
	Action    string         `yaml:"action"`
	ARN       string         `yaml:"resource_arn"`
	ResAcct   string         `yaml:"resource_account"`
	ResOrgID  string         `yaml:"resource_org_id"`
	ResPaths  []string       `yaml:"resource_org_paths"`
	Context   yaml.Node      `yaml:"context"`
	Expect    string         `yaml:"expect"`
	Sid       *string        `yaml:"sid"`
	ResSid    *string        `yaml:"resource_sid"`
	Layer     string         `yaml:"layer"`
	Missing   string         `yaml:"missing"`
	MissLevel string         `yaml:"missing_level"`
	Error     string         `yaml:"error"`
	Extra     map[string]any `yaml:",inline"` // unknown keys, reported as errors
}

// corpusPolicy is one policy: a whole document (a mapping, or a string of
// raw JSON), a statement or list of statements wrapped in a 2012-10-17
// document, or a built-in policy by name.
type corpusPolicy struct {
	Name      string    `yaml:"name"`
	Doc       yaml.Node `yaml:"doc"`
	Statement yaml.Node `yaml:"statement"`
	Builtin   string    `yaml:"builtin"`
}

// corpusLevel is one level of an organization path with its policies.
type corpusLevel struct {
	Name     string         `yaml:"name"`
	Policies []corpusPolicy `yaml:"policies"`
}

// corpusPrincipal is a principal as written: ref names one from
// _principals.yaml, whose fields the others override.
type corpusPrincipal struct {
	Ref         string            `yaml:"ref"`
	Type        string            `yaml:"type"`
	Anonymous   bool              `yaml:"anonymous"`
	Account     string            `yaml:"account"`
	ARN         string            `yaml:"arn"`
	UserID      string            `yaml:"userid"`
	Username    string            `yaml:"username"`
	OrgID       string            `yaml:"org_id"`
	OrgPaths    []string          `yaml:"org_paths"`
	Tags        map[string]string `yaml:"tags"`
	RoleARN     string            `yaml:"role_arn"`
	Service     string            `yaml:"service"`
	Federated   string            `yaml:"federated"`
	CanonicalID string            `yaml:"canonical_id"`
}

func (c corpusPrincipal) principal() Principal {
	return Principal{Anonymous: c.Anonymous, Account: c.Account, ARN: c.ARN, Type: c.Type,
		UserID: c.UserID, Username: c.Username, OrgID: c.OrgID, OrgPaths: c.OrgPaths,
		Tags: c.Tags, RoleARN: c.RoleARN, Service: c.Service, Federated: c.Federated,
		CanonicalID: c.CanonicalID}
}

// TestCorpus runs every case of the corpus: the policies are parsed with
// their layer's grammar, the request evaluated, and the decision compared
// with what AWS's documentation says. Explain must reach the same decision.
func TestCorpus(t *testing.T) {
	principals := loadPrincipals(t)
	files, err := filepath.Glob(filepath.Join(corpusDir, "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]string{}
	total := 0
	for _, path := range files {
		base := filepath.Base(path)
		if strings.HasPrefix(base, "_") {
			continue
		}
		cases := loadCorpusFile(t, path)
		total += len(cases)
		for _, c := range cases {
			if prev, dup := seen[c.Name]; dup {
				t.Errorf("%s: case %q already in %s", base, c.Name, prev)
			}
			seen[c.Name] = base
			t.Run(strings.TrimSuffix(base, ".yaml")+"/"+c.Name, func(t *testing.T) {
				runCorpusCase(t, principals, c)
			})
		}
	}
	if total < minCorpusCases {
		t.Errorf("the corpus has %d cases, want at least %d", total, minCorpusCases)
	}
}

func loadPrincipals(t *testing.T) map[string]corpusPrincipal {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(corpusDir, "_principals.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Principals map[string]corpusPrincipal `yaml:"principals"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("_principals.yaml: %v", err)
	}
	return f.Principals
}

// loadCorpusFile reads one file and merges its defaults under each case.
func loadCorpusFile(t *testing.T, path string) []corpusCase {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Defaults yaml.Node   `yaml:"defaults"`
		Cases    []yaml.Node `yaml:"cases"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(raw))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	out := make([]corpusCase, 0, len(f.Cases))
	for i := range f.Cases {
		node := mergeMappings(&f.Defaults, &f.Cases[i])
		var c corpusCase
		if err := node.Decode(&c); err != nil {
			t.Fatalf("%s: case %d: %v", path, i, err)
		}
		if len(c.Extra) > 0 || c.Name == "" || c.Rule == "" || c.Expect == "" {
			t.Fatalf("%s: case %d (%q): needs name, rule and expect, and no unknown keys %v",
				path, i, c.Name, keys(c.Extra))
		}
		out = append(out, c)
	}
	return out
}

func keys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// mergeMappings returns the case mapping with every default key it lacks.
func mergeMappings(defaults, c *yaml.Node) *yaml.Node {
	if defaults.Kind != yaml.MappingNode {
		return c
	}
	merged := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	own := map[string]bool{}
	for i := 0; i+1 < len(c.Content); i += 2 {
		own[c.Content[i].Value] = true
	}
	for i := 0; i+1 < len(defaults.Content); i += 2 {
		if !own[defaults.Content[i].Value] {
			merged.Content = append(merged.Content, defaults.Content[i], defaults.Content[i+1])
		}
	}
	merged.Content = append(merged.Content, c.Content...)
	return merged
}

func runCorpusCase(t *testing.T, principals map[string]corpusPrincipal, c corpusCase) {
	in, perr := c.input(principals)
	if c.Expect == "Malformed" {
		checkMalformed(t, c, perr)
		return
	}
	if perr != nil {
		t.Fatalf("rule: %s\nparse: %v", c.Rule, perr)
	}
	d := Evaluate(in)
	if got := effectName(d.Effect); got != c.Expect {
		t.Fatalf("rule: %s\nEffect = %s, want %s (reason: %s)", c.Rule, got, c.Expect,
			d.Reason())
	}
	checkDecisionDetails(t, c, d)
	x := Explain(in)
	if x.Decision.Effect != d.Effect || x.Decision.Deny != d.Deny ||
		x.Decision.Grant != d.Grant || x.Decision.ResourceGrant != d.ResourceGrant {
		t.Errorf("Explain decided %+v, Evaluate %+v", x.Decision, d)
	}
	if d.Reason() == "" {
		t.Error("empty Reason")
	}
}

func checkMalformed(t *testing.T, c corpusCase, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("rule: %s\nevery document parsed; want a MalformedError", c.Rule)
	}
	var m *MalformedError
	if !errors.As(err, &m) || !errors.Is(err, ErrMalformed) {
		t.Fatalf("error %v (%T) is not a *MalformedError", err, err)
	}
	if !strings.Contains(m.Msg, c.Error) {
		t.Errorf("rule: %s\nerror %q does not contain %q", c.Rule, m.Msg, c.Error)
	}
}

func checkDecisionDetails(t *testing.T, c corpusCase, d Decision) {
	t.Helper()
	ref := d.Deny
	if d.Effect == Allow {
		ref = d.Grant
		if !ref.Valid() {
			ref = d.ResourceGrant
		}
	}
	if c.Sid != nil && ref.Sid() != *c.Sid {
		t.Errorf("rule: %s\ndeciding Sid = %q, want %q (reason: %s)", c.Rule, ref.Sid(), *c.Sid,
			d.Reason())
	}
	if c.ResSid != nil && d.ResourceGrant.Sid() != *c.ResSid {
		t.Errorf("rule: %s\nresource grant Sid = %q, want %q", c.Rule, d.ResourceGrant.Sid(),
			*c.ResSid)
	}
	if c.Layer != "" && (!ref.Valid() || layerName(ref.Source.Layer) != c.Layer) {
		got := "none"
		if ref.Valid() {
			got = layerName(ref.Source.Layer)
		}
		t.Errorf("rule: %s\ndeciding layer = %s, want %s", c.Rule, got, c.Layer)
	}
	if c.Missing != "" && (d.Effect != ImplicitDeny || layerName(d.Missing) != c.Missing) {
		t.Errorf("rule: %s\nmissing layer = %s, want %s (reason: %s)", c.Rule,
			layerName(d.Missing), c.Missing, d.Reason())
	}
	if c.MissLevel != "" && d.MissingLevel != c.MissLevel {
		t.Errorf("rule: %s\nmissing level = %q, want %q", c.Rule, d.MissingLevel, c.MissLevel)
	}
}

func effectName(e Effect) string {
	return [...]string{ImplicitDeny: "ImplicitDeny", Allow: "Allow",
		ExplicitDeny: "ExplicitDeny"}[e]
}

func layerName(l Layer) string {
	return [...]string{LayerRCP: "rcp", LayerSCP: "scp", LayerResource: "resource",
		LayerIdentity: "identity", LayerBoundary: "boundary", LayerSession: "session"}[l]
}

// input builds the case's Input; the error is the first document that did
// not parse.
func (c *corpusCase) input(principals map[string]corpusPrincipal) (Input, error) {
	p, err := corpusPrincipalOf(&c.Principal, principals)
	if err != nil {
		return Input{}, err
	}
	ctxVals, err := corpusContext(&c.Context)
	if err != nil {
		return Input{}, err
	}
	in := Input{Request: Request{Action: c.Action, Resource: c.ARN, ResourceAccount: c.ResAcct,
		ResourceOrgID: c.ResOrgID, ResourceOrgPaths: c.ResPaths, Principal: p,
		Context: ctxVals}}
	b := sourceBuilder{}
	in.Identity = b.list(c.Identity, LayerIdentity)
	in.Session = b.list(c.Session, LayerSession)
	in.Boundary = b.one(c.Boundary, LayerBoundary)
	in.Resource = b.one(c.Resource, LayerResource)
	in.SCPs = b.levels(c.SCPs, LayerSCP)
	in.RCPs = b.levels(c.RCPs, LayerRCP)
	return in, b.err
}

// sourceBuilder parses policies and keeps the first error.
type sourceBuilder struct{ err error }

func (b *sourceBuilder) list(ps []corpusPolicy, layer Layer) []Source {
	var out []Source
	for i := range ps {
		out = append(out, *b.one(&ps[i], layer))
	}
	return out
}

func (b *sourceBuilder) one(p *corpusPolicy, layer Layer) *Source {
	if p == nil {
		return nil
	}
	src := &Source{Layer: layer, Name: p.Name}
	pol, err := p.parse(layer.Kind())
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("%s policy %q: %w", layer, p.Name, err)
	}
	src.Policy = pol
	return src
}

func (b *sourceBuilder) levels(ls []corpusLevel, layer Layer) []Level {
	var out []Level
	for _, l := range ls {
		out = append(out, Level{Name: l.Name, Policies: b.list(l.Policies, layer)})
	}
	if ls != nil && out == nil {
		out = []Level{}
	}
	return out
}

func (p *corpusPolicy) parse(kind Kind) (*Policy, error) {
	switch p.Builtin {
	case FullAWSAccessName:
		return FullAWSAccess(), nil
	case RCPFullAWSAccessName:
		return RCPFullAWSAccess(), nil
	case "":
	default:
		return nil, fmt.Errorf("unknown built-in policy %q", p.Builtin)
	}
	doc, err := p.document()
	if err != nil {
		return nil, err
	}
	return Parse(doc, kind)
}

// document renders the policy as JSON text.
func (p *corpusPolicy) document() ([]byte, error) {
	if p.Doc.Kind == yaml.ScalarNode {
		return []byte(p.Doc.Value), nil
	}
	if p.Doc.Kind != 0 {
		return nodeJSON(&p.Doc)
	}
	if p.Statement.Kind == 0 {
		return nil, errors.New("policy has no doc, statement or builtin")
	}
	st, err := nodeJSON(&p.Statement)
	if err != nil {
		return nil, err
	}
	return []byte(`{"Version":"2012-10-17","Statement":` + string(st) + `}`), nil
}

// nodeJSON renders a YAML node as JSON, keeping the order of mapping keys
// and the type YAML gave each scalar.
func nodeJSON(n *yaml.Node) ([]byte, error) {
	var buf bytes.Buffer
	if err := writeJSON(&buf, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		return writeJSONMapping(buf, n)
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, item := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, item); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
		return nil
	}
	return writeJSONScalar(buf, n)
}

func writeJSONMapping(buf *bytes.Buffer, n *yaml.Node) error {
	buf.WriteByte('{')
	for i := 0; i+1 < len(n.Content); i += 2 {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.WriteString(strconv.Quote(n.Content[i].Value))
		buf.WriteByte(':')
		if err := writeJSON(buf, n.Content[i+1]); err != nil {
			return err
		}
	}
	buf.WriteByte('}')
	return nil
}

func writeJSONScalar(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.ShortTag() {
	case "!!int", "!!float":
		if !json.Valid([]byte(n.Value)) {
			return fmt.Errorf("line %d: %q is not a JSON number", n.Line, n.Value)
		}
		buf.WriteString(n.Value)
	case "!!bool":
		buf.WriteString(strings.ToLower(n.Value))
	case "!!null":
		buf.WriteString("null")
	default:
		b, err := json.Marshal(n.Value)
		if err != nil {
			return err
		}
		buf.Write(b)
	}
	return nil
}

// corpusPrincipalOf reads a principal: a name from _principals.yaml, or a
// mapping, optionally with ref.
func corpusPrincipalOf(n *yaml.Node, named map[string]corpusPrincipal) (Principal, error) {
	if n.Kind == 0 {
		return Principal{}, errors.New("no principal")
	}
	if n.Kind == yaml.ScalarNode {
		p, ok := named[n.Value]
		if !ok {
			return Principal{}, fmt.Errorf("no principal %q in _principals.yaml", n.Value)
		}
		return p.principal(), nil
	}
	var spec corpusPrincipal
	if err := n.Decode(&spec); err != nil {
		return Principal{}, err
	}
	if spec.Ref == "" {
		return spec.principal(), nil
	}
	base, ok := named[spec.Ref]
	if !ok {
		return Principal{}, fmt.Errorf("no principal %q in _principals.yaml", spec.Ref)
	}
	overlay := base
	if err := n.Decode(&overlay); err != nil {
		return Principal{}, err
	}
	return overlay.principal(), nil
}

// corpusContext reads the request keys: a scalar is one value, a list is
// several, and [] is a key present with no value. A key not written is
// absent.
func corpusContext(n *yaml.Node) (Context, error) {
	if n.Kind == 0 {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, errors.New("context must be a mapping")
	}
	c := Context{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, v := n.Content[i].Value, n.Content[i+1]
		switch v.Kind {
		case yaml.ScalarNode:
			c.Set(key, v.Value)
		case yaml.SequenceNode:
			vals := make([]string, 0, len(v.Content))
			for _, item := range v.Content {
				vals = append(vals, item.Value)
			}
			c.Set(key, vals...)
		default:
			return nil, fmt.Errorf("context key %q: a scalar or a list", key)
		}
	}
	return c, nil
}
