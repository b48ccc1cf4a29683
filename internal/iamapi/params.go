package iamapi

import (
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/simulate"
)

// Limits on what one simulation may ask for.
const (
	maxListMembers = 1000 // members of one list parameter
	maxPairs       = 1000 // actions times resources
	maxMaxItems    = 1000
	defaultItems   = 100
)

// params reads a query API request's parameters.
type params struct{ v url.Values }

// str returns the value of name, "" when absent.
func (p params) str(name string) string { return p.v.Get(name) }

// has reports whether a parameter whose name begins with prefix is given.
func (p params) has(prefix string) bool {
	for k := range p.v {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// members groups the parameters NAME.member.N[.FIELD] by N, in ascending
// order of N: each group maps FIELD ("" for a plain list) to its values.
// The members are numbered from 1 without a gap: a member after a missing
// one is InvalidInput naming the missing one, as a list the SDKs send never
// has a gap and a value read out of place would be acted on silently.
func (p params) members(name string) ([]url.Values, error) {
	prefix := name + ".member."
	byIndex := map[int]url.Values{}
	for key, vals := range p.v {
		rest, ok := strings.CutPrefix(key, prefix)
		if !ok {
			continue
		}
		num, field, _ := strings.Cut(rest, ".")
		n, err := memberIndex(key, num)
		if err != nil {
			return nil, err
		}
		if byIndex[n] == nil {
			byIndex[n] = url.Values{}
		}
		byIndex[n][field] = vals
	}
	if len(byIndex) > maxListMembers {
		return nil, errorf(ValidationError, "1 validation error detected: %s has more than "+
			"%d members.", name, maxListMembers)
	}
	out := make([]url.Values, 0, len(byIndex))
	for i, n := range slices.Sorted(maps.Keys(byIndex)) {
		if n != i+1 {
			return nil, errorf(InvalidInput, "The parameter %s%d is missing: the members of "+
				"%s are numbered from 1 without a gap, and %s%d is given.", truncate(prefix),
				i+1, truncate(name), truncate(prefix), n)
		}
		out = append(out, byIndex[n])
	}
	return out, nil
}

// fields refuses a member of the list name whose fields are not among
// allowed ("" for a plain list's value): IAM reads no other, and a value
// under a misspelt field would be lost without a word.
func fields(name string, ms []url.Values, allowed ...string) error {
	for i, m := range ms {
		for _, f := range slices.Sorted(maps.Keys(m)) {
			if slices.Contains(allowed, f) {
				continue
			}
			param := fmt.Sprintf("%s.member.%d", name, i+1)
			if f != "" {
				param += "." + f
			}
			return errorf(InvalidInput, "The parameter %s is not one IAM reads: a member of "+
				"%s is %s.", truncate(param), truncate(name), memberForm(name, allowed))
		}
	}
	return nil
}

// memberForm spells the parameters of one member of the list name.
func memberForm(name string, allowed []string) string {
	forms := make([]string, 0, len(allowed))
	for _, f := range allowed {
		if f == "" {
			forms = append(forms, name+".member.N")
		} else {
			forms = append(forms, name+".member.N."+f)
		}
	}
	return strings.Join(forms, " and ")
}

// memberIndex reads N of the parameter key, NAME.member.N[.FIELD]: a
// positive integer without leading zeros, at most maxListMembers.
func memberIndex(key, num string) (int, error) {
	digits := num != "" && strings.Trim(num, "0123456789") == ""
	if !digits || num[0] == '0' {
		return 0, errorf(InvalidInput, "The parameter %s is not NAME.member.N with N "+
			"a positive integer.", truncate(key))
	}
	n, err := strconv.Atoi(num)
	if err != nil || n > maxListMembers {
		return 0, errorf(InvalidInput, "The parameter %s has the index %s, which is too "+
			"large: a list has at most %d members, numbered from 1.", truncate(key),
			truncate(num), maxListMembers)
	}
	return n, nil
}

// list returns the plain list NAME.member.N in order.
func (p params) list(name string) ([]string, error) {
	ms, err := p.members(name)
	if err != nil {
		return nil, err
	}
	if err := fields(name, ms, ""); err != nil {
		return nil, err
	}
	out := make([]string, 0, len(ms))
	for _, m := range ms {
		out = append(out, m.Get(""))
	}
	return out, nil
}

// actions reads ActionNames, which is required.
func (p params) actions() ([]string, error) {
	actions, err := p.list("ActionNames")
	if err != nil {
		return nil, err
	}
	if len(actions) == 0 {
		return nil, errorf(ValidationError, "1 validation error detected: Value null at "+
			"'actionNames' failed to satisfy constraint: Member must not be null")
	}
	for _, a := range actions {
		if simulate.CheckAction(a) != nil {
			return nil, errorf(InvalidInput, "ActionNames: %q is not an action name of the "+
				"form service:Action.", truncate(a))
		}
	}
	return actions, nil
}

// resources reads ResourceArns: "*" or ARNs of six segments.
func (p params) resources() ([]string, error) {
	resources, err := p.list("ResourceArns")
	if err != nil {
		return nil, err
	}
	for _, r := range resources {
		if simulate.CheckResource(r) != nil {
			return nil, errorf(InvalidInput, "ResourceArns: %q is not \"*\" or a valid ARN "+
				"of at most %d characters.", truncate(r), simulate.MaxResourceLength)
		}
	}
	return resources, nil
}

// resourceOwner reads ResourceOwner: an account root ARN or account id.
func (p params) resourceOwner() (string, error) {
	v := p.str("ResourceOwner")
	if v == "" {
		return "", nil
	}
	account := strings.TrimSuffix(strings.TrimPrefix(v, "arn:aws:iam::"), ":root")
	if !accountRE.MatchString(account) || (account != v && v != rootARN(account)) {
		return "", errorf(InvalidInput, "ResourceOwner: %q is not an account ARN "+
			"(arn:aws:iam::ACCOUNT:root).", truncate(v))
	}
	return account, nil
}

var accountRE = regexp.MustCompile(`^[0-9]{12}$`)

func rootARN(account string) string { return "arn:aws:iam::" + account + ":root" }

// contextKeyTypes are the values of ContextKeyType, by whether they are lists.
var contextKeyTypes = map[string]bool{
	"string": false, "stringList": true, "numeric": false, "numericList": true,
	"boolean": false, "booleanList": true, "ip": false, "ipList": true,
	"binary": false, "binaryList": true, "date": false, "dateList": true,
}

// context reads ContextEntries into condition keys. An entry without values
// sets its key present and empty.
func (p params) context() (policy.Context, error) {
	entries, err := p.members("ContextEntries")
	if err != nil {
		return nil, err
	}
	c := policy.Context{}
	for i, e := range entries {
		name := e.Get("ContextKeyName")
		if name == "" || len(name) > 256 {
			return nil, errorf(InvalidInput, "ContextEntries.member.%d.ContextKeyName must "+
				"be 1 to 256 characters.", i+1)
		}
		values, err := params{e}.contextValues()
		if err != nil {
			return nil, errorf(InvalidInput, "ContextEntries.member.%d: %s", i+1,
				from(err).Message)
		}
		typ := e.Get("ContextKeyType")
		list, known := contextKeyTypes[typ]
		switch {
		case typ != "" && !known:
			return nil, errorf(InvalidInput, "ContextEntries.member.%d.ContextKeyType %q is "+
				"not one of string, stringList, numeric, numericList, boolean, booleanList, "+
				"ip, ipList, binary, binaryList, date, dateList.", i+1, truncate(typ))
		case !list && typ != "" && len(values) > 1:
			return nil, errorf(InvalidInput, "ContextEntries.member.%d: the type %s takes "+
				"one value, not %d.", i+1, typ, len(values))
		}
		old, _ := c.Get(name)
		c.Set(name, append(slices.Clone(old), values...)...)
	}
	return c, nil
}

// contextValues reads ContextKeyValues.member.N of one entry, whose fields
// are keyed "ContextKeyValues.member.N" after the entry's own prefix.
func (p params) contextValues() ([]string, error) {
	flat := url.Values{}
	for field, vals := range p.v {
		if strings.HasPrefix(field, "ContextKeyValues.") {
			flat[field] = vals
		}
	}
	values, err := params{flat}.list("ContextKeyValues")
	if err != nil {
		return nil, err
	}
	for i, v := range values {
		if utf8.RuneCountInString(v) > maxContextValue {
			return nil, errorf(ValidationError, "ContextKeyValues.member.%d: a context value "+
				"is at most %d characters (S3 accepts 8 KB of request headers); this one has "+
				"%d.", i+1, maxContextValue, utf8.RuneCountInString(v))
		}
	}
	return values, nil
}

// maxContextValue bounds one context value: no request trove serves carries
// a longer one.
const maxContextValue = 8192

// page reads MaxItems and Marker: the first result to send and how many.
func (p params) page() (start, n int, err error) {
	n = defaultItems
	if v := p.str("MaxItems"); v != "" {
		n, err = strconv.Atoi(v)
		if err != nil || n < 1 || n > maxMaxItems {
			return 0, 0, errorf(ValidationError, "1 validation error detected: Value %q at "+
				"'maxItems' failed to satisfy constraint: Member must have value between 1 "+
				"and %d", truncate(v), maxMaxItems)
		}
	}
	if v := p.str("Marker"); v != "" {
		start, err = strconv.Atoi(v)
		if err != nil || start < 0 || strconv.Itoa(start) != v {
			return 0, 0, errorf(InvalidInput, "Marker: %q is not a marker this API returned.",
				truncate(v))
		}
	}
	return start, n, nil
}
