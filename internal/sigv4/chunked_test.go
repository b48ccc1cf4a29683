package sigv4

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/checksum"
	"github.com/troveproject/trove/internal/s3err"
)

// TestAWSChunkedExample replays AWS's published chunked-upload example from
// testdata, and checks the test-side chunk signer against it too.
func TestAWSChunkedExample(t *testing.T) {
	f, err := os.Open("testdata/aws-chunked-example.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var (
		secret, now, method, target string
		header                      = http.Header{}
		body, data                  bytes.Buffer
		sigs                        []string
	)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		kind, rest, _ := strings.Cut(sc.Text(), " ")
		switch kind {
		case "secret":
			secret = rest
		case "now":
			now = rest
		case "request":
			method, target, _ = strings.Cut(rest, " ")
		case "header":
			k, v, _ := strings.Cut(rest, ": ")
			header.Set(k, v)
		case "chunk":
			var size int
			var fill, sig string
			if _, err := fmt.Sscan(rest, &size, &fill, &sig); err != nil {
				t.Fatalf("bad chunk line %q: %v", rest, err)
			}
			chunk := bytes.Repeat([]byte(fill[:1]), size)
			fmt.Fprintf(&body, "%x;chunk-signature=%s\r\n", size, sig)
			body.Write(chunk)
			body.WriteString("\r\n")
			data.Write(chunk)
			sigs = append(sigs, sig)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if strconv.Itoa(body.Len()) != header.Get("Content-Length") {
		t.Fatalf("encoded body is %d bytes, Content-Length says %s", body.Len(),
			header.Get("Content-Length"))
	}
	at, err := time.Parse(iso8601Basic, now)
	if err != nil {
		t.Fatal(err)
	}

	// The test signer reproduces AWS's chunk signatures.
	cs := newChunkSigner(secret, now, seedSignature(t, &http.Request{Header: header}))
	for i, chunk := range [][]byte{data.Bytes()[:65536], data.Bytes()[65536:], nil} {
		if got := cs.sign(chunk); got != sigs[i] {
			t.Fatalf("test signer chunk %d = %s, want %s", i, got, sigs[i])
		}
	}

	r, err := http.NewRequest(method, "http://"+header.Get("Host")+target,
		bytes.NewReader(body.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	r.Header = header
	r.RequestURI = target
	v := &Verifier{Keys: mapKeys{"AKIAIOSFODNN7EXAMPLE": secret}, Region: "us-east-1",
		Now: func() time.Time { return at }}
	auth, got, err := verifyAndRead(v, r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, data.Bytes()) || r.ContentLength != 66560 || auth.Body.MD5() == nil {
		t.Fatalf("decoded %d bytes, ContentLength %d", len(got), r.ContentLength)
	}
	if r.Header.Get("Content-Encoding") != "" {
		t.Fatalf("Content-Encoding = %q, want aws-chunked removed",
			r.Header.Get("Content-Encoding"))
	}
}

const (
	modeSigned          = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
	modeSignedTrailer   = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
	modeUnsignedTrailer = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
)

type chunkCase struct {
	name      string
	mode      string
	data      []byte
	chunkSize int
	declared  string      // x-amz-trailer
	trailers  [][2]string // sent trailers
	decoded   string      // x-amz-decoded-content-length; "" = len(data), "-" = absent
	tamper    func(body []byte) []byte
	want      s3err.Code
}

func (c chunkCase) run(t *testing.T) {
	req, err := http.NewRequest("PUT", "http://s3.trove.test/bucket/obj", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Content-Sha256", c.mode)
	req.Header.Set("Content-Encoding", "aws-chunked")
	switch c.decoded {
	case "":
		req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(c.data)))
	case "-":
	default:
		req.Header.Set("X-Amz-Decoded-Content-Length", c.decoded)
	}
	if c.declared != "" {
		req.Header.Set("X-Amz-Trailer", c.declared)
	}
	at := testNow.Add(-time.Minute)
	if err := newSDKSigner().SignHTTP(t.Context(), creds(testAK, testSecret), req, c.mode, "s3",
		testRegion, at); err != nil {
		t.Fatal(err)
	}
	cs := newChunkSigner(testSecret, at.Format(iso8601Basic), seedSignature(t, req))
	if c.mode == modeUnsignedTrailer {
		cs.key = nil
	}
	body := cs.encode(c.data, max(c.chunkSize, 1), c.trailers, c.mode == modeSignedTrailer)
	if c.tamper != nil {
		body = c.tamper(body)
	}
	r := serverRequest(req, body)
	auth, got, err := verifyAndRead(newTestVerifier(), r)
	wantCode(t, err, c.want)
	if c.want != "" {
		return
	}
	if !bytes.Equal(got, c.data) || r.ContentLength != int64(len(c.data)) {
		t.Fatalf("decoded %d bytes (ContentLength %d), want %d", len(got), r.ContentLength,
			len(c.data))
	}
	sums := auth.Body.Checksums()
	for _, tr := range c.trailers {
		if alg, ok := checksum.FromHeader(tr[0]); ok && sums[alg] != tr[1] {
			t.Fatalf("Checksums()[%s] = %q, want %q", alg, sums[alg], tr[1])
		}
	}
}

func sumB64(alg checksum.Algorithm, data []byte) string {
	h := alg.New()
	h.Write(data)
	return checksum.Encode(h.Sum(nil))
}

// replaceOnce replaces the first old in body.
func replaceOnce(old, new string) func([]byte) []byte {
	return func(b []byte) []byte { return bytes.Replace(b, []byte(old), []byte(new), 1) }
}

func TestChunkedSigned(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), 1500) // 24000 bytes
	flip := func(i int) func([]byte) []byte {
		return func(b []byte) []byte {
			out := bytes.Clone(b)
			idx := bytes.Index(out, []byte("\r\n")) + 2 + i
			out[idx] ^= 1
			return out
		}
	}
	tests := []chunkCase{
		{name: "several chunks", data: data, chunkSize: 8192},
		{name: "one chunk", data: data, chunkSize: len(data)},
		{name: "empty object", data: nil},
		{name: "tampered chunk data", data: data, chunkSize: 8192, tamper: flip(100),
			want: s3err.SignatureDoesNotMatch},
		{name: "tampered chunk signature", data: data, chunkSize: 8192,
			tamper: func(b []byte) []byte {
				out := bytes.Clone(b)
				out[bytes.Index(out, []byte("signature="))+10] ^= 1
				return out
			}, want: s3err.SignatureDoesNotMatch},
		{name: "chunk size smaller", data: data, chunkSize: 8192,
			tamper: replaceOnce("2000;", "1fff;"), want: s3err.InvalidRequest},
		{name: "chunk size larger", data: data, chunkSize: 8192,
			tamper: replaceOnce("2000;", "2001;"), want: s3err.InvalidRequest},
		{name: "chunk size not hex", data: data, chunkSize: 8192,
			tamper: replaceOnce("2000;", "zz00;"), want: s3err.InvalidRequest},
		{name: "chunks swapped", data: append(bytes.Repeat([]byte("a"), 8192),
			bytes.Repeat([]byte("b"), 8192)...), chunkSize: 8192, tamper: swapChunks,
			want: s3err.SignatureDoesNotMatch},
		{name: "truncated", data: data, chunkSize: 8192,
			tamper: func(b []byte) []byte { return b[:len(b)/2] }, want: s3err.IncompleteBody},
		{name: "final chunk missing", data: data, chunkSize: 8192,
			tamper: func(b []byte) []byte { return b[:bytes.LastIndex(b, []byte("0;chunk"))] },
			want:   s3err.IncompleteBody},
		{name: "data after final chunk", data: data, chunkSize: 8192,
			tamper: func(b []byte) []byte { return append(b, 'x') }, want: s3err.InvalidRequest},
		{name: "decoded length larger", data: data, chunkSize: 8192, decoded: "24001",
			want: s3err.IncompleteBody},
		{name: "decoded length smaller", data: data, chunkSize: 8192, decoded: "23999",
			want: s3err.IncompleteBody},
		{name: "decoded length missing", data: data, chunkSize: 8192, decoded: "-",
			want: s3err.MissingContentLength},
		{name: "decoded length not a number", data: data, chunkSize: 8192, decoded: "many",
			want: s3err.InvalidArgument},
		{name: "unexpected trailer", data: data, chunkSize: 8192,
			trailers: [][2]string{{"x-amz-checksum-crc32", sumB64(checksum.CRC32, data)}},
			want:     s3err.InvalidRequest},
	}
	for _, tt := range tests {
		tt.mode = modeSigned
		t.Run(tt.name, tt.run)
	}
}

