package s3api

import (
	"testing"

	"github.com/troveproject/trove/internal/s3err"
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
