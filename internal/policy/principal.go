package policy

import (
	"strings"
)

// The values of Principal.Type (aws:PrincipalType). TypeService and
// TypeWebIdentity are trove's names for callers AWS gives no aws:PrincipalType:
// a service principal, and a web identity asking to assume a role.
const (
	TypeAccount       = "Account" // the account root user
	TypeUser          = "User"
	TypeAssumedRole   = "AssumedRole"
	TypeFederatedUser = "FederatedUser"
	TypeAnonymous     = "Anonymous"
	TypeService       = "Service"
	TypeWebIdentity   = "WebIdentity"
)

// Principal is the authenticated caller of a request, or the anonymous one.
type Principal struct {
	Anonymous bool
	Account   string            // 12-digit account id ("" for anonymous and services)
	ARN       string            // arn:aws:iam::ACCOUNT:root, ...:user/path/name, session ARN
	Type      string            // one of the Type constants
	UserID    string            // aws:userid (root: the account id; user: AIDA...)
	Username  string            // aws:username (users only)
	OrgID     string            // aws:PrincipalOrgID, "" outside any organization
	OrgPaths  []string          // aws:PrincipalOrgPaths, e.g. "o-exampleorg/r-ab12/ou-ab12-1111/"
	Tags      map[string]string // aws:PrincipalTag/k
	// RoleARN is the IAM ARN of an assumed-role session's role, path
	// included: aws:PrincipalArn for sessions. When empty it is derived from
	// the session ARN, without a path.
	RoleARN string
	// Service is a service principal's name ("logging.s3.amazonaws.com"),
	// for TypeService.
	Service string
	// Federated is the identity provider of a TypeWebIdentity caller: an
	// OIDC or SAML provider ARN or a name such as "cognito-identity.amazonaws.com".
	Federated string
	// CanonicalID is the S3 canonical user id of the principal's account,
	// which a {"CanonicalUser": ...} principal names.
	CanonicalID string
}

func (p *Principal) isAnonymous() bool { return p.Anonymous || p.Type == TypeAnonymous }

func (p *Principal) isRoot() bool { return p.Type == TypeAccount }

// isService reports whether p is a service principal, which has no account
// of its own.
func (p *Principal) isService() bool { return p.Type == TypeService }

// isWebIdentity reports whether p is a web identity asking to assume a role.
func (p *Principal) isWebIdentity() bool { return p.Type == TypeWebIdentity }

// external reports whether p is a caller with no IAM identity of its own (a
// service principal or a web identity): no identity-based policy, boundary,
// session policy or SCP applies to it, and only a resource-based policy that
// names it can grant it anything.
func (p *Principal) external() bool { return p.isService() || p.isWebIdentity() }

// userID is aws:userid; for the root user it defaults to the account id.
func (p *Principal) userID() string {
	if p.UserID == "" && p.isRoot() {
		return p.Account
	}
	return p.UserID
}

// principalARN is aws:PrincipalArn: the role's ARN for a session, the ARN
// itself otherwise.
func (p *Principal) principalARN(e *env) string {
	if p.Type != TypeAssumedRole {
		return p.ARN
	}
	if p.RoleARN != "" {
		return p.RoleARN
	}
	if e.roleName == "" {
		return p.ARN
	}
	return "arn:" + e.rolePart + ":iam::" + e.roleAcct + ":role/" + e.roleName
}

// sessionRole reads arn:PART:sts::ACCT:assumed-role/NAME/SESSION.
func sessionRole(arn string) (partition, account, role string) {
	parts, ok := splitARN(arn, 6)
	if !ok || parts[0] != "arn" || parts[2] != "sts" {
		return "", "", ""
	}
	rest, found := strings.CutPrefix(parts[5], "assumed-role/")
	if !found {
		return "", "", ""
	}
	role, _, _ = strings.Cut(rest, "/")
	return parts[1], parts[4], role
}

type principalKind uint8

const (
	pkExact principalKind = iota // user, assumed-role session or federated user: the ARN itself
	pkRole                       // role: any session of it
)

// principalARN is one {"AWS": ARN} entry naming a principal, not an account.
type principalARN struct {
	kind      principalKind
	arn       string // pkExact
	partition string // pkRole
	account   string
	role      string
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	all       bool     // "*" or {"AWS": "*"}
	accounts  []string // account ids, from ids or :root ARNs
	arns      []principalARN
	services  []string // {"Service": ...}
	federated []string // {"Federated": ...}
	canonical []string // {"CanonicalUser": ...}
	others    int      // entries other than "*": what an RCP may not name
}

// principalMatch is how a Principal element named the caller. The order
// matters: a statement naming the caller in several ways counts as the most
// direct.
type principalMatch uint8

const (
	pmNone    principalMatch = iota
	pmAccount                // names only the principal's account (or its canonical user)
	pmRole                   // names the role of an assumed-role session
	pmDirect                 // names the principal itself, or everyone
)

// match reports how the set names the caller.
func (s *principalSet) match(e *env) principalMatch {
	if s.all {
		return pmDirect
	}
	if e.anon {
		return pmNone
	}
	p := &e.req.Principal
	if m := s.namesSelf(e); m != pmNone {
		return m
	}
	switch {
	case p.isService():
		if contains(s.services, p.Service) {
			return pmDirect
		}
	case p.isWebIdentity():
		if contains(s.federated, p.Federated) {
			return pmDirect
		}
	case s.namesAccount(p.Account) || p.CanonicalID != "" && contains(s.canonical, p.CanonicalID):
		return pmAccount
	}
	return pmNone
}

