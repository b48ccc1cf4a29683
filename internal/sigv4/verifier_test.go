package sigv4

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
)

type headerCase struct {
	name    string
	method  string
	host    string // default "s3.trove.test"
	target  string // path and query as sent
	header  map[string]string
	body    string
	payload string // x-amz-content-sha256; default the body's hash
	// signing parameters; zero values mean the test defaults
	ak, secret, region, service string
	at                          time.Time
	tamper                      func(r *http.Request)
	// objectSum makes the verifier take x-amz-checksum-* headers for an
	// object's (Verifier.ObjectChecksum).
	objectSum bool
	want      s3err.Code
}

func (c headerCase) run(t *testing.T) {
	v := newTestVerifier()
	v.ObjectChecksum = func(*http.Request) bool { return c.objectSum }
	body := []byte(c.body)
	host := or(c.host, "s3.trove.test")
	req, err := http.NewRequest(or(c.method, "GET"), "http://"+host+c.target,
		bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range c.header {
		req.Header.Set(k, val)
	}
	payload := or(c.payload, hexSHA256(body))
	req.Header.Set("X-Amz-Content-Sha256", payload)
	at := c.at
	if at.IsZero() {
		at = testNow.Add(-time.Minute)
	}
	err = newSDKSigner().SignHTTP(t.Context(), creds(or(c.ak, testAK), or(c.secret, testSecret)),
		req, payload, or(c.service, "s3"), or(c.region, testRegion), at)
	if err != nil {
		t.Fatal(err)
	}
	r := serverRequest(req, body)
	if c.tamper != nil {
		c.tamper(r)
	}
	auth, got, err := verifyAndRead(v, r)
	wantCode(t, err, c.want)
	if c.want != "" {
		return
	}
	if auth.Method != Header || auth.AccessKeyID != testAK || auth.Region != testRegion ||
		!auth.SignedAt.Equal(at.Truncate(time.Second)) {
		t.Fatalf("auth = %+v", auth)
	}
	if auth.Body != nil && !bytes.Equal(got, body) {
		t.Fatalf("body = %q, want %q", got, body)
	}
	if len(body) > 0 {
		sum := md5.Sum(body)
		if !bytes.Equal(auth.Body.MD5(), sum[:]) {
			t.Fatalf("MD5 = %x, want %x", auth.Body.MD5(), sum)
		}
	}
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func md5B64(s string) string {
	sum := md5.Sum([]byte(s))
	return base64.StdEncoding.EncodeToString(sum[:])
}

func crc32B64(s string) string {
	h := checksum.CRC32.New()
	h.Write([]byte(s))
	return checksum.Encode(h.Sum(nil))
}

func TestVerifyHeader(t *testing.T) {
	const obj = "/bucket/photos/cat.jpg"
	tests := []headerCase{
		{name: "get", target: obj},
		{name: "object checksum header left to the caller", method: "POST",
			target: obj + "?uploadId=1", body: "<CompleteMultipartUpload/>", objectSum: true,
			header: map[string]string{"X-Amz-Checksum-Crc32": crc32B64("the object")}},
		{name: "body checksum header verified", method: "POST", target: obj + "?uploadId=1",
			body:   "<CompleteMultipartUpload/>",
			header: map[string]string{"X-Amz-Checksum-Crc32": crc32B64("the object")},
			want:   s3err.BadDigest},
		{name: "object checksum still checks Content-MD5", method: "POST",
			target: obj + "?uploadId=1", body: "<CompleteMultipartUpload/>", objectSum: true,
			header: map[string]string{"Content-MD5": md5B64("other")}, want: s3err.BadDigest},
		{name: "put signed payload", method: "PUT", target: obj, body: "hello, trove"},
		{name: "put unsigned payload", method: "PUT", target: obj, body: "hello",
			payload: "UNSIGNED-PAYLOAD"},
		{name: "virtual host", host: "bucket.s3.trove.test:9000", target: "/photos/cat.jpg"},
		{name: "key with space plus unicode", method: "PUT",
			target: "/bucket/a%20b%2Bc/%E2%9C%93%20d%C3%A9j%C3%A0%20vu.txt", body: "x"},
		{name: "key with reserved characters",
			target: "/bucket/k%21%27%28%29%2A%3D%40%24%26%3B%2C%3A"},
		{name: "query with special characters",
			target: "/bucket?list-type=2&prefix=a%20b%2Bc%2F%E2%9C%93&delimiter=%2F"},
		{name: "query value-less parameter", target: "/bucket?acl"},
		{name: "signed metadata", method: "PUT", target: obj, body: "m",
			header: map[string]string{"X-Amz-Meta-Color": "  deep   blue ",
				"Content-Type": "text/plain"}},
		{name: "content-md5 ok", method: "PUT", target: obj, body: "md5 body",
			header: map[string]string{"Content-MD5": md5B64("md5 body")}},
		{name: "content-md5 wrong", method: "PUT", target: obj, body: "md5 body",
			header: map[string]string{"Content-MD5": md5B64("other")}, want: s3err.BadDigest},
		{name: "content-md5 malformed", method: "PUT", target: obj, body: "md5 body",
			header: map[string]string{"Content-MD5": "not-md5"}, want: s3err.InvalidDigest},
		{name: "checksum header ok", method: "PUT", target: obj, body: "crc body",
			header: map[string]string{"X-Amz-Checksum-Crc32": crc32B64("crc body")}},
		{name: "checksum header wrong", method: "PUT", target: obj, body: "crc body",
			header: map[string]string{"X-Amz-Checksum-Crc32": crc32B64("other")},
			want:   s3err.BadDigest},
		{name: "two checksum headers", method: "PUT", target: obj, body: "crc body",
			header: map[string]string{"X-Amz-Checksum-Crc32": crc32B64("crc body"),
				"X-Amz-Checksum-Crc32c": crc32B64("crc body")},
			want: s3err.InvalidRequest},
		{name: "tampered method", target: obj,
			tamper: func(r *http.Request) { r.Method = "DELETE" },
			want:   s3err.SignatureDoesNotMatch},
		{name: "tampered path", target: obj, tamper: func(r *http.Request) {
			r.RequestURI = "/bucket/photos/dog.jpg"
		}, want: s3err.SignatureDoesNotMatch},
		{name: "tampered query", target: "/bucket?prefix=a", tamper: func(r *http.Request) {
			r.URL.RawQuery = "prefix=b"
		}, want: s3err.SignatureDoesNotMatch},
		{name: "added query", target: "/bucket?prefix=a", tamper: func(r *http.Request) {
			r.URL.RawQuery += "&max-keys=1"
		}, want: s3err.SignatureDoesNotMatch},
		{name: "tampered host", target: obj, tamper: func(r *http.Request) {
			r.Host = "other.s3.trove.test"
		}, want: s3err.SignatureDoesNotMatch},
		{name: "tampered signed header", method: "PUT", target: obj, body: "m",
			header: map[string]string{"X-Amz-Meta-Color": "blue"},
			tamper: func(r *http.Request) { r.Header.Set("X-Amz-Meta-Color", "red") },
			want:   s3err.SignatureDoesNotMatch},
		{name: "unsigned amz header", target: obj, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Acl", "public-read")
		}, want: s3err.AccessDenied},
		{name: "tampered body", method: "PUT", target: obj, body: "original",
			tamper: func(r *http.Request) {
				r.Body = nopCloser{bytes.NewReader([]byte("tampered"))}
			}, want: s3err.XAmzContentSHA256Mismatch},
		{name: "tampered date", target: obj, tamper: func(r *http.Request) {
			r.Header.Set("X-Amz-Date", testNow.Format(iso8601Basic))
		}, want: s3err.SignatureDoesNotMatch},
		{name: "skewed", target: obj, at: testNow.Add(-20 * time.Minute),
			want: s3err.RequestTimeTooSkewed},
		{name: "future skewed", target: obj, at: testNow.Add(16 * time.Minute),
			want: s3err.RequestTimeTooSkewed},
		{name: "wrong region", target: obj, region: "eu-west-1",
			want: s3err.AuthorizationHeaderMalformed},
		{name: "wrong service", target: obj, service: "iam",
			want: s3err.AuthorizationHeaderMalformed},
		{name: "unknown key", target: obj, ak: "AKIDNOBODY", want: s3err.InvalidAccessKeyID},
		{name: "wrong secret", target: obj, secret: "not-the-secret",
			want: s3err.SignatureDoesNotMatch},
		{name: "missing content sha256", target: obj, tamper: func(r *http.Request) {
			r.Header.Del("X-Amz-Content-Sha256")
		}, want: s3err.InvalidRequest},
		{name: "bad content sha256", target: obj, payload: "NOT-A-HASH",
			want: s3err.InvalidArgument},
		{name: "empty body hash mismatch", target: obj, payload: hexSHA256([]byte("x")),
			want: s3err.XAmzContentSHA256Mismatch},
		{name: "missing date", target: obj, tamper: func(r *http.Request) {
			r.Header.Del("X-Amz-Date")
		}, want: s3err.AccessDenied},
		{name: "sigv2 header", target: obj, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "AWS "+testAK+":c2lnbmF0dXJl")
		}, want: s3err.InvalidRequest},
		{name: "bearer header", target: obj, tamper: func(r *http.Request) {
			r.Header.Set("Authorization", "Bearer abc")
		}, want: s3err.InvalidArgument},
		{name: "header and query auth", target: obj, tamper: func(r *http.Request) {
			r.URL.RawQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256"
		}, want: s3err.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

type presignCase struct {
	name    string
	method  string
	target  string
	header  map[string]string // signed headers sent with the request
	body    string
	expires string // X-Amz-Expires; default 900
	region  string
	at      time.Time
	tamper  func(r *http.Request)
	want    s3err.Code
}

func (c presignCase) run(t *testing.T) {
	v := newTestVerifier()
	body := []byte(c.body)
	u, err := url.Parse("http://s3.trove.test" + c.target)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("X-Amz-Expires", or(c.expires, "900"))
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(or(c.method, "GET"), u.String(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range c.header {
		req.Header.Set(k, val)
	}
	at := c.at
	if at.IsZero() {
		at = testNow.Add(-time.Minute)
	}
	signedURL, hdr, err := newSDKSigner().PresignHTTP(t.Context(), creds(testAK, testSecret), req,
		"UNSIGNED-PAYLOAD", "s3", or(c.region, testRegion), at)
	if err != nil {
		t.Fatal(err)
	}
	send, err := http.NewRequest(req.Method, signedURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, val := range hdr {
		if k != "Host" {
			send.Header[k] = val
		}
	}
	r := serverRequest(send, body)
	if c.tamper != nil {
		c.tamper(r)
	}
	auth, got, err := verifyAndRead(v, r)
	wantCode(t, err, c.want)
	if c.want != "" {
		return
	}
	if auth.Method != Presigned || auth.AccessKeyID != testAK {
		t.Fatalf("auth = %+v", auth)
	}
	if len(body) > 0 && !bytes.Equal(got, body) {
		t.Fatalf("body = %q, want %q", got, body)
	}
}

func TestVerifyPresigned(t *testing.T) {
	const obj = "/bucket/photos/cat.jpg"
	replaceQuery := func(key, value string) func(r *http.Request) {
		return func(r *http.Request) {
			q := r.URL.Query()
			q.Set(key, value)
			r.URL.RawQuery = q.Encode()
		}
	}
	tests := []presignCase{
		{name: "get", target: obj},
		{name: "put", method: "PUT", target: obj, body: "presigned upload",
			header: map[string]string{"Content-Type": "text/plain"}},
		{name: "put with content-md5", method: "PUT", target: obj, body: "abc",
			header: map[string]string{"Content-MD5": md5B64("abc")}},
		{name: "put with wrong content-md5", method: "PUT", target: obj, body: "abc",
			header: map[string]string{"Content-MD5": md5B64("abd")}, want: s3err.BadDigest},
		{name: "key with space plus unicode",
			target: "/bucket/a%20b%2Bc/%E2%9C%93%20%F0%9F%98%80.txt"},
		{name: "query with special characters",
			target: "/bucket/k?response-content-disposition=" +
				"attachment%3B%20filename%3D%22a%20b.txt%22&versionId=a%2Bb"},
		{name: "week is allowed", target: obj, expires: "604800"},
		{name: "expired", target: obj, expires: "60", at: testNow.Add(-2 * time.Minute),
			want: s3err.AccessDenied},
		{name: "not valid yet", target: obj, at: testNow.Add(time.Hour), want: s3err.AccessDenied},
		{name: "longer than a week", target: obj, expires: "604801",
			want: s3err.AuthorizationQueryParametersError},
		{name: "expires not a number", target: obj, expires: "soon",
			want: s3err.AuthorizationQueryParametersError},
		{name: "expires negative", target: obj, expires: "-1",
			want: s3err.AuthorizationQueryParametersError},
		{name: "wrong region", target: obj, region: "eu-west-1",
			want: s3err.AuthorizationQueryParametersError},
		{name: "tampered method", target: obj,
			tamper: func(r *http.Request) { r.Method = "PUT" }, want: s3err.SignatureDoesNotMatch},
		{name: "tampered path", target: obj, tamper: func(r *http.Request) {
			r.RequestURI = "/bucket/photos/dog.jpg?" + r.URL.RawQuery
		}, want: s3err.SignatureDoesNotMatch},
		{name: "tampered expires", target: obj, tamper: replaceQuery("X-Amz-Expires", "3600"),
			want: s3err.SignatureDoesNotMatch},
		{name: "added query", target: obj, tamper: replaceQuery("versionId", "1"),
			want: s3err.SignatureDoesNotMatch},
		{name: "tampered signature", target: obj,
			tamper: replaceQuery("X-Amz-Signature", string(bytes.Repeat([]byte("0"), 64))),
			want:   s3err.SignatureDoesNotMatch},
		{name: "malformed signature", target: obj, tamper: replaceQuery("X-Amz-Signature", "zz"),
			want: s3err.AuthorizationQueryParametersError},
		{name: "tampered signed header", method: "PUT", target: obj, body: "x",
			header: map[string]string{"Content-Type": "text/plain"},
			tamper: func(r *http.Request) { r.Header.Set("Content-Type", "text/html") },
			want:   s3err.SignatureDoesNotMatch},
		{name: "missing credential", target: obj, tamper: func(r *http.Request) {
			q := r.URL.Query()
			q.Del("X-Amz-Credential")
			r.URL.RawQuery = q.Encode()
		}, want: s3err.AuthorizationQueryParametersError},
		{name: "unsupported algorithm", target: obj,
			tamper: replaceQuery("X-Amz-Algorithm", "AWS4-ECDSA-P256-SHA256"),
			want:   s3err.AuthorizationQueryParametersError},
		{name: "bad date", target: obj, tamper: replaceQuery("X-Amz-Date", "yesterday"),
			want: s3err.AuthorizationQueryParametersError},
	}
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}

func TestVerifyQueryOther(t *testing.T) {
	tests := []struct {
		name  string
		query string
		want  s3err.Code
	}{
		{"anonymous", "prefix=a", ""},
		{"sigv2 presigned", "AWSAccessKeyId=AK&Expires=1&Signature=abc", s3err.InvalidRequest},
		{"sigv2 partial", "Signature=abc", s3err.AccessDenied},
		{"bad escape", "prefix=%zz", s3err.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "http://s3.trove.test/bucket?"+tt.query, nil)
			auth, err := newTestVerifier().Verify(r)
			wantCode(t, err, tt.want)
			if tt.want == "" && (auth.Method != None || auth.Body != nil) {
				t.Fatalf("auth = %+v", auth)
			}
		})
	}
}

func TestAnonymousBodyVerified(t *testing.T) {
	body := "anonymous upload"
	r, _ := http.NewRequest("PUT", "http://s3.trove.test/bucket/k", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-MD5", md5B64(body))
	auth, got, err := verifyAndRead(newTestVerifier(), r)
	if err != nil || auth.Method != None || string(got) != body {
		t.Fatalf("Verify = %+v, %q, %v", auth, got, err)
	}
	if _, ok := auth.Body.Checksums()[checksum.CRC64NVME]; !ok {
		t.Fatalf("Checksums() = %v, want a default CRC64NVME", auth.Body.Checksums())
	}
}

// TestAWSExamples checks AWS's published single-chunk and presigned examples.
func TestAWSExamples(t *testing.T) {
	const (
		host = "examplebucket.s3.amazonaws.com"
		cred = "AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request"
	)
	at := time.Date(2013, 5, 24, 0, 0, 0, 0, time.UTC)
	authz := func(signed, sig string) string {
		return "AWS4-HMAC-SHA256 Credential=" + cred + ",SignedHeaders=" + signed +
			",Signature=" + sig
	}
	tests := []struct {
		name   string
		target string
		header map[string]string
	}{
		{"get object", "/test.txt", map[string]string{"Range": "bytes=0-9",
			"Authorization": authz("host;range;x-amz-content-sha256;x-amz-date",
				"f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")}},
		{"get lifecycle", "/?lifecycle", map[string]string{
			"Authorization": authz("host;x-amz-content-sha256;x-amz-date",
				"fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543")}},
		{"list objects", "/?max-keys=2&prefix=J", map[string]string{
			"Authorization": authz("host;x-amz-content-sha256;x-amz-date",
				"34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7")}},
		{"presigned get", "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=" +
			url.QueryEscape(cred) + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400" +
			"&X-Amz-SignedHeaders=host&X-Amz-Signature=" +
			"aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404", nil},
	}
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	v := &Verifier{Keys: mapKeys{"AKIAIOSFODNN7EXAMPLE": secret},
		Region: "us-east-1", Now: func() time.Time { return at }}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := http.NewRequest("GET", "http://"+host+tt.target, nil)
			r.RequestURI = tt.target
			for k, val := range tt.header {
				r.Header.Set(k, val)
			}
			if tt.header != nil {
				r.Header.Set("X-Amz-Date", "20130524T000000Z")
				r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
			}
			auth, err := v.Verify(r)
			if err != nil {
				t.Fatal(err)
			}
			if auth.AccessKeyID != "AKIAIOSFODNN7EXAMPLE" {
				t.Fatalf("auth = %+v", auth)
			}
		})
	}
}

func TestSkewErrorExtras(t *testing.T) {
	r, _ := http.NewRequest("GET", "http://s3.trove.test/b", nil)
	r.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	old := testNow.Add(-time.Hour)
	if err := newSDKSigner().SignHTTP(t.Context(), creds(testAK, testSecret), r, emptySHA256, "s3",
		testRegion, old); err != nil {
		t.Fatal(err)
	}
	_, err := newTestVerifier().Verify(r)
	e := s3err.From(err)
	extras := map[string]string{}
	for _, x := range e.Extra {
		extras[x[0]] = x[1]
	}
	if e.Code != s3err.RequestTimeTooSkewed || extras["RequestTime"] != old.Format(iso8601Basic) ||
		extras["ServerTime"] != testNow.Format(time.RFC3339) {
		t.Fatalf("error = %v, extras %v", e, extras)
	}
}

func TestExpiredErrorExtras(t *testing.T) {
	err := (&Verifier{Now: func() time.Time { return testNow }}).
		checkExpiry(testNow.Add(-time.Hour), strconv.Itoa(60))
	if err == nil || err.Code != s3err.AccessDenied || err.Message != "Request has expired" ||
		len(err.Extra) != 3 {
		t.Fatalf("checkExpiry = %#v", err)
	}
}
