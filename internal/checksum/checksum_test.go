package checksum

import (
	"encoding/hex"
	"testing"
)

// The check values are the standard "123456789" vectors from the CRC
// catalogue and the SHA test vectors for the same input.
func TestCheckValues(t *testing.T) {
	tests := []struct {
		alg  Algorithm
		want string // hex of the big-endian sum
	}{
		{CRC32, "cbf43926"},
		{CRC32C, "e3069283"},
		{CRC64NVME, "ae8b14860a799888"},
		{SHA1, "f7c3bc1d808e04732adf679965ccc34ca7ae3441"},
		{SHA256, "15e2b0d3c33891ebb0f1ef609ec419420c20e320ce94c65fbc8c3312448eb225"},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			h := tt.alg.New()
			h.Write([]byte("12345"))
			h.Write([]byte("6789"))
			sum := h.Sum(nil)
			if got := hex.EncodeToString(sum); got != tt.want {
				t.Fatalf("sum = %s, want %s", got, tt.want)
			}
			if len(sum) != tt.alg.Size() {
				t.Fatalf("Size() = %d, sum has %d bytes", tt.alg.Size(), len(sum))
			}
			dec, ok := tt.alg.Decode(Encode(sum))
			if !ok || hex.EncodeToString(dec) != tt.want {
				t.Fatalf("Decode(Encode(sum)) = %x, %v", dec, ok)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want Algorithm
		ok   bool
	}{
		{"upper", "CRC32", CRC32, true},
		{"lower", "crc32c", CRC32C, true},
		{"nvme lower", "crc64nvme", CRC64NVME, true},
		{"mixed", "Sha256", SHA256, true},
		{"spaces", " sha1 ", SHA1, true},
		{"unknown", "md5", "", false},
		{"empty", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Parse(tt.in)
			if got != tt.want || ok != tt.ok {
				t.Fatalf("Parse(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestHeader(t *testing.T) {
	tests := []struct {
		alg  Algorithm
		want string
	}{
		{CRC32, "x-amz-checksum-crc32"},
		{CRC32C, "x-amz-checksum-crc32c"},
		{CRC64NVME, "x-amz-checksum-crc64nvme"},
		{SHA1, "x-amz-checksum-sha1"},
		{SHA256, "x-amz-checksum-sha256"},
	}
	for _, tt := range tests {
		t.Run(string(tt.alg), func(t *testing.T) {
			if got := tt.alg.Header(); got != tt.want {
				t.Fatalf("Header() = %q, want %q", got, tt.want)
			}
			back, ok := FromHeader("X-Amz-Checksum-" + string(tt.alg))
			if !ok || back != tt.alg {
				t.Fatalf("FromHeader = %q, %v", back, ok)
			}
		})
	}
	if _, ok := FromHeader("x-amz-checksum-type"); ok {
		t.Fatal("FromHeader accepted x-amz-checksum-type")
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct {
		name  string
		alg   Algorithm
		value string
	}{
		{"not base64", CRC32, "!!!!"},
		{"too long for crc32", CRC32, Encode(make([]byte, 8))},
		{"too short for sha256", SHA256, Encode(make([]byte, 4))},
		{"unknown algorithm", Algorithm("MD5"), Encode(make([]byte, 16))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := tt.alg.Decode(tt.value); ok {
				t.Fatalf("Decode(%q) accepted", tt.value)
			}
		})
	}
}
