package s3api

import (
	"strings"
	"testing"
)

func TestParseCopySource(t *testing.T) {
	cases := []struct {
		name, in    string
		bucket, key string
		version     string
		bad         bool
	}{
		{name: "plain", in: "b/k", bucket: "b", key: "k"},
		{name: "leading slash", in: "/b/dir/k", bucket: "b", key: "dir/k"},
		{name: "encoded", in: "b/a%20b%3Fc+d", bucket: "b", key: "a b?c+d"},
		{name: "version", in: "b/k?versionId=null", bucket: "b", key: "k", version: "null"},
		{name: "no key", in: "b", bad: true},
		{name: "empty key", in: "/b/", bad: true},
		{name: "no bucket", in: "//k", bad: true},
		{name: "bad escape", in: "b/%zz", bad: true},
		{name: "empty", in: "", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			src, err := parseCopySource(tc.in)
			if tc.bad {
				if err == nil {
					t.Fatalf("parsed %+v, want an error", src)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if src.bucket != tc.bucket || src.key != tc.key || src.versionID != tc.version {
				t.Errorf("got %+v, want %s/%s version %q", src, tc.bucket, tc.key, tc.version)
			}
		})
	}
}

// FuzzParseCopySource checks that any header value either fails or names a
// non-empty bucket without a slash and a non-empty key.
func FuzzParseCopySource(f *testing.F) {
	for _, s := range []string{"b/k", "/b/k?versionId=x", "b/%2F", "arn:aws:s3:::x/y", "%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		src, err := parseCopySource(v)
		if err != nil {
			return
		}
		if src.bucket == "" || src.key == "" || strings.Contains(src.bucket, "/") {
			t.Fatalf("%q parsed as %+v", v, src)
		}
	})
}
