package s3api_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

// chartTGZ is a chart archive of name at version; pad makes archives of one
// version differ.
func chartTGZ(t testing.TB, name, version, pad string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range []struct{ name, body string }{
		{name + "/Chart.yaml", "apiVersion: v2\nname: " + name + "\nversion: " + version +
			"\ndescription: " + pad + "\n"},
		{name + "/values.yaml", "pad: " + pad + "\n"},
	} {
		hdr := &tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)),
			Typeflag: tar.TypeReg}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte(f.body)); err != nil {
			t.Fatal(err)
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

// helmIndexDoc is what the tests read of an index.yaml.
type helmIndexDoc struct {
	APIVersion string `yaml:"apiVersion"`
	Entries    map[string][]struct {
		Name    string    `yaml:"name"`
		Version string    `yaml:"version"`
		Digest  string    `yaml:"digest"`
		URLs    []string  `yaml:"urls"`
		Created time.Time `yaml:"created"`
	} `yaml:"entries"`
	Generated time.Time `yaml:"generated"`
}

// versions lists the index's entries as "name version url", in order.
func (d helmIndexDoc) versions() []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(d.Entries)) {
		for _, e := range d.Entries[name] {
			out = append(out, e.Name+" "+e.Version+" "+strings.Join(e.URLs, ","))
		}
	}
	return out
}

// helmReq sends method to the Helm view path (from "/-/helm/") with p's
// Basic credentials, or none when p is nil.
func (e *env) helmReq(t *testing.T, method, path string, p *principal) (*http.Response,
	[]byte) {
	t.Helper()
	req, err := http.NewRequest(method, e.endpoint()+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p != nil {
		req.SetBasicAuth(p.id, p.secret)
	}
	return e.do(t, req)
}

// helmIndex fetches and parses an index as p, failing unless it is a 200.
func (e *env) helmIndex(t *testing.T, path string, p *principal) helmIndexDoc {
	t.Helper()
	resp, body := e.helmReq(t, http.MethodGet, path, p)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	var doc helmIndexDoc
	if err := yaml.Unmarshal(body, &doc); err != nil {
		t.Fatalf("GET %s: index does not parse: %v\n%s", path, err, body)
	}
	if doc.APIVersion != "v1" {
		t.Fatalf("GET %s: apiVersion %q", path, doc.APIVersion)
	}
	return doc
}

// putBytes uploads body to bucket/key as p.
func (e *env) putBytes(t testing.TB, p principal, bucket, key string, body []byte) {
	t.Helper()
	_, err := e.s3(p).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)})
	if err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

