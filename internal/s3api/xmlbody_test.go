package s3api

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

// partsDoc is a CompleteMultipartUpload document listing parts numbered
// first to last.
func partsDoc(first, last int) string {
	var b strings.Builder
	b.WriteString("<CompleteMultipartUpload>")
	for n := first; n <= last; n++ {
		fmt.Fprintf(&b, `<Part><PartNumber>%d</PartNumber><ETag>"e"</ETag></Part>`, n)
	}
	return b.String() + "</CompleteMultipartUpload>"
}

// TestRequestDocumentsStrict checks what every document parser refuses
// since they share xmlBody: content after the root, a single-valued child
// twice, and the limits of the CompleteMultipartUpload list.
func TestRequestDocumentsStrict(t *testing.T) {
	const part = `<Part><PartNumber>1</PartNumber><ETag>"e"</ETag></Part>`
	const tag = `<Tag><Key>k</Key><Value>v</Value></Tag>`
	complete := func(r io.Reader) error { _, err := parseCompleteBody(r); return err }
	versioning := func(r io.Reader) error { _, err := parseVersioning(r); return err }
	tagging := func(r io.Reader) error { _, err := parseTagging(r, checkObjectTags); return err }
	tests := []struct {
		name  string
		parse func(io.Reader) error
		doc   string
		code  s3err.Code // "" when accepted
	}{
		{"complete", complete, "<CompleteMultipartUpload>" + part + "</CompleteMultipartUpload>",
			""},
		{"complete, trailing element", complete, "<CompleteMultipartUpload>" + part +
			"</CompleteMultipartUpload><junk>", s3err.MalformedXML},
		{"complete, trailing text", complete, "<CompleteMultipartUpload>" + part +
			"</CompleteMultipartUpload>junk", s3err.MalformedXML},
		{"complete, two part numbers", complete, "<CompleteMultipartUpload><Part>" +
			"<PartNumber>1</PartNumber><PartNumber>2</PartNumber></Part>" +
			"</CompleteMultipartUpload>", s3err.MalformedXML},
		{"complete, two etags", complete, "<CompleteMultipartUpload><Part><PartNumber>1" +
			"</PartNumber><ETag>a</ETag><ETag>b</ETag></Part></CompleteMultipartUpload>",
			s3err.MalformedXML},
		{"complete, two checksums", complete, "<CompleteMultipartUpload><Part><PartNumber>1" +
			"</PartNumber><ChecksumCRC32>a</ChecksumCRC32><ChecksumCRC32>b</ChecksumCRC32>" +
			"</Part></CompleteMultipartUpload>", s3err.MalformedXML},
		{"complete, 10000 parts", complete, partsDoc(1, 10000), ""},
		{"complete, 10001 ascending parts", complete, partsDoc(1, 10001),
			s3err.InvalidArgument},
		{"complete, 150000 parts", complete, partsDoc(1, 150000), s3err.InvalidArgument},
		{"complete, 10001 parts repeated", complete, "<CompleteMultipartUpload>" +
			strings.Repeat(part, 10001) + "</CompleteMultipartUpload>", s3err.InvalidPartOrder},
		{"versioning", versioning, "<VersioningConfiguration><Status>Enabled</Status>" +
			"</VersioningConfiguration>", ""},
		{"versioning, S3 namespace", versioning, `<VersioningConfiguration xmlns="http://s3.` +
			`amazonaws.com/doc/2006-03-01/"><Status>Suspended</Status>` +
			"</VersioningConfiguration>", ""},
		{"versioning, two statuses", versioning, "<VersioningConfiguration><Status>Enabled" +
			"</Status><Status>Suspended</Status></VersioningConfiguration>", s3err.MalformedXML},
		{"versioning, two mfa deletes", versioning, "<VersioningConfiguration><Status>" +
			"Enabled</Status><MfaDelete>Disabled</MfaDelete><MfaDelete>Disabled</MfaDelete>" +
			"</VersioningConfiguration>", s3err.MalformedXML},
		{"versioning, trailing element", versioning, "<VersioningConfiguration><Status>" +
			"Enabled</Status></VersioningConfiguration><x/>", s3err.MalformedXML},
		{"versioning, other root", versioning, "<Versioning><Status>Enabled</Status>" +
			"</Versioning>", s3err.MalformedXML},
		{"tagging", tagging, "<Tagging><TagSet>" + tag + "</TagSet></Tagging>", ""},
		{"tagging, empty set", tagging, "<Tagging><TagSet/></Tagging>", ""},
		{"tagging, two tag sets", tagging, "<Tagging><TagSet>" + tag + "</TagSet><TagSet>" +
			"</TagSet></Tagging>", s3err.MalformedXML},
		{"tagging, two keys", tagging, "<Tagging><TagSet><Tag><Key>a</Key><Key>b</Key>" +
			"<Value>v</Value></Tag></TagSet></Tagging>", s3err.MalformedXML},
		{"tagging, two values", tagging, "<Tagging><TagSet><Tag><Key>a</Key><Value>1" +
			"</Value><Value>2</Value></Tag></TagSet></Tagging>", s3err.MalformedXML},
		{"tagging, same key twice", tagging, "<Tagging><TagSet>" + tag + tag +
			"</TagSet></Tagging>", s3err.InvalidTag},
		{"tagging, eleven tags", tagging, "<Tagging><TagSet>" + elevenTags() +
			"</TagSet></Tagging>", s3err.InvalidTag},
		{"tagging, trailing text", tagging, "<Tagging><TagSet>" + tag + "</TagSet>" +
			"</Tagging>x", s3err.MalformedXML},
		{"tagging, no tag set", tagging, "<Tagging></Tagging>", s3err.MalformedXML},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := codeOf(tt.parse(strings.NewReader(tt.doc))); got != tt.code {
				t.Fatalf("code %q, want %q", got, tt.code)
			}
		})
	}
}

