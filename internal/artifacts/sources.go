package artifacts

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/artifacts/selector"
)

// ErrBadSources is wrapped by every error of ParseSources and LoadSources
// about the content of a sources file.
var ErrBadSources = errors.New("artifacts: bad sources file")

// A NamedSource is a Source of a sources file, with its name.
type NamedSource struct {
	// Name identifies the source in the file, on the command line
	// (--source), in watch events and in the state file. It is made of
	// letters, digits, '.', '_' and '-', starting with a letter or digit.
	Name string
	Source
	// Line is the line of the file where the source starts.
	Line int
}

// A SourcesError is a problem at a line of a sources file.
type SourcesError struct {
	File string // the file's name as given, or "" when parsed from bytes
	Line int    // 1-based; 0 when the problem concerns the whole file
	Msg  string
	Err  error // the cause, such as ErrBadSource's; may be nil
}

func (e *SourcesError) Error() string {
	where := e.File
	if where == "" {
		where = "sources"
	}
	if e.Line > 0 {
		where += ":" + strconv.Itoa(e.Line)
	}
	return "artifacts: " + where + ": " + e.Msg
}

// Unwrap returns ErrBadSources and the cause.
func (e *SourcesError) Unwrap() []error { return []error{ErrBadSources, e.Err} }

// maxSourcesFile bounds the size of a sources file.
const maxSourcesFile = 1 << 20

// LoadSources reads and parses the sources file at path.
func LoadSources(path string) ([]NamedSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("artifacts: sources file: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSourcesFile+1))
	if err != nil {
		return nil, fmt.Errorf("artifacts: sources file: %w", err)
	}
	return ParseSources(path, data)
}

// ParseSources parses a sources file; name is the file's name for the
// errors. The file is YAML: an optional mapping "defaults" with endpoint,
// region and profile, and a list "sources" whose entries have a name, a
// bucket, a pattern and optionally regexp, order, constraint, endpoint,
// region and profile; an entry's own endpoint, region and profile override
// the defaults. Unknown fields, duplicate names and sources that New would
// refuse are errors naming their line. Sources are returned in file order.
func ParseSources(name string, data []byte) ([]NamedSource, error) {
	p := sourcesParser{file: name}
	if len(data) > maxSourcesFile {
		return nil, p.errf(0, nil, "over %d bytes", maxSourcesFile)
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, p.errf(0, nil, "empty: want a list of sources")
		}
		return nil, p.yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, p.errf(extra.Line, nil, "more than one YAML document")
	}
	return p.file1(&doc)
}

// sourcesParser walks the YAML tree of a sources file.
type sourcesParser struct {
	file     string
	defaults Source
}

// yamlLine finds the line in the YAML decoder's messages.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError is a SourcesError for an error of the YAML decoder, with the
// line it names when it names one.
func (p *sourcesParser) yamlError(err error) error {
	m := yamlLine.FindStringSubmatch(err.Error())
	if m == nil {
		return p.errf(0, err, "%v", err)
	}
	line, _ := strconv.Atoi(m[1])
	return p.errf(line, err, "%s", m[2])
}

func (p *sourcesParser) errf(line int, cause error, format string, args ...any) error {
	return &SourcesError{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...),
		Err: cause}
}

// file1 parses the document node.
func (p *sourcesParser) file1(doc *yaml.Node) ([]NamedSource, error) {
	root := doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root.Line, nil, "want a mapping with defaults and sources")
	}
	var list *yaml.Node
	err := p.fields(root, "the file", func(k, v *yaml.Node) error {
		switch k.Value {
		case "defaults":
			return p.fields(v, "defaults", func(k, f *yaml.Node) error {
				return p.location(&p.defaults, k, f)
			})
		case "sources":
			list = v
			return nil
		}
		return p.unknown(k, "the file", "defaults, sources")
	})
	if err != nil {
		return nil, err
	}
	if list == nil {
		return nil, p.errf(root.Line, nil, "no sources")
	}
	return p.sources(list)
}

// sources parses the list of sources.
func (p *sourcesParser) sources(list *yaml.Node) ([]NamedSource, error) {
	if list.Kind != yaml.SequenceNode {
		return nil, p.errf(list.Line, nil, "sources: want a list")
	}
	if len(list.Content) == 0 {
		return nil, p.errf(list.Line, nil, "sources: the list is empty")
	}
	var out []NamedSource
	lines := map[string]int{}
	for _, n := range list.Content {
		s, err := p.source(n)
		if err != nil {
			return nil, err
		}
		if l, dup := lines[s.Name]; dup {
			return nil, p.errf(n.Line, nil, "source %q is already defined at line %d",
				s.Name, l)
		}
		lines[s.Name] = n.Line
		out = append(out, s)
	}
	return out, nil
}

