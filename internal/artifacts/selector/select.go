package selector

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/Masterminds/semver/v3"
)

// ErrNoMatch is returned by Latest when no artifact is left to choose.
var ErrNoMatch = errors.New("selector: no matching artifact")

// An Object is one entry of a bucket listing.
type Object struct {
	Key          string
	Size         int64
	ETag         string
	LastModified time.Time
}

// An Artifact is an Object whose key matched a Pattern, with the version the
// pattern extracted from it.
type Artifact struct {
	Key          string
	Version      string
	Size         int64
	ETag         string
	LastModified time.Time
}

// Skipped names a key that matched the pattern but could not be ranked or
// filtered, and why.
type Skipped struct {
	Key     string
	Version string
	Reason  string
}

// Result is what Select found.
type Result struct {
	// Artifacts holds the matching artifacts that passed the constraint,
	// newest first.
	Artifacts []Artifact
	// Skipped holds the matching keys whose version could not be parsed when
	// it had to be, sorted by key.
	Skipped []Skipped
}

// Latest returns the newest artifact of r, and false when there is none.
func (r Result) Latest() (Artifact, bool) {
	if len(r.Artifacts) == 0 {
		return Artifact{}, false
	}
	return r.Artifacts[0], true
}

// candidate is an artifact with its parsed version, nil when not parsed.
type candidate struct {
	Artifact
	sv *semver.Version
}

// Select keeps the objects whose key matches p, drops those whose version
// fails constraint (empty for none), and ranks the rest by order, newest
// first. Objects whose key does not match p are ignored. Versions are parsed
// only when order is BySemver or a constraint is given; keys whose version
// then does not parse are returned in Result.Skipped. It is an error to ask
// for either when p gives no version, to pass a nil p or an unknown order, or
// to pass a constraint that does not parse.
func Select(objs []Object, p *Pattern, order Order, constraint string) (Result, error) {
	if p == nil {
		return Result{}, errors.New("selector: nil pattern")
	}
	if !order.valid() {
		return Result{}, fmt.Errorf("selector: unknown order %d", int(order))
	}
	c, err := parseConstraint(constraint)
	if err != nil {
		return Result{}, err
	}
	parse := order == BySemver || c != nil
	if parse && !p.HasVersion() {
		return Result{}, fmt.Errorf("selector: pattern %q gives no version to order by "+
			"semver or to filter by a constraint", p)
	}
	cands, skipped := collect(objs, p, parse, c)
	slices.SortFunc(cands, compareFunc(order))
	res := Result{Artifacts: make([]Artifact, len(cands)), Skipped: skipped}
	for i, cd := range cands {
		res.Artifacts[i] = cd.Artifact
	}
	return res, nil
}

// Latest is Select followed by Result.Latest. It wraps ErrNoMatch when no
// artifact is left, saying how many keys were skipped.
func Latest(objs []Object, p *Pattern, order Order, constraint string) (Artifact, error) {
	res, err := Select(objs, p, order, constraint)
	if err != nil {
		return Artifact{}, err
	}
	a, ok := res.Latest()
	if !ok {
		return Artifact{}, fmt.Errorf("%w for %q (%d matching keys skipped)",
			ErrNoMatch, p, len(res.Skipped))
	}
	return a, nil
}

// collect matches objs against p, parsing versions when parse is set and
// filtering them by c when it is not nil.
func collect(objs []Object, p *Pattern, parse bool, c *semver.Constraints,
) ([]candidate, []Skipped) {
	var cands []candidate
	var skipped []Skipped
	for _, o := range objs {
		v, ok := p.Match(o.Key)
		if !ok {
			continue
		}
		cd := candidate{Artifact: Artifact{Key: o.Key, Version: v, Size: o.Size,
			ETag: o.ETag, LastModified: o.LastModified}}
		if parse {
			sv, err := parseVersion(v)
			if err != nil {
				skipped = append(skipped, Skipped{Key: o.Key, Version: v, Reason: err.Error()})
				continue
			}
			if c != nil && !c.Check(sv) {
				continue
			}
			cd.sv = sv
		}
		cands = append(cands, cd)
	}
	slices.SortFunc(skipped, func(a, b Skipped) int { return cmp.Compare(a.Key, b.Key) })
	return cands, skipped
}

// compareFunc returns the comparison that sorts candidates newest first under
// order, ties broken by key, greater first.
func compareFunc(order Order) func(a, b candidate) int {
	var primary func(a, b candidate) int
	switch order {
	case BySemver:
		primary = func(a, b candidate) int { return b.sv.Compare(a.sv) }
	case ByModified:
		primary = func(a, b candidate) int { return b.LastModified.Compare(a.LastModified) }
	default:
		primary = func(a, b candidate) int { return cmp.Compare(b.Version, a.Version) }
	}
	return func(a, b candidate) int {
		if d := primary(a, b); d != 0 {
			return d
		}
		return cmp.Compare(b.Key, a.Key)
	}
}
