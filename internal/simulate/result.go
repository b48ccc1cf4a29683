package simulate

import (
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// The decisions, as IAM's simulator names them.
const (
	Allowed      = "allowed"
	ExplicitDeny = "explicitDeny"
	ImplicitDeny = "implicitDeny"
)

// Result is the outcome of one action on one resource. Its JSON and XML
// forms are trove's stable structured output: `trove policy simulate --json`
// prints it and the IAM API sends it in each EvaluationResult's TroveReport.
type Result struct {
	Action          string `json:"action" xml:"Action"`
	Resource        string `json:"resource" xml:"Resource"`
	ResourceAccount string `json:"resourceAccount" xml:"ResourceAccount"`
	// Decision is Allowed, ExplicitDeny or ImplicitDeny.
	Decision string `json:"decision" xml:"Decision"`
	// Reason is one line naming the deciding statement or missing grant.
	Reason string `json:"reason" xml:"Reason"`
	// Matched lists the statements that decided: the explicit deny, or the
	// allows (identity-based and resource-based).
	Matched []Match `json:"matchedStatements" xml:"MatchedStatements>member"`
	// MissingContext lists the condition keys that statements for the action
	// tested and the request lacked.
	MissingContext []string `json:"missingContextValues" xml:"MissingContextValues>member"`
	// OrganizationsAllow (IAM's AllowedByOrganizations) is set when SCPs or
	// RCPs took part: whether every level of them allowed and none denied.
	OrganizationsAllow *bool `json:"allowedByOrganizations,omitempty" xml:",omitempty"`
	// BoundaryAllows (IAM's AllowedByPermissionsBoundary) is set when a
	// permissions boundary took part.
	BoundaryAllows *bool `json:"allowedByPermissionsBoundary,omitempty" xml:",omitempty"`
	// Details says, for a cross-account request, what each side decided.
	Details []Detail `json:"evalDecisionDetails,omitempty" xml:"EvalDecisionDetails>entry"`
	// Policies are every policy evaluated, in evaluation order.
	Policies []PolicyReport `json:"policies" xml:"Policies>member"`
	// Text is the explanation for people: policy.Explanation's String.
	Text string `json:"-" xml:"-"`
}

// Match is a statement that decided.
type Match struct {
	// PolicyID and PolicyType are IAM's SourcePolicyId and SourcePolicyType:
	// the policy's name and "user", "group", "role", "user-managed",
	// "aws-managed", "resource" or "none".
	PolicyID   string `json:"sourcePolicyId" xml:"SourcePolicyId"`
	PolicyType string `json:"sourcePolicyType" xml:"SourcePolicyType"`
	Layer      string `json:"layer" xml:"Layer"`
	Source     string `json:"source" xml:"Source"`
	Level      string `json:"level,omitempty" xml:"Level,omitempty"`
	Sid        string `json:"sid,omitempty" xml:"Sid,omitempty"`
	Index      int    `json:"index" xml:"Index"`
	Effect     string `json:"effect" xml:"Effect"`
}

// Detail is one side of a cross-account decision: "IAM Policy" or
// "Resource Policy", and what it decided alone.
type Detail struct {
	Side     string `json:"side" xml:"key"`
	Decision string `json:"decision" xml:"value"`
}

// PolicyReport is one policy's part in the decision.
type PolicyReport struct {
	Layer      string            `json:"layer" xml:"Layer"`
	Level      string            `json:"level,omitempty" xml:"Level,omitempty"`
	Name       string            `json:"name" xml:"Name"`
	Skipped    string            `json:"skipped,omitempty" xml:"Skipped,omitempty"`
	Statements []StatementReport `json:"statements" xml:"Statements>member"`
}

// The values of StatementReport.Result.
const (
	Applies      = "applies"
	NearMiss     = "nearMiss"
	NotForAction = "notForAction"
)

// StatementReport is what one statement made of the request.
type StatementReport struct {
	Sid    string `json:"sid,omitempty" xml:"Sid,omitempty"`
	Index  int    `json:"index" xml:"Index"`
	Effect string `json:"effect" xml:"Effect"`
	// Result is Applies, NearMiss (the action matched, something else did
	// not: see Misses) or NotForAction.
	Result string `json:"result" xml:"Result"`
	// Principal says how a resource-based statement named the caller:
	// "everyone", "caller", "role" or "account"; "" when it did not.
	Principal string `json:"principal,omitempty" xml:"Principal,omitempty"`
	Misses    []Miss `json:"misses,omitempty" xml:"Misses>member"`
}

// Miss is one element of a statement that did not match.
type Miss struct {
	Element  string   `json:"element" xml:"Element"`
	Operator string   `json:"operator,omitempty" xml:"Operator,omitempty"`
	Key      string   `json:"key,omitempty" xml:"Key,omitempty"`
	Values   []string `json:"values,omitempty" xml:"Values>member"`
	Present  bool     `json:"present,omitempty" xml:"Present,omitempty"`
}

// Denied reports whether the decision is a deny, explicit or implicit.
func (r *Result) Denied() bool { return r.Decision != Allowed }

// decisionNames maps the engine's effects to IAM's decisions.
var decisionNames = map[policy.Effect]string{
	policy.Allow: Allowed, policy.ExplicitDeny: ExplicitDeny, policy.ImplicitDeny: ImplicitDeny,
}

// withheldWhy is why a stored bucket policy took no part.
const withheldWhy = "withheld: the bucket belongs to another account, whose policy only " +
	"that account and the organization's management account may read; give the policy " +
	"(ResourcePolicy, --resource-policy) to include it"

// newResult explains in and turns the explanation into a Result. withheld
// names a stored bucket policy that the caller may not read, "" when none.
func newResult(in policy.Input, hideOrgs bool, withheld string) Result {
	x := policy.Explain(in)
	if withheld != "" {
		x.Policies = withheldReport(x.Policies, withheld)
	}
	req := &in.Request
	r := Result{Action: req.Action, Resource: req.Resource, ResourceAccount: req.ResourceAccount,
		Decision: decisionNames[x.Decision.Effect], Matched: []Match{}}
	if in.SCPs != nil || in.RCPs != nil {
		r.OrganizationsAllow = ptr(organizationsAllow(x.Policies))
	}
	if in.Boundary != nil && !req.Principal.Anonymous && req.Principal.Type != policy.TypeAccount {
		r.BoundaryAllows = ptr(layerAllows(x.Policies, policy.LayerBoundary))
	}
	if req.Principal.Account != req.ResourceAccount {
		r.Details = crossAccountDetails(in, x.Policies)
	}
	if hideOrgs {
		hideOrganizations(&x, req)
	}
	r.Reason = x.Reason
	for _, ref := range deciding(x.Decision) {
		r.Matched = append(r.Matched, newMatch(ref, hideOrgs))
	}
	r.Policies = reports(x.Policies)
	r.MissingContext = missingKeys(x.Policies)
	r.Text = x.String()
	return r
}

func ptr[T any](v T) *T { return &v }

// withheldReport inserts a skipped report for a withheld bucket policy where
// the resource-based policy is evaluated: after RCPs and SCPs.
func withheldReport(ps []policy.PolicyReport, name string) []policy.PolicyReport {
	at := len(ps)
	for i, p := range ps {
		if !organizational(p.Layer) {
			at = i
			break
		}
	}
	r := policy.PolicyReport{Layer: policy.LayerResource, Name: name, Skipped: withheldWhy}
	return slices.Insert(slices.Clone(ps), at, r)
}

// deciding lists the statements that decided d.
func deciding(d policy.Decision) []policy.Ref {
	var refs []policy.Ref
	for _, ref := range []policy.Ref{d.Deny, d.Grant, d.ResourceGrant} {
		if ref.Valid() {
			refs = append(refs, ref)
		}
	}
	return refs
}

func newMatch(ref policy.Ref, hideOrgs bool) Match {
	st := ref.Source.Policy.Statements[ref.Statement]
	id, typ := sourceID(ref.Source)
	m := Match{PolicyID: id, PolicyType: typ, Layer: ref.Source.Layer.String(),
		Source: ref.Source.Name, Level: ref.Level, Sid: st.Sid, Index: ref.Statement,
		Effect: st.Effect}
	if hideOrgs && organizational(ref.Source.Layer) {
		m = Match{PolicyID: m.Layer, PolicyType: "none", Layer: m.Layer, Source: m.Layer,
			Index: -1, Effect: m.Effect}
	}
	return m
}

// sourceID returns IAM's SourcePolicyId and SourcePolicyType for a source.
// identity.Directory names its sources "inline policy NAME of user USER" (or
// of group GROUP) and "managed policy ARN" (possibly " via group GROUP");
// other names are kept whole.
func sourceID(src *policy.Source) (id, typ string) {
	switch src.Layer {
	case policy.LayerResource:
		return src.Name, "resource"
	case policy.LayerIdentity:
		if rest, ok := strings.CutPrefix(src.Name, "inline policy "); ok {
			name, owner, _ := strings.Cut(rest, " of ")
			kind, _, _ := strings.Cut(owner, " ")
			if kind == "user" || kind == "group" || kind == "role" {
				return name, kind
			}
		}
		if rest, ok := strings.CutPrefix(src.Name, "managed policy "); ok {
			arn, _, _ := strings.Cut(rest, " ")
			name := arn[strings.LastIndex(arn, "/")+1:]
			if strings.HasPrefix(arn, "arn:aws:iam::aws:policy/") {
				return name, "aws-managed"
			}
			return name, "user-managed"
		}
	}
	return src.Name, "none"
}

func organizational(l policy.Layer) bool {
	return l == policy.LayerSCP || l == policy.LayerRCP
}

// organizationsAllow reports whether no SCP or RCP denies and every level of
// both paths has an Allow that applies.
func organizationsAllow(ps []policy.PolicyReport) bool {
	levels := map[string]bool{} // layer and level -> some Allow applied
	for _, p := range ps {
		if !organizational(p.Layer) {
			continue
		}
		deny, allow := applied(p)
		if deny {
			return false
		}
		key := p.Layer.String() + "\x00" + p.Level
		levels[key] = levels[key] || allow
	}
	for _, ok := range levels {
		if !ok {
			return false
		}
	}
	return true
}

// layerAllows reports whether a statement of layer allows and none denies.
func layerAllows(ps []policy.PolicyReport, layer policy.Layer) bool {
	allowed := false
	for _, p := range ps {
		if p.Layer != layer {
			continue
		}
		deny, allow := applied(p)
		if deny {
			return false
		}
		allowed = allowed || allow
	}
	return allowed
}

// applied reports whether a statement of p that applied denies, and whether
// one allows. policy.Parse admits no effect but Allow and Deny.
func applied(p policy.PolicyReport) (deny, allow bool) {
	for _, s := range p.Statements {
		if s.Applied {
			deny = deny || s.Effect == "Deny"
			allow = allow || s.Effect == "Allow"
		}
	}
	return deny, allow
}

// crossAccountDetails decides each side of a cross-account request alone:
// the principal's policies as if the resource were in its own account, and
// the resource-based policy.
func crossAccountDetails(in policy.Input, ps []policy.PolicyReport) []Detail {
	own := in
	own.Resource, own.RCPs = nil, nil
	own.Request.ResourceAccount = in.Request.Principal.Account
	res := ImplicitDeny
	for _, p := range ps {
		if p.Layer != policy.LayerResource {
			continue
		}
		switch deny, allow := applied(p); {
		case deny:
			res = ExplicitDeny
		case allow && res == ImplicitDeny:
			res = Allowed
		}
	}
	return []Detail{
		{Side: "IAM Policy", Decision: decisionNames[policy.Evaluate(own).Effect]},
		{Side: "Resource Policy", Decision: res},
	}
}

// orgHidden is why the SCPs and RCPs a caller outside the management
// account sees are one report per layer, without statements.
const orgHidden = "their names, levels and statements are shown to the organization's " +
	"management account only"

// withheldValue replaces the request's values of organization keys in the
// near misses a caller outside the management account sees.
const withheldValue = "(withheld)"

// orgKeys are the condition keys whose values describe the organization's
// structure: its id and the paths of OUs above the principal's and the
// resource owner's accounts.
var orgKeys = []string{"aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:ResourceOrgID",
	"aws:ResourceOrgPaths"}

// hideOrganizations keeps the organization's structure out of x, for a
// caller outside the management account: the SCPs and RCPs become one
// report per layer without names, levels or statements; the reason names
// only the kind of policy that decided; and the values of orgKeys are
// withheld from near misses.
func hideOrganizations(x *policy.Explanation, req *policy.Request) {
	x.Policies = collapseOrganizations(x.Policies)
	for i := range x.Policies {
		withholdOrgValues(&x.Policies[i])
	}
	d := x.Decision
	switch {
	case d.Effect == policy.ExplicitDeny && organizational(d.Deny.Source.Layer):
		x.Reason = "explicit deny in a " + d.Deny.Source.Layer.String()
	case d.Effect == policy.ImplicitDeny && organizational(d.Missing):
		x.Reason = "no " + d.Missing.String() + " allows " + req.Action + " on " +
			req.Resource
	}
}

// collapseOrganizations replaces the reports of SCPs and RCPs with one per
// layer, where the first of the layer was.
func collapseOrganizations(ps []policy.PolicyReport) []policy.PolicyReport {
	out := make([]policy.PolicyReport, 0, len(ps))
	seen := map[policy.Layer]bool{}
	for _, p := range ps {
		switch {
		case !organizational(p.Layer):
			out = append(out, p)
		case !seen[p.Layer]:
			seen[p.Layer] = true
			out = append(out, policy.PolicyReport{Layer: p.Layer, Name: collapsedName[p.Layer],
				Skipped: orgHidden})
		}
	}
	return out
}

// collapsedName names the one report of each organizational layer.
var collapsedName = map[policy.Layer]string{
	policy.LayerSCP: "service control policies",
	policy.LayerRCP: "resource control policies",
}

// withholdOrgValues replaces the request's values of orgKeys in p's near
// misses. The reports are policy.Explain's own, made for this result.
func withholdOrgValues(p *policy.PolicyReport) {
	for i := range p.Statements {
		misses := p.Statements[i].Misses
		for j := range misses {
			if misses[j].Present && isOrgKey(misses[j].Key) {
				misses[j].Values = []string{withheldValue}
			}
		}
	}
}

func isOrgKey(k string) bool {
	return slices.ContainsFunc(orgKeys, func(o string) bool { return strings.EqualFold(o, k) })
}

// reports converts the engine's policy reports.
func reports(ps []policy.PolicyReport) []PolicyReport {
	out := make([]PolicyReport, 0, len(ps))
	for _, p := range ps {
		r := PolicyReport{Layer: p.Layer.String(), Level: p.Level, Name: p.Name,
			Skipped: p.Skipped, Statements: []StatementReport{}}
		for _, s := range p.Statements {
			r.Statements = append(r.Statements, statementReport(s))
		}
		out = append(out, r)
	}
	return out
}

func statementReport(s policy.StatementReport) StatementReport {
	r := StatementReport{Sid: s.Sid, Index: s.Index, Effect: s.Effect, Result: NotForAction,
		Principal: s.Principal}
	switch {
	case s.Applied:
		r.Result = Applies
	case s.Near:
		r.Result = NearMiss
	}
	if r.Result == NotForAction {
		r.Principal = ""
		return r
	}
	for _, m := range s.Misses {
		r.Misses = append(r.Misses, Miss{Element: m.Element, Operator: m.Operator, Key: m.Key,
			Values: m.Values, Present: m.Present})
	}
	return r
}

// missingKeys lists, once each and sorted, the condition keys that
// statements for the action test and the request lacks (AWS's
// MissingContextValues). Keys the engine derives are never missing.
func missingKeys(ps []policy.PolicyReport) []string {
	seen := map[string]bool{}
	keys := []string{}
	for _, p := range ps {
		for _, s := range p.Statements {
			for _, k := range s.Absent {
				if lower := strings.ToLower(k); !seen[lower] {
					seen[lower] = true
					keys = append(keys, k)
				}
			}
		}
	}
	slices.Sort(keys)
	return keys
}
