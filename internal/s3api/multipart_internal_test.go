package s3api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// codeOf is the S3 code of err, "" for nil.
func codeOf(err error) s3err.Code {
	if err == nil {
		return ""
	}
	var e *s3err.Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "not an s3err"
}

func TestParseCompleteBody(t *testing.T) {
	const part = "<Part><PartNumber>%s</PartNumber><ETag>\"e\"</ETag></Part>"
	parts := func(numbers ...string) string {
		var b strings.Builder
		b.WriteString(`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/">`)
		for _, n := range numbers {
			b.WriteString(strings.Replace(part, "%s", n, 1))
		}
		return b.String() + "</CompleteMultipartUpload>"
	}
	tests := []struct {
		name  string
		body  string
		code  s3err.Code
		count int
	}{
		{"one part", parts("1"), "", 1},
		{"ascending with gaps", parts("1", "5", "10000"), "", 3},
		{"spaces around the number", parts(" 2 "), "", 1},
		{"no namespace", "<CompleteMultipartUpload>" + strings.Replace(part, "%s", "1", 1) +
			"</CompleteMultipartUpload>", "", 1},
		{"empty", "", s3err.MalformedXML, 0},
		{"no parts", parts(), s3err.MalformedXML, 0},
		{"other root", "<Parts></Parts>", s3err.MalformedXML, 0},
		{"truncated", parts("1")[:40], s3err.MalformedXML, 0},
		{"not a number", parts("one"), s3err.MalformedXML, 0},
		{"missing number", parts(""), s3err.MalformedXML, 0},
		{"zero", parts("0"), s3err.InvalidArgument, 0},
		{"too large", parts("10001"), s3err.InvalidArgument, 0},
		{"descending", parts("2", "1"), s3err.InvalidPartOrder, 0},
		{"repeated", parts("3", "3"), s3err.InvalidPartOrder, 0},
		{"too long", parts("1") + strings.Repeat(" ", maxCompleteBody), s3err.MalformedXML, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseCompleteBody(strings.NewReader(tt.body))
			if codeOf(err) != tt.code || len(got) != tt.count {
				t.Fatalf("got %d parts, error %v; want %d, code %q", len(got), err, tt.count,
					tt.code)
			}
		})
	}
}

// FuzzParseCompleteBody checks that any body yields parts in strictly
// ascending order within S3's range, or an S3 error.
func FuzzParseCompleteBody(f *testing.F) {
	f.Add([]byte("<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>x</ETag>" +
		"</Part></CompleteMultipartUpload>"))
	f.Add([]byte("<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part>" +
		"<Part><PartNumber>1e3</PartNumber></Part></CompleteMultipartUpload>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		parts, err := parseCompleteBody(bytes.NewReader(body))
		if err != nil {
			if codeOf(err) == "not an s3err" {
				t.Fatalf("error %v is not an S3 error", err)
			}
			return
		}
		prev := 0
		for _, p := range parts {
			n, err := partNumberValue(p.PartNumber)
			if err != nil || n <= prev || n > maxParts {
				t.Fatalf("accepted part number %q after %d", p.PartNumber, prev)
			}
			prev = n
		}
	})
}

func TestCopySourceRange(t *testing.T) {
	tests := []struct {
		name          string
		header        string
		start, length int64
		code          s3err.Code
	}{
		{"absent", "", 0, 100, ""},
		{"whole", "bytes=0-99", 0, 100, ""},
		{"one byte", "bytes=5-5", 5, 1, ""},
		{"past the end", "bytes=0-100", 0, 0, s3err.InvalidArgument},
		{"reversed", "bytes=9-3", 0, 0, s3err.InvalidArgument},
		{"open ended", "bytes=3-", 0, 0, s3err.InvalidArgument},
		{"suffix", "bytes=-3", 0, 0, s3err.InvalidArgument},
		{"no unit", "0-3", 0, 0, s3err.InvalidArgument},
		{"two ranges", "bytes=0-1,3-4", 0, 0, s3err.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.header != "" {
				h.Set("x-amz-copy-source-range", tt.header)
			}
			rng, err := copySourceRange(h, 100)
			if codeOf(err) != tt.code {
				t.Fatalf("error %v, want code %q", err, tt.code)
			}
			if err == nil && (rng.start != tt.start || rng.length != tt.length) {
				t.Fatalf("range %+v, want start %d length %d", rng, tt.start, tt.length)
			}
		})
	}
}

func TestUploadChecksum(t *testing.T) {
	tests := []struct {
		name     string
		alg, typ string // headers; "" not sent
		wantAlg  string
		wantType string
		code     s3err.Code
	}{
		{"none", "", "", "", "", ""},
		{"crc32 composite by default", "crc32", "", "CRC32", typeComposite, ""},
		{"crc64nvme full by default", "CRC64NVME", "", "CRC64NVME", typeFullObject, ""},
		{"crc32c full object", "CRC32C", "full_object", "CRC32C", typeFullObject, ""},
		{"sha256 composite", "SHA256", "COMPOSITE", "SHA256", typeComposite, ""},
		{"sha1 full object", "SHA1", "FULL_OBJECT", "", "", s3err.InvalidRequest},
		{"crc64nvme composite", "CRC64NVME", "COMPOSITE", "", "", s3err.InvalidRequest},
		{"unknown algorithm", "MD5", "", "", "", s3err.InvalidRequest},
		{"unknown type", "CRC32", "HALF", "", "", s3err.InvalidRequest},
		{"type alone", "", "COMPOSITE", "", "", s3err.InvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			if tt.alg != "" {
				h.Set("x-amz-checksum-algorithm", tt.alg)
			}
			if tt.typ != "" {
				h.Set("x-amz-checksum-type", tt.typ)
			}
			var u store.Upload
			err := uploadChecksum(h, &u)
			if codeOf(err) != tt.code || u.ChecksumAlgorithm != tt.wantAlg ||
				u.ChecksumType != tt.wantType {
				t.Fatalf("got %q %q, error %v; want %q %q, code %q", u.ChecksumAlgorithm,
					u.ChecksumType, err, tt.wantAlg, tt.wantType, tt.code)
			}
		})
	}
}

func TestNewUploadIDOrderAndUniqueness(t *testing.T) {
	seen := map[string]bool{}
	prev := ""
	for i := range 1000 {
		id := newUploadID(time.Unix(1_700_000_000, int64(i)))
		if seen[id] || id <= prev || len(id) != 48 {
			t.Fatalf("id %d %q: repeated, out of order or not 48 digits (after %q)", i, id, prev)
		}
		seen[id], prev = true, id
	}
}
