package helmrepo

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/Masterminds/semver/v3"
	"go.yaml.in/yaml/v3"
)

// Metadata is a chart's Chart.yaml as Helm documents it, for apiVersion v1
// and v2 charts. Unknown fields are ignored, as Helm ignores them.
type Metadata struct {
	APIVersion  string `yaml:"apiVersion"`
	Name        string `yaml:"name"`
	Version     string `yaml:"version"`
	KubeVersion string `yaml:"kubeVersion,omitempty"`
	Description string `yaml:"description,omitempty"`
	// Type is "application", "library" or "" (application).
	Type        string       `yaml:"type,omitempty"`
	Keywords    []string     `yaml:"keywords,omitempty"`
	Home        string       `yaml:"home,omitempty"`
	Sources     []string     `yaml:"sources,omitempty"`
	Maintainers []Maintainer `yaml:"maintainers,omitempty"`
	Icon        string       `yaml:"icon,omitempty"`
	AppVersion  string       `yaml:"appVersion,omitempty"`
	Deprecated  bool         `yaml:"deprecated,omitempty"`
	// Condition and Tags are Helm's deprecated chart-level switches.
	Condition   string            `yaml:"condition,omitempty"`
	Tags        string            `yaml:"tags,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
	// Dependencies come from Chart.yaml, or from requirements.yaml, which
	// apiVersion v1 charts use, when the archive has one.
	Dependencies []Dependency `yaml:"dependencies,omitempty"`
}

// Maintainer is one entry of a chart's maintainers.
type Maintainer struct {
	Name  string `yaml:"name,omitempty"`
	Email string `yaml:"email,omitempty"`
	URL   string `yaml:"url,omitempty"`
}

// Dependency is one chart a chart depends on.
type Dependency struct {
	Name       string   `yaml:"name"`
	Version    string   `yaml:"version,omitempty"`
	Repository string   `yaml:"repository,omitempty"`
	Condition  string   `yaml:"condition,omitempty"`
	Tags       []string `yaml:"tags,omitempty"`
	// ImportValues holds strings or {child, parent} maps, kept as written.
	ImportValues []any  `yaml:"import-values,omitempty"`
	Alias        string `yaml:"alias,omitempty"`
}

// The chart API versions ReadChart accepts.
const (
	APIVersionV1 = "v1"
	APIVersionV2 = "v2"
)

// aliasRE is what Helm allows in a dependency's alias.
var aliasRE = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// parseMetadata decodes Chart.yaml, then requirements.yaml's dependencies
// when the archive has that file, and validates the result.
func parseMetadata(files map[string][]byte) (Metadata, error) {
	var md Metadata
	if err := yaml.Unmarshal(files[chartYAML], &md); err != nil {
		return md, invalid("%s: %v", chartYAML, shortError(err))
	}
	if req, ok := files[requirementsYAML]; ok {
		var r struct {
			Dependencies []Dependency `yaml:"dependencies"`
		}
		if err := yaml.Unmarshal(req, &r); err != nil {
			return md, invalid("%s: %v", requirementsYAML, shortError(err))
		}
		if len(r.Dependencies) > 0 {
			md.Dependencies = r.Dependencies
		}
	}
	md.sanitize()
	return md, md.validate()
}

// shortError cuts a YAML error's text, which may quote the document.
func shortError(err error) string {
	s := err.Error()
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// validate checks md as Helm does before it loads a chart.
func (md *Metadata) validate() error {
	switch {
	case md.APIVersion == "":
		return invalid("chart apiVersion is missing")
	case md.APIVersion != APIVersionV1 && md.APIVersion != APIVersionV2:
		return invalid("chart apiVersion %.40q is neither v1 nor v2", md.APIVersion)
	case md.Name == "":
		return invalid("chart name is missing")
	case !validName(md.Name):
		return invalid("chart name %.100q is invalid", md.Name)
	case md.Version == "":
		return invalid("chart version is missing")
	case md.Type != "" && md.Type != "application" && md.Type != "library":
		return invalid("chart type %.40q is neither application nor library", md.Type)
	}
	if _, err := semver.NewVersion(md.Version); err != nil {
		return invalid("chart version %.100q is not a semantic version", md.Version)
	}
	return md.validateDependencies()
}

// validName refuses a chart name that could name a path: Helm stores a
// chart under its name.
func validName(name string) bool {
	return name != "." && name != ".." && !strings.ContainsAny(name, `/\`)
}

// validateDependencies requires a name or alias for each dependency, valid
// aliases, and no two dependencies under one name.
func (md *Metadata) validateDependencies() error {
	seen := map[string]bool{}
	for _, d := range md.Dependencies {
		if d.Alias != "" && !aliasRE.MatchString(d.Alias) {
			return invalid("dependency alias %.100q is invalid", d.Alias)
		}
		key := d.Name
		if d.Alias != "" {
			key = d.Alias
		}
		if key == "" {
			return invalid("a dependency has no name")
		}
		if seen[key] {
			return invalid("more than one dependency named %.100q", key)
		}
		seen[key] = true
	}
	return nil
}

// sanitize removes what a terminal could take for a control sequence from
// every text field, as Helm does: white space becomes a space, other
// characters that do not print are dropped.
func (md *Metadata) sanitize() {
	for _, p := range []*string{&md.APIVersion, &md.Name, &md.Version, &md.KubeVersion,
		&md.Description, &md.Type, &md.Home, &md.Icon, &md.AppVersion, &md.Condition,
		&md.Tags} {
		*p = clean(*p)
	}
	cleanAll(md.Keywords)
	cleanAll(md.Sources)
	for i := range md.Maintainers {
		m := &md.Maintainers[i]
		m.Name, m.Email, m.URL = clean(m.Name), clean(m.Email), clean(m.URL)
	}
	for k, v := range md.Annotations {
		md.Annotations[k] = clean(v)
	}
	for i := range md.Dependencies {
		d := &md.Dependencies[i]
		d.Name, d.Version, d.Alias = clean(d.Name), clean(d.Version), clean(d.Alias)
		d.Repository, d.Condition = clean(d.Repository), clean(d.Condition)
		cleanAll(d.Tags)
	}
}

func cleanAll(ss []string) {
	for i, s := range ss {
		ss[i] = clean(s)
	}
}

func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsPrint(r):
			return r
		}
		return -1
	}, s)
}

// String names the chart version, for logs.
func (md Metadata) String() string { return fmt.Sprintf("%s %s", md.Name, md.Version) }

// Footprint estimates the bytes md holds, for callers that bound a cache of
// metadata: the length of its text plus a little for each element.
func (md Metadata) Footprint() int {
	const each = 16
	n := len(md.APIVersion) + len(md.Name) + len(md.Version) + len(md.KubeVersion) +
		len(md.Description) + len(md.Type) + len(md.Home) + len(md.Icon) +
		len(md.AppVersion) + len(md.Condition) + len(md.Tags)
	for _, s := range append(slices.Clone(md.Keywords), md.Sources...) {
		n += len(s) + each
	}
	for _, m := range md.Maintainers {
		n += len(m.Name) + len(m.Email) + len(m.URL) + each
	}
	for k, v := range md.Annotations {
		n += len(k) + len(v) + each
	}
	for _, d := range md.Dependencies {
		n += len(d.Name) + len(d.Version) + len(d.Repository) + len(d.Condition) +
			len(d.Alias) + len(fmt.Sprint(d.Tags, d.ImportValues)) + each
	}
	return n
}
