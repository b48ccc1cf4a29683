package simulate

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/troveproject/trove/internal/identity"
)

// ErrNoSuchPrincipal reports a well-formed principal that the store does not
// hold: an unknown account or user.
var ErrNoSuchPrincipal = errors.New("simulate: no such principal")

var (
	accountRE = regexp.MustCompile(`^[0-9]{12}$`)
	// userARNRE is arn:aws:iam::ACCOUNT:user/PATH/NAME, PATH optional.
	userARNRE = regexp.MustCompile(`^arn:aws:iam::([0-9]{12}):user(/(?:[\x21-\x7e]*/)?)` +
		`([\w+=,.@-]{1,64})$`)
)

// PrincipalARN turns what `trove policy simulate --principal` accepts (a
// user ARN, a root ARN or a bare account id) into an ARN: an account id
// becomes its root user's ARN. It checks the form only.
func PrincipalARN(who string) (string, error) {
	switch {
	case accountRE.MatchString(who):
		return identity.RootARN(who), nil
	case rootAccount(who) != "", userARNRE.MatchString(who):
		return who, nil
	}
	return "", fmt.Errorf("%w: %q is not an IAM user ARN, an account root ARN "+
		"(arn:aws:iam::ACCOUNT:root) or a 12-digit account id", ErrInvalidRequest, who)
}

// rootAccount returns the account of arn:aws:iam::ACCOUNT:root, or "".
func rootAccount(arn string) string {
	rest, ok := strings.CutPrefix(arn, "arn:aws:iam::")
	account, ok2 := strings.CutSuffix(rest, ":root")
	if !ok || !ok2 || !accountRE.MatchString(account) {
		return ""
	}
	return account
}

// Principal resolves a user ARN, root ARN or account id to the caller it
// names, with every policy that applies to it, through
// identity.Directory.CallerByARN. It returns an error wrapping
// ErrInvalidRequest for anything else, and ErrNoSuchPrincipal when the store
// lacks the account or the user (or the user has another path).
func (s *Simulator) Principal(ctx context.Context, who string) (*identity.Caller, error) {
	arn, err := PrincipalARN(who)
	if err != nil {
		return nil, err
	}
	c, err := s.Directory.CallerByARN(ctx, arn)
	if errors.Is(err, identity.ErrUnknownPrincipal) {
		return nil, fmt.Errorf("%w (%w)", ErrNoSuchPrincipal, err)
	}
	if err != nil {
		return nil, fmt.Errorf("simulate: principal %s: %w", arn, err)
	}
	return c, nil
}
