package session

import (
	"maps"
	"slices"
	"strings"
)

// Session tag keys are case-insensitive, as in AWS: a session cannot carry
// two keys that differ only in case, and a key matches every spelling of
// itself. Keys keep the case they were first given in. Case is compared by
// Unicode simple folding (strings.EqualFold), as the policy engine compares
// aws:PrincipalTag keys.

// LookupTag returns the key of tags that equals key, case ignored, and its
// value. When tags holds several such keys (which a tag map made by
// MergeTags or UniqueTags never does) it returns the least in byte order,
// so that the answer never depends on map order.
func LookupTag(tags map[string]string, key string) (k, v string, ok bool) {
	for tk, tv := range tags {
		if strings.EqualFold(tk, key) && (!ok || tk < k) {
			k, v, ok = tk, tv, true
		}
	}
	return k, v, ok
}

// MergeTags returns base overlaid with over, keys compared case-insensitively:
// a key of over replaces every key of base that equals it but for case (a
// session tag "team" replaces a role tag "Team"). over must hold no two keys
// equal but for case. Neither map is changed; the result is a new map,
// base itself when over is empty.
func MergeTags(base, over map[string]string) map[string]string {
	if len(over) == 0 {
		return base
	}
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		if _, _, shadowed := LookupTag(over, k); !shadowed {
			out[k] = v
		}
	}
	maps.Copy(out, over)
	return out
}

// UniqueTags returns c's session tags with at most one key per spelling
// case ignored. Sessions trove issues hold no two such keys; a token sealed
// before trove enforced that may, and then a key c.Transitive names wins
// (what the session's parent passed on cannot be overridden), then the
// least key in byte order. The result is c.Tags itself when it needs no
// change.
func (c *Claims) UniqueTags() map[string]string {
	if !hasFoldDuplicates(c.Tags) {
		return c.Tags
	}
	keys := slices.Sorted(maps.Keys(c.Tags))
	slices.SortStableFunc(keys, func(a, b string) int {
		return boolRank(slices.Contains(c.Transitive, a)) -
			boolRank(slices.Contains(c.Transitive, b))
	})
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if _, _, taken := LookupTag(out, k); !taken {
			out[k] = c.Tags[k]
		}
	}
	return out
}

// boolRank orders true before false.
func boolRank(b bool) int {
	if b {
		return 0
	}
	return 1
}

// hasFoldDuplicates reports whether tags holds two keys equal but for case.
func hasFoldDuplicates(tags map[string]string) bool {
	seen := make([]string, 0, len(tags))
	for k := range tags {
		for _, s := range seen {
			if strings.EqualFold(s, k) {
				return true
			}
		}
		seen = append(seen, k)
	}
	return false
}