func (e *env) deleteKey(t *testing.T, p principal, bucket, key string) {
	t.Helper()
	_, err := e.s3(p).DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("delete %s/%s: %v", bucket, key, err)
	}
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// TestHelmViewAccess checks who gets what from the view, with the answer's
// status, S3 error code and Basic challenge.
func TestHelmViewAccess(t *testing.T) {
	e := newEnv(t, modes[0])
	shared := chartTGZ(t, "hello", "1.0.0", "shared")
	e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz", shared)
	e.putBytes(t, alice, "dev-shared", "public/hello-1.0.0.tgz", shared)
	wrong := principal{delegate.id, "not/the/secret/000000000000000000000000"}
	unknown := principal{"AKIATESTNOSUCHKEY001", delegate.secret}
	tests := []struct {
		name      string
		method    string
		path      string
		who       *principal
		status    int
		code      string
		challenge bool
	}{
		{name: "delegate index", path: "/-/helm/dev-shared/charts/index.yaml", who: &delegate,
			status: 200},
		{name: "delegate index head", method: http.MethodHead,
			path: "/-/helm/dev-shared/charts/index.yaml", who: &delegate, status: 200},
		{name: "delegate root index", path: "/-/helm/dev-shared/index.yaml", who: &delegate,
			status: 200},
		{name: "delegate chart", path: "/-/helm/dev-shared/charts/hello-1.0.0.tgz",
			who: &delegate, status: 200},
		{name: "delegate chart head", method: http.MethodHead,
			path: "/-/helm/dev-shared/charts/hello-1.0.0.tgz", who: &delegate, status: 200},
		{name: "delegate missing chart", path: "/-/helm/dev-shared/charts/nope-1.0.0.tgz",
			who: &delegate, status: 404, code: "NoSuchKey"},
		{name: "outsider index", path: "/-/helm/dev-shared/charts/index.yaml", who: &outsider,
			status: 403, code: "AccessDenied"},
		{name: "outsider chart", path: "/-/helm/dev-shared/charts/hello-1.0.0.tgz",
			who: &outsider, status: 403, code: "AccessDenied"},
		{name: "wrong secret", path: "/-/helm/dev-shared/charts/index.yaml", who: &wrong,
			status: 403, code: "SignatureDoesNotMatch"},
		{name: "unknown key", path: "/-/helm/dev-shared/charts/index.yaml", who: &unknown,
			status: 403, code: "InvalidAccessKeyId"},
		{name: "anonymous index", path: "/-/helm/dev-shared/charts/index.yaml", status: 401,
			code: "AccessDenied", challenge: true},
		{name: "anonymous head", method: http.MethodHead,
			path: "/-/helm/dev-shared/charts/index.yaml", status: 401, challenge: true},
		{name: "anonymous chart", path: "/-/helm/dev-shared/charts/hello-1.0.0.tgz",
			status: 401, code: "AccessDenied", challenge: true},
		{name: "anonymous public chart", path: "/-/helm/dev-shared/public/hello-1.0.0.tgz",
			status: 200},
		{name: "missing bucket", path: "/-/helm/no-such-bucket/index.yaml", who: &delegate,
			status: 404, code: "NoSuchBucket"},
		{name: "no bucket", path: "/-/helm/", who: &delegate, status: 400,
			code: "InvalidRequest"},
		{name: "not a chart", path: "/-/helm/dev-shared/charts/readme.txt", who: &delegate,
			status: 404, code: "NoSuchKey"},
		{name: "put", method: http.MethodPut, path: "/-/helm/dev-shared/charts/x.tgz",
			who: &alice, status: 405, code: "MethodNotAllowed"},
		{name: "delete", method: http.MethodDelete, path: "/-/helm/dev-shared/index.yaml",
			who: &alice, status: 405, code: "MethodNotAllowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			method := cmpOr(tt.method, http.MethodGet)
			resp, body := e.helmReq(t, method, tt.path, tt.who)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if tt.code != "" && !strings.Contains(string(body), "<Code>"+tt.code+"</Code>") {
				t.Errorf("body %s, want code %s", body, tt.code)
			}
			got := resp.Header.Get("WWW-Authenticate")
			if (got == `Basic realm="trove"`) != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want a challenge: %v", got, tt.challenge)
			}
			if tt.status == 200 && strings.HasSuffix(tt.path, ".tgz") &&
				method == http.MethodGet && !bytes.Equal(body, shared) {
				t.Errorf("chart bytes differ from the upload")
			}
		})
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// TestHelmViewSigV4 reads the view with a SigV4-signed request.
func TestHelmViewSigV4(t *testing.T) {
	e := newEnv(t, modes[0])
	e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz", chartTGZ(t, "hello", "1.0.0",
		""))
	req := signed(t, &delegate, "us-east-1", http.MethodGet,
		e.endpoint()+"/-/helm/dev-shared/charts/index.yaml", nil, nil)
	resp, body := e.do(t, req)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "hello-1.0.0.tgz") {
		t.Fatalf("signed index: %d %s", resp.StatusCode, body)
	}
	req = signed(t, &outsider, "us-east-1", http.MethodGet,
		e.endpoint()+"/-/helm/dev-shared/charts/index.yaml", nil, nil)
	if resp, body := e.do(t, req); resp.StatusCode != 403 {
		t.Fatalf("signed index as outsider: %d %s", resp.StatusCode, body)
	}
}

