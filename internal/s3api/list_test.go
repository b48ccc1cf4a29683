package s3api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// manyKeys are 2,500 keys under 25 prefixes plus a few at the top level,
// sorted in UTF-8 binary order as S3 lists them.
func manyKeys() []string {
	keys := []string{"a-top", "z-top", "logs/readme", "Upper", "ünicode"}
	for i := range 2495 {
		keys = append(keys, fmt.Sprintf("logs/%02d/%04d.txt", i%25, i))
	}
	slices.Sort(keys)
	return keys
}

// putAll uploads every key (body: the key) with a few concurrent clients.
func putAll(t *testing.T, c *s3.Client, bucket string, keys []string) {
	t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, len(keys))
	work := make(chan string)
	for range 8 {
		wg.Go(func() {
			for k := range work {
				_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
					Bucket: aws.String(bucket), Key: aws.String(k),
					Body: strings.NewReader(k)})
				if err != nil {
					errs <- fmt.Errorf("put %q: %w", k, err)
				}
			}
		})
	}
	for _, k := range keys {
		work <- k
	}
	close(work)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}

// listing is what a sequence of list pages, stitched, showed.
type listing struct {
	keys, prefixes []string
	pages          int
}

// listV2 lists with the SDK's paginator, checking each page's bookkeeping.
func listV2(t *testing.T, c *s3.Client, in s3.ListObjectsV2Input) listing {
	t.Helper()
	var l listing
	p := s3.NewListObjectsV2Paginator(c, &in)
	for p.HasMorePages() {
		out, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatalf("page %d: %v", l.pages+1, err)
		}
		l.pages++
		n := len(out.Contents) + len(out.CommonPrefixes)
		if int(aws.ToInt32(out.KeyCount)) != n {
			t.Errorf("page %d: KeyCount %d, %d entries", l.pages, aws.ToInt32(out.KeyCount), n)
		}
		if in.MaxKeys != nil && n > int(*in.MaxKeys) {
			t.Errorf("page %d: %d entries, max-keys %d", l.pages, n, *in.MaxKeys)
		}
		if aws.ToBool(out.IsTruncated) != (out.NextContinuationToken != nil) {
			t.Errorf("page %d: IsTruncated %v, NextContinuationToken %v", l.pages,
				aws.ToBool(out.IsTruncated), aws.ToString(out.NextContinuationToken))
		}
		for _, o := range out.Contents {
			l.keys = append(l.keys, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			l.prefixes = append(l.prefixes, aws.ToString(cp.Prefix))
		}
	}
	return l
}

// listV1 lists with ListObjects, continuing from NextMarker when sent and
// otherwise from the last key, as S3 documents.
func listV1(t *testing.T, c *s3.Client, in s3.ListObjectsInput) listing {
	t.Helper()
	var l listing
	for {
		out, err := c.ListObjects(context.Background(), &in)
		if err != nil {
			t.Fatalf("page %d: %v", l.pages+1, err)
		}
		l.pages++
		for _, o := range out.Contents {
			l.keys = append(l.keys, aws.ToString(o.Key))
		}
		for _, cp := range out.CommonPrefixes {
			l.prefixes = append(l.prefixes, aws.ToString(cp.Prefix))
		}
		if !aws.ToBool(out.IsTruncated) {
			return l
		}
		if in.Delimiter != nil && out.NextMarker == nil {
			t.Fatalf("page %d: truncated listing with a delimiter and no NextMarker", l.pages)
		}
		next := out.NextMarker
		if next == nil && len(out.Contents) > 0 {
			next = out.Contents[len(out.Contents)-1].Key
		}
		if next == nil || aws.ToString(next) == aws.ToString(in.Marker) || l.pages > 100 {
			t.Fatalf("page %d: truncated listing that does not advance", l.pages)
		}
		in.Marker = next
	}
}

// expected computes a listing from the full key set.
func expected(all []string, prefix, delimiter, after string) listing {
	var l listing
	for _, k := range all {
		if !strings.HasPrefix(k, prefix) || k <= after {
			continue
		}
		if delimiter != "" {
			if i := strings.Index(k[len(prefix):], delimiter); i >= 0 {
				cp := k[:len(prefix)+i+len(delimiter)]
				if cp > after && !slices.Contains(l.prefixes, cp) {
					l.prefixes = append(l.prefixes, cp)
				}
				continue
			}
		}
		l.keys = append(l.keys, k)
	}
	return l
}

func TestListPagination(t *testing.T) {
	all := manyKeys()
	tests := []listCase{
		{name: "default page size", pages: 3},
		{name: "max-keys 700", maxKeys: 700, pages: 4},
		{name: "prefix", prefix: "logs/07/", maxKeys: 30, pages: 4},
		{name: "delimiter at top", delimiter: "/", pages: 1},
		{name: "delimiter under prefix", prefix: "logs/", delimiter: "/", maxKeys: 7, pages: 4},
		{name: "start after", after: "logs/10/", maxKeys: 500, pages: 3},
		{name: "start after a common prefix", prefix: "logs/", delimiter: "/",
			after: "logs/10/", maxKeys: 5, pages: 3},
		{name: "prefix matching nothing", prefix: "nothing/", pages: 1},
	}
	seeded := newEnv(t, modes[0])
	putAll(t, seeded.s3(alice), "dev-main", all)
	// Every mode lists the same stores, seeded once.
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			listCases(t, seeded.withMode(t, m).s3(alice), all, tests)
		})
	}
}