// sourceName is what a source's name may be.
var sourceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// source parses and checks one entry of the list.
func (p *sourcesParser) source(n *yaml.Node) (NamedSource, error) {
	s := NamedSource{Source: p.defaults, Line: n.Line}
	var order string
	err := p.fields(n, "a source", func(k, v *yaml.Node) error {
		switch key := k.Value; key {
		case "name":
			return p.scalar(v, key, &s.Name)
		case "bucket":
			return p.scalar(v, key, &s.Bucket)
		case "pattern":
			return p.scalar(v, key, &s.Pattern)
		case "regexp":
			return p.scalar(v, key, &s.Regexp)
		case "order":
			return p.scalar(v, key, &order)
		case "constraint":
			return p.scalar(v, key, &s.Constraint)
		}
		return p.location(&s.Source, k, v)
	})
	if err != nil {
		return NamedSource{}, err
	}
	if err := p.check(&s, order); err != nil {
		return NamedSource{}, err
	}
	return s, nil
}

// check validates s as New would, with order the text of its order.
func (p *sourcesParser) check(s *NamedSource, order string) error {
	switch {
	case s.Name == "":
		return p.errf(s.Line, nil, "a source without a name")
	case !sourceName.MatchString(s.Name):
		return p.errf(s.Line, nil, "source name %q: want letters, digits, '.', '_' or '-', "+
			"at most 64", s.Name)
	case s.Pattern == "":
		return p.errf(s.Line, nil, "source %q: no pattern", s.Name)
	}
	if order != "" {
		o, err := selector.ParseOrder(order)
		if err != nil {
			return p.errf(s.Line, err, "source %q: order %q: want semver, modified or name",
				s.Name, order)
		}
		s.Order = o
	}
	if err := CheckEndpoint(s.Endpoint); err != nil {
		return p.errf(s.Line, err, "source %q: %s", s.Name, bare(err))
	}
	if _, err := s.parse(); err != nil {
		return p.errf(s.Line, err, "source %q: %s", s.Name, bare(err))
	}
	return nil
}

// bare returns err's text without the package prefix, for errors that a
// SourcesError wraps and prefixes itself.
func bare(err error) string { return strings.TrimPrefix(err.Error(), "artifacts: ") }

// location parses the fields a source and the defaults share.
func (p *sourcesParser) location(s *Source, k, v *yaml.Node) error {
	switch key := k.Value; key {
	case "endpoint":
		return p.scalar(v, key, &s.Endpoint)
	case "region":
		return p.scalar(v, key, &s.Region)
	case "profile":
		return p.scalar(v, key, &s.Profile)
	}
	where, known := "a source", "name, bucket, pattern, regexp, order, constraint, "+
		"endpoint, region, profile"
	if s == &p.defaults {
		where, known = "defaults", "endpoint, region, profile"
	}
	return p.unknown(k, where, known)
}

// unknown is the error of the unknown field k.
func (p *sourcesParser) unknown(k *yaml.Node, where, known string) error {
	return p.errf(k.Line, nil, "unknown field %q in %s (known: %s)", k.Value, where, known)
}

// fields calls f with each key and value of the mapping n, refusing a key
// given twice.
func (p *sourcesParser) fields(n *yaml.Node, what string,
	f func(k, v *yaml.Node) error) error {
	if n.Kind != yaml.MappingNode {
		return p.errf(n.Line, nil, "%s: want a mapping", what)
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return p.errf(k.Line, nil, "%s: a key that is not a string", what)
		}
		if seen[k.Value] {
			return p.errf(k.Line, nil, "%s: field %q given twice", what, k.Value)
		}
		seen[k.Value] = true
		if err := f(k, v); err != nil {
			return err
		}
	}
	return nil
}

// scalar decodes the scalar v into dst, a *string or a *bool.
func (p *sourcesParser) scalar(v *yaml.Node, key string, dst any) error {
	if v.Kind != yaml.ScalarNode {
		return p.errf(v.Line, nil, "%s: want a single value", key)
	}
	if _, isBool := dst.(*bool); isBool && v.Tag != "!!bool" {
		return p.errf(v.Line, nil, "%s: %q is not true or false", key, v.Value)
	}
	if err := v.Decode(dst); err != nil {
		return p.errf(v.Line, err, "%s: %v", key, err)
	}
	return nil
}

// CheckEndpoint checks an endpoint as Source.Endpoint takes it: empty, or
// an http or https URL of a host without credentials, path, query or
// fragment.
func CheckEndpoint(endpoint string) error {
	if endpoint == "" {
		return nil
	}
	u, err := url.Parse(endpoint)
	switch {
	case err != nil:
		return fmt.Errorf("%w: endpoint %q: %w", ErrBadSource, endpoint, err)
	case u.Scheme != "http" && u.Scheme != "https":
		return fmt.Errorf("%w: endpoint %q: want an http:// or https:// URL", ErrBadSource,
			endpoint)
	case u.Hostname() == "":
		return fmt.Errorf("%w: endpoint %q names no host", ErrBadSource, endpoint)
	case u.User != nil:
		return fmt.Errorf("%w: endpoint %q: credentials do not go in the URL", ErrBadSource,
			endpoint)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "":
		return fmt.Errorf("%w: endpoint %q: want a base URL without a path, query or "+
			"fragment", ErrBadSource, endpoint)
	}
	return nil
}
