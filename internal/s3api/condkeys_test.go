package s3api_test

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/testutil"
)

// The tests below prove, over real HTTP, that every condition key trove
// populates (docs/condition-keys.md) is in the request context exactly when
// AWS puts it there. Each case gives one caller a Deny statement on one key,
// in its identity-based policy or in a bucket policy, and sends a request
// with or without the header or parameter the key comes from: the answer,
// AccessDenied or the operation's own, shows whether the key was present and
// what it held. A key sent empty must be present with the value "", which a
// Null condition tells from a missing key.

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// layer is the policy that holds a case's Deny statement.
type layer int

const (
	identityLayer layer = iota // the caller's identity-based policy, Resource "*"
	bucketLayer                // the bucket policy, Principal "*"
)

// authKind is how a probe is authenticated.
type authKind int

const (
	byHeader  authKind = iota // SigV4 Authorization header
	byQuery                   // SigV4 presigned URL
	anonymous                 // no signature
)

// probe is the request a case sends. The zero value of each field is the
// common choice: header-signed, for us-east-1, body signed by its hash.
type probe struct {
	method  string
	key     string // the object key; "" addresses the bucket
	query   string // raw query string, without "?"
	header  map[string]string
	body    string // "{bucket}" is replaced by the case's bucket name
	auth    authKind
	age     time.Duration // presigned: how long before now the URL was signed
	region  string        // the credential scope's region
	payload string        // X-Amz-Content-Sha256 when not the body's hash
	tls12   bool          // over TLS, the client offers TLS 1.2 at most
	service bool          // addresses the service (ListBuckets), not a bucket
}

func (p probe) with(name, value string) probe {
	p.header = maps.Clone(p.header)
	if p.header == nil {
		p.header = map[string]string{}
	}
	p.header[name] = value
	return p
}

func (p probe) q(query string) probe { p.query = query; return p }

func (p probe) as(a authKind) probe { p.auth = a; return p }

// keyCase denies action to the case's caller when cond holds, then sends
// req (or runs sdk) and expects want: 403 AccessDenied when the key was
// present (or missing) so as to match, the operation's own answer otherwise.
type keyCase struct {
	name    string
	action  string // the Deny statement's action
	cond    string // its Condition block, JSON
	layer   layer
	req     probe
	sdk     func(c *s3.Client, bucket string) error // used instead of req when set
	want    int                                     // HTTP status
	tlsWant int                                     // over TLS, when not want
	code    string                                  // error code of want, when not implied
	// create: the bucket does not exist beforehand; empty: it holds no
	// object; region: it lives there rather than in us-east-1.
	create, empty bool
	region        string
}

// caseBucket is the bucket of case i, and casePrincipal its caller: an IAM
// user of account 111111111111 with its own access key.
func caseBucket(i int) string { return fmt.Sprintf("ck-%03d", i) }

func casePrincipal(i int) principal {
	return principal{fmt.Sprintf("AKIATESTCONDKEY%05d", i),
		fmt.Sprintf("test/condkeys/%05d/%s", i, strings.Repeat("0", 21))}
}

func TestConditionKeys(t *testing.T) {
	cases := conditionKeyCases()
	org := writeCaseOrg(t, cases)
	for _, m := range []mode{modes[0], modes[1]} {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			e := newKeysEnv(t, m, org, nil)
			prepareCases(t, e, cases)
			for i, c := range cases {
				t.Run(c.name, func(t *testing.T) { runKeyCase(t, e, i, c) })
			}
		})
	}
}

func runKeyCase(t *testing.T, e *env, i int, c keyCase) {
	want := c.want
	if e.mode.tls && c.tlsWant != 0 {
		want = c.tlsWant
	}
	code := cmp.Or(map[int]string{http.StatusForbidden: "AccessDenied",
		http.StatusNotImplemented: "NotImplemented"}[want], c.code)
	if c.sdk != nil {
		err := c.sdk(e.s3(casePrincipal(i)), caseBucket(i))
		switch {
		case err == nil && want >= 300:
			t.Fatalf("no error, want %d %s", want, code)
		case err != nil:
			wantErr(t, err, code, want)
		}
		return
	}
	resp, body := e.send(t, casePrincipal(i), caseBucket(i), c.req)
	switch {
	case resp.StatusCode != want:
		t.Fatalf("status %d, want %d; body %s", resp.StatusCode, want, body)
	case want >= 300 && c.req.method != http.MethodHead:
		checkErrorBody(t, resp, body, code, want)
	}
}