// listCase is one listing of TestListPagination.
type listCase struct {
	name                     string
	prefix, delimiter, after string
	maxKeys                  int32
	pages                    int
}

func listCases(t *testing.T, c *s3.Client, all []string, tests []listCase) {
	for _, tt := range tests {
		want := expected(all, tt.prefix, tt.delimiter, tt.after)
		in := s3.ListObjectsV2Input{Bucket: aws.String("dev-main")}
		if tt.prefix != "" {
			in.Prefix = aws.String(tt.prefix)
		}
		if tt.delimiter != "" {
			in.Delimiter = aws.String(tt.delimiter)
		}
		if tt.after != "" {
			in.StartAfter = aws.String(tt.after)
		}
		if tt.maxKeys != 0 {
			in.MaxKeys = aws.Int32(tt.maxKeys)
		}
		t.Run("v2 "+tt.name, func(t *testing.T) {
			got := listV2(t, c, in)
			compareListing(t, got, want, tt.pages)
		})
		t.Run("v1 "+tt.name, func(t *testing.T) {
			v1 := s3.ListObjectsInput{Bucket: in.Bucket, Prefix: in.Prefix,
				Delimiter: in.Delimiter, MaxKeys: in.MaxKeys, Marker: in.StartAfter}
			got := listV1(t, c, v1)
			compareListing(t, got, want, 0)
		})
	}
}

func compareListing(t *testing.T, got, want listing, pages int) {
	t.Helper()
	if !slices.Equal(got.keys, want.keys) {
		t.Errorf("keys: got %d, want %d; first difference at %d", len(got.keys),
			len(want.keys), firstDiff(got.keys, want.keys))
	}
	if !slices.Equal(got.prefixes, want.prefixes) {
		t.Errorf("common prefixes %q, want %q", got.prefixes, want.prefixes)
	}
	if pages != 0 && got.pages != pages {
		t.Errorf("%d pages, want %d", got.pages, pages)
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// oddKeys are keys that XML cannot carry as they are, or that look encoded.
var oddKeys = []string{
	"ctl\x01char", "ctl\x1fchar/x", "sp ace/file", "plus+sign", "pct%25sign", "amp&lt;",
	"uni/ké", "tab\tkey",
}

func TestListEncodingURL(t *testing.T) {
	forModes(t, func(t *testing.T, e *env) {
		c := e.s3(alice)
		for _, k := range oddKeys {
			put(t, c, "dev-main", k, k)
		}
		want := slices.Sorted(slices.Values(oddKeys))
		t.Run("v2", func(t *testing.T) {
			out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
				Bucket: aws.String("dev-main"), EncodingType: types.EncodingTypeUrl})
			if err != nil {
				t.Fatal(err)
			}
			if out.EncodingType != types.EncodingTypeUrl {
				t.Errorf("EncodingType %q, want url", out.EncodingType)
			}
			checkDecoded(t, out.Contents, want)
		})
		t.Run("v1", func(t *testing.T) {
			out, err := c.ListObjects(context.Background(), &s3.ListObjectsInput{
				Bucket: aws.String("dev-main"), EncodingType: types.EncodingTypeUrl})
			if err != nil {
				t.Fatal(err)
			}
			checkDecoded(t, out.Contents, want)
		})
		t.Run("delimiter", func(t *testing.T) {
			out, err := c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{
				Bucket: aws.String("dev-main"), EncodingType: types.EncodingTypeUrl,
				Delimiter: aws.String("/"), Prefix: aws.String("sp ace/")})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.Contents) != 1 {
				t.Fatalf("%d keys under 'sp ace/', want 1", len(out.Contents))
			}
			if got := unescape(t, aws.ToString(out.Contents[0].Key)); got != "sp ace/file" {
				t.Errorf("key %q, want %q", got, "sp ace/file")
			}
			if got := unescape(t, aws.ToString(out.Prefix)); got != "sp ace/" {
				t.Errorf("prefix %q decodes to %q", aws.ToString(out.Prefix), got)
			}
		})
	})
}

func checkDecoded(t *testing.T, objs []types.Object, want []string) {
	t.Helper()
	var got []string
	for _, o := range objs {
		raw := aws.ToString(o.Key)
		if strings.ContainsAny(raw, "\x01\x1f\t ") {
			t.Errorf("key %q is not URL-encoded", raw)
		}
		got = append(got, unescape(t, raw))
	}
	if !slices.Equal(got, want) {
		t.Errorf("decoded keys %q, want %q", got, want)
	}
}

func unescape(t *testing.T, s string) string {
	t.Helper()
	u, err := url.QueryUnescape(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return u
}
