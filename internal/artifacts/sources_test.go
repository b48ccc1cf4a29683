package artifacts_test

import (
	"errors"
	"flag"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/testutil"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// TestSourcesGolden parses every file of testdata/sources and compares what
// it gives, sources or the error, with testdata/sources.golden.
func TestSourcesGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "sources", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sources files: %v", err)
	}
	var b strings.Builder
	for _, f := range files {
		fmt.Fprintf(&b, "== %s\n", filepath.Base(f))
		srcs, err := artifacts.LoadSources(f)
		if err != nil {
			if !errors.Is(err, artifacts.ErrBadSources) {
				t.Errorf("%s: %v does not wrap ErrBadSources", f, err)
			}
			fmt.Fprintf(&b, "error: %v\n", err)
			continue
		}
		for _, s := range srcs {
			fmt.Fprintf(&b, "%s (line %d): endpoint=%s region=%s profile=%s bucket=%s "+
				"pattern=%s regexp=%v order=%s constraint=%q\n", s.Name, s.Line, s.Endpoint,
				s.Region, s.Profile, s.Bucket, s.Pattern, s.Regexp, s.Order, s.Constraint)
		}
	}
	testutil.Golden(t, filepath.Join("testdata", "sources.golden"), b.String(), *update)
}

func TestLoadSourcesMissingFile(t *testing.T) {
	_, err := artifacts.LoadSources(filepath.Join(t.TempDir(), "none.yaml"))
	if !errors.Is(err, os.ErrNotExist) || errors.Is(err, artifacts.ErrBadSources) {
		t.Errorf("missing file: %v, want ErrNotExist and not ErrBadSources", err)
	}
}

func TestParseEventNotification(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    string // "bucket/key" of each ref, separated by spaces
		wantErr bool
	}{
		{name: "put", body: record("ObjectCreated:Put", "b", "charts/app-1.0.0.tgz"),
			want: "b/charts/app-1.0.0.tgz"},
		{name: "encoded key", body: record("ObjectCreated:Copy", "b", "a+b%2Bc%2Fd"),
			want: "b/a b+c/d"},
		{name: "removal ignored", body: record("ObjectRemoved:Delete", "b", "k")},
		{name: "test event", body: `{"Service":"Amazon S3","Event":"s3:TestEvent"}`},
		{name: "two records", body: `{"Records":[` + rec("ObjectCreated:Put", "b", "x") + `,` +
			rec("ObjectCreated:Post", "c", "y") + `]}`, want: "b/x c/y"},
		{name: "not json", body: "{", wantErr: true},
		{name: "array", body: "[]", wantErr: true},
		{name: "bad escape", body: record("ObjectCreated:Put", "b", "%zz"), wantErr: true},
		{name: "no bucket", body: record("ObjectCreated:Put", "", "k"), wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			refs, err := artifacts.ParseEventNotification([]byte(tc.body))
			if (err != nil) != tc.wantErr || (err != nil && !errors.Is(err,
				artifacts.ErrBadEvent)) {
				t.Fatalf("error %v, want one: %v", err, tc.wantErr)
			}
			var got []string
			for _, r := range refs {
				got = append(got, r.Bucket+"/"+r.Key)
			}
			if strings.Join(got, " ") != tc.want {
				t.Errorf("refs %q, want %q", got, tc.want)
			}
		})
	}
}

// rec is one record of an S3 event notification; key is as S3 encodes it.
func rec(event, bucket, key string) string {
	return fmt.Sprintf(`{"eventVersion":"2.1","eventSource":"aws:s3","eventName":%q,`+
		`"s3":{"bucket":{"name":%q},"object":{"key":%q,"size":1}}}`, event, bucket, key)
}

func record(event, bucket, key string) string {
	return `{"Records":[` + rec(event, bucket, key) + `]}`
}

func FuzzParseEventNotification(f *testing.F) {
	f.Add([]byte(record("ObjectCreated:Put", "b", "charts/app-1.0.0.tgz")))
	f.Add([]byte(`{"Records":[{"eventName":"ObjectCreated:Put"}]}`))
	f.Add([]byte(`{"Records":null}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		refs, err := artifacts.ParseEventNotification(body)
		if err != nil && !errors.Is(err, artifacts.ErrBadEvent) {
			t.Fatalf("error %v does not wrap ErrBadEvent", err)
		}
		for _, r := range refs {
			if r.Bucket == "" || r.Key == "" {
				t.Fatalf("ref %+v without a bucket or key", r)
			}
		}
	})
}

// FuzzEventKeyRoundTrip checks that a key encoded as S3 encodes it comes
// back whole.
func FuzzEventKeyRoundTrip(f *testing.F) {
	f.Add("charts/app 1+2%.tgz")
	f.Fuzz(func(t *testing.T, key string) {
		if key == "" {
			return
		}
		refs, err := artifacts.ParseEventNotification([]byte(record("ObjectCreated:Put", "b",
			url.QueryEscape(key))))
		if err != nil {
			return // a key JSON cannot carry, such as invalid UTF-8
		}
		if len(refs) != 1 || refs[0].Key != key {
			t.Fatalf("key %q came back as %+v", key, refs)
		}
	})
}

func FuzzParseSources(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "sources", "*.yaml"))
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		srcs, err := artifacts.ParseSources("fuzz.yaml", data)
		if err != nil {
			if !errors.Is(err, artifacts.ErrBadSources) {
				t.Fatalf("error %v does not wrap ErrBadSources", err)
			}
			return
		}
		names := map[string]bool{}
		for _, s := range srcs {
			if s.Name == "" || s.Bucket == "" || s.Pattern == "" || names[s.Name] {
				t.Fatalf("accepted source %+v: unnamed, duplicate or incomplete", s)
			}
			names[s.Name] = true
			if err := artifacts.CheckEndpoint(s.Endpoint); err != nil {
				t.Fatalf("accepted source %+v: %v", s, err)
			}
		}
	})
}
