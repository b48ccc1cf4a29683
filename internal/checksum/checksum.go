// Package checksum names the object checksum algorithms S3 supports
// (CRC32, CRC32C, CRC64NVME, SHA1, SHA256) and builds their hashes.
//
// Sums are big-endian bytes, as hash.Hash returns them; S3 carries them in
// x-amz-checksum-<alg> headers and trailers as standard base64 (Encode).
package checksum

import (
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"hash"
	"hash/crc32"
	"hash/crc64"
	"strings"
)

// Algorithm is an S3 checksum algorithm name in S3's upper-case spelling,
// as used in x-amz-checksum-algorithm and x-amz-sdk-checksum-algorithm.
type Algorithm string

// The algorithms S3 supports.
const (
	CRC32     Algorithm = "CRC32"
	CRC32C    Algorithm = "CRC32C"
	CRC64NVME Algorithm = "CRC64NVME"
	SHA1      Algorithm = "SHA1"
	SHA256    Algorithm = "SHA256"
)

// All lists every supported algorithm in a fixed order.
var All = []Algorithm{CRC32, CRC32C, CRC64NVME, SHA1, SHA256}

// nvmePoly is the CRC-64/NVME polynomial in the reversed (LSB-first) form
// hash/crc64 expects; crc64's pre- and post-inversion match CRC-64/NVME.
const nvmePoly = 0x9a6c9329ac4bc9b5

var (
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
	nvmeTable  = crc64.MakeTable(nvmePoly)
)

// Parse returns the algorithm named by name, ignoring case. It accepts the
// header suffix form too ("crc64nvme"). The boolean is false for unknown names.
func Parse(name string) (Algorithm, bool) {
	a := Algorithm(strings.ToUpper(strings.TrimSpace(name)))
	for _, known := range All {
		if a == known {
			return a, true
		}
	}
	return "", false
}

// FromHeader returns the algorithm whose header (see Header) is name,
// ignoring case.
func FromHeader(name string) (Algorithm, bool) {
	const prefix = "x-amz-checksum-"
	lower := strings.ToLower(strings.TrimSpace(name))
	if !strings.HasPrefix(lower, prefix) {
		return "", false
	}
	return Parse(lower[len(prefix):])
}

// Header returns the lower-case header (and trailer) name carrying a's value,
// such as "x-amz-checksum-crc32".
func (a Algorithm) Header() string {
	return "x-amz-checksum-" + strings.ToLower(string(a))
}

// New returns a new hash computing a. It panics if a is not one of the
// supported algorithms, which is a programming error: use Parse first.
func (a Algorithm) New() hash.Hash {
	switch a {
	case CRC32:
		return crc32.NewIEEE()
	case CRC32C:
		return crc32.New(castagnoli)
	case CRC64NVME:
		return crc64.New(nvmeTable)
	case SHA1:
		return sha1.New()
	case SHA256:
		return sha256.New()
	}
	panic("checksum: unknown algorithm " + string(a))
}

// Size is the length in bytes of a's sum, or 0 for an unknown algorithm.
func (a Algorithm) Size() int {
	switch a {
	case CRC32, CRC32C:
		return 4
	case CRC64NVME:
		return 8
	case SHA1:
		return sha1.Size
	case SHA256:
		return sha256.Size
	}
	return 0
}

// Encode returns sum in standard base64, the form S3 headers carry.
func Encode(sum []byte) string { return base64.StdEncoding.EncodeToString(sum) }

// Decode parses a base64 header value for a, reporting false when it is not
// valid base64 or not a's sum length.
func (a Algorithm) Decode(value string) ([]byte, bool) {
	sum, err := base64.StdEncoding.DecodeString(strings.TrimSpace(value))
	if err != nil || len(sum) != a.Size() {
		return nil, false
	}
	return sum, true
}
