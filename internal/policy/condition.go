package policy

import (
	"bytes"
	"encoding/base64"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

type comparison uint8

const (
	cmpEq     comparison = iota // equality (ArnEquals: segment-wise with wildcards)
	cmpEqFold                   // case-insensitive equality
	cmpLike                     // wildcard match
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type setOp uint8

const (
	setNone setOp = iota
	setAny        // ForAnyValue:
	setAll        // ForAllValues:
)

// operator is what a condition operator name means.
type operator struct {
	fam     family
	cmp     comparison
	negated bool
}

// operators maps lower-cased base operator names (no set prefix, no IfExists).
var operators = map[string]operator{
	"stringequals":              {famString, cmpEq, false},
	"stringnotequals":           {famString, cmpEq, true},
	"stringequalsignorecase":    {famString, cmpEqFold, false},
	"stringnotequalsignorecase": {famString, cmpEqFold, true},
	"stringlike":                {famString, cmpLike, false},
	"stringnotlike":             {famString, cmpLike, true},
	"numericequals":             {famNumeric, cmpEq, false},
	"numericnotequals":          {famNumeric, cmpEq, true},
	"numericlessthan":           {famNumeric, cmpLt, false},
	"numericlessthanequals":     {famNumeric, cmpLe, false},
	"numericgreaterthan":        {famNumeric, cmpGt, false},
	"numericgreaterthanequals":  {famNumeric, cmpGe, false},
	"dateequals":                {famDate, cmpEq, false},
	"datenotequals":             {famDate, cmpEq, true},
	"datelessthan":              {famDate, cmpLt, false},
	"datelessthanequals":        {famDate, cmpLe, false},
	"dategreaterthan":           {famDate, cmpGt, false},
	"dategreaterthanequals":     {famDate, cmpGe, false},
	"bool":                      {famBool, cmpEq, false},
	"binaryequals":              {famBinary, cmpEq, false},
	"ipaddress":                 {famIP, cmpEq, false},
	"notipaddress":              {famIP, cmpEq, true},
	"arnequals":                 {famArn, cmpEq, false},
	"arnlike":                   {famArn, cmpEq, false},
	"arnnotequals":              {famArn, cmpEq, true},
	"arnnotlike":                {famArn, cmpEq, true},
	"null":                      {famNull, cmpEq, false},
}

// condition is one key under one operator of a Condition block, compiled.
type condition struct {
	operator
	name     string // the operator as written
	rawKey   string // the key as written
	key      string // lower-cased
	ifExists bool
	set      setOp

	strs  []template // famString
	arns  []arnPattern
	nums  []float64
	times []int64 // Unix nanoseconds
	bools []bool  // famBool and famNull
	bins  [][]byte
	ips   []netip.Prefix
	vars  bool // some value holds a policy variable
}

// parseOperator splits a condition operator name into its parts. ok is false
// for a name AWS does not define.
func parseOperator(name string) (c condition, ok bool) {
	base := name
	if prefix, rest, found := strings.Cut(name, ":"); found {
		switch strings.ToLower(prefix) {
		case "foranyvalue":
			c.set = setAny
		case "forallvalues":
			c.set = setAll
		default:
			return c, false
		}
		base = rest
	}
	lower := strings.ToLower(base)
	if trimmed, found := strings.CutSuffix(lower, "ifexists"); found {
		lower, c.ifExists = trimmed, true
	}
	op, ok := operators[lower]
	if !ok || op.fam == famNull && (c.ifExists || c.set != setNone) {
		return c, false
	}
	c.operator = op
	return c, true
}

// compileValues parses the policy's values for c. It returns the first value
// that does not parse for the operator's type, and ok false.
func (c *condition) compileValues(vals []string, vars bool) (bad string, ok bool) {
	for _, v := range vals {
		if !c.addValue(v, vars) {
			return v, false
		}
	}
	return "", true
}

func (c *condition) addValue(v string, vars bool) bool {
	switch c.fam {
	case famString:
		t := compileTemplate(v, c.cmp == cmpLike, vars, false)
		c.vars = c.vars || t.vars
		c.strs = append(c.strs, t)
	case famArn:
		p := compileARN(v, vars)
		if p.any { // "*" is a pattern here, not the Resource shorthand
			p = arnPattern{tmpl: compileTemplate(v, true, false, false)}
			p.segs = splitTokens(p.tmpl.toks)
		}
		c.vars = c.vars || p.tmpl.vars
		c.arns = append(c.arns, p)
	case famNumeric:
		n, ok := parseNumber(v)
		c.nums = append(c.nums, n)
		return ok
	case famDate:
		t, ok := parseDate(v)
		c.times = append(c.times, t)
		return ok
	case famBool, famNull:
		b, ok := parseBool(v)
		c.bools = append(c.bools, b)
		return ok
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(v)
		c.bins = append(c.bins, b)
		return err == nil
	case famIP:
		p, ok := parsePrefix(v)
		c.ips = append(c.ips, p)
		return ok
	}
	return true
}

// parseNumber reads a decimal number: an optional sign, digits with an
// optional fraction, and an optional exponent. Go's other forms (hex,
// underscores, Inf, NaN) and surrounding spaces are not numbers in a policy.
func parseNumber(s string) (float64, bool) {
	if !decimalNumber(s) {
		return 0, false
	}
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil && !math.IsInf(n, 0)
}

func decimalNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		digits++
	}
	if i < len(s) && s[i] == '.' {
		for i++; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		start := i
		for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		}
		if i == start {
			return false
		}
	}
	return i == len(s)
}

