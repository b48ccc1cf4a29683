package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
)

// MaxQueryBody is the largest body Verify reads to hash for a service other
// than s3 whose request names no X-Amz-Content-Sha256: AWS's query APIs
// (IAM, STS) sign form-encoded bodies of a few kilobytes.
const MaxQueryBody = 1 << 20

// service is the service credential scopes must name.
func (v *Verifier) service() string {
	if v.Service != "" {
		return v.Service
	}
	return serviceS3
}

// ScopeService returns the service named in the SigV4 credential scope of r,
// from the Authorization header or the X-Amz-Credential query parameter, or
// "" when r carries neither or the credential is not of the form
// key/yyyymmdd/region/service/aws4_request. It verifies nothing: it is for
// routing a request to the API whose Verifier then authenticates it.
func ScopeService(r *http.Request) string {
	raw := ""
	if authz, ok := strings.CutPrefix(r.Header.Get("Authorization"), algorithm+" "); ok {
		for part := range strings.SplitSeq(authz, ",") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(part), "Credential="); ok {
				raw = v
			}
		}
	} else if r.Header.Get("Authorization") == "" {
		raw = r.URL.Query().Get("X-Amz-Credential")
	}
	cred, problem := parseCredential(raw)
	if problem != "" {
		return ""
	}
	return cred.service
}

// bodyPayload reads r's body whole (at most MaxQueryBody bytes), puts the
// bytes back as r.Body, and returns their hash as the payload, as services
// other than s3 sign it when the request has no X-Amz-Content-Sha256.
func bodyPayload(r *http.Request) (payload, *s3err.Error) {
	var data []byte
	if r.Body != nil && r.Body != http.NoBody {
		var err error
		data, err = io.ReadAll(io.LimitReader(r.Body, MaxQueryBody+1))
		if err != nil {
			return payload{}, readError(fmt.Errorf("sigv4: read body to hash: %w", err))
		}
		if len(data) > MaxQueryBody {
			return payload{}, s3err.Newf(s3err.EntityTooLarge,
				"The request body exceeds the maximum of %d bytes.", MaxQueryBody)
		}
		r.Body = io.NopCloser(bytes.NewReader(data))
	}
	sum := sha256.Sum256(data)
	return payload{value: hex.EncodeToString(sum[:]), kind: payloadHash, sum: sum[:]}, nil
}
