// Package policy parses AWS IAM policy documents and evaluates requests against
// them the way AWS documents it: default deny, an explicit deny anywhere wins,
// every statement is considered, and the decision carries the statements that
// applied.
//
// Two kinds of document exist. An identity-based policy is attached to a user
// and must not name a Principal; a resource-based policy (a bucket policy) must
// name a Principal or NotPrincipal. Parse compiles a document once (actions
// lower-cased, ARNs split into their six segments, CIDRs, numbers and dates
// parsed) so that Evaluate does no parsing. A compiled *Policy is immutable and
// safe for concurrent use by any number of goroutines.
//
// # Language
//
// Version "2012-10-17" and "2008-10-17" are accepted; a document without a
// Version has 2008-10-17 semantics, in which policy variables are literal
// text. In 2012-10-17 documents, variables (${aws:username}, ${s3:prefix},
// ${aws:PrincipalTag/k}, ${key, 'default'}, and the escapes ${*}, ${?}, ${$})
// are replaced in Resource, NotResource and in the values of String and Arn
// condition operators. A variable resolves only to a key that has exactly one
// value; an unresolvable variable (no value and no default) makes the value
// that holds it match nothing, and an element whose every value is
// unresolvable does not match, so the statement does not apply. Substitution
// happens in a scratch area of the evaluation, so it allocates nothing for
// patterns of up to 16 pieces.
//
// Element names are case-sensitive, as in AWS; action names, condition
// operator names and condition keys are not. Resource ARNs and ArnEquals/
// ArnLike values are compared segment by segment, case-sensitively, with * and
// ? wildcards inside a segment. Duplicate JSON fields are rejected.
//
// # Conditions
//
// Several values for one key are OR-ed; for the negated operators (StringNot*,
// NumericNotEquals, DateNotEquals, NotIpAddress, ArnNot*) none may match.
// Several keys and operators in one block are AND-ed. A key missing from the
// request makes a positive operator false and a negated one true; the
// ...IfExists forms are true when the key is missing, and Null tests presence.
// ForAnyValue is false for a missing key or an empty set; ForAllValues is true
// for both. A present key holding an empty list is not missing: Null reports it
// present and a plain operator finds no value to match. For the set operators
// a list holding only "" is an empty set, as AWS documents. A request value that
// cannot be read as the operator's type (a number, date, IP address, boolean or
// base64) matches no policy value. Bool and Null values must be "true" or
// "false", and Numeric, Date, IpAddress and BinaryEquals values must parse;
// anything else is a MalformedError rather than a condition that can never hold.
//
// # Principals
//
// Principal and NotPrincipal accept "*" and {"AWS": ...} naming "*", an
// account id, an account root ARN, a user ARN, a role ARN (which covers its
// assumed-role sessions), an assumed-role session ARN or a federated user ARN;
// {"Service": ...} names a service principal, {"Federated": ...} the identity
// provider of a web identity, and {"CanonicalUser": ...} an account by its S3
// canonical id. NotPrincipal is accepted only with Effect Deny (AWS does not
// support it with Allow); a principal escapes such a Deny only when every
// layer of it is listed, as AWS's NotPrincipal documentation describes: its
// account and the user, or for an assumed-role session its account and role
// (the role's ARN covers the session; the session's ARN alone does not cover
// the role). A principal with a permissions boundary never escapes it.
//
// # Evaluation
//
// Evaluate takes every layer AWS evaluates (resource control policies on the
// resource's organization path, service control policies on the principal's,
// the resource-based policy, identity-based policies, the permissions
// boundary and session policies) and decides in AWS's documented order,
// telling grants that stand alone from grants that only delegate to the
// account. Anonymous callers, service principals and web identities have no
// identity-based policies and no SCPs: only a resource-based policy naming
// them grants. A federated user session (GetFederationToken) without a
// session policy has no identity-based permissions. It does not allocate.
// Explain gives the same decision with a report on every statement, including
// the elements of near misses.
//
// The proof corpus under testdata/corpus pins each documented AWS rule the
// engine follows, case by case, with the documentation page it comes from.
package policy

import (
	"errors"
	"strconv"
)

// Kind is the grammar a document is parsed with.
type Kind int

// The kinds of policy document.
const (
	// Identity is an identity-based policy, also the grammar of permissions
	// boundaries and session policies: no Principal allowed.
	Identity Kind = iota
	// Resource is a resource-based policy (a bucket policy): Principal or
	// NotPrincipal required.
	Resource
	// ServiceControl is an Organizations service control policy (SCP): the
	// identity grammar, with no Principal or NotPrincipal.
	ServiceControl
	// ResourceControl is an Organizations resource control policy (RCP):
	// Version 2012-10-17, Effect Deny, Principal "*", no NotAction and no
	// NotPrincipal. Only the built-in RCPFullAWSAccess allows.
	ResourceControl
)

