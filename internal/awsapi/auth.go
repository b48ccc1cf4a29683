package awsapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/sigv4"
)

// Keys adapts an identity directory to sigv4.Keys.
type Keys struct{ Directory *identity.Directory }

// Secret returns the secret of the access key id, sigv4.ErrUnknownKey for
// a key the directory does not know.
func (k Keys) Secret(ctx context.Context, id string) (string, error) {
	secret, err := k.Directory.Secret(ctx, id)
	if errors.Is(err, identity.ErrUnknownKey) {
		return "", sigv4.ErrUnknownKey
	}
	return secret, err
}

// NewVerifier returns a verifier of requests signed for service with the
// keys of dir, against the clock now.
func NewVerifier(dir *identity.Directory, service string, now func() time.Time) *sigv4.Verifier {
	return &sigv4.Verifier{Keys: Keys{dir}, Service: service, Now: now}
}

// Verify limits r's body to sigv4.MaxQueryBody bytes (one more is read, so
// that a larger body fails with *http.MaxBytesError) and verifies its
// signature.
func Verify(v *sigv4.Verifier, w http.ResponseWriter, r *http.Request) (*sigv4.Auth, error) {
	r.Body = http.MaxBytesReader(w, r.Body, sigv4.MaxQueryBody+1)
	return v.Verify(r)
}

// TransportKeys returns the global condition keys every request has: the
// time (aws:CurrentTime, aws:EpochTime), whether it came over TLS
// (aws:SecureTransport) and where from (aws:SourceIp).
func TransportKeys(r *http.Request, now time.Time) policy.Context {
	c := policy.Context{}
	now = now.UTC()
	c.Set("aws:CurrentTime", now.Format(time.RFC3339))
	c.Set("aws:EpochTime", strconv.FormatInt(now.Unix(), 10))
	c.Set("aws:SecureTransport", strconv.FormatBool(r.TLS != nil))
	if ip, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		c.Set("aws:SourceIp", ip)
	}
	return c
}

// RequestKeys returns TransportKeys and, when r names one, aws:UserAgent.
func RequestKeys(r *http.Request, now time.Time) policy.Context {
	c := TransportKeys(r, now)
	if ua := r.UserAgent(); ua != "" {
		c.Set("aws:UserAgent", ua)
	}
	return c
}

// Authorize decides req for caller on the caller's side alone: its
// identity-based policies, boundary and SCPs, with no resource-based
// policy and no RCPs (an account's root user needs no identity-based
// policy). It returns the verdict for the access log and, for a denial,
// AccessDenied's message as AWS words it.
func Authorize(ctx context.Context, dir *identity.Directory, caller *identity.Caller,
	req policy.Request) (*Verdict, string, error) {
	sc, err := dir.Scope(ctx, caller.Principal.Account)
	if err != nil {
		return nil, "", fmt.Errorf("awsapi: scope of the caller's account: %w", err)
	}
	in := caller.Input(req, nil, sc)
	in.RCPs = nil
	d := policy.Evaluate(in)
	v := &Verdict{Effect: d.Effect}
	if d.Effect == policy.Allow {
		return v, "", nil
	}
	x := policy.Explain(in)
	v.Reason, v.Explain = x.Reason, x.String()
	return v, fmt.Sprintf("User: %s is not authorized to perform: %s on resource: %s %s",
		caller.Principal.ARN, req.Action, req.Resource, denialKind(d, req.Action)), nil
}

// denialKind says which kind of policy refused, as S3's messages and AWS's
// newer IAM messages do, without naming the policy.
func denialKind(d policy.Decision, action string) string {
	if d.Effect == policy.ExplicitDeny {
		return "with an explicit deny in a " + d.Deny.Source.Layer.String()
	}
	return "because no " + d.Missing.String() + " allows the " + action + " action"
}