// namesSelf reports whether the set lists the caller's own ARN (pmDirect) or
// the role of its session (pmRole); the caller's own ARN wins when both are
// listed.
func (s *principalSet) namesSelf(e *env) principalMatch {
	p := &e.req.Principal
	if p.external() {
		return pmNone
	}
	for i := range s.arns {
		if a := &s.arns[i]; a.kind == pkExact && a.arn == p.ARN {
			return pmDirect
		}
	}
	if s.namesRole(e) {
		return pmRole
	}
	return pmNone
}

func (s *principalSet) namesAccount(account string) bool {
	return account != "" && contains(s.accounts, account)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// excludes reports whether a NotPrincipal set exempts the caller. AWS's
// NotPrincipal documentation says a principal that has a permissions boundary
// is never exempt, whatever the set lists. Otherwise "*" exempts everyone; a
// service or web identity must be listed itself; and AWS checks every layer
// of an IAM caller in turn, so each must be listed: the account, then the
// user (the root user is the account itself), or for an assumed-role session
// the role, whose ARN covers its sessions; a session ARN without its role's
// ARN leaves the role, and so the session, denied.
func (s *principalSet) excludes(e *env) bool {
	if e.bounded {
		return false
	}
	if s.all {
		return true
	}
	if e.anon {
		return false
	}
	p := &e.req.Principal
	switch p.Type {
	case TypeService:
		return contains(s.services, p.Service)
	case TypeWebIdentity:
		return contains(s.federated, p.Federated)
	}
	switch {
	case !s.namesAccount(p.Account):
		return false
	case p.isRoot():
		return true
	case p.Type == TypeAssumedRole:
		return s.namesRole(e)
	}
	return s.namesSelf(e) == pmDirect
}

// namesRole reports whether the set lists the role of the caller's session.
func (s *principalSet) namesRole(e *env) bool {
	for i := range s.arns {
		a := &s.arns[i]
		if a.kind == pkRole && e.roleName != "" && a.role == e.roleName &&
			a.account == e.roleAcct && a.partition == e.rolePart {
			return true
		}
	}
	return false
}

// parsePrincipal compiles a Principal or NotPrincipal element: "*" or an
// object of AWS, Service, Federated and CanonicalUser lists.
func parsePrincipal(raw []byte) (*principalSet, string) {
	var star string
	if isJSONString(raw) {
		if decodeJSON(raw, &star) != nil || star != "*" {
			return nil, "must be \"*\" or an object"
		}
		return &principalSet{all: true}, ""
	}
	fields, err := decodeObject(raw)
	if err != nil || len(fields) == 0 {
		return nil, "must be \"*\" or a non-empty object"
	}
	s := &principalSet{}
	for _, f := range fields {
		vals, ok := decodeStrings(f.raw)
		if !ok || len(vals) == 0 {
			return nil, quote(f.name) + " must be a string or a non-empty list of strings"
		}
		if msg := s.add(f.name, vals); msg != "" {
			return nil, msg
		}
	}
	return s, ""
}

func (s *principalSet) add(field string, vals []string) string {
	for _, v := range vals {
		if v == "" || field != "AWS" && strings.ContainsAny(v, "*?") {
			return field + " " + quote(v)
		}
		if v != "*" {
			s.others++
		}
	}
	switch field {
	case "AWS":
		for _, v := range vals {
			if !s.addAWS(v) {
				return quote(v)
			}
		}
	case "Service":
		s.services = append(s.services, vals...)
	case "Federated":
		s.federated = append(s.federated, vals...)
	case "CanonicalUser":
		s.canonical = append(s.canonical, vals...)
	default:
		return "unknown principal type " + quote(field)
	}
	return ""
}

// addAWS adds one {"AWS": v} entry and reports whether v is valid.
func (s *principalSet) addAWS(v string) bool {
	if v == "*" {
		s.all = true
		return true
	}
	if isAccountID(v) {
		s.accounts = append(s.accounts, v)
		return true
	}
	parts, ok := splitARN(v, 6)
	if !ok || parts[0] != "arn" || !isPartition(parts[1]) || parts[3] != "" ||
		!isAccountID(parts[4]) || strings.ContainsAny(v, "*?") {
		return false
	}
	return s.addARN(v, parts)
}

func (s *principalSet) addARN(v string, parts [6]string) bool {
	res := parts[5]
	switch {
	case parts[2] == "iam" && res == "root":
		s.accounts = append(s.accounts, parts[4])
	case parts[2] == "iam" && validPathName(res, "user/"):
		s.arns = append(s.arns, principalARN{kind: pkExact, arn: v})
	case parts[2] == "iam" && validPathName(res, "role/"):
		name := res[strings.LastIndexByte(res, '/')+1:]
		s.arns = append(s.arns, principalARN{kind: pkRole, partition: parts[1],
			account: parts[4], role: name})
	case parts[2] == "sts" && validSession(res):
		s.arns = append(s.arns, principalARN{kind: pkExact, arn: v})
	default:
		return false
	}
	return true
}

// validPathName accepts prefix followed by an optional path and a name.
func validPathName(res, prefix string) bool {
	rest, ok := strings.CutPrefix(res, prefix)
	if !ok || rest == "" || strings.HasSuffix(rest, "/") {
		return false
	}
	return !strings.Contains(rest, "//")
}

// validSession accepts assumed-role/ROLE/SESSION and federated-user/NAME.
func validSession(res string) bool {
	if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
		role, session, found := strings.Cut(rest, "/")
		return found && role != "" && session != "" && !strings.Contains(session, "/")
	}
	if name, ok := strings.CutPrefix(res, "federated-user/"); ok {
		return name != "" && !strings.Contains(name, "/")
	}
	return false
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isPartition(s string) bool {
	return s == "aws" || strings.HasPrefix(s, "aws-") && len(s) > 4
}
