// Package helmrepo reads Helm chart archives and writes Helm chart repository
// indexes, in the formats Helm documents, without Helm's Go library: it is
// the pure half of trove's Helm repository view of a bucket (the HTTP half is
// in internal/s3api).
//
// ReadChart takes one archive, untrusted bytes, and returns the metadata of
// the chart it holds (Chart.yaml, and requirements.yaml for an apiVersion v1
// chart) with the archive's SHA-256 digest. It reads the archive once, as a
// stream, and bounds everything it does: the archive's size, the bytes it
// decompresses (against gzip bombs) and the size of the files it parses. It
// reads only "<topdir>/Chart.yaml" and "<topdir>/requirements.yaml", refuses
// archives whose entries leave their top directory or have more than one,
// and validates the metadata as Helm does before it accepts a chart.
//
// Index turns a list of chart versions into index.yaml bytes: apiVersion v1,
// entries by chart name, each name's versions newest first by SemVer, every
// version with its metadata, digest, creation time and URLs. The output is a
// function of the input alone (the generation time is an argument), so equal
// inputs give equal bytes.
package helmrepo

import (
	"archive/tar"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// ErrInvalid marks an archive that is not a valid chart: not gzip, not tar,
// too large, without a Chart.yaml, or with metadata Helm would refuse. The
// error's text says which, without quoting the archive's bytes at length.
var ErrInvalid = errors.New("helmrepo: not a valid chart archive")

// Default limits; see Limits.
const (
	DefaultMaxArchive      = 64 << 20
	DefaultMaxDecompressed = 256 << 20
	DefaultMaxChartFile    = 1 << 20
)

// Limits bound the work ReadChart does on one archive. A zero field takes
// its default.
type Limits struct {
	// MaxArchive is the largest archive, in compressed bytes, that is read.
	MaxArchive int64
	// MaxDecompressed bounds the bytes gunzipped while looking for the
	// chart's files, whatever the archive's own size.
	MaxDecompressed int64
	// MaxChartFile is the largest Chart.yaml or requirements.yaml parsed.
	MaxChartFile int64
}

func (l Limits) withDefaults() Limits {
	if l.MaxArchive <= 0 {
		l.MaxArchive = DefaultMaxArchive
	}
	if l.MaxDecompressed <= 0 {
		l.MaxDecompressed = DefaultMaxDecompressed
	}
	if l.MaxChartFile <= 0 {
		l.MaxChartFile = DefaultMaxChartFile
	}
	return l
}

// Chart is what an index records of one archive besides where it is: the
// chart's metadata and the archive's digest.
type Chart struct {
	Metadata Metadata
	// Digest is the SHA-256 of the whole archive, in lower-case hex.
	Digest string
	// Size is the archive's length in bytes.
	Size int64
}

// ReadChart reads the chart archive (a gzipped tar file) from r to its end
// and returns the chart's metadata and the archive's digest. Errors that
// come from the archive wrap ErrInvalid; an error reading r does not.
func ReadChart(r io.Reader, lim Limits) (Chart, error) {
	lim = lim.withDefaults()
	sum := sha256.New()
	src := &countingReader{r: io.TeeReader(r, sum), limit: lim.MaxArchive, what: "archive"}
	files, err := chartFiles(src, lim)
	if err != nil {
		return Chart{}, err
	}
	// The digest covers every byte, also those after the tar stream's end.
	if _, err := io.Copy(io.Discard, src); err != nil {
		if src.failed != nil {
			return Chart{}, fmt.Errorf("helmrepo: read archive: %w", src.failed)
		}
		return Chart{}, err
	}
	md, err := parseMetadata(files)
	if err != nil {
		return Chart{}, err
	}
	return Chart{Metadata: md, Digest: hex.EncodeToString(sum.Sum(nil)), Size: src.n}, nil
}

// countingReader counts what it reads and fails past limit bytes. It keeps
// the first error of r other than io.EOF in failed, so that a failure to
// read is told apart from a broken archive.
type countingReader struct {
	r      io.Reader
	n      int64
	limit  int64
	what   string // "archive" or "decompressed archive", for the error
	failed error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.failed == nil {
		c.failed = err
	}
	if c.n > c.limit {
		return n, fmt.Errorf("%w: %s too large: more than %d bytes", ErrInvalid, c.what,
			c.limit)
	}
	return n, err
}

// The files of a chart that ReadChart parses, relative to its top directory.
const (
	chartYAML        = "Chart.yaml"
	requirementsYAML = "requirements.yaml"
)

// chartFiles walks the tar stream inside the gzip stream from src and
// returns the contents of the top directory's Chart.yaml and, when present,
// requirements.yaml.
func chartFiles(src *countingReader, lim Limits) (map[string][]byte, error) {
	files, err := walkArchive(src, lim)
	if err != nil && src.failed != nil {
		return nil, fmt.Errorf("helmrepo: read archive: %w", src.failed)
	}
	return files, err
}

// walkArchive is chartFiles but for telling read errors apart.
func walkArchive(src io.Reader, lim Limits) (map[string][]byte, error) {
	zr, err := gzip.NewReader(src)
	if err != nil {
		return nil, streamError("not a gzip stream", err)
	}
	zr.Multistream(false)
	body := &countingReader{r: zr, limit: lim.MaxDecompressed, what: "decompressed archive"}
	tr := tar.NewReader(body)
	w := walk{files: map[string][]byte{}, lim: lim}
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, streamError("broken archive", err)
		}
		if err := w.entry(hdr, tr); err != nil {
			return nil, err
		}
	}
	if _, ok := w.files[chartYAML]; !ok {
		return nil, invalid("no %s in the archive's top directory", chartYAML)
	}
	return w.files, nil
}

