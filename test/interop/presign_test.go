package interop

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// presigner makes SigV4 presigned URLs for keys of one bucket. Each method returns the
// URL and the headers the request must carry besides Host.
type presigner interface {
	presignGet(ctx context.Context, key string, expires time.Duration) (string, http.Header,
		error)
	// presignPut returns errNoPresignPut if the client has no presigned PUT URLs.
	presignPut(ctx context.Context, key string, expires time.Duration) (string, http.Header,
		error)
}

// week is the longest validity S3 accepts for a presigned URL: X-Amz-Expires 604800.
const week = 7 * 24 * time.Hour

// presignCheck fetches a client's presigned URLs with net/http.
type presignCheck struct {
	srv    *server
	p      presigner
	bucket string
}

// run checks a presigned PUT and GET, the seven-day cap and expiry; the bucket must exist.
func (pc presignCheck) run(t *testing.T) {
	t.Helper()
	const key = "presigned/app-1.0.0.tgz"
	if !t.Run("put", func(t *testing.T) { pc.put(t, key) }) {
		return
	}
	t.Run("get", func(t *testing.T) { pc.get(t, key, 15*time.Minute) })
	t.Run("seven days", func(t *testing.T) { pc.get(t, key, week) })
	t.Run("over seven days", func(t *testing.T) { pc.overWeek(t, key) })
	t.Run("expired", func(t *testing.T) { pc.expired(t, key) })
}

// put uploads the small artifact with a presigned PUT URL, or with aws-sdk-go-v2 when
// the client has none.
func (pc presignCheck) put(t *testing.T, key string) {
	u, h, err := pc.p.presignPut(t.Context(), key, 15*time.Minute)
	if errors.Is(err, errNoPresignPut) {
		t.Log("the client makes no presigned PUT URLs; uploading with aws-sdk-go-v2")
		pc.uploadDirectly(t, key)
		return
	}
	if err != nil {
		t.Fatalf("presign PUT: %v", err)
	}
	body, err := os.ReadFile(smallArtifact.path)
	if err != nil {
		t.Fatal(err)
	}
	status, resp := pc.fetch(t, http.MethodPut, u, h, body)
	if status != http.StatusOK {
		t.Fatalf("PUT %s: status %d, want 200: %s", u, status, resp)
	}
}

func (pc presignCheck) uploadDirectly(t *testing.T, key string) {
	f, err := os.Open(smallArtifact.path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	_, err = newSDKClient(pc.srv).PutObject(t.Context(), &s3.PutObjectInput{
		Bucket: aws.String(pc.bucket), Key: aws.String(key), Body: f})
	if err != nil {
		t.Fatal(err)
	}
}

// get fetches key with a URL valid for expires and checks its bytes.
func (pc presignCheck) get(t *testing.T, key string, expires time.Duration) {
	u, h, err := pc.p.presignGet(t.Context(), key, expires)
	if err != nil {
		t.Fatalf("presign GET for %v: %v", expires, err)
	}
	if got := query(t, u, "X-Amz-Expires"); got != strconv.Itoa(int(expires.Seconds())) {
		t.Errorf("URL has X-Amz-Expires=%s, want %d", got, int(expires.Seconds()))
	}
	status, body := pc.fetch(t, http.MethodGet, u, h, nil)
	if status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %s", u, status, body)
	}
	checkBytes(t, "GET "+key, body, smallArtifact)
}

// overWeek checks that a URL valid for a second more than a week is refused: by the
// client when it signs it, else by trove; and that trove refuses a week-long URL whose
// X-Amz-Expires was raised after signing for its length before its signature, as S3 does.
func (pc presignCheck) overWeek(t *testing.T, key string) {
	u, h, err := pc.p.presignGet(t.Context(), key, week+time.Second)
	if err != nil {
		t.Logf("the client refuses to presign for a week and a second: %v", err)
	} else {
		pc.wantError(t, u, h, http.StatusBadRequest, "AuthorizationQueryParametersError", "")
	}
	u, h, err = pc.p.presignGet(t.Context(), key, week)
	if err != nil {
		t.Fatalf("presign GET for a week: %v", err)
	}
	pc.wantError(t, withQuery(t, u, "X-Amz-Expires", "604801"), h, http.StatusBadRequest,
		"AuthorizationQueryParametersError", "")
}

// expired fetches a URL valid for a second once that second is over.
func (pc presignCheck) expired(t *testing.T, key string) {
	u, h, err := pc.p.presignGet(t.Context(), key, time.Second)
	if err != nil {
		t.Fatalf("presign GET for a second: %v", err)
	}
	signed, err := time.Parse("20060102T150405Z", query(t, u, "X-Amz-Date"))
	if err != nil {
		t.Fatalf("X-Amz-Date: %v", err)
	}
	// X-Amz-Date drops the fraction of its second: two seconds on, the URL has expired.
	time.Sleep(time.Until(signed.Add(2100 * time.Millisecond)))
	e := pc.wantError(t, u, h, http.StatusForbidden, "AccessDenied", "Request has expired")
	if e.Expires != "1" || e.ServerTime == "" {
		t.Errorf("expired URL: error with X-Amz-Expires %q and ServerTime %q, want 1 and "+
			"the server's time, as S3 gives", e.Expires, e.ServerTime)
	}
}

// s3Error is the body of an S3 error response.
type s3Error struct {
	Code       string
	Message    string
	Expires    string `xml:"X-Amz-Expires"`
	ServerTime string
}

// wantError fetches u and fails the test unless trove answers status with the S3 error
// code and, unless empty, message. It returns the error it got.
func (pc presignCheck) wantError(t *testing.T, u string, h http.Header, status int, code,
	message string) s3Error {
	t.Helper()
	got, body := pc.fetch(t, http.MethodGet, u, h, nil)
	var e s3Error
	_ = xml.Unmarshal(body, &e) // a body that is no S3 error leaves e empty
	if got != status || e.Code != code || (message != "" && e.Message != message) {
		t.Errorf("GET %s: status %d, %s %q; want %d, %s %q\n%s", u, got, e.Code, e.Message,
			status, code, message, body)
	}
	return e
}

// fetch sends method to u with header h and body, and returns the status and body.
func (pc presignCheck) fetch(t *testing.T, method, u string, h http.Header,
	body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, u, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for name, vals := range h {
		if !strings.EqualFold(name, "Host") {
			req.Header[http.CanonicalHeaderKey(name)] = vals
		}
	}
	resp, err := pc.srv.httpClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read the body: %v", method, u, err)
	}
	return resp.StatusCode, got
}

// query returns the query parameter name of URL u.
func query(t *testing.T, u, name string) string {
	t.Helper()
	parsed, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	return parsed.Query().Get(name)
}

// withQuery returns u with its query parameter name set to value, the rest unchanged.
func withQuery(t *testing.T, u, name, value string) string {
	t.Helper()
	old := query(t, u, name)
	if old == "" {
		t.Fatalf("%s has no %s", u, name)
	}
	return strings.Replace(u, name+"="+old, name+"="+value, 1)
}
