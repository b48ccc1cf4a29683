package sts

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/session"
	"github.com/troveproject/trove/internal/store"
)

// assumeRole serves AssumeRole: a user or role session asks for a session
// of a role. What depends only on the request and the caller is checked
// first; then the trust decision, which answers the same AccessDenied for a
// role that does not exist; only an allowed caller learns whether the
// duration fits the role's maximum and whether the managed session
// policies exist, so that nobody learns of another account's roles and
// policies by the error they get.
func (h *Handler) assumeRole(rq *request) error {
	p, err := parseAssumeRole(rq.r.Form)
	if err != nil {
		return err
	}
	if rq.caller.IsRoot() {
		return errorf(AccessDenied, "Roles may not be assumed by root accounts.")
	}
	g := &grant{sessionName: p.sessionName, policy: p.policy, policyARNs: p.policyARNs,
		tags: p.tags, transitive: p.transitiveKeys, sourceIdentity: p.sourceIdentity}
	if err := h.chain(rq, g); err != nil {
		return err
	}
	if err := g.checkPacked(); err != nil {
		return err
	}
	if g.role, err = h.role(rq, p.role, "sts:AssumeRole"); err != nil {
		return err
	}
	keys := h.requestKeys(rq)
	assumeKeys(keys, p, g)
	for _, action := range actions("sts:AssumeRole", p) {
		if err := h.authorize(rq, rq.caller, g.role, action, keys); err != nil {
			return err
		}
	}
	if err := h.complete(rq, g, p.duration); err != nil {
		return err
	}
	return h.answer(rq, g)
}

// actions are what AssumeRole with p must be allowed: sts:AssumeRole, with
// sts:TagSession for session tags and sts:SetSourceIdentity for a source
// identity.
func actions(action string, p *assumeParams) []string {
	out := []string{action}
	if len(p.tags) > 0 {
		out = append(out, "sts:TagSession")
	}
	if p.sourceIdentity != "" {
		out = append(out, "sts:SetSourceIdentity")
	}
	return out
}

// denied is AccessDenied as STS words it.
func denied(caller, action, resource string) *Error {
	return errorf(AccessDenied, "User: %s is not authorized to perform: %s on resource: %s",
		caller, action, resource)
}

// role returns the role ref names. A role that does not exist, or whose
// path differs from the ARN's, is AccessDenied, as AWS answers, so that
// callers learn nothing of another account's roles.
func (h *Handler) role(rq *request, ref roleRef, action string) (store.Role, error) {
	r, err := h.cfg.Directory.Role(rq.ctx, ref.account, ref.name)
	callerARN := ""
	if rq.caller != nil {
		callerARN = rq.caller.Principal.ARN
	}
	if errors.Is(err, identity.ErrUnknownPrincipal) || err == nil && r.ARN() != ref.arn {
		return store.Role{}, denied(callerARN, action, ref.arn)
	}
	return r, err
}

// chain fills in what a session assumed by another role session inherits:
// the chaining mark, which caps the duration, the parent's source identity,
// and the parent's transitive session tags, which the new tags may not
// change. Tag keys are compared case-insensitively: passing "project" when
// the parent passed on "Project" with another value is refused, and with
// the same value the parent's spelling is kept, so that the session never
// holds two keys equal but for case. None of it depends on the role.
func (h *Handler) chain(rq *request, g *grant) error {
	if rq.caller.Principal.Type != policy.TypeAssumedRole || rq.auth.SessionToken == "" {
		return nil
	}
	parent, err := h.cfg.Directory.Keyring().Open(rq.ctx, rq.auth.SessionToken)
	if err != nil {
		return fixed(InvalidClientTokenID)
	}
	g.chained = true
	if g.sourceIdentity == "" {
		g.sourceIdentity = parent.SourceIdentity
	} else if parent.SourceIdentity != "" && parent.SourceIdentity != g.sourceIdentity {
		return errorf(InvalidParameterValue, "The source identity of a chained session "+
			"cannot differ from its parent's.")
	}
	return g.inherit(parent)
}

