package helmrepo

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// FuzzReadChart feeds ReadChart untrusted archives. It must never panic;
// every error must be ErrInvalid (the reader never fails); an accepted
// archive must carry its true digest and size and metadata that validates,
// and its index must parse.
func FuzzReadChart(f *testing.F) {
	for _, v := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		b, err := os.ReadFile(filepath.Join("..", "..", "testdata", "charts",
			"hello-"+v+".tgz"))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add(archive(f, file{name: "full/Chart.yaml", body: fullChart}))
	f.Add(archive(f, file{name: "legacy/", typ: tar.TypeDir},
		file{name: "legacy/Chart.yaml", body: legacyChart},
		file{name: "legacy/requirements.yaml", body: legacyRequirements}))
	f.Add(archive(f, file{name: "a/Chart.yaml", body: "apiVersion: v2\nname: &a [*a]\n"}))
	f.Add([]byte{0x1f, 0x8b})
	lim := Limits{MaxArchive: 1 << 20, MaxDecompressed: 4 << 20, MaxChartFile: 64 << 10}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadChart(bytes.NewReader(data), lim)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("error %v does not wrap ErrInvalid", err)
			}
			return
		}
		sum := sha256.Sum256(data)
		if c.Digest != hex.EncodeToString(sum[:]) || c.Size != int64(len(data)) {
			t.Fatalf("digest %s size %d for %d bytes", c.Digest, c.Size, len(data))
		}
		if err := c.Metadata.validate(); err != nil {
			t.Fatalf("accepted metadata does not validate: %v", err)
		}
		out, err := Index([]Version{{Chart: c, URL: "x.tgz", Created: time.Unix(0, 0)}},
			time.Unix(0, 0))
		if err != nil {
			t.Fatal(err)
		}
		var doc map[string]any
		if err := yaml.Unmarshal(out, &doc); err != nil {
			t.Fatalf("index does not parse: %v\n%s", err, out)
		}
	})
}
