package policy

import (
	"fmt"
	"strconv"
	"strings"
)

// Explanation is a Decision with everything that led to it: each policy
// evaluated and, for each statement, whether it applied and, when its action
// matched but it did not apply, every element that did not match. It is for
// the people who own the policies (the server log and `trove policy
// simulate`), not for the caller: it quotes the request's values.
type Explanation struct {
	Decision Decision
	Reason   string
	// Policies are in evaluation order: RCPs, SCPs, resource-based,
	// identity-based, boundary, session policies.
	Policies []PolicyReport
}

// PolicyReport is one policy's part in an evaluation.
type PolicyReport struct {
	Layer      Layer
	Level      string // the organization level, for SCPs and RCPs
	Name       string
	Skipped    string // why the policy took no part ("" when it did)
	Statements []StatementReport
}

// StatementReport says what one statement made of the request.
type StatementReport struct {
	Sid     string
	Index   int
	Effect  string
	Applied bool
	// Principal says how a resource-based statement named the caller:
	// "everyone" ("*"), "caller", "role", "account", or "" when it did not (or
	// has no Principal).
	Principal string
	// Near reports a statement that did not apply although its action
	// matched: a near miss, whose Misses say why.
	Near   bool
	Misses []Miss
	// Absent lists, as written, the condition keys of a statement whose
	// action matched that the request does not carry, leaving out the keys
	// the engine derives from the principal and the resource.
	Absent []string
}

// Miss is one element of a statement that did not match the request.
type Miss struct {
	Element string // Principal, NotPrincipal, Action, NotAction, Resource, NotResource, Condition
	// For conditions: the operator and key as written, and the request's
	// values for the key (Present false when the request lacks it).
	Operator string
	Key      string
	Values   []string
	Present  bool
}

// String renders a miss in one phrase.
func (m Miss) String() string {
	if m.Element != "Condition" {
		return m.Element + " does not match"
	}
	if !m.Present {
		return fmt.Sprintf("condition %s on %s: the request has no %s", m.Operator, m.Key, m.Key)
	}
	return fmt.Sprintf("condition %s on %s: the request's value %q does not satisfy it",
		m.Operator, m.Key, m.Values)
}

// Explain evaluates in as Evaluate does and reports on every statement.
func Explain(in Input) Explanation {
	d := Evaluate(in)
	x := Explanation{Decision: d, Reason: d.Reason()}
	var e env
	e.init(&in)
	caller := !e.anon && !in.Request.Principal.external()
	idSkip := ""
	switch {
	case !caller:
		idSkip = "the caller has no identity-based policies"
	case in.Request.Principal.isRoot():
		idSkip = "no identity-based policy, boundary or session policy applies to the root user"
	}
	for _, lv := range in.RCPs {
		x.add(&e, lv.Policies, lv.Name, LayerRCP, "")
	}
	scpSkip := ""
	if !caller {
		scpSkip = "SCPs apply to IAM principals only"
	}
	for _, lv := range in.SCPs {
		x.add(&e, lv.Policies, lv.Name, LayerSCP, scpSkip)
	}
	if in.Resource != nil {
		x.add(&e, []Source{*in.Resource}, "", LayerResource, "")
	}
	x.add(&e, in.Identity, "", LayerIdentity, idSkip)
	if in.Boundary != nil {
		x.add(&e, []Source{*in.Boundary}, "", LayerBoundary, idSkip)
	}
	x.add(&e, in.Session, "", LayerSession, idSkip)
	return x
}

func (x *Explanation) add(e *env, srcs []Source, level string, layer Layer, skip string) {
	for i := range srcs {
		src := &srcs[i]
		r := PolicyReport{Layer: layer, Level: level, Name: src.Name, Skipped: skip}
		switch {
		case src.Policy == nil:
			r.Skipped = "no document"
		case src.Policy.Kind != layer.Kind():
			r.Skipped = "parsed as a " + src.Policy.Kind.String() + ", not a " +
				layer.Kind().String()
		case skip == "":
			for j := range src.Policy.Statements {
				r.Statements = append(r.Statements, src.Policy.Statements[j].report(e))
			}
		}
		x.Policies = append(x.Policies, r)
	}
}

var principalWords = [...]string{pmNone: "", pmAccount: "account", pmRole: "role",
	pmDirect: "caller"}

