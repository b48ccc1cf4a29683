package orgfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// AWS's IAM limits the file enforces.
const (
	maxGroupsPerUser   = 10 // groups a user is a member of
	maxManagedAttached = 20 // managed policies attached to a user or group (the highest quota)
	maxTagsPerUser     = 50
)

var (
	iamNameRe  = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)
	tagKeyRe   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$`)
	tagValueRe = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$`)
)

// validateManaged checks the account's managed policies.
func (a *Account) validateManaged(dir string) error {
	names := make(map[string]string)
	for i := range a.ManagedPolicies {
		p := &a.ManagedPolicies[i]
		if err := uniqueName(names, iamNameRe, "managed policy", p.Name); err != nil {
			return err
		}
		if err := checkPath(&p.Path); err != nil {
			return fmt.Errorf("managed policy %s: %w", p.Name, err)
		}
		if err := p.load(dir, policy.Identity); err != nil {
			return fmt.Errorf("managed policy %s: %w", p.Name, err)
		}
	}
	return nil
}

// validateGroups checks the account's groups and their references.
func (a *Account) validateGroups(dir string) error {
	names := make(map[string]string)
	for i := range a.Groups {
		g := &a.Groups[i]
		if err := uniqueName(names, iamNameRe, "group", g.Name); err != nil {
			return err
		}
		if err := g.validate(a, dir); err != nil {
			return fmt.Errorf("group %s: %w", g.Name, err)
		}
	}
	return nil
}

func (g *Group) validate(a *Account, dir string) error {
	if err := checkPath(&g.Path); err != nil {
		return err
	}
	if err := validateInline(g.Policies, dir); err != nil {
		return err
	}
	var err error
	g.managed, err = a.resolveAll(g.ManagedPolicies)
	return err
}

// validateUserRefs checks what user u refers to in account a: its groups,
// managed policies and permissions boundary; and its tags.
func (a *Account) validateUserRefs(u *User) error {
	if err := a.checkGroups(u.Groups); err != nil {
		return err
	}
	var err error
	if u.managed, err = a.resolveAll(u.ManagedPolicies); err != nil {
		return err
	}
	if u.PermissionsBoundary != "" {
		if u.boundary, err = a.resolve(u.PermissionsBoundary); err != nil {
			return fmt.Errorf("permissionsBoundary: %w", err)
		}
	}
	return checkTags(u.Tags)
}

// checkGroups checks a user's group list: declared groups, each once, at
// most maxGroupsPerUser.
func (a *Account) checkGroups(groups []string) error {
	if len(groups) > maxGroupsPerUser {
		return fmt.Errorf("groups: %d groups; AWS allows a user in at most %d",
			len(groups), maxGroupsPerUser)
	}
	for i, name := range groups {
		if !slices.ContainsFunc(a.Groups, func(g Group) bool { return g.Name == name }) {
			return fmt.Errorf("groups: group %q is not declared under groups of account %s",
				name, a.ID)
		}
		if slices.Contains(groups[:i], name) {
			return fmt.Errorf("groups: group %s is listed twice", name)
		}
	}
	return nil
}

// resolveAll resolves a managedPolicies list to policy names.
func (a *Account) resolveAll(refs []string) ([]string, error) {
	if len(refs) > maxManagedAttached {
		return nil, fmt.Errorf("managedPolicies: %d policies; AWS attaches at most %d",
			len(refs), maxManagedAttached)
	}
	var names []string
	for _, ref := range refs {
		name, err := a.resolve(ref)
		if err != nil {
			return nil, fmt.Errorf("managedPolicies: %w", err)
		}
		if slices.Contains(names, name) {
			return nil, fmt.Errorf("managedPolicies: policy %s is listed twice", name)
		}
		names = append(names, name)
	}
	return names, nil
}