// writeCaseOrg writes an organization file declaring, for each case, its
// user (allowed s3:* and, for identity-layer cases, denied by the case's
// statement) and, unless the case creates it, its bucket.
func writeCaseOrg(t *testing.T, cases []keyCase) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("organization:\n  id: o-testorg0001\n  managementAccount: \"111111111111\"\n" +
		"accounts:\n  - id: \"111111111111\"\n    name: devtools\n    rootAccessKeys:\n" +
		"      - id: " + devRoot.id + "\n        secret: \"" + devRoot.secret + "\"\n" +
		"    users:\n")
	for i, c := range cases {
		p := casePrincipal(i)
		fmt.Fprintf(&b, "      - name: case%03d\n        accessKeys:\n"+
			"          - id: %s\n            secret: %q\n"+
			"        policies:\n          - name: case\n            document: '%s'\n",
			i, p.id, p.secret, identityDoc(t, c))
	}
	b.WriteString("    buckets:\n")
	for i, c := range cases {
		if !c.create {
			fmt.Fprintf(&b, "      - name: %s\n        region: %s\n",
				caseBucket(i), cmp.Or(c.region, "us-east-1"))
		}
	}
	path := filepath.Join(t.TempDir(), "org.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// statement is a policy statement; an empty Principal is left out.
type statement struct {
	Effect    string          `json:"Effect"`
	Principal string          `json:"Principal,omitempty"`
	Action    string          `json:"Action"`
	Resource  []string        `json:"Resource"`
	Condition json.RawMessage `json:"Condition,omitempty"`
}

func policyDoc(t *testing.T, sts ...statement) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": sts})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func identityDoc(t *testing.T, c keyCase) string {
	sts := []statement{{Effect: "Allow", Action: "s3:*", Resource: []string{"*"}}}
	if c.layer == identityLayer {
		sts = append(sts, statement{Effect: "Deny", Action: c.action,
			Resource: []string{"*"}, Condition: json.RawMessage(c.cond)})
	}
	return policyDoc(t, sts...)
}

// bucketDoc is the bucket policy of a case: for anonymous probes, an Allow
// of the action to everyone; for bucket-layer cases, the Deny. "" when none.
func bucketDoc(t *testing.T, c keyCase, bucket string) string {
	arns := []string{"arn:aws:s3:::" + bucket, "arn:aws:s3:::" + bucket + "/*"}
	var sts []statement
	if c.req.auth == anonymous {
		sts = append(sts, statement{Effect: "Allow", Principal: "*", Action: c.action,
			Resource: arns})
	}
	if c.layer == bucketLayer {
		sts = append(sts, statement{Effect: "Deny", Principal: "*", Action: c.action,
			Resource: arns, Condition: json.RawMessage(c.cond)})
	}
	if sts == nil {
		return ""
	}
	return policyDoc(t, sts...)
}

// newKeysEnv serves a handler over stores loaded from orgFile, with observe
// (when not nil) seeing every authorization's condition keys.
func newKeysEnv(t *testing.T, m mode, orgFile string,
	observe func(op, action string, c policy.Context)) *env {
	t.Helper()
	st := testutil.Stores(t, orgFile)
	h := s3api.New(s3api.Config{Meta: st.Meta, Blobs: st.Blobs,
		Directory: identity.New(st.Meta), Logger: slog.New(slog.NewTextHandler(tlog{t}, nil))})
	if observe != nil {
		s3api.ObserveContexts(h, observe)
	}
	e := &env{stores: st, h: h}
	e.start(t, m)
	return e
}

// prepareCases puts an object "obj" in each case's bucket and its bucket
// policy, as the bucket owner's root user, before any Deny applies.
func prepareCases(t *testing.T, e *env, cases []keyCase) {
	t.Helper()
	for i, c := range cases {
		if c.create {
			continue
		}
		bucket, region := caseBucket(i), cmp.Or(c.region, "us-east-1")
		if !c.empty {
			req := signed(t, &devRoot, region, http.MethodPut, e.objectURL(bucket, "obj"),
				[]byte("object"), nil)
			if resp, b := e.do(t, req); resp.StatusCode != http.StatusOK {
				t.Fatalf("seed %s: %d %s", bucket, resp.StatusCode, b)
			}
		}
		if doc := bucketDoc(t, c, bucket); doc != "" {
			req := signed(t, &devRoot, region, http.MethodPut,
				e.objectURL(bucket, "")+"?policy", []byte(doc), nil)
			if resp, b := e.do(t, req); resp.StatusCode != http.StatusNoContent {
				t.Fatalf("bucket policy of %s: %d %s", bucket, resp.StatusCode, b)
			}
		}
	}
}

