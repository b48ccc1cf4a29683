package helmrepo

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(p, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", p, got, want)
	}
}

// fullChart is a Chart.yaml with every field Helm documents.
const fullChart = `apiVersion: v2
name: full
version: 1.2.3-rc.1+build.7
kubeVersion: ">=1.28.0-0"
description: "A chart with every field. \x1b[31mred\x1b[0m"
type: application
keywords: [web, "demo"]
home: https://example.com/full
sources: [https://example.com/src]
dependencies:
  - name: hello
    version: ~0.1.0
    repository: https://charts.example.com
    condition: hello.enabled
    tags: [front]
    import-values:
      - data
      - child: a.b
        parent: c
    alias: greeter
maintainers:
  - name: Ada
    email: ada@example.com
    url: https://example.com/ada
icon: https://example.com/icon.png
appVersion: 1.10
deprecated: true
annotations:
  category: Demo
  example.com/extra: "yes"
unknownField: ignored
`

const legacyChart = `apiVersion: v1
name: legacy
version: "0.9"
description: An apiVersion v1 chart with its dependencies in requirements.yaml
`

const legacyRequirements = `dependencies:
  - name: hello
    version: 0.1.0
    repository: "@trove"
`

// TestReadChartGolden reads valid archives and compares the metadata they
// yield with golden files.
func TestReadChartGolden(t *testing.T) {
	tests := []struct {
		name  string
		files []file
	}{
		{name: "full", files: []file{{name: "full/Chart.yaml", body: fullChart},
			{name: "full/values.yaml", body: "a: 1\n"}}},
		{name: "legacy-v1", files: []file{{name: "legacy/", typ: tar.TypeDir},
			{name: "legacy/Chart.yaml", body: legacyChart},
			{name: "legacy/requirements.yaml", body: legacyRequirements},
			{name: "legacy/charts/hello/Chart.yaml", body: "apiVersion: v2\nname: x\n"}}},
		{name: "dot-slash-names", files: []file{
			{name: "./dots/Chart.yaml", body: "apiVersion: v2\nname: dots\nversion: 2.0.0\n"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := archive(t, tt.files...)
			c, err := ReadChart(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checkDigest(t, c, data)
			out, err := yaml.Marshal(c.Metadata)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "chart-"+tt.name+".golden", out)
		})
	}
}

func checkDigest(t *testing.T, c Chart, data []byte) {
	t.Helper()
	sum := sha256.Sum256(data)
	if c.Digest != hex.EncodeToString(sum[:]) || c.Size != int64(len(data)) {
		t.Errorf("digest %s size %d, want %x and %d", c.Digest, c.Size, sum, len(data))
	}
}

// TestReadChartHelmPackaged reads the archives `helm package` wrote
// (tools/chartgen).
func TestReadChartHelmPackaged(t *testing.T) {
	for _, v := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		t.Run(v, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "charts",
				"hello-"+v+".tgz"))
			if err != nil {
				t.Fatal(err)
			}
			c, err := ReadChart(bytes.NewReader(data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			checkDigest(t, c, data)
			md := c.Metadata
			if md.Name != "hello" || md.Version != v || md.AppVersion != v ||
				md.APIVersion != "v2" || md.Type != "application" {
				t.Errorf("metadata %+v", md)
			}
		})
	}
}