// streamError reports a broken gzip or tar stream as what; an archive past
// a limit keeps its own error.
func streamError(what string, err error) error {
	if errors.Is(err, ErrInvalid) {
		return err
	}
	return invalid("%s: %v", what, err)
}

// walk is the state of one pass over a tar stream.
type walk struct {
	top   string // the top directory every entry is under
	files map[string][]byte
	lim   Limits
}

// entry checks one tar entry's name and keeps its body when it is a file
// ReadChart parses.
func (w *walk) entry(hdr *tar.Header, body io.Reader) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader {
		return nil
	}
	name := strings.TrimPrefix(hdr.Name, "./")
	if err := saneName(name); err != nil {
		return err
	}
	top, rest, _ := strings.Cut(name, "/")
	if w.top == "" {
		w.top = top
	} else if top != w.top {
		return invalid("entries under two top directories, %q and %q", w.top, top)
	}
	if rest != chartYAML && rest != requirementsYAML {
		return nil
	}
	if _, dup := w.files[rest]; dup {
		return invalid("%s appears twice", rest)
	}
	if hdr.Typeflag != tar.TypeReg {
		return invalid("%s is not a regular file", rest)
	}
	if hdr.Size > w.lim.MaxChartFile {
		return invalid("%s is %d bytes, more than %d", rest, hdr.Size, w.lim.MaxChartFile)
	}
	b, err := io.ReadAll(io.LimitReader(body, w.lim.MaxChartFile+1))
	if err != nil {
		return streamError("broken archive", err)
	}
	w.files[rest] = b
	return nil
}

// saneName refuses an entry name that is absolute, climbs out with "..",
// uses backslashes or is not clean, so that no entry can pass for another.
func saneName(name string) error {
	switch {
	case name == "":
		return invalid("an entry without a name")
	case strings.HasPrefix(name, "/"):
		return invalid("absolute entry name %.100q", name)
	case strings.Contains(name, `\`):
		return invalid("entry name with a backslash %.100q", name)
	case strings.ContainsRune(name, 0):
		return invalid("entry name with a NUL byte")
	}
	clean := path.Clean(name)
	if clean == ".." || strings.HasPrefix(clean, "../") {
		return invalid("entry name %.100q leaves the archive", name)
	}
	if clean != strings.TrimSuffix(name, "/") {
		return invalid("entry name %.100q is not clean", name)
	}
	return nil
}

// invalid returns an ErrInvalid error with a reason.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrInvalid, fmt.Sprintf(format, args...))
}