// inherit adds parent's transitive tags to g's tags and transitive keys.
func (g *grant) inherit(parent *session.Claims) error {
	ptags := parent.UniqueTags()
	// g's tags and keys are the request's, which its condition keys read.
	tags := maps.Clone(g.tags)
	g.transitive = slices.Clone(g.transitive)
	for _, k := range parent.Transitive {
		pk, pv, ok := session.LookupTag(ptags, k)
		if !ok {
			continue
		}
		if ck, v, ok := session.LookupTag(tags, pk); ok {
			if v != pv {
				return errorf(InvalidParameterValue, "The transitive session tag %s cannot "+
					"be changed by role chaining.", truncate(pk))
			}
			delete(tags, ck)
		}
		if tags == nil {
			tags = map[string]string{}
		}
		tags[pk] = pv
		g.transitive = slices.DeleteFunc(g.transitive, func(t string) bool {
			return strings.EqualFold(t, pk)
		})
		g.transitive = append(g.transitive, pk)
	}
	g.tags = tags
	return nil
}

// duration is the session's length: asked, or an hour; at most the role's
// maximum, and an hour for role chaining.
func duration(asked time.Duration, role store.Role, chained bool) (time.Duration, error) {
	switch {
	case chained && asked > chainedDuration:
		return 0, errorf(ValidationError, "The requested DurationSeconds exceeds the 1 hour "+
			"session limit for roles assumed by role chaining.")
	case asked > role.MaxSession():
		return 0, errorf(ValidationError, "The requested DurationSeconds exceeds the "+
			"MaxSessionDuration set for this role.")
	case asked == 0:
		return min(defaultDuration, role.MaxSession()), nil
	}
	return asked, nil
}

// checkPacked checks that the inline session policy and the session tags
// fit, and keeps their PackedPolicySize.
func (g *grant) checkPacked() error {
	pct, tooBig := packedPercent(g.policy, g.tags)
	if tooBig {
		return errorf(PackedPolicyTooLarge, "Packed size of consolidated session policies "+
			"and session tags exceeds the limit (%d%%).", pct)
	}
	g.packed = pct
	return nil
}

// complete finishes a grant the trust policy allowed with what only an
// allowed caller may learn of the role and its account: the duration,
// against the role's maximum, and the managed session policies, which
// must exist in the role's account; their ids are recorded so that a
// policy deleted and created again later is not taken for the one given.
func (h *Handler) complete(rq *request, g *grant, asked time.Duration) error {
	var err error
	if g.duration, err = duration(asked, g.role, g.chained); err != nil {
		return err
	}
	g.policyIDs = make([]string, 0, len(g.policyARNs))
	for _, arn := range g.policyARNs {
		mp, err := h.cfg.Directory.ManagedPolicyByARN(rq.ctx, arn)
		if errors.Is(err, identity.ErrUnknownPrincipal) || err == nil &&
			mp.Account != g.role.Account {
			return errorf(InvalidParameterValue, "The policy %s does not exist or is not "+
				"in the account of the role.", truncate(arn))
		}
		if err != nil {
			return err
		}
		g.policyIDs = append(g.policyIDs, mp.ID)
	}
	return nil
}

// requestKeys are the global condition keys of the request.
func (h *Handler) requestKeys(rq *request) policy.Context {
	c := awsapi.TransportKeys(rq.r, h.cfg.Now())
	if rq.auth != nil && rq.auth.Region != "" {
		c.Set("aws:RequestedRegion", rq.auth.Region)
	}
	return c
}

// assumeKeys adds AssumeRole's own condition keys: sts:RoleSessionName,
// sts:ExternalId, sts:SourceIdentity, and for session tags aws:RequestTag/k,
// aws:TagKeys and sts:TransitiveTagKeys.
func assumeKeys(c policy.Context, p *assumeParams, g *grant) {
	c.Set("sts:RoleSessionName", p.sessionName)
	if p.hasExternalID {
		c.Set("sts:ExternalId", p.externalID)
	}
	if g.sourceIdentity != "" {
		c.Set("sts:SourceIdentity", g.sourceIdentity)
	}
	if len(p.tagKeys) > 0 {
		for _, k := range p.tagKeys {
			c.Set("aws:RequestTag/"+k, p.tags[k])
		}
		c.Set("aws:TagKeys", p.tagKeys...)
	}
	if len(p.transitive) > 0 {
		c.Set("sts:TransitiveTagKeys", p.transitive...)
	}
}