// dateLayouts are the ISO 8601 forms AWS documents, plus its basic form.
var dateLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02T15:04",
	"20060102T150405Z0700",
	"20060102T150405Z",
	"2006-01-02",
}

// parseDate reads an ISO 8601 date-time (UTC unless it says otherwise) or an
// epoch time in seconds.
func parseDate(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > math.MaxInt64/int64(time.Second) || n < math.MinInt64/int64(time.Second) {
			return 0, false
		}
		return n * int64(time.Second), true
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true":
		return true, true
	case "false":
		return false, true
	}
	return false, false
}

// parsePrefix reads a CIDR block or a bare address (a /32 or /128).
func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			bits := p.Bits() - 96
			if bits < 0 {
				return netip.Prefix{}, false
			}
			p = netip.PrefixFrom(p.Addr().Unmap(), bits)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval decides the condition for the request.
func (c *condition) eval(e *env) bool {
	vals, present := e.lookup(c.key)
	if c.fam == famNull {
		// "true" asks for the key to be missing, "false" for it to be present.
		return containsBool(c.bools, !present)
	}
	if !present {
		switch {
		case c.ifExists || c.set == setAll:
			return true
		case c.set == setAny:
			return false
		}
		return c.negated
	}
	if c.vars && !c.resolvable(e) {
		return false
	}
	switch c.set {
	case setAny:
		return c.forAny(e, vals)
	case setAll:
		return c.forAll(e, vals)
	}
	m := false
	for _, v := range vals {
		if c.matchAny(e, v) {
			m = true
			break
		}
	}
	return m != c.negated
}

func emptySet(vals []string) bool {
	return len(vals) == 0 || len(vals) == 1 && vals[0] == ""
}

// forAny: some request value satisfies the operator.
func (c *condition) forAny(e *env, vals []string) bool {
	if emptySet(vals) {
		return false
	}
	for _, v := range vals {
		if c.matchAny(e, v) != c.negated {
			return true
		}
	}
	return false
}

// forAll: every request value satisfies the operator.
func (c *condition) forAll(e *env, vals []string) bool {
	if emptySet(vals) {
		return true
	}
	for _, v := range vals {
		if c.matchAny(e, v) == c.negated {
			return false
		}
	}
	return true
}

// resolvable reports whether at least one of c's String or Arn values has
// every variable resolved. When none has, the condition is false whatever
// the operator: AWS cannot evaluate it.
func (c *condition) resolvable(e *env) bool {
	for i := range c.strs {
		if c.strs[i].resolvable(e) {
			return true
		}
	}
	for i := range c.arns {
		if c.arns[i].tmpl.resolvable(e) {
			return true
		}
	}
	return false
}

// matchAny reports whether the request value v matches any policy value,
// ignoring negation. Values whose variables do not resolve match nothing.
func (c *condition) matchAny(e *env, v string) bool {
	switch c.fam {
	case famString:
		for i := range c.strs {
			if c.matchString(e, &c.strs[i], v) {
				return true
			}
		}
		return false
	case famArn:
		return matchARN(e, c.arns, v)
	case famNumeric:
		return matchNumber(c.cmp, c.nums, v)
	case famDate:
		return matchDate(c.cmp, c.times, v)
	case famBool:
		b, ok := parseBool(v)
		return ok && containsBool(c.bools, b)
	case famBinary:
		return matchBinary(c.bins, v)
	case famIP:
		return matchIP(c.ips, v)
	}
	return false
}

// matchString compares v with one String value, its variables replaced.
func (c *condition) matchString(e *env, t *template, v string) bool {
	if t.vars {
		toks, ok := t.resolveInto(e, e.scr.toks[:0])
		switch {
		case !ok:
			return false
		case c.cmp == cmpLike:
			return glob(toks, v)
		case c.cmp == cmpEqFold:
			return equalFoldPieces(toks, v)
		}
		return equalPieces(toks, v)
	}
	switch {
	case c.cmp == cmpLike && t.wild:
		return glob(t.toks, v)
	case c.cmp == cmpEqFold:
		return strings.EqualFold(t.lit, v)
	}
	return t.lit == v
}

func matchARN(e *env, ps []arnPattern, v string) bool {
	split6, ok6 := splitARN(v, 6)
	for i := range ps {
		if m, _ := ps[i].match(e, v, split6, ok6); m {
			return true
		}
	}
	return false
}

func compare[T int64 | float64](cmp comparison, a, b T) bool {
	switch cmp {
	case cmpLt:
		return a < b
	case cmpLe:
		return a <= b
	case cmpGt:
		return a > b
	case cmpGe:
		return a >= b
	}
	return a == b
}

func matchNumber(cmp comparison, nums []float64, v string) bool {
	n, ok := parseNumber(v)
	if !ok {
		return false
	}
	for _, p := range nums {
		if compare(cmp, n, p) {
			return true
		}
	}
	return false
}

func matchDate(cmp comparison, times []int64, v string) bool {
	t, ok := parseDate(v)
	if !ok {
		return false
	}
	for _, p := range times {
		if compare(cmp, t, p) {
			return true
		}
	}
	return false
}

func containsBool(bs []bool, b bool) bool {
	for _, x := range bs {
		if x == b {
			return true
		}
	}
	return false
}

func matchBinary(bins [][]byte, v string) bool {
	b, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		return false
	}
	for _, p := range bins {
		if bytes.Equal(p, b) {
			return true
		}
	}
	return false
}

func matchIP(ips []netip.Prefix, v string) bool {
	a, err := netip.ParseAddr(strings.TrimSpace(v))
	if err != nil {
		return false
	}
	a = a.Unmap().WithZone("")
	for _, p := range ips {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
