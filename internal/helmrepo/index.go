package helmrepo

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/Masterminds/semver/v3"
	"go.yaml.in/yaml/v3"
)

// Version is one chart version of an index: an archive's chart, where the
// archive is, and when it was created.
type Version struct {
	Chart
	// URL is where the archive is, relative to the repository's URL (or
	// absolute). Index writes it as given.
	URL string
	// Created is when the archive was stored.
	Created time.Time
}

// Index returns index.yaml for versions, generated at generated: apiVersion
// v1, entries by chart name in name order, each name's versions newest
// first by SemVer precedence; versions of equal precedence (two archives of
// one chart version) newest Created first, then by URL. Times are written in
// UTC, RFC 3339 with nanoseconds. versions is not modified.
func Index(versions []Version, generated time.Time) ([]byte, error) {
	byName := map[string][]Version{}
	for _, v := range versions {
		byName[v.Metadata.Name] = append(byName[v.Metadata.Name], v)
	}
	doc := indexDoc{APIVersion: "v1", Entries: map[string][]entryDoc{},
		Generated: formatTime(generated)}
	for name, vs := range byName {
		slices.SortStableFunc(vs, newerFirst)
		for _, v := range vs {
			doc.Entries[name] = append(doc.Entries[name], entryFor(v))
		}
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, fmt.Errorf("helmrepo: encode index: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("helmrepo: encode index: %w", err)
	}
	return buf.Bytes(), nil
}

// newerFirst orders versions of one chart for an index.
func newerFirst(a, b Version) int {
	if c := compareVersions(b.Metadata.Version, a.Metadata.Version); c != 0 {
		return c
	}
	if c := b.Created.Compare(a.Created); c != 0 {
		return c
	}
	return cmp.Compare(a.URL, b.URL)
}

// compareVersions compares two chart versions by SemVer precedence; a
// version that does not parse (ReadChart admits none) sorts below every
// other, and two such by their text.
func compareVersions(a, b string) int {
	va, errA := semver.NewVersion(a)
	vb, errB := semver.NewVersion(b)
	switch {
	case errA == nil && errB == nil:
		if c := va.Compare(vb); c != 0 {
			return c
		}
		return cmp.Compare(a, b) // "1.0" and "1.0.0" are equal in precedence
	case errA == nil:
		return 1
	case errB == nil:
		return -1
	}
	return cmp.Compare(a, b)
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// indexDoc is index.yaml. yaml.v3 writes map keys sorted.
type indexDoc struct {
	APIVersion string                `yaml:"apiVersion"`
	Entries    map[string][]entryDoc `yaml:"entries"`
	Generated  string                `yaml:"generated"`
}

// entryDoc is one chart version in index.yaml, its fields in name order as
// Helm writes them.
type entryDoc struct {
	Annotations  map[string]string `yaml:"annotations,omitempty"`
	APIVersion   string            `yaml:"apiVersion"`
	AppVersion   string            `yaml:"appVersion,omitempty"`
	Condition    string            `yaml:"condition,omitempty"`
	Created      string            `yaml:"created"`
	Dependencies []Dependency      `yaml:"dependencies,omitempty"`
	Deprecated   bool              `yaml:"deprecated,omitempty"`
	Description  string            `yaml:"description,omitempty"`
	Digest       string            `yaml:"digest"`
	Home         string            `yaml:"home,omitempty"`
	Icon         string            `yaml:"icon,omitempty"`
	Keywords     []string          `yaml:"keywords,omitempty"`
	KubeVersion  string            `yaml:"kubeVersion,omitempty"`
	Maintainers  []Maintainer      `yaml:"maintainers,omitempty"`
	Name         string            `yaml:"name"`
	Sources      []string          `yaml:"sources,omitempty"`
	Tags         string            `yaml:"tags,omitempty"`
	Type         string            `yaml:"type,omitempty"`
	URLs         []string          `yaml:"urls"`
	Version      string            `yaml:"version"`
}

func entryFor(v Version) entryDoc {
	md := v.Metadata
	return entryDoc{
		Annotations: md.Annotations, APIVersion: md.APIVersion, AppVersion: md.AppVersion,
		Condition: md.Condition, Created: formatTime(v.Created),
		Dependencies: md.Dependencies, Deprecated: md.Deprecated,
		Description: md.Description, Digest: v.Digest, Home: md.Home, Icon: md.Icon,
		Keywords: md.Keywords, KubeVersion: md.KubeVersion, Maintainers: md.Maintainers,
		Name: md.Name, Sources: md.Sources, Tags: md.Tags, Type: md.Type,
		URLs: []string{v.URL}, Version: md.Version,
	}
}