// authorize evaluates action by caller on role: the role's trust policy is
// the resource-based policy, with the caller's identity side and the role
// account's RCPs. Denied is AccessDenied naming the caller and the role.
func (h *Handler) authorize(rq *request, caller *identity.Caller, role store.Role,
	action string, keys policy.Context) error {
	trust, err := h.cfg.Directory.ParseTrust(role.TrustPolicy)
	if err != nil {
		return err
	}
	scope, err := h.cfg.Directory.Scope(rq.ctx, role.Account)
	if err != nil {
		return err
	}
	src := &policy.Source{Layer: policy.LayerResource, Name: "trust policy of role " +
		role.Name, Policy: trust}
	req := policy.Request{Action: action, Resource: role.ARN(), Context: keys}
	in := caller.Input(req, src, scope)
	in.Trust = true // the trust policy itself must allow, in the role's account too
	d := policy.Evaluate(in)
	rq.verdict = &awsapi.Verdict{Effect: d.Effect, Reason: d.Reason()}
	if d.Effect != policy.Allow {
		return denied(caller.Principal.ARN, action, role.ARN())
	}
	return nil
}

// answer issues the session g describes and writes the result.
func (h *Handler) answer(rq *request, g *grant) error {
	creds, err := h.issue(rq, g)
	if err != nil {
		return err
	}
	res := assumeRoleResult{Credentials: creds,
		AssumedRoleUser: assumedRoleUser{
			Arn:           identity.SessionARN(g.role.Account, g.role.Name, g.sessionName),
			AssumedRoleID: g.role.ID + ":" + g.sessionName},
		SourceIdentity: g.sourceIdentity}
	res.XMLName.Local = rq.action + "Result"
	if g.policy != "" || len(g.tags) > 0 {
		res.PackedPolicySize = &g.packed
	}
	writeResult(rq.w, rq.action, rq.id, res)
	return nil
}

// grant is a session a trust decision allowed: what issue seals.
type grant struct {
	role           store.Role
	sessionName    string
	duration       time.Duration
	policy         string   // compacted inline session policy, "" for none
	policyARNs     []string // managed session policies
	policyIDs      []string // their ids, index for index, once complete
	tags           map[string]string
	transitive     []string
	sourceIdentity string
	chained        bool
	federated      string // the identity provider of a web identity session
	packed         int    // PackedPolicySize
}

// issue creates temporary credentials for the session g describes,
// starting now, and seals them into a token with the Directory's keyring.
// Every action that assumes a role ends here once its trust decision
// allowed: AssumeRole, and those that authenticate the caller with
// another credential, which fill in g.federated.
func (h *Handler) issue(rq *request, g *grant) (credentials, error) {
	id, secret := session.NewCredentials()
	now := h.cfg.Now().UTC().Truncate(time.Second)
	c := &session.Claims{AccessKeyID: id, Secret: secret, Account: g.role.Account,
		Role: g.role.Name, RoleID: g.role.ID, RolePath: g.role.Path, Name: g.sessionName,
		Issued: now, Expires: now.Add(g.duration), Policy: g.policy,
		PolicyARNs: g.policyARNs, PolicyIDs: g.policyIDs, Tags: maps.Clone(g.tags),
		Transitive: g.transitive, SourceIdentity: g.sourceIdentity, Chained: g.chained,
		Federated: g.federated}
	token, err := h.cfg.Directory.Keyring().Seal(rq.ctx, c)
	if err != nil {
		return credentials{}, err
	}
	return credentials{AccessKeyID: id, SecretAccessKey: secret, SessionToken: token,
		Expiration: expiration(c.Expires)}, nil
}