// send builds pr for bucket, authenticates it as p and sends it.
func (e *env) send(t *testing.T, p principal, bucket string, pr probe) (*http.Response, []byte) {
	t.Helper()
	u := e.objectURL(bucket, pr.key)
	if pr.service {
		u = e.endpoint() + "/"
	}
	if pr.query != "" {
		u += "?" + pr.query
	}
	body := strings.ReplaceAll(pr.body, "{bucket}", bucket)
	req, err := http.NewRequest(pr.method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("User-Agent", "trove-condkeys-test")
	for k, v := range pr.header {
		req.Header.Set(k, v) // a User-Agent set to "" is not sent
	}
	region := cmp.Or(pr.region, "us-east-1")
	switch pr.auth {
	case byHeader:
		signHeader(t, p, req, region, body, pr.payload)
	case byQuery:
		req = presign(t, p, req, region, body, time.Now().Add(-pr.age))
	}
	client := e.httpClient()
	if pr.tls12 && e.mode.tls {
		tr := e.roundTripper().Clone()
		tr.TLSClientConfig.MaxVersion = tls.VersionTLS12
		client = &http.Client{Transport: tr}
	}
	return doWith(t, client, req)
}

func doWith(t *testing.T, c *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	if _, err := b.ReadFrom(resp.Body); err != nil {
		t.Fatal(err)
	}
	return resp, b.Bytes()
}

func signHeader(t *testing.T, p principal, req *http.Request, region, body, payload string) {
	t.Helper()
	if payload == "" {
		sum := sha256.Sum256([]byte(body))
		payload = hex.EncodeToString(sum[:])
	}
	req.Header.Set("X-Amz-Content-Sha256", payload)
	creds := aws.Credentials{AccessKeyID: p.id, SecretAccessKey: p.secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, payload, "s3", region,
		time.Now().UTC()); err != nil {
		t.Fatal(err)
	}
}

// presign returns req as a presigned URL signed at, valid 15 minutes, with
// the headers it was signed with.
func presign(t *testing.T, p principal, req *http.Request, region, body string,
	at time.Time) *http.Request {
	t.Helper()
	q := req.URL.Query()
	q.Set("X-Amz-Expires", "900")
	req.URL.RawQuery = q.Encode()
	creds := aws.Credentials{AccessKeyID: p.id, SecretAccessKey: p.secret}
	u, h, err := v4.NewSigner().PresignHTTP(context.Background(), creds, req,
		"UNSIGNED-PAYLOAD", "s3", region, at.UTC())
	if err != nil {
		t.Fatal(err)
	}
	out := presigned(t, req.Method, u, h, body)
	if ua, ok := req.Header["User-Agent"]; ok {
		out.Header["User-Agent"] = ua
	}
	return out
}

// observed is one authorization's request context, as the handler built it.
type observed struct {
	op, action string
	keys       policy.Context
}

// goldenSample is a request of the golden file: who sends what to which
// bucket, and the status it must get.
type goldenSample struct {
	name   string
	caller *principal // nil for anonymous
	bucket string
	req    probe
	want   int
}

// TestConditionKeysGolden pins, in testdata/condition-keys.golden, the
// request context of a sample request of every operation trove serves, over
// TLS. Values that change from run to run are checked for their form and
// written as <placeholders>. Run with -update to rewrite the file.
func TestConditionKeysGolden(t *testing.T) {
	var mu sync.Mutex
	var got []observed
	e := newKeysEnv(t, modes[1], "testdata/org.yaml", func(op, action string, c policy.Context) {
		mu.Lock()
		defer mu.Unlock()
		got = append(got, observed{op, action, c})
	})
	var out strings.Builder
	out.WriteString("# Request context of one sample request per operation, over TLS.\n" +
		"# The engine adds the keys it derives from the principal and the resource.\n" +
		"# Regenerate: go test ./internal/s3api -run TestConditionKeysGolden -update\n")
	for _, s := range goldenSamples() {
		mu.Lock()
		got = got[:0]
		mu.Unlock()
		p := principal{}
		if s.caller != nil {
			p = *s.caller
		} else {
			s.req.auth = anonymous
		}
		resp, body := e.send(t, p, s.bucket, s.req)
		if resp.StatusCode != s.want {
			t.Fatalf("%s: status %d, want %d; body %s", s.name, resp.StatusCode, s.want, body)
		}
		mu.Lock()
		fmt.Fprintf(&out, "\n## %s -> %d\n", s.name, resp.StatusCode)
		for _, o := range got {
			out.WriteString(renderContext(t, o))
		}
		mu.Unlock()
	}
	testutil.Golden(t, "testdata/condition-keys.golden", out.String(), *update)
}

// volatile are the keys whose values change from run to run, with a check
// of their form.
var volatile = map[string]func(string) bool{
	"aws:currenttime": isTime,
	"aws:epochtime":   isCount,
	"s3:signatureage": isCount,
	"s3:object-lock-remaining-retention-days": isCount,
}

func isTime(v string) bool { _, err := time.Parse(time.RFC3339, v); return err == nil }

func isCount(v string) bool { n, err := strconv.ParseInt(v, 10, 64); return err == nil && n >= 0 }

func renderContext(t *testing.T, o observed) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s\n", o.op, o.action)
	for _, k := range slices.Sorted(maps.Keys(o.keys)) {
		vs := o.keys[k]
		if ok, known := volatile[k]; known {
			if len(vs) != 1 || !ok(vs[0]) {
				t.Errorf("%s: %s = %q", o.op, k, vs)
			}
			vs = []string{"<" + strings.TrimPrefix(strings.TrimPrefix(k, "aws:"), "s3:") + ">"}
		}
		quoted := make([]string, len(vs))
		for i, v := range vs {
			quoted[i] = strconv.Quote(v)
		}
		fmt.Fprintf(&b, "    %s = [%s]\n", k, strings.Join(quoted, ", "))
	}
	return b.String()
}
