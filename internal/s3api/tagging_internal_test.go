package s3api

import (
	"bytes"
	"errors"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/s3err"
)

// FuzzParseTaggingHeader checks that any x-amz-tagging value is either
// refused with an S3 error or read into a tag set within S3's limits.
func FuzzParseTaggingHeader(f *testing.F) {
	for _, seed := range []string{"", "a=1&b=2", "a=1&a=2", "aws:x=1", "%zz", "k=v%20w",
		"Team=a&team=b", strings.Repeat("k=v&", 11)} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, v string) {
		tags, err := parseTaggingHeader(http.Header{"X-Amz-Tagging": {v}})
		checkParsed(t, tags, err, maxObjectTags)
	})
}

// FuzzParseTagging does the same for Tagging documents.
func FuzzParseTagging(f *testing.F) {
	for _, seed := range []string{"<Tagging><TagSet></TagSet></Tagging>",
		"<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag></TagSet></Tagging>",
		"<Tagging><TagSet><Tag><Key>a</Key></Tag></TagSet></Tagging>", "<Tagging/>", "x"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		tags, err := parseTagging(bytes.NewReader(body), checkObjectTags)
		checkParsed(t, tags, err, maxObjectTags)
	})
}

// checkParsed fails unless err is an S3 error of the client's making or
// tags keep every limit.
func checkParsed(t *testing.T, tags map[string]string, err error, limit int) {
	t.Helper()
	if err != nil {
		var e *s3err.Error
		if !errors.As(err, &e) || e.Status() != http.StatusBadRequest {
			t.Fatalf("error %v is not a 400 S3 error", err)
		}
		return
	}
	if len(tags) > limit {
		t.Fatalf("%d tags accepted, limit %d", len(tags), limit)
	}
	for k, v := range tags {
		if k == "" || utf8.RuneCountInString(k) > maxTagKey ||
			utf8.RuneCountInString(v) > maxTagValue || strings.HasPrefix(k, "aws:") ||
			!utf8.ValidString(k+v) {
			t.Fatalf("tag %q=%q accepted", k, v)
		}
	}
}

// FuzzParseVersioning checks that any body is refused with an S3 error or
// read as one of the two states a request may set.
func FuzzParseVersioning(f *testing.F) {
	for _, seed := range []string{"<VersioningConfiguration><Status>Enabled</Status>" +
		"</VersioningConfiguration>", "<VersioningConfiguration><MfaDelete>Enabled" +
		"</MfaDelete></VersioningConfiguration>", "", "<a/>"} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		state, err := parseVersioning(bytes.NewReader(body))
		var e *s3err.Error
		switch {
		case err != nil && !errors.As(err, &e):
			t.Fatalf("error %v is not an S3 error", err)
		case err == nil && state != "Enabled" && state != "Suspended":
			t.Fatalf("state %q accepted", state)
		}
	})
}

// TestValidVersionID pins which strings may name a version.
func TestValidVersionID(t *testing.T) {
	tests := []struct {
		id   string
		want bool
	}{
		{"null", true},
		{strings.Repeat("a", 32), true},
		{"AZaz09-_" + strings.Repeat("x", 24), true},
		{"", false},
		{"NULL", false},
		{strings.Repeat("a", 31), false},
		{strings.Repeat("a", 33), false},
		{strings.Repeat("a", 31) + "+", false},
		{strings.Repeat("a", 31) + "/", false},
	}
	for _, tt := range tests {
		if got := validVersionID(tt.id); got != tt.want {
			t.Errorf("validVersionID(%q) = %v, want %v", tt.id, got, tt.want)
		}
	}
}
