package sigv4

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
)

func FuzzParseAuthorization(f *testing.F) {
	f.Add("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/" +
		"aws4_request, SignedHeaders=host;range;x-amz-date, Signature=" +
		"fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024")
	f.Add("AWS4-HMAC-SHA256 Credential=a/b/c/d/e,SignedHeaders=,Signature=")
	f.Add("AWS4-HMAC-SHA256 Credential=,,,=,Signature=x=y")
	f.Add("AWS AKID:sig")
	f.Fuzz(func(t *testing.T, h string) {
		a, err := parseAuthorization(h)
		if err != nil {
			if err.Code != s3err.AuthorizationHeaderMalformed {
				t.Fatalf("code %s", err.Code)
			}
			return
		}
		if len(a.signature) != 32 || len(a.cred.date) != 8 || a.cred.accessKey == "" {
			t.Fatalf("accepted a bad header: %+v", a)
		}
		found := false
		for _, n := range a.signed {
			found = found || n == "host"
		}
		if !found {
			t.Fatal("accepted SignedHeaders without host")
		}
	})
}

func FuzzPresignedQuery(f *testing.F) {
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDTROVETEST%2F20250301%2F" +
		"us-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250301T115900Z&X-Amz-Expires=900&" +
		"X-Amz-SignedHeaders=host&X-Amz-Signature=" +
		"0368269c8955955f3b9e52ea354efc9862774949c5276b873590ee979180762c")
	f.Add("X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Expires=-99999999999999999999")
	f.Add("X-Amz-Algorithm=&&&=%2&X-Amz-Date=20250301T1159")
	f.Add("Signature=a&AWSAccessKeyId=b&Expires=c")
	v := newTestVerifier()
	f.Fuzz(func(t *testing.T, q string) {
		r := httptest.NewRequest("GET", "http://s3.trove.test/b/k", nil)
		r.URL.RawQuery = q
		r.RequestURI = "/b/k?" + q
		auth, err := v.Verify(r)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *s3err.Error", err)
			}
			return
		}
		if auth.Method == Presigned && auth.AccessKeyID != testAK {
			t.Fatalf("authenticated as %q", auth.AccessKeyID)
		}
	})
}

func FuzzChunkedBody(f *testing.F) {
	at := testNow.Add(-time.Minute)
	amzDate := at.Format(iso8601Basic)
	seed := "0368269c8955955f3b9e52ea354efc9862774949c5276b873590ee979180762c"
	data := bytes.Repeat([]byte("fuzz"), 100)
	signed := newChunkSigner(testSecret, amzDate, seed).encode(data, 128, nil, false)
	unsigned := (&chunkSigner{}).encode(data, 128,
		[][2]string{{"x-amz-checksum-crc32", sumB64(checksum.CRC32, data)}}, false)
	f.Add(signed, uint8(0))
	f.Add(unsigned, uint8(2))
	f.Add([]byte("ffffffffffffffff;chunk-signature=00\r\n"), uint8(0))
	f.Add([]byte("0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n"), uint8(2))
	f.Add([]byte("0\r\nx-amz-checksum-crc32:AAAAAA==\n\r\n\r\n"), uint8(2))
	cred := credential{accessKey: testAK, date: amzDate[:8], region: testRegion,
		service: serviceS3}
	key := deriveKey(testSecret, cred)
	kinds := []payloadKind{payloadStreaming, payloadStreamingTrailer, payloadUnsignedTrailer}
	f.Fuzz(func(t *testing.T, body []byte, mode uint8) {
		p := payload{kind: kinds[int(mode)%len(kinds)]}
		spec := bodySpec{payload: p, length: int64(len(data)), extra: checksum.CRC32}
		if p.trailers() {
			spec.trailers = []checksum.Algorithm{checksum.CRC32}
		}
		var ch *chain
		if p.signedChunks() {
			ch = &chain{key: key, amzDate: amzDate, scope: cred.scope(), prev: seed}
		}
		b := newBody(io.NopCloser(bytes.NewReader(body)), spec, ch)
		n, err := io.Copy(io.Discard, b)
		if err != nil {
			var e *s3err.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an *s3err.Error", err)
			}
			return
		}
		if n != int64(len(data)) {
			t.Fatalf("accepted %d bytes, declared %d", n, len(data))
		}
	})
}

// BenchmarkVerifyHeader measures header verification of a GET, including
// the signing-key cache hit.
func BenchmarkVerifyHeader(b *testing.B) {
	req, _ := http.NewRequest("GET", "http://s3.trove.test/bucket/photos/cat.jpg?versionId=1", nil)
	req.Header.Set("X-Amz-Content-Sha256", emptySHA256)
	req.Header.Set("Range", "bytes=0-99")
	if err := newSDKSigner().SignHTTP(b.Context(), creds(testAK, testSecret), req, emptySHA256,
		"s3", testRegion, testNow); err != nil {
		b.Fatal(err)
	}
	r := serverRequest(req, nil)
	v := newTestVerifier()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.Verify(r); err != nil {
			b.Fatal(err)
		}
	}
}
