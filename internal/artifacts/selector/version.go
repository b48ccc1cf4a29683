package selector

import (
	"errors"
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// parseVersion parses s as a strict SemVer 2.0.0 version, allowing one
// leading 'v'. Its error is a reason for Skipped, without the package prefix.
func parseVersion(s string) (*semver.Version, error) {
	if s == "" {
		return nil, errors.New("empty version")
	}
	v, err := semver.StrictNewVersion(strings.TrimPrefix(s, "v"))
	if err != nil {
		return nil, fmt.Errorf("%q is not a semantic version: %w", s, err)
	}
	return v, nil
}

// parseConstraint parses a constraint; an empty or blank one gives nil.
func parseConstraint(s string) (*semver.Constraints, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	c, err := semver.NewConstraint(s)
	if err != nil {
		return nil, fmt.Errorf("selector: bad constraint %q: %w", s, err)
	}
	return c, nil
}