// elevenTags is one tag more than an object may have.
func elevenTags() string {
	var b strings.Builder
	for i := range 11 {
		fmt.Fprintf(&b, "<Tag><Key>k%d</Key><Value>v</Value></Tag>", i)
	}
	return b.String()
}

// TestParseCompleteMemory pins that a parts list of 150,000 parts costs
// what the 10000 a valid list may have cost, not more: reading stops at
// the 10001st.
func TestParseCompleteMemory(t *testing.T) {
	valid := allocated(func() {
		if _, err := parseCompleteBody(strings.NewReader(partsDoc(1, 10000))); err != nil {
			t.Error(err)
		}
	})
	hostile := partsDoc(1, 150000)
	got := allocated(func() {
		if _, err := parseCompleteBody(strings.NewReader(hostile)); err == nil {
			t.Error("150000 parts accepted")
		}
	})
	if got > valid+valid/4 {
		t.Errorf("150000 parts allocated %d bytes, 10000 valid ones %d", got, valid)
	}
	// About 8.5 MiB, more under the race detector; xml.Unmarshal took 14 MiB.
	if valid > 32<<20 {
		t.Errorf("10000 valid parts allocated %d bytes, want at most 32 MiB", valid)
	}
}

// FuzzXMLBody drives xmlBody over any input through a generic reader of
// nested elements: it must end every input with nil or an S3 error, never
// panic, read no text over its bound and open no element over the depth
// bound.
func FuzzXMLBody(f *testing.F) {
	for _, seed := range []string{"<a><b>t</b><c/></a>", "<a>x</a><b/>", "<a><b>1</b><b>2</b></a>",
		"<?xml version=\"1.0\"?><!-- c --><a/>\n", "<!DOCTYPE a><a/>", "<a><b><c>x</c></b></a>",
		"<a><![CDATA[x]]></a>", "<a></b>", ""} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		x := newXMLBody(strings.NewReader(string(doc)), xmlLimits{bytes: 1 << 16, tokens: 512})
		err := x.open("a")
		if err == nil {
			err = walkFields(t, x, 1)
		}
		if err == nil {
			err = x.close()
		}
		var e *s3err.Error
		if err != nil && !errors.As(err, &e) {
			t.Fatalf("error %v is not an S3 error", err)
		}
	})
}

// walkFields reads the children of the element opened last: "b" as a
// single-valued text field, "c" as a nested element, others skipped.
func walkFields(t *testing.T, x *xmlBody, depth int) error {
	var seen bool
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			return err
		}
		if x.depth > maxXMLDepth || x.depth != depth+1 {
			t.Fatalf("depth %d inside an element at depth %d", x.depth, depth)
		}
		switch name {
		case "b":
			v, err := x.textOnce("b", &seen)
			if err != nil {
				return err
			}
			if len(v) > maxXMLToken {
				t.Fatalf("text of %d bytes", len(v))
			}
		case "c":
			err = walkFields(t, x, depth+1)
		default:
			err = x.skip()
		}
		if err != nil {
			return err
		}
	}
}
