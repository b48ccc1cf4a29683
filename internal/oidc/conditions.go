package oidc

import (
	"github.com/troveproject/trove/internal/policy"
)

// KeyFederatedProvider is the global condition key naming the provider a
// web identity comes from; for an IAM OIDC provider its value is the
// provider's ARN.
const KeyFederatedProvider = "aws:FederatedProvider"

// ConditionKeys returns the condition keys a role's trust policy may test
// for a token of provider p with claims c, under the provider's name
// ("host/path", see Name):
//
//   - NAME:sub, the subject;
//   - NAME:aud, the token's "azp" when it has one (as IAM does for
//     tokens that carry it), else the client id the token was accepted for;
//   - NAME:oaud, with "azp" only: every audience of the token;
//   - NAME:azp, when the token has one;
//   - NAME:amr, every value of "amr", when the token has it (a multivalued
//     key: test it with ForAnyValue);
//   - aws:FederatedProvider, the provider's ARN.
//
// Keys of absent claims are missing, not empty.
func (p *Provider) ConditionKeys(c *Claims) policy.Context {
	name := p.Name() + ":"
	ctx := policy.Context{}
	ctx.Set(KeyFederatedProvider, p.ARN())
	ctx.Set(name+"sub", c.Subject)
	if c.AuthorizedParty != "" {
		ctx.Set(name+"aud", c.AuthorizedParty)
		ctx.Set(name+"azp", c.AuthorizedParty)
		ctx.Set(name+"oaud", c.Audience...)
	} else {
		ctx.Set(name+"aud", c.ClientID)
	}
	if c.AMR != nil {
		ctx.Set(name+"amr", c.AMR...)
	}
	return ctx
}
