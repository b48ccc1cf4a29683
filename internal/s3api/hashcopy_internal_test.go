package s3api

import (
	"bytes"
	"crypto/md5"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"testing"
	"testing/iotest"
)

// TestCopyHashed checks that copyHashed copies and hashes every byte, in
// order, across chunk boundaries and short reads, and passes errors on.
func TestCopyHashed(t *testing.T) {
	data := make([]byte, 3*hashChunk+12345)
	for i := range data {
		data[i] = byte(i * 31 >> 3)
	}
	boom := errors.New("boom")
	tests := []struct {
		name    string
		src     io.Reader
		want    []byte // what dst receives
		wantErr error
	}{
		{"empty", bytes.NewReader(nil), nil, nil},
		{"one byte", bytes.NewReader(data[:1]), data[:1], nil},
		{"exactly a chunk", bytes.NewReader(data[:hashChunk]), data[:hashChunk], nil},
		{"chunks and a bit", bytes.NewReader(data), data, nil},
		{"short reads", iotest.HalfReader(bytes.NewReader(data)), data, nil},
		{"one byte reads", iotest.OneByteReader(bytes.NewReader(data[:5000])), data[:5000],
			nil},
		{"error mid-way", io.MultiReader(bytes.NewReader(data[:hashChunk+7]),
			iotest.ErrReader(boom)), data[:hashChunk+7], boom},
		{"unexpected EOF passed on", io.MultiReader(bytes.NewReader(data[:10]),
			iotest.ErrReader(io.ErrUnexpectedEOF)), data[:10], io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var dst bytes.Buffer
			sum, crc := md5.New(), crc32.NewIEEE()
			n, err := copyHashed(&dst, tt.src, []hash.Hash{sum, crc}...)
			if !errors.Is(err, tt.wantErr) || n != int64(len(tt.want)) {
				t.Fatalf("copyHashed = %d, %v; want %d, %v", n, err, len(tt.want), tt.wantErr)
			}
			if !bytes.Equal(dst.Bytes(), tt.want) {
				t.Fatalf("dst got %d bytes that differ from the source", dst.Len())
			}
			if tt.wantErr != nil {
				return
			}
			if want := md5.Sum(tt.want); !bytes.Equal(sum.Sum(nil), want[:]) {
				t.Errorf("MD5 differs")
			}
			if crc.Sum32() != crc32.ChecksumIEEE(tt.want) {
				t.Errorf("CRC32 differs")
			}
		})
	}
}

// failWriter fails every write.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

// TestCopyHashedWriteError checks that a failing destination stops the copy.
func TestCopyHashedWriteError(t *testing.T) {
	_, err := copyHashed(failWriter{}, bytes.NewReader(make([]byte, 10)), md5.New())
	if err == nil || err.Error() != "disk full" {
		t.Fatalf("copyHashed = %v, want the write error", err)
	}
}
