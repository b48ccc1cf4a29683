package helm

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/testutil/helmcli"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

var troveBin string

func TestMain(m *testing.M) { troveproc.Main(m, &troveBin) }

var (
	repoRoot   = filepath.Join("..", "..")
	exampleOrg = filepath.Join(repoRoot, "examples", "cross-account", "organization.yaml")
	chartsDir  = filepath.Join(repoRoot, "testdata", "charts")
)

// key is an access key of the cross-account example (organization.yaml).
type key struct{ id, secret string }

var (
	publisher = key{"AKIAEXAMPLEPUBLISHER", "EXAMPLE/ci-publisher/notARealSecret00000"}
	devRoot   = key{"AKIAEXAMPLEDEVTOOLS1", "EXAMPLE/devtools-root/notARealSecret0000"}
	delegate  = key{"AKIAEXAMPLEDELEGATE1", "EXAMPLE/delegate/notARealSecret000000000"}
	intruder  = key{"AKIAEXAMPLEINTRUDER1", "EXAMPLE/intruder/notARealSecret000000000"}
)

const (
	bucket = "devtools-artifacts"
	region = "eu-central-1"
	// helmTimeout bounds one helm call.
	helmTimeout = 60 * time.Second
)

// repoAdd adds the repository at url under name, with k's keys unless k is
// nil, and extra flags.
func repoAdd(t *testing.T, h *helmcli.CLI, name, url string, k *key,
	extra ...string) helmcli.Result {
	t.Helper()
	if k != nil {
		extra = append([]string{"--username", k.id, "--password", k.secret}, extra...)
	}
	return h.RepoAdd(t, name, url, extra...)
}

// s3Client is an S3 client for k against endpoint, trusting caFile when
// it is not "".
func s3Client(t *testing.T, endpoint string, k key, caFile string) *s3.Client {
	t.Helper()
	hc := &http.Client{Transport: &http.Transport{Proxy: nil}}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			t.Fatal(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			t.Fatalf("no certificate in %s", caFile)
		}
		hc.Transport = &http.Transport{Proxy: nil,
			TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	}
	return s3.New(s3.Options{Region: region, BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true, HTTPClient: hc,
		Credentials: credentials.NewStaticCredentialsProvider(k.id, k.secret, "")})
}

// publish uploads body to key as ci-publisher does: with SSE, which the
// bucket policy requires.
func publish(t *testing.T, c *s3.Client, objectKey string, body []byte) {
	t.Helper()
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket),
		Key: aws.String(objectKey), Body: bytes.NewReader(body),
		ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil {
		t.Fatalf("publish %s: %v", objectKey, err)
	}
}

// readChart reads testdata/charts/<file>.
func readChart(t *testing.T, file string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(chartsDir, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// packageChart writes a chart directory from files (path: content, with
// bytes from testdata/charts for "charts/<name>.tgz" paths given as "@file")
// and packages it with `helm package`, returning the archive's bytes.
func packageChart(t *testing.T, h *helmcli.CLI, name, version string,
	files map[string]string) []byte {
	t.Helper()
	src := filepath.Join(t.TempDir(), name)
	for p, content := range files {
		data := []byte(content)
		if f, ok := strings.CutPrefix(content, "@"); ok {
			data = readChart(t, f)
		}
		full := filepath.Join(src, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	h.Must(t, "package", src, "--version", version, "-d", out)
	b, err := os.ReadFile(filepath.Join(out, name+"-"+version+".tgz"))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// logHelmVersion records which helm ran, once per test.
func logHelmVersion(t *testing.T, h *helmcli.CLI) {
	t.Helper()
	t.Logf("%s: %s", h.Bin, strings.TrimSpace(h.Must(t, "version", "--short").Stdout))
}