// helmPolicy lets the prd account list dev-main under charts/ only and read
// only the charts under charts/pub/.
const helmPolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"ListCharts","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222222222222:root"},
 "Action":"s3:ListBucket","Resource":"arn:aws:s3:::dev-main",
 "Condition":{"StringEquals":{"s3:prefix":"charts/"}}},
{"Sid":"ReadPublicCharts","Effect":"Allow",
 "Principal":{"AWS":"arn:aws:iam::222222222222:root"},
 "Action":"s3:GetObject","Resource":"arn:aws:s3:::dev-main/charts/pub/*"}]}`

// TestHelmViewAuthorizesEachChart checks that s3:prefix decides the index
// and that the index lists only the charts the caller may read.
func TestHelmViewAuthorizesEachChart(t *testing.T) {
	e := newEnv(t, modes[0])
	setPolicy(t, e.s3(devRoot), helmPolicy)
	for _, k := range []string{"charts/pub/a-1.0.0.tgz", "charts/secret/b-1.0.0.tgz",
		"charts/a-2.0.0.tgz", "other/c-1.0.0.tgz"} {
		name, ver, _ := strings.Cut(k[strings.LastIndex(k, "/")+1:], "-")
		e.putBytes(t, alice, "dev-main", k, chartTGZ(t, name,
			strings.TrimSuffix(ver, ".tgz"), ""))
	}
	tests := []struct {
		name string
		who  principal
		path string
		want []string
	}{
		{name: "owner sees all", who: alice, path: "/-/helm/dev-main/charts/index.yaml",
			want: []string{"a 2.0.0 a-2.0.0.tgz", "a 1.0.0 pub/a-1.0.0.tgz",
				"b 1.0.0 secret/b-1.0.0.tgz"}},
		{name: "owner root index", who: alice, path: "/-/helm/dev-main/index.yaml",
			want: []string{"a 2.0.0 charts/a-2.0.0.tgz", "a 1.0.0 charts/pub/a-1.0.0.tgz",
				"b 1.0.0 charts/secret/b-1.0.0.tgz", "c 1.0.0 other/c-1.0.0.tgz"}},
		{name: "delegate sees what it may get", who: delegate,
			path: "/-/helm/dev-main/charts/index.yaml",
			want: []string{"a 1.0.0 pub/a-1.0.0.tgz"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := e.helmIndex(t, tt.path, &tt.who).versions()
			if !slices.Equal(got, tt.want) {
				t.Errorf("index %q, want %q", got, tt.want)
			}
		})
	}
	for _, path := range []string{"/-/helm/dev-main/index.yaml",
		"/-/helm/dev-main/other/index.yaml"} {
		if resp, body := e.helmReq(t, http.MethodGet, path, &delegate); resp.StatusCode != 403 {
			t.Errorf("%s as delegate: %d %s, want 403 by s3:prefix", path, resp.StatusCode, body)
		}
	}
}

// countingBlobs counts the blobs opened, each after delay.
type countingBlobs struct {
	store.Blobs
	opened atomic.Int64
	delay  atomic.Int64 // a time.Duration
}

func (c *countingBlobs) Open(ctx context.Context, id string) (store.Blob, error) {
	c.opened.Add(1)
	time.Sleep(time.Duration(c.delay.Load()))
	return c.Blobs.Open(ctx, id)
}

// newHelmEnv is newEnv with the handler's blob opens counted and its log
// kept in logs.
func newHelmEnv(t *testing.T, logs io.Writer) (*env, *countingBlobs) {
	st := testutil.Stores(t, "testdata/org.yaml")
	blobs := &countingBlobs{Blobs: st.Blobs}
	e := &env{stores: st}
	e.h = s3api.New(s3api.Config{Meta: st.Meta, Blobs: blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(logs, nil))})
	e.start(t, modes[0])
	return e, blobs
}

// TestHelmViewNeverStale uploads, overwrites and deletes charts and checks
// each next index, the digests against the bytes served, and that only
// archives not seen before are read.
func TestHelmViewNeverStale(t *testing.T) {
	logs := &syncBuffer{}
	e, blobs := newHelmEnv(t, logs)
	const repo = "/-/helm/dev-shared/charts/"
	v1 := chartTGZ(t, "hello", "1.0.0", "first")
	v1b := chartTGZ(t, "hello", "1.0.0", "second")
	v2 := chartTGZ(t, "hello", "2.0.0", "")
	steps := []struct {
		name    string
		do      func(t *testing.T)
		want    []string
		digests map[string][]byte // URL: the bytes it must serve
		opens   int64             // blobs the index request opens
	}{
		{name: "empty", do: func(*testing.T) {}, want: nil},
		{name: "upload", do: func(t *testing.T) {
			e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz", v1)
		}, want: []string{"hello 1.0.0 hello-1.0.0.tgz"},
			digests: map[string][]byte{"hello-1.0.0.tgz": v1}, opens: 1},
		{name: "again from the cache", do: func(*testing.T) {},
			want:    []string{"hello 1.0.0 hello-1.0.0.tgz"},
			digests: map[string][]byte{"hello-1.0.0.tgz": v1}, opens: 0},
		{name: "second version and junk", do: func(t *testing.T) {
			e.putBytes(t, alice, "dev-shared", "charts/sub/hello-2.0.0.tgz", v2)
			e.putBytes(t, alice, "dev-shared", "charts/junk.tgz", []byte("not a chart"))
			e.putBytes(t, alice, "dev-shared", "charts/notes.txt", []byte("ignored"))
		}, want: []string{"hello 2.0.0 sub/hello-2.0.0.tgz", "hello 1.0.0 hello-1.0.0.tgz"},
			digests: map[string][]byte{"sub/hello-2.0.0.tgz": v2}, opens: 2},
		{name: "overwrite", do: func(t *testing.T) {
			e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz", v1b)
		}, want: []string{"hello 2.0.0 sub/hello-2.0.0.tgz", "hello 1.0.0 hello-1.0.0.tgz"},
			digests: map[string][]byte{"hello-1.0.0.tgz": v1b}, opens: 1},
		{name: "delete", do: func(t *testing.T) {
			e.deleteKey(t, alice, "dev-shared", "charts/sub/hello-2.0.0.tgz")
		}, want: []string{"hello 1.0.0 hello-1.0.0.tgz"}, opens: 0},
	}
	for _, s := range steps {
		s.do(t)
		before := blobs.opened.Load()
		doc := e.helmIndex(t, repo+"index.yaml", &delegate)
		if got := doc.versions(); !slices.Equal(got, s.want) {
			t.Fatalf("%s: index %q, want %q", s.name, got, s.want)
		}
		if n := blobs.opened.Load() - before; n != s.opens {
			t.Errorf("%s: the index opened %d blobs, want %d", s.name, n, s.opens)
		}
		for _, es := range doc.Entries {
			for _, en := range es {
				want, ok := s.digests[en.URLs[0]]
				if ok && en.Digest != sha(want) {
					t.Errorf("%s: %s digest %s, want %s", s.name, en.URLs[0], en.Digest, sha(want))
				}
				_, body := e.helmReq(t, http.MethodGet, repo+en.URLs[0], &delegate)
				if sha(body) != en.Digest {
					t.Errorf("%s: %s serves bytes of another digest", s.name, en.URLs[0])
				}
			}
		}
	}
	if n := strings.Count(logs.String(), "archive left out"); n != 1 {
		t.Errorf("invalid archive logged %d times, want once:\n%s", n, logs)
	}
	if !strings.Contains(logs.String(), "key=charts/junk.tgz") ||
		strings.Contains(logs.String(), delegate.secret) {
		t.Errorf("warning lacks the key or holds a secret:\n%s", logs)
	}
}

// TestHelmViewVirtualHost checks that with a virtual-host-style Host the
// view's path is an object key like any other.
func TestHelmViewVirtualHost(t *testing.T) {
	e := newEnv(t, mode{name: "vhost-http", vhost: true})
	c := e.s3(alice)
	const key = "-/helm/dev-main/index.yaml"
	put(t, c, "dev-main", key, "an object")
	if got, err := get(c, "dev-main", key); err != nil || got != "an object" {
		t.Fatalf("get %s: %q %v", key, got, err)
	}
	req := signed(t, &alice, "us-east-1", http.MethodGet,
		e.objectURL("dev-main", "-/helm/dev-main/other/index.yaml"), nil, nil)
	if resp, body := e.do(t, req); resp.StatusCode != 404 ||
		!strings.Contains(string(body), "NoSuchKey") {
		t.Fatalf("vhost GET of a missing key under -/helm/: %d %s", resp.StatusCode, body)
	}
}

// TestHelmViewConcurrentWrites has writers overwrite and add charts while
// readers fetch indexes: every index parses, and once writing stops every
// digest matches the bytes its URL serves.
func TestHelmViewConcurrentWrites(t *testing.T) {
	e := newEnv(t, modes[0])
	const repo = "/-/helm/dev-shared/charts/"
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var archives [2][3][][]byte // by writer, key and round
	for w := range archives {
		for k := range archives[w] {
			for round := range 4 {
				archives[w][k] = append(archives[w][k], chartTGZ(t, "c",
					fmt.Sprintf("1.%d.0", k), fmt.Sprint(w, round)))
			}
		}
	}
	var wg sync.WaitGroup
	var indexes, puts atomic.Int64
	for w := range archives {
		wg.Go(func() {
			c := e.s3(alice)
			for i := 0; ctx.Err() == nil; i++ {
				k := i % 3
				body := archives[w][k][(i/3)%4]
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("dev-shared"),
					Key:  aws.String(fmt.Sprintf("charts/c%d-%d.tgz", w, k)),
					Body: bytes.NewReader(body)})
				if err != nil && ctx.Err() == nil {
					t.Errorf("put: %v", err)
					return
				}
				puts.Add(1)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for ctx.Err() == nil {
				if err := e.readIndex(repo + "index.yaml"); err != nil {
					t.Error(err)
					return
				}
				indexes.Add(1)
			}
		})
	}
	wg.Wait()
	if indexes.Load() == 0 || puts.Load() == 0 {
		t.Fatalf("%d indexes read during %d writes, want both", indexes.Load(), puts.Load())
	}
	// A PUT whose client gave up at the deadline may still commit on the
	// server after the writers return; once those are done, the index and
	// the archives must agree.
	var stale []string
	testutil.WaitFor(t, 5*time.Second, "the index to match the archives", func() bool {
		stale = e.staleEntries(t, repo)
		return len(stale) == 0
	})
	t.Logf("%d indexes read during %d writes", indexes.Load(), puts.Load())
}

// staleEntries fetches the index under repo and returns the URLs of its
// versions of c whose bytes do not have the digest it lists; it fails the
// test unless the index holds the 6 versions of c.
func (e *env) staleEntries(t *testing.T, repo string) []string {
	t.Helper()
	doc := e.helmIndex(t, repo+"index.yaml", &delegate)
	if len(doc.Entries["c"]) != 6 {
		t.Fatalf("after the writes: %q, want 6 versions of c", doc.versions())
	}
	var stale []string
	for _, en := range doc.Entries["c"] {
		_, body := e.helmReq(t, http.MethodGet, repo+en.URLs[0], &delegate)
		if sha(body) != en.Digest {
			stale = append(stale, en.URLs[0])
		}
	}
	return stale
}

// readIndex fetches and parses an index as delegate, for goroutines that
// may not fail the test themselves.
func (e *env) readIndex(path string) error {
	req, err := http.NewRequest(http.MethodGet, e.endpoint()+path, nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(delegate.id, delegate.secret)
	resp, err := e.httpClient().Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var doc helmIndexDoc
	if err := yaml.Unmarshal(body, &doc); resp.StatusCode != 200 || err != nil {
		return fmt.Errorf("index during writes: %d %v\n%s", resp.StatusCode, err, body)
	}
	for _, es := range doc.Entries {
		for _, en := range es {
			if len(en.URLs) != 1 || len(en.Digest) != 64 || en.Created.IsZero() {
				return fmt.Errorf("index during writes: broken entry %+v", en)
			}
		}
	}
	return nil
}

// TestHelmViewEscapedKeys checks URLs for keys that need escaping, and
// that keys whose relative URL would resolve elsewhere are left out.
func TestHelmViewEscapedKeys(t *testing.T) {
	e := newEnv(t, modes[0])
	for _, k := range []string{"charts/a b/x:1-1.0.0.tgz", "charts/%41/y-1.0.0.tgz",
		"charts//evil-1.0.0.tgz", "charts/../dots-1.0.0.tgz"} {
		e.putBytes(t, alice, "dev-shared", k, chartTGZ(t, "c", "1.0.0", k))
	}
	doc := e.helmIndex(t, "/-/helm/dev-shared/charts/index.yaml", &delegate)
	want := []string{"c 1.0.0 %2541/y-1.0.0.tgz", "c 1.0.0 a%20b/x%3A1-1.0.0.tgz"}
	if got := doc.versions(); !slices.Equal(got, want) {
		t.Fatalf("index %q, want %q", got, want)
	}
	base, _ := url.Parse(e.endpoint() + "/-/helm/dev-shared/charts/")
	for _, en := range doc.Entries["c"] {
		ref, _ := url.Parse(en.URLs[0])
		req, _ := http.NewRequest(http.MethodGet, base.ResolveReference(ref).String(), nil)
		req.SetBasicAuth(delegate.id, delegate.secret)
		if resp, body := e.do(t, req); resp.StatusCode != 200 || sha(body) != en.Digest {
			t.Errorf("%s: %d, or bytes of another digest", en.URLs[0], resp.StatusCode)
		}
	}
}

// TestHelmViewResponseOverrides: response-* parameters need a SigV4
// signature, and the refusal of a Basic request says so, not "anonymous".
func TestHelmViewResponseOverrides(t *testing.T) {
	e, _ := newHelmEnv(t, io.Discard)
	e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz",
		chartTGZ(t, "hello", "1.0.0", ""))
	const path = "/-/helm/dev-shared/charts/hello-1.0.0.tgz?response-content-type=text%2Fhtml"
	resp, body := e.helmReq(t, http.MethodGet, path, &alice)
	if resp.StatusCode != http.StatusBadRequest ||
		!strings.Contains(string(body), "<Code>InvalidRequest</Code>") ||
		!strings.Contains(string(body), "HTTP Basic credentials") {
		t.Fatalf("GET %s: %d %s, want 400 InvalidRequest naming Basic credentials", path,
			resp.StatusCode, body)
	}
}

// TestHelmViewSharesReads: index requests that meet a new archive at the
// same time read it once and log an invalid one once.
func TestHelmViewSharesReads(t *testing.T) {
	logs := &syncBuffer{}
	e, blobs := newHelmEnv(t, logs)
	e.putBytes(t, alice, "dev-shared", "charts/hello-1.0.0.tgz",
		chartTGZ(t, "hello", "1.0.0", ""))
	e.putBytes(t, alice, "dev-shared", "charts/junk.tgz", []byte("not a chart"))
	blobs.delay.Store(int64(300 * time.Millisecond)) // the requests meet while reading
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() { e.helmIndex(t, "/-/helm/dev-shared/charts/index.yaml", &alice) })
	}
	wg.Wait()
	if n := blobs.opened.Load(); n != 2 {
		t.Errorf("6 concurrent index requests opened %d blobs, want the 2 archives once", n)
	}
	if n := strings.Count(logs.String(), "archive left out"); n != 1 {
		t.Errorf("invalid archive logged %d times, want once:\n%s", n, logs)
	}
}