// TestReadChartInvalid feeds archives Helm would refuse, or that trove
// will not read, and checks the reason.
func TestReadChartInvalid(t *testing.T) {
	ok := chartYAMLFile("ok", "1.0.0")
	tests := []struct {
		name string
		data func(t *testing.T) []byte
		lim  Limits
		want string
	}{
		{name: "not gzip", data: raw("just text"), want: "not a gzip stream"},
		{name: "empty", data: raw(""), want: "not a gzip stream"},
		{name: "gzip not tar", data: func(t *testing.T) []byte {
			return gzipped(t, bytes.Repeat([]byte("x"), 2000))
		}, want: "broken archive"},
		{name: "truncated", data: func(t *testing.T) []byte {
			b := archive(t, ok, file{name: "ok/values.yaml", body: strings.Repeat("v", 5000)})
			return b[:len(b)/2]
		}, want: "broken archive"},
		{name: "no Chart.yaml", data: files(file{name: "x/values.yaml", body: "a: 1"}),
			want: "no Chart.yaml"},
		{name: "Chart.yaml at the root", data: files(file{name: "Chart.yaml",
			body: "apiVersion: v2\nname: r\nversion: 1.0.0\n"}), want: "no Chart.yaml"},
		{name: "two top directories", data: files(ok, chartYAMLFile("other", "1.0.0")),
			want: "two top directories"},
		{name: "parent directory", data: files(ok, file{name: "ok/../../etc/x", body: "x"}),
			want: "leaves the archive"},
		{name: "absolute", data: files(file{name: "/ok/Chart.yaml", body: "x"}),
			want: "absolute"},
		{name: "backslash", data: files(ok, file{name: `ok\..\x`, body: "x"}),
			want: "backslash"},
		{name: "unclean", data: files(file{name: "ok//Chart.yaml", body: "x"}),
			want: "not clean"},
		{name: "duplicate Chart.yaml", data: files(ok, ok), want: "appears twice"},
		{name: "Chart.yaml symlink", data: files(file{name: "ok/Chart.yaml",
			typ: tar.TypeSymlink, link: "/etc/passwd"}), want: "not a regular file"},
		{name: "Chart.yaml too large", data: files(ok), lim: Limits{MaxChartFile: 10},
			want: "more than 10"},
		{name: "archive too large", data: files(ok), lim: Limits{MaxArchive: 20},
			want: "archive too large"},
		{name: "gzip bomb", data: files(file{name: "b/big", body: strings.Repeat("0", 1<<20)},
			chartYAMLFile("b", "1.0.0")), lim: Limits{MaxDecompressed: 64 << 10},
			want: "decompressed archive too large"},
		{name: "bad yaml", data: chart("apiVersion: v2\nname: [unclosed\n"),
			want: "Chart.yaml"},
		{name: "no apiVersion", data: chart("name: a\nversion: 1.0.0\n"),
			want: "apiVersion is missing"},
		{name: "apiVersion v3", data: chart("apiVersion: v3\nname: a\nversion: 1.0.0\n"),
			want: "neither v1 nor v2"},
		{name: "no name", data: chart("apiVersion: v2\nversion: 1.0.0\n"),
			want: "name is missing"},
		{name: "name with slash", data: chart("apiVersion: v2\nname: a/b\nversion: 1.0.0\n"),
			want: "name \"a/b\" is invalid"},
		{name: "no version", data: chart("apiVersion: v2\nname: a\n"),
			want: "version is missing"},
		{name: "bad version", data: chart("apiVersion: v2\nname: a\nversion: one\n"),
			want: "not a semantic version"},
		{name: "bad type", data: chart("apiVersion: v2\nname: a\nversion: 1.0.0\ntype: x\n"),
			want: "neither application nor library"},
		{name: "bad alias", data: chart("apiVersion: v2\nname: a\nversion: 1.0.0\n" +
			"dependencies: [{name: b, alias: 'b c'}]\n"), want: "alias"},
		{name: "duplicate dependency", data: chart("apiVersion: v2\nname: a\nversion: 1.0.0\n" +
			"dependencies: [{name: b}, {name: c, alias: b}]\n"), want: "more than one dependency"},
		{name: "dependency without name", data: chart("apiVersion: v2\nname: a\n" +
			"version: 1.0.0\ndependencies: [{version: 1.0.0}]\n"), want: "has no name"},
		{name: "annotation not a string", data: chart("apiVersion: v2\nname: a\n" +
			"version: 1.0.0\nannotations: {a: [1]}\n"), want: "Chart.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadChart(bytes.NewReader(tt.data(t)), tt.lim)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want ErrInvalid mentioning %q", err, tt.want)
			}
		})
	}
}

// TestReadChartReadError keeps a failure to read apart from a bad archive.
func TestReadChartReadError(t *testing.T) {
	data := archive(t, chartYAMLFile("a", "1.0.0"))
	boom := errors.New("disk on fire")
	for _, n := range []int{0, 10, len(data) - 1} {
		rd := &failingReader{data: data[:n], err: boom}
		_, err := ReadChart(rd, Limits{})
		if !errors.Is(err, boom) || errors.Is(err, ErrInvalid) {
			t.Errorf("after %d bytes: error %v, want the read error, not ErrInvalid", n, err)
		}
	}
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

func raw(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }

func files(fs ...file) func(*testing.T) []byte {
	return func(t *testing.T) []byte { return archive(t, fs...) }
}

func chart(chartYAML string) func(*testing.T) []byte {
	return files(file{name: "a/Chart.yaml", body: chartYAML})
}