// resolve returns the name of the account's managed policy that ref names,
// by name or by ARN.
func (a *Account) resolve(ref string) (string, error) {
	name, path := ref, ""
	if rest, ok := strings.CutPrefix(ref, "arn:"); ok {
		var err error
		if name, path, err = a.splitPolicyARN(ref, rest); err != nil {
			return "", err
		}
	}
	for _, p := range a.ManagedPolicies {
		if p.Name == name && (path == "" || p.Path == path) {
			return name, nil
		}
	}
	return "", fmt.Errorf("policy %q is not declared under managedPolicies of account %s",
		ref, a.ID)
}

// splitPolicyARN splits the ARN of a managed policy of account a into its
// name and path; rest is the ARN without "arn:".
func (a *Account) splitPolicyARN(ref, rest string) (name, path string, err error) {
	account, res, ok := strings.Cut(strings.TrimPrefix(rest, "aws:iam::"), ":policy/")
	switch {
	case !strings.HasPrefix(rest, "aws:iam::") || !ok || res == "":
		return "", "", fmt.Errorf("%q is not a policy ARN "+
			"(arn:aws:iam::ACCOUNT:policy/PATH/NAME)", ref)
	case account == "aws":
		return "", "", fmt.Errorf("%q is an AWS managed policy, which trove does not "+
			"model; declare a managed policy with its document", ref)
	case account != a.ID:
		return "", "", fmt.Errorf("%q belongs to account %s; only account %s's own "+
			"managed policies can be used here", ref, account, a.ID)
	}
	i := strings.LastIndexByte(res, '/')
	return res[i+1:], "/" + res[:i+1], nil
}

// checkTags checks a user's tags as IAM does.
func checkTags(tags map[string]string) error {
	if len(tags) > maxTagsPerUser {
		return fmt.Errorf("tags: %d tags; AWS allows at most %d", len(tags), maxTagsPerUser)
	}
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	seen := make(map[string]string)
	for _, k := range keys {
		if err := checkTag(k, tags[k]); err != nil {
			return fmt.Errorf("tags: %w", err)
		}
		if prev, ok := seen[strings.ToLower(k)]; ok {
			return fmt.Errorf("tags: keys %q and %q differ only in case", prev, k)
		}
		seen[strings.ToLower(k)] = k
	}
	return nil
}

func checkTag(k, v string) error {
	switch {
	case !tagKeyRe.MatchString(k):
		return fmt.Errorf("key %q: 1-128 letters, digits, spaces or _.:/=+-@", k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return fmt.Errorf("key %q: the aws: prefix is reserved for AWS", k)
	case !tagValueRe.MatchString(v):
		return fmt.Errorf("key %s: value %q: at most 256 letters, digits, spaces or _.:/=+-@",
			k, v)
	}
	return nil
}

// uniqueName checks the name of an entity of kind what: re matches it, and
// seen, which maps the lower-cased names declared before it to their
// spelling, lacks it, as IAM's names are unique whatever their case. It
// adds the name to seen.
func uniqueName(seen map[string]string, re *regexp.Regexp, what, name string) error {
	if !re.MatchString(name) {
		return fmt.Errorf("%s %q: invalid name", what, name)
	}
	switch prev, ok := seen[strings.ToLower(name)]; {
	case ok && prev == name:
		return fmt.Errorf("%s %s: declared twice", what, name)
	case ok:
		return fmt.Errorf("%s %s: declared twice, also as %s; IAM names are unique "+
			"regardless of case", what, name, prev)
	}
	seen[strings.ToLower(name)] = name
	return nil
}

// checkPath defaults *path to "/" and checks it.
func checkPath(path *string) error {
	if *path == "" {
		*path = "/"
	}
	if !pathRe.MatchString(*path) {
		return fmt.Errorf("path %q: must begin and end with /", *path)
	}
	return nil
}

// uniqueID derives a stable IAM unique id: prefix followed by 17
// characters derived from the account and name.
func uniqueID(prefix, account, name string) string {
	h := sha256.Sum256([]byte(prefix + "/" + account + "/" + name))
	return prefix + strings.ToUpper(hex.EncodeToString(h[:]))[:17]
}
