package artifacts_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/artifacts"
	"github.com/troveproject/trove/internal/testutil"
)

// TestRoleProfileUsesTheEndpointsSTS: a profile that assumes a role gets its
// session from the STS of --endpoint, and the session lists the bucket. A
// proxy on a dead loopback port catches any request for another host, so a
// regression fails here instead of reaching AWS.
func TestRoleProfileUsesTheEndpointsSTS(t *testing.T) {
	srv := testutil.Start(t, "../sts/testdata/org.yaml")
	dir := t.TempDir()
	config := filepath.Join(dir, "config")
	writeFile(t, config, "[profile deployer]\nregion = us-east-1\n\n"+
		"[profile cd]\nregion = us-east-1\nsource_profile = deployer\n"+
		"role_arn = arn:aws:iam::222222222222:role/agents/delivery\n")
	writeFile(t, filepath.Join(dir, "credentials"), "[deployer]\n"+
		"aws_access_key_id = AKIAPRDDEPLOYER00001\n"+
		"aws_secret_access_key = prd-deployer-secret-0000000000000000000000\n")
	for k, v := range map[string]string{"AWS_CONFIG_FILE": config,
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(dir, "credentials"),
		"AWS_EC2_METADATA_DISABLED":   "true", "HTTPS_PROXY": "http://127.0.0.1:1",
		"HTTP_PROXY": "http://127.0.0.1:1", "NO_PROXY": "127.0.0.1",
		"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_PROFILE": "",
		"AWS_ENDPOINT_URL": "", "AWS_ENDPOINT_URL_STS": ""} {
		t.Setenv(k, v)
	}
	putChart(t, srv.URL, "charts/app-1.2.0.tgz")
	c, err := artifacts.Open(context.Background(), artifacts.Source{Endpoint: srv.URL,
		Profile: "cd", Bucket: "devtools-charts", Pattern: "charts/app-*.tgz"})
	if err != nil {
		t.Fatal(err)
	}
	a, err := c.Latest(context.Background())
	if err != nil || a.Version != "1.2.0" {
		t.Fatalf("Latest = %+v, %v; want 1.2.0 through the role's session", a, err)
	}
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// putChart stores a small object at key in devtools-charts as the devtools
// root user.
func putChart(t *testing.T, endpoint, key string) {
	t.Helper()
	c := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		UsePathStyle: true, Credentials: credentials.NewStaticCredentialsProvider(
			"AKIADEVTOOLSROOT0001", "devtools-root-secret-0000000000000000000000", "")})
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("devtools-charts"), Key: aws.String(key),
		Body: bytes.NewReader([]byte("chart"))})
	if err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}
