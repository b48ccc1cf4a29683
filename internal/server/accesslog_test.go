package server_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/server"
)

// bigPolicy is a bucket policy of nearly 20 KB: statements that each allow
// one role of another account to read one prefix, when a tag matches.
func bigPolicy(t *testing.T) string {
	t.Helper()
	var stmts []string
	for i := 0; ; i++ {
		s := fmt.Sprintf(`{"Sid":"Reader%03d","Effect":"Allow","Principal":{"AWS":`+
			`"arn:aws:iam::111122223333:role/reader-%03d"},"Action":"s3:GetObject",`+
			`"Resource":"arn:aws:s3:::big/team-%03d/*","Condition":{"StringEquals":`+
			`{"aws:PrincipalTag/team":"team-%03d"}}}`, i, i, i, i)
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(append(stmts, s), ",") +
			`]}`
		if len(doc) > bucketpolicy.MaxSize-200 {
			break
		}
		stmts = append(stmts, s)
	}
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
}

// accessLine returns the last access log line in logs that contains want.
func accessLine(t *testing.T, logs, want string) string {
	t.Helper()
	var line string
	for l := range strings.SplitSeq(logs, "\n") {
		if strings.Contains(l, "log=access") && strings.Contains(l, want) {
			line = l
		}
	}
	if line == "" {
		t.Fatalf("no access log line with %q:\n%s", want, logs)
	}
	return line
}

// maxLine is what an access log line may take: about 5 KiB for its longest
// value, the other values, and the escapes of the text format.
const maxLine = 8 << 10

// newLoggedServer serves a fresh store through NewHandler, logging to logs,
// and returns it with its root user's credentials.
func newLoggedServer(t *testing.T, logs *syncBuffer) (*httptest.Server, *running) {
	t.Helper()
	ctx := context.Background()
	st, err := server.Open(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	r := &running{out: &syncBuffer{}}
	if err := server.Bootstrap(ctx, st.Meta, r.out); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(server.NewHandler(st, server.Config{},
		slog.New(slog.NewTextHandler(logs, nil))))
	t.Cleanup(ts.Close)
	r.url = ts.URL
	return ts, r
}

// TestAccessLogLineIsBounded checks that one anonymous request denied by a
// bucket policy of nearly 20 KB writes an access log line of a few KB, not
// one as large as the policy, that keeps the start of the explanation.
func TestAccessLogLineIsBounded(t *testing.T) {
	ctx := context.Background()
	var logs syncBuffer
	ts, r := newLoggedServer(t, &logs)
	c := r.rootClient(t, ts.Client())
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("big")}); err != nil {
		t.Fatal(err)
	}
	policy := bigPolicy(t)
	_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String("big"),
		Policy: aws.String(policy)})
	if err != nil {
		t.Fatalf("PutBucketPolicy of %d bytes: %v", len(policy), err)
	}
	if got := getStatus(t, ts.Client(), ts.URL+"/big/team-001/chart.tgz"); got !=
		http.StatusForbidden {
		t.Fatalf("anonymous GetObject: %d, want 403", got)
	}
	line := accessLine(t, logs.String(), "status=403")
	if len(line) > maxLine || !strings.Contains(line, `statement \"Reader000\"`) {
		t.Errorf("the access log line has %d bytes for a %d-byte policy; want at most %d, "+
			"with the first statement explained:\n%s", len(line), len(policy), maxLine, line)
	}
}

// TestAccessLogBoundsIAMAction checks that a signed IAM request whose Action
// parameter is 20 KB long writes an access log line of a few KB that says
// how much of the value it left out.
func TestAccessLogBoundsIAMAction(t *testing.T) {
	var logs syncBuffer
	ts, r := newLoggedServer(t, &logs)
	m := credsRE.FindStringSubmatch(r.out.String())
	action := strings.Repeat("A", 20<<10)
	body := url.Values{"Action": {action}, "Version": {"2010-05-08"}}.Encode()
	req, err := http.NewRequest(http.MethodPost, ts.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(body))
	err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: m[1],
		SecretAccessKey: m[2]}, req, hex.EncodeToString(sum[:]), "iam", "us-east-1",
		time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got := doStatus(t, ts.Client(), req); got != http.StatusBadRequest {
		t.Fatalf("IAM request with a 20 KB Action: %d, want 400", got)
	}
	line := accessLine(t, logs.String(), "api=iam")
	if len(line) > maxLine || !strings.Contains(line, "more bytes not logged") {
		t.Errorf("the access log line has %d bytes for a %d-byte Action; want at most %d, "+
			"saying what it cut", len(line), len(action), maxLine)
	}
}

// TestAccessLogKeepsShortValues checks that the cap leaves an access log
// line of ordinary size as it was.
func TestAccessLogKeepsShortValues(t *testing.T) {
	ctx := context.Background()
	st, err := server.Open(ctx, t.TempDir(), quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var logs bytes.Buffer
	h := server.NewHandler(st, server.Config{}, slog.New(slog.NewTextHandler(&logs, nil)))
	key := strings.Repeat("k", 1024) // S3's longest key
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/nobucket/"+key, nil))
	if !strings.Contains(logs.String(), "key="+key+" ") ||
		strings.Contains(logs.String(), "not logged") {
		t.Errorf("a 1,024-byte key was not logged whole:\n%s", logs.String())
	}
}
