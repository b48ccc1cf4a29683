package helmrepo

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"testing"
	"time"
)

// file is one tar entry of a test archive; typ 0 means a regular file.
type file struct {
	name string
	body string
	typ  byte
	link string
}

// archive builds a gzipped tar stream of files, as `helm package` lays
// charts out, with fixed times so that the bytes are reproducible.
func archive(t testing.TB, files ...file) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)),
			Typeflag: tar.TypeReg, ModTime: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
			Linkname: f.link}
		if f.typ != 0 {
			hdr.Typeflag, hdr.Size = f.typ, 0
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if hdr.Size > 0 {
			if _, err := tw.Write([]byte(f.body)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// chartYAMLFile is a Chart.yaml entry for name at version under name/.
func chartYAMLFile(name, version string) file {
	return file{name: name + "/Chart.yaml",
		body: "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n"}
}

// gzipped compresses b.
func gzipped(t testing.TB, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
