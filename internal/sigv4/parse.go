package sigv4

import (
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/s3err"
)

// authorization is a parsed AWS4-HMAC-SHA256 Authorization header.
type authorization struct {
	cred      credential
	signedRaw string   // the SignedHeaders value as sent
	signed    []string // signedRaw split on ";"
	signature []byte   // decoded Signature
}

// maxSignedHeaders bounds the SignedHeaders list; real clients sign a dozen.
const maxSignedHeaders = 128

// parseAuthorization parses "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
// Signature=...". The caller has checked the algorithm prefix; any problem is
// AuthorizationHeaderMalformed.
func parseAuthorization(h string) (authorization, *s3err.Error) {
	var a authorization
	rest, ok := strings.CutPrefix(h, algorithm+" ")
	if !ok {
		return a, headerScopeError("the authorization type must be AWS4-HMAC-SHA256")
	}
	fields := map[string]string{}
	for part := range strings.SplitSeq(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return a, headerScopeError(fmt.Sprintf("the component %q is not name=value",
				truncate(part)))
		}
		switch k {
		case "Credential", "SignedHeaders", "Signature":
		default:
			return a, headerScopeError(fmt.Sprintf("unknown component %q", truncate(k)))
		}
		if _, dup := fields[k]; dup {
			return a, headerScopeError(fmt.Sprintf("the component %s is repeated", k))
		}
		fields[k] = v
	}
	return buildAuthorization(fields)
}

func buildAuthorization(fields map[string]string) (authorization, *s3err.Error) {
	var a authorization
	for _, k := range []string{"Credential", "SignedHeaders", "Signature"} {
		if _, ok := fields[k]; !ok {
			return a, headerScopeError("missing " + k)
		}
	}
	cred, problem := parseCredential(fields["Credential"])
	if problem != "" {
		return a, headerScopeError(problem)
	}
	signed, problem := parseSignedHeaders(fields["SignedHeaders"])
	if problem != "" {
		return a, headerScopeError(problem)
	}
	sig, ok := decodeSignature(fields["Signature"])
	if !ok {
		return a, headerScopeError("the Signature must be 64 hexadecimal characters")
	}
	return authorization{cred: cred, signedRaw: fields["SignedHeaders"], signed: signed,
		signature: sig}, nil
}

// truncate shortens client text quoted in error messages.
func truncate(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "..."
	}
	return s
}

const credentialForm = `the Credential is mal-formed; expecting ` +
	`"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`

// parseCredential splits access-key/yyyymmdd/region/service/aws4_request. It
// returns a description of the problem, or "" when the form is right; the
// region, service and terminator values are checked by checkScope.
func parseCredential(s string) (credential, string) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[0] == "" || parts[2] == "" {
		return credential{}, credentialForm
	}
	if _, err := time.Parse(scopeDate, parts[1]); err != nil || len(parts[1]) != 8 {
		return credential{}, fmt.Sprintf("incorrect date format %q. "+
			"This date in the credential must be in the format \"yyyyMMdd\".", truncate(parts[1]))
	}
	if parts[4] != terminator {
		return credential{}, fmt.Sprintf("incorrect terminal %q. "+
			"This endpoint uses \"aws4_request\".", truncate(parts[4]))
	}
	return credential{accessKey: parts[0], date: parts[1], region: parts[2],
		service: parts[3]}, ""
}

// checkScope checks the credential's region and service against the server's.
// An empty region accepts any region; the caller then checks it against the
// addressed bucket's region.
func checkScope(c credential, region, service string, fail scopeError) *s3err.Error {
	if region != "" && c.region != region {
		return fail(fmt.Sprintf("the region '%s' is wrong; expecting '%s'",
			truncate(c.region), region)).With("Region", region)
	}
	if c.service != service {
		return fail(fmt.Sprintf("incorrect service %q. This endpoint belongs to %q.",
			truncate(c.service), service))
	}
	return nil
}

// parseSignedHeaders splits a SignedHeaders value; it must name host and only
// lower-case header names.
func parseSignedHeaders(s string) ([]string, string) {
	if s == "" {
		return nil, "the SignedHeaders list is empty"
	}
	names := strings.Split(s, ";")
	if len(names) > maxSignedHeaders {
		return nil, "the SignedHeaders list is too long"
	}
	host := false
	for _, n := range names {
		if !validHeaderName(n) {
			return nil, fmt.Sprintf("the signed header name %q is not a lower-case "+
				"header name", truncate(n))
		}
		host = host || n == "host"
	}
	if !host {
		return nil, "the host header must be signed"
	}
	return names, ""
}

func validHeaderName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		ok := 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
		if !ok {
			return false
		}
	}
	return true
}

// decodeSignature decodes a 64-digit hex signature.
func decodeSignature(s string) ([]byte, bool) {
	if len(s) != 64 {
		return nil, false
	}
	b, err := hex.DecodeString(s)
	return b, err == nil
}

// payloadKind is how the body is protected, from x-amz-content-sha256.
type payloadKind int

const (
	payloadHash             payloadKind = iota // hex SHA-256 of the body
	payloadUnsigned                            // UNSIGNED-PAYLOAD
	payloadStreaming                           // STREAMING-AWS4-HMAC-SHA256-PAYLOAD
	payloadStreamingTrailer                    // ...-PAYLOAD-TRAILER
	payloadUnsignedTrailer                     // STREAMING-UNSIGNED-PAYLOAD-TRAILER
)

// payload is a parsed x-amz-content-sha256 value.
type payload struct {
	value string // as sent; it is the canonical request's last line
	kind  payloadKind
	sum   []byte // the decoded hash for payloadHash
}

func (p payload) chunked() bool { return p.kind >= payloadStreaming }
func (p payload) signedChunks() bool {
	return p.kind == payloadStreaming || p.kind == payloadStreamingTrailer
}
func (p payload) trailers() bool {
	return p.kind == payloadStreamingTrailer || p.kind == payloadUnsignedTrailer
}

var payloadKinds = map[string]payloadKind{
	"UNSIGNED-PAYLOAD":                           payloadUnsigned,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD":         payloadStreaming,
	"STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER": payloadStreamingTrailer,
	"STREAMING-UNSIGNED-PAYLOAD-TRAILER":         payloadUnsignedTrailer,
}

// parsePayload parses an x-amz-content-sha256 value. SigV4a streaming values
// (STREAMING-AWS4-ECDSA-P256-SHA256-*) are not supported and rejected.
func parsePayload(v string) (payload, *s3err.Error) {
	if k, ok := payloadKinds[v]; ok {
		return payload{value: v, kind: k}, nil
	}
	if sum, ok := decodeSignature(v); ok && strings.ToLower(v) == v {
		return payload{value: v, kind: payloadHash, sum: sum}, nil
	}
	return payload{}, s3err.Newf(s3err.InvalidArgument, "x-amz-content-sha256 must be "+
		"UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "+
		"STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER "+
		"or a valid sha256 value.").
		With("ArgumentName", "x-amz-content-sha256").With("ArgumentValue", truncate(v))
}
