package identity

import (
	"context"
	"fmt"
	"strings"
)

// CallerByARN returns the caller that principal names, for simulating its
// requests without its credentials: a user's ARN
// (arn:aws:iam::111111111111:user/path/name, the path as the user has it),
// an account's root ARN (arn:aws:iam::111111111111:root) or an account id,
// which names the root user. A principal the store does not hold is an error
// wrapping ErrUnknownPrincipal; anything else, roles included, is an error
// saying what is accepted.
func (d *Directory) CallerByARN(ctx context.Context, principal string) (*Caller, error) {
	account, path, user, err := parsePrincipal(principal)
	if err != nil {
		return nil, err
	}
	c, err := d.caller(ctx, account, user)
	if err != nil {
		return nil, err
	}
	if user != "" && c.Principal.ARN != principal {
		return nil, fmt.Errorf("%w: %s (user %s of account %s has path %s, not %s)",
			ErrUnknownPrincipal, principal, user, account, userPath(c.Principal.ARN), path)
	}
	return c, nil
}

// parsePrincipal splits a user ARN, root ARN or account id into the account
// and, for a user, its path and name.
func parsePrincipal(s string) (account, path, user string, err error) {
	if isAccountID(s) {
		return s, "", "", nil
	}
	rest, ok := strings.CutPrefix(s, "arn:aws:iam::")
	if ok && len(rest) > 13 && isAccountID(rest[:12]) && rest[12] == ':' {
		account, res := rest[:12], rest[13:]
		if res == "root" {
			return account, "", "", nil
		}
		if full, ok := strings.CutPrefix(res, "user/"); ok && full != "" {
			i := strings.LastIndexByte(full, '/')
			if name := full[i+1:]; name != "" {
				return account, "/" + full[:i+1], name, nil
			}
		}
	}
	return "", "", "", fmt.Errorf("identity: %q is not a user ARN "+
		"(arn:aws:iam::ACCOUNT:user/NAME), a root ARN (arn:aws:iam::ACCOUNT:root) "+
		"or a 12-digit account id", s)
}

// userPath returns the path part of a user ARN.
func userPath(arn string) string {
	_, res, _ := strings.Cut(arn, ":user")
	return res[:strings.LastIndexByte(res, '/')+1]
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
