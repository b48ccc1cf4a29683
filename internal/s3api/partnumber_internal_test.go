package s3api

import (
	"net/http"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// TestPartNumberValue pins how a listed PartNumber reads: decimal digits
// only, leading zeros and surrounding white space allowed, as in S3.
func TestPartNumberValue(t *testing.T) {
	tests := []struct {
		in   string
		want int
		code s3err.Code
	}{
		{in: "1", want: 1},
		{in: " 42\n", want: 42},
		{in: "010", want: 10},
		{in: "10000", want: 10000},
		{in: "0", code: s3err.InvalidArgument},
		{in: "10001", code: s3err.InvalidArgument},
		{in: "99999999999999999999999", code: s3err.InvalidArgument},
		{in: "", code: s3err.MalformedXML},
		{in: "+1", code: s3err.MalformedXML},
		{in: "-1", code: s3err.MalformedXML},
		{in: "0x1", code: s3err.MalformedXML},
		{in: "0b1", code: s3err.MalformedXML},
		{in: "1junk", code: s3err.MalformedXML},
		{in: "1 2", code: s3err.MalformedXML},
		{in: "١", code: s3err.MalformedXML}, // a non-ASCII digit
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := partNumberValue(tt.in)
			if codeOf(err) != tt.code || (tt.code == "" && got != tt.want) {
				t.Errorf("partNumberValue(%q) = %d, %v; want %d, code %q", tt.in, got, err,
					tt.want, tt.code)
			}
		})
	}
}

// TestCheckObjectChecksum pins the whole-object checksum headers a
// CompleteMultipartUpload may carry.
func TestCheckObjectChecksum(t *testing.T) {
	composite := store.Upload{ChecksumAlgorithm: "CRC32", ChecksumType: "COMPOSITE"}
	sums := map[string]string{"CRC32": "AAAAAA==-2"}
	tests := []struct {
		name string
		u    store.Upload
		h    http.Header
		code s3err.Code
	}{
		{"none", composite, http.Header{}, ""},
		{"without the suffix", composite,
			http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA=="}}, ""},
		{"with it", composite, http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA==-2"}}, ""},
		{"another value", composite,
			http.Header{"X-Amz-Checksum-Crc32": {"AAAAAB=="}}, s3err.BadDigest},
		{"twice", composite,
			http.Header{"X-Amz-Checksum-Crc32": {"AAAAAA==", "AAAAAB=="}},
			s3err.InvalidRequest},
		{"another algorithm", composite,
			http.Header{"X-Amz-Checksum-Sha1": {"AAAAAA=="}}, s3err.InvalidRequest},
		{"the upload's type", composite,
			http.Header{"X-Amz-Checksum-Type": {"composite"}}, ""},
		{"another type", composite,
			http.Header{"X-Amz-Checksum-Type": {"FULL_OBJECT"}}, s3err.InvalidRequest},
		{"no algorithm is a full-object upload", store.Upload{},
			http.Header{"X-Amz-Checksum-Type": {"FULL_OBJECT"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeOf(checkObjectChecksum(tt.h, tt.u, sums)); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
		})
	}
}