// swapChunks exchanges the first two data chunks (both 8192 bytes) and their
// signature lines, keeping the framing valid.
func swapChunks(b []byte) []byte {
	parts := bytes.SplitAfterN(b, []byte("\r\n"), 5)
	// parts: size1, data1, size2, data2, rest
	out := append([]byte(nil), parts[2]...)
	out = append(out, parts[3]...)
	out = append(out, parts[0]...)
	out = append(out, parts[1]...)
	return append(out, parts[4]...)
}

func TestChunkedTrailers(t *testing.T) {
	data := bytes.Repeat([]byte("trailing checksum "), 1000)
	var tests []chunkCase
	for _, mode := range []string{modeUnsignedTrailer, modeSignedTrailer} {
		short := map[string]string{modeUnsignedTrailer: "unsigned", modeSignedTrailer: "signed"}
		for _, alg := range checksum.All {
			good := [][2]string{{alg.Header(), sumB64(alg, data)}}
			bad := [][2]string{{alg.Header(), sumB64(alg, []byte("other"))}}
			tests = append(tests,
				chunkCase{name: short[mode] + " " + string(alg) + " ok", mode: mode,
					data: data, chunkSize: 4096, declared: alg.Header(), trailers: good},
				chunkCase{name: short[mode] + " " + string(alg) + " wrong", mode: mode,
					data: data, chunkSize: 4096, declared: alg.Header(), trailers: bad,
					want: s3err.BadDigest})
		}
	}
	crc := [][2]string{{"x-amz-checksum-crc32", sumB64(checksum.CRC32, data)}}
	crcLine := "x-amz-checksum-crc32:" + sumB64(checksum.CRC32, data)
	tests = append(tests,
		chunkCase{name: "unsigned trailer missing", mode: modeUnsignedTrailer, data: data,
			chunkSize: 4096, declared: "x-amz-checksum-crc32", want: s3err.InvalidRequest},
		chunkCase{name: "unsigned trailer undeclared", mode: modeUnsignedTrailer, data: data,
			chunkSize: 4096, trailers: crc, want: s3err.InvalidRequest},
		chunkCase{name: "unsigned trailer invalid value", mode: modeUnsignedTrailer, data: data,
			chunkSize: 4096, declared: "x-amz-checksum-crc32",
			trailers: [][2]string{{"x-amz-checksum-crc32", "%%%"}}, want: s3err.InvalidRequest},
		chunkCase{name: "trailer header not checksum", mode: modeUnsignedTrailer, data: data,
			chunkSize: 4096, declared: "x-amz-meta-a", want: s3err.InvalidArgument},
		chunkCase{name: "unsigned empty object", mode: modeUnsignedTrailer,
			declared: "x-amz-checksum-crc32",
			trailers: [][2]string{{"x-amz-checksum-crc32", sumB64(checksum.CRC32, nil)}}},
		chunkCase{name: "signed trailer value tampered", mode: modeSignedTrailer, data: data,
			chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce("x-amz-checksum-crc32:", "x-amz-checksum-crc32:A"),
			want:   s3err.SignatureDoesNotMatch},
		chunkCase{name: "signed trailer signature tampered", mode: modeSignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce("x-amz-trailer-signature:", "x-amz-trailer-signature:0"),
			want:   s3err.InvalidRequest},
		chunkCase{name: "signed trailer signature wrong", mode: modeSignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: func(b []byte) []byte {
				out := bytes.Clone(b)
				i := bytes.Index(out, []byte("x-amz-trailer-signature:")) + 24
				out[i] ^= 1
				return out
			}, want: s3err.SignatureDoesNotMatch},
		// minio-go ends each trailer with LF, then CRLF.
		chunkCase{name: "unsigned trailer ending LF CRLF", mode: modeUnsignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce(crcLine+"\r\n", crcLine+"\n\r\n")},
		chunkCase{name: "signed trailer ending LF CRLF", mode: modeSignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce(crcLine+"\r\n", crcLine+"\n\r\n")},
		chunkCase{name: "trailer ending LF", mode: modeSignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce(crcLine+"\r\n", crcLine+"\n"), want: s3err.InvalidRequest},
		chunkCase{name: "trailer ending LF LF", mode: modeUnsignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce(crcLine+"\r\n", crcLine+"\n\n"), want: s3err.InvalidRequest},
		chunkCase{name: "blank trailer line ending LF", mode: modeUnsignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: replaceOnce(crcLine+"\r\n\r\n", crcLine+"\r\n\n\r\n"),
			want:   s3err.InvalidRequest},
		chunkCase{name: "signed trailer signature missing", mode: modeSignedTrailer,
			data: data, chunkSize: 4096, declared: "x-amz-checksum-crc32", trailers: crc,
			tamper: func(b []byte) []byte {
				i := bytes.Index(b, []byte("x-amz-trailer-signature:"))
				return append(bytes.Clone(b[:i]), "\r\n"...)
			}, want: s3err.InvalidRequest},
	)
	for _, tt := range tests {
		t.Run(tt.name, tt.run)
	}
}