// report checks every element of the statement against the request.
func (st *Statement) report(e *env) StatementReport {
	r := StatementReport{Sid: st.Sid, Index: st.Index, Effect: st.Effect}
	pm := pmDirect
	if st.principals != nil {
		if st.notPrincipal {
			if st.principals.excludes(e) {
				r.Misses = append(r.Misses, Miss{Element: "NotPrincipal"})
			}
		} else if pm = st.principals.match(e); pm == pmNone {
			r.Misses = append(r.Misses, Miss{Element: "Principal"})
		}
		r.Principal = principalWords[pm]
		if st.principals.all && !st.notPrincipal {
			r.Principal = "everyone"
		}
	}
	if !st.matchAction(e) {
		r.Misses = append(r.Misses, Miss{Element: pick(st.notAction, "NotAction", "Action")})
		return r
	}
	if !st.matchResource(e) {
		r.Misses = append(r.Misses, Miss{Element: pick(st.notResource, "NotResource", "Resource")})
	}
	for i := range st.conditions {
		c := &st.conditions[i]
		if _, present := e.lookup(c.key); !present && !DerivedKey(c.key) {
			r.Absent = append(r.Absent, c.rawKey)
		}
		if !c.eval(e) {
			vals, present := e.lookup(c.key)
			r.Misses = append(r.Misses, Miss{Element: "Condition", Operator: c.name,
				Key: c.rawKey, Values: quoteValues(vals), Present: present})
		}
	}
	r.Applied = len(r.Misses) == 0
	r.Near = !r.Applied
	return r
}

func pick(cond bool, a, b string) string {
	if cond {
		return a
	}
	return b
}

// String renders the explanation for people: the decision and reason, then
// each policy with the statements that applied and the near misses.
func (x Explanation) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", x.Decision.Effect, x.Reason)
	for _, p := range x.Policies {
		fmt.Fprintf(&b, "  %s %q", p.Layer, p.Name)
		if p.Level != "" {
			fmt.Fprintf(&b, " attached to %s", p.Level)
		}
		if p.Skipped != "" {
			fmt.Fprintf(&b, ": skipped, %s\n", p.Skipped)
			continue
		}
		b.WriteString("\n")
		for _, s := range p.Statements {
			s.write(&b)
		}
	}
	return b.String()
}

func (s StatementReport) write(b *strings.Builder) {
	name := stmtName(s.Sid, s.Index)
	switch {
	case s.Applied:
		fmt.Fprintf(b, "    %s (%s): applies", name, s.Effect)
		switch s.Principal {
		case "":
		case "everyone":
			b.WriteString(", naming everyone")
		default:
			fmt.Fprintf(b, ", naming the %s", s.Principal)
		}
		b.WriteString("\n")
	case s.Near:
		fmt.Fprintf(b, "    %s (%s): does not apply:", name, s.Effect)
		for i, m := range s.Misses {
			if i > 0 {
				b.WriteString(";")
			}
			b.WriteString(" " + m.String())
		}
		b.WriteString("\n")
	default:
		fmt.Fprintf(b, "    %s (%s): not for this action\n", name, s.Effect)
	}
}

// Match names one statement that applied to the request.
type Match struct {
	Layer  Layer
	Source string // Source.Name
	Level  string // the organization level, for SCPs and RCPs
	Sid    string
	Index  int    // position in the document's Statement list, from 0
	Effect string // "Allow" or "Deny"
}

// Applied lists every statement that applied, in evaluation order.
func (x Explanation) Applied() []Match {
	var out []Match
	for _, p := range x.Policies {
		for _, s := range p.Statements {
			if s.Applied {
				out = append(out, Match{Layer: p.Layer, Source: p.Name, Level: p.Level,
					Sid: s.Sid, Index: s.Index, Effect: s.Effect})
			}
		}
	}
	return out
}

// Bounds on the request values a Miss quotes, so that a request with huge
// values cannot make an explanation huge: each statement's near miss would
// otherwise hold its own copy.
const (
	maxMissValues   = 16
	maxMissValueLen = 256
)

// quoteValues copies at most maxMissValues values, each cut to
// maxMissValueLen bytes with a note of the length it had.
func quoteValues(vals []string) []string {
	n := min(len(vals), maxMissValues)
	out := make([]string, 0, n+1)
	for _, v := range vals[:n] {
		if len(v) > maxMissValueLen {
			v = strings.ToValidUTF8(v[:maxMissValueLen], "") +
				"... (" + strconv.Itoa(len(v)) + " bytes)"
		}
		out = append(out, v)
	}
	if len(vals) > n {
		out = append(out, "... ("+strconv.Itoa(len(vals)-n)+" more values)")
	}
	return out
}