// String returns the kind's name as AWS's documentation writes it.
func (k Kind) String() string {
	switch k {
	case Identity:
		return "identity-based policy"
	case Resource:
		return "resource-based policy"
	case ServiceControl:
		return "service control policy"
	case ResourceControl:
		return "resource control policy"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Layer is the part a policy plays in an evaluation.
type Layer uint8

// The layers of AWS's evaluation, in the order Evaluate considers them.
const (
	LayerRCP      Layer = iota // resource control policy on the resource's account path
	LayerSCP                   // service control policy on the principal's account path
	LayerResource              // resource-based policy (the bucket policy)
	LayerIdentity              // identity-based policy: user, group or role, inline or managed
	LayerBoundary              // permissions boundary of the user or role
	LayerSession               // session policy passed when the session was created
	numLayers
)

// String returns the layer's name as AWS's access-denied messages write it.
func (l Layer) String() string {
	switch l {
	case LayerRCP:
		return "resource control policy"
	case LayerSCP:
		return "service control policy"
	case LayerResource:
		return "resource-based policy"
	case LayerIdentity:
		return "identity-based policy"
	case LayerBoundary:
		return "permissions boundary"
	case LayerSession:
		return "session policy"
	}
	return "Layer(" + strconv.Itoa(int(l)) + ")"
}

// Kind returns the grammar of the layer's documents.
func (l Layer) Kind() Kind {
	switch l {
	case LayerRCP:
		return ResourceControl
	case LayerSCP:
		return ServiceControl
	case LayerResource:
		return Resource
	}
	return Identity
}

// The policy language versions Parse accepts.
const (
	Version2012 = "2012-10-17"
	Version2008 = "2008-10-17"
)

// ErrMalformed is what every *MalformedError is, for errors.Is.
var ErrMalformed = errors.New("policy: malformed")

// MalformedError reports a document Parse rejected. Msg reads like the
// MalformedPolicy message AWS sends ("Policy has invalid action") followed, in
// parentheses, by what is wrong where; it quotes only the offending value and
// is safe to return to the client who sent the document.
type MalformedError struct{ Msg string }

// Error returns "policy: malformed: " followed by Msg.
func (e *MalformedError) Error() string { return "policy: malformed: " + e.Msg }

// Is reports whether target is ErrMalformed.
func (e *MalformedError) Is(target error) bool { return target == ErrMalformed }

// Policy is a parsed and compiled policy document. It is immutable after Parse.
type Policy struct {
	Version    string // as written; "" when the document has none (2008-10-17 semantics)
	ID         string // the Id element, "" when absent
	Kind       Kind
	Statements []Statement
	builtin    bool // a policy AWS manages, such as RCPFullAWSAccess
}

// Statement is one compiled statement. Only Sid, Effect and Index are
// exported; the compiled matchers are reached through Evaluate.
type Statement struct {
	Sid    string
	Effect string // "Allow" or "Deny"
	Index  int    // position in the document's Statement list, from 0

	deny         bool
	actionText   []string      // Action or NotAction values as written
	resourceText []string      // Resource or NotResource values as written
	principals   *principalSet // nil for identity-based statements
	notPrincipal bool
	actions      []template
	notAction    bool
	resources    []arnPattern
	notResource  bool
	conditions   []condition
}

// Actions returns the statement's Action (or NotAction) values as written,
// for checks a service makes on top of the language's own.
func (s *Statement) Actions() []string { return s.actionText }

// Resources returns the statement's Resource (or NotResource) values as
// written.
func (s *Statement) Resources() []string { return s.resourceText }

// NotAction reports whether the statement lists NotAction rather than Action.
func (s *Statement) NotAction() bool { return s.notAction }

// NotResource reports whether the statement lists NotResource rather than
// Resource.
func (s *Statement) NotResource() bool { return s.notResource }

// Variables reports whether the statement's document substitutes policy
// variables (Version 2012-10-17).
func (p *Policy) Variables() bool { return variables(p.Version) }

// name is how messages and reasons refer to the statement: its Sid, quoted,
// or its index when it has none.
func (s *Statement) name() string { return stmtName(s.Sid, s.Index) }

func stmtName(sid string, index int) string {
	if sid != "" {
		return "statement " + strconv.Quote(sid)
	}
	return "statement " + strconv.Itoa(index)
}

// variables reports whether documents of this version substitute policy
// variables.
func variables(version string) bool { return version == Version2012 }

// Footprint estimates the memory the compiled policy holds, in bytes, for
// caches that must stay bounded: a 20 KB document of single-character
// wildcards compiles to megabytes.
func (p *Policy) Footprint() int {
	const tokenSize = 64 // a token and its share of the slices around it
	n := 0
	for i := range p.Statements {
		st := &p.Statements[i]
		for _, a := range st.actions {
			n += len(a.toks)
		}
		for _, r := range st.resources {
			n += 2 * len(r.tmpl.toks) // the template and its segments
		}
		for _, c := range st.conditions {
			for _, t := range c.strs {
				n += len(t.toks)
			}
			for _, a := range c.arns {
				n += 2 * len(a.tmpl.toks)
			}
			n += len(c.nums) + len(c.times) + len(c.bools) + len(c.bins) + len(c.ips)
		}
	}
	return n*tokenSize + 1024
}
