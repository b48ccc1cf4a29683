package sigv4

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/troveproject/trove/internal/s3err"
)

const (
	testAK     = "AKIDTROVETEST"
	testSecret = "tr0ve/Secret+Key/EXAMPLE"
	testRegion = "us-east-1"
)

var testNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// mapKeys is a Keys backed by a map.
type mapKeys map[string]string

func (m mapKeys) Secret(_ context.Context, id string) (string, error) {
	s, ok := m[id]
	if !ok {
		return "", fmt.Errorf("test keys: %q: %w", id, ErrUnknownKey)
	}
	return s, nil
}

func newTestVerifier() *Verifier {
	return &Verifier{Keys: mapKeys{testAK: testSecret}, Region: testRegion,
		Now: func() time.Time { return testNow }}
}

// newSDKSigner signs like the S3 client does: no double escaping of the
// path. Each test needs its own: the SDK signer caches derived keys by access
// key alone, so a case signing with a wrong secret would poison later cases.
func newSDKSigner() *v4.Signer {
	return v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
}

func creds(ak, secret string) aws.Credentials {
	return aws.Credentials{AccessKeyID: ak, SecretAccessKey: secret}
}

// serverRequest turns a signed client request into the request a server
// would see for it.
func serverRequest(c *http.Request, body []byte) *http.Request {
	r := httptest.NewRequest(c.Method, c.URL.RequestURI(), bytes.NewReader(body))
	for k, v := range c.Header {
		r.Header[k] = append([]string(nil), v...)
	}
	r.Host = c.Host
	if r.Host == "" {
		r.Host = c.URL.Host
	}
	if len(body) == 0 {
		r.Body = http.NoBody
	}
	return r
}

// verifyAndRead runs Verify and reads the body, returning the first error.
func verifyAndRead(v *Verifier, r *http.Request) (*Auth, []byte, error) {
	auth, err := v.Verify(r)
	if err != nil {
		return nil, nil, err
	}
	if auth.Body == nil {
		return auth, nil, nil
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		// A failed body keeps failing.
		if _, again := r.Body.Read(make([]byte, 1)); !errors.Is(again, err) {
			return nil, nil, fmt.Errorf("second read gave %v after %v", again, err)
		}
	}
	return auth, data, err
}

// wantCode checks err is an *s3err.Error with code, or nil when code is "".
func wantCode(t *testing.T, err error, code s3err.Code) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return
	}
	var e *s3err.Error
	if !errors.As(err, &e) {
		t.Fatalf("error = %v (%T), want *s3err.Error %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%v), want %s", e.Code, err, code)
	}
	if strings.Contains(e.Error(), testSecret) {
		t.Fatalf("error leaks the secret: %v", e)
	}
	for _, x := range e.Extra {
		if strings.Contains(x[1], testSecret) {
			t.Fatalf("error extra %s leaks the secret", x[0])
		}
	}
}

func hexSHA256(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// The functions below are an independent test-side implementation of the
// AWS chunk-signing algorithm, used to build bodies.

func testHMAC(key []byte, s string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

func testSigningKey(secret, date, region string) []byte {
	k := testHMAC([]byte("AWS4"+secret), date)
	k = testHMAC(k, region)
	k = testHMAC(k, "s3")
	return testHMAC(k, "aws4_request")
}

// chunkSigner produces aws-chunked bodies.
type chunkSigner struct {
	key     []byte // nil for unsigned chunks
	amzDate string
	scope   string
	prev    string
}

func newChunkSigner(secret, amzDate, seed string) *chunkSigner {
	date := amzDate[:8]
	return &chunkSigner{key: testSigningKey(secret, date, testRegion), amzDate: amzDate,
		scope: date + "/" + testRegion + "/s3/aws4_request", prev: seed}
}

func (s *chunkSigner) sign(data []byte) string {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev + "\n" +
		hexSHA256(nil) + "\n" + hexSHA256(data)
	s.prev = hex.EncodeToString(testHMAC(s.key, sts))
	return s.prev
}

// chunk writes one chunk; signed when s.key is set.
func (s *chunkSigner) chunk(buf *bytes.Buffer, data []byte) {
	if s.key == nil {
		fmt.Fprintf(buf, "%x\r\n", len(data))
	} else {
		fmt.Fprintf(buf, "%x;chunk-signature=%s\r\n", len(data), s.sign(data))
	}
	if len(data) > 0 {
		buf.Write(data)
		buf.WriteString("\r\n")
	}
}

// encode splits data into chunks of size n, then writes the final chunk and
// trailers (signed when s.key is set and signTrailers is true).
func (s *chunkSigner) encode(data []byte, n int, trailers [][2]string, signTrailers bool) []byte {
	var buf bytes.Buffer
	for len(data) > 0 {
		k := min(n, len(data))
		s.chunk(&buf, data[:k])
		data = data[k:]
	}
	s.chunk(&buf, nil)
	var canon strings.Builder
	for _, tr := range trailers {
		fmt.Fprintf(&buf, "%s:%s\r\n", tr[0], tr[1])
		canon.WriteString(tr[0] + ":" + tr[1] + "\n")
	}
	if signTrailers {
		sts := "AWS4-HMAC-SHA256-TRAILER\n" + s.amzDate + "\n" + s.scope + "\n" + s.prev +
			"\n" + hexSHA256([]byte(canon.String()))
		fmt.Fprintf(&buf, "x-amz-trailer-signature:%x\r\n", testHMAC(s.key, sts))
	}
	buf.WriteString("\r\n")
	return buf.Bytes()
}

// seedSignature extracts the Signature from a signed request's
// Authorization header.
func seedSignature(t *testing.T, r *http.Request) string {
	t.Helper()
	_, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature=")
	if !ok {
		t.Fatal("no signature in Authorization")
	}
	return sig
}
