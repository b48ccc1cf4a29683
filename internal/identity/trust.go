package identity

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/troveproject/trove/internal/policy"
)

// ErrTrustResource reports a trust policy statement with a Resource or
// NotResource element, which AWS prohibits: the resource is the role.
var ErrTrustResource = errors.New("identity: a trust policy statement may not have " +
	"Resource or NotResource")

// TrustDocument returns the text the policy engine parses for a role's
// trust policy: doc with "Resource": "*" added to every statement, so that
// it parses as a resource-based policy whose resource is the role. A
// statement that names a resource is ErrTrustResource.
//
// TODO(sts): a trust grammar in package policy would make this rewrite
// unnecessary and report errors at the user's own text.
func TrustDocument(doc []byte) ([]byte, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(doc, &top); err != nil {
		return nil, fmt.Errorf("identity: trust policy: %w", err)
	}
	raw, ok := top["Statement"]
	if !ok {
		return doc, nil // the parser reports the missing Statement
	}
	var stmts []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &stmts); err != nil {
		var one map[string]json.RawMessage
		if json.Unmarshal(raw, &one) != nil {
			return doc, nil // the parser reports the malformed Statement
		}
		stmts = []map[string]json.RawMessage{one}
	}
	for _, st := range stmts {
		if _, has := st["Resource"]; has {
			return nil, ErrTrustResource
		}
		if _, has := st["NotResource"]; has {
			return nil, ErrTrustResource
		}
		st["Resource"] = json.RawMessage(`"*"`)
	}
	out, err := json.Marshal(stmts)
	if err != nil {
		return nil, fmt.Errorf("identity: trust policy: %w", err)
	}
	top["Statement"] = out
	return json.Marshal(top)
}

// ParseTrust parses a role's trust policy (see TrustDocument), reusing an
// earlier parse of the same text.
func (d *Directory) ParseTrust(doc []byte) (*policy.Policy, error) {
	text, err := TrustDocument(doc)
	if err != nil {
		return nil, err
	}
	return d.Parse(text, policy.Resource)
}

// ParseTrust checks a trust policy without a Directory.
func ParseTrust(doc []byte) (*policy.Policy, error) {
	text, err := TrustDocument(doc)
	if err != nil {
		return nil, err
	}
	return policy.Parse(text, policy.Resource)
}
