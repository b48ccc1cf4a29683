package helm

import (
	"bytes"
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/troveproject/trove/internal/testutil/helmcli"
	"github.com/troveproject/trove/internal/testutil/troveproc"
)

// legacyChart is an apiVersion v1 chart, its dependency in requirements.yaml.
var legacyChart = map[string]string{
	"Chart.yaml": "apiVersion: v1\nname: legacy\nversion: 0.9.0\nappVersion: \"0.9\"\n" +
		"description: An apiVersion v1 chart\n",
	"requirements.yaml":      "dependencies:\n  - name: hello\n    version: 0.1.0\n",
	"charts/hello-0.1.0.tgz": "@hello-0.1.0.tgz",
	"values.yaml":            "{}\n",
}

// appChart is an apiVersion v2 chart with Chart.yaml's optional fields.
var appChart = map[string]string{
	"Chart.yaml": `apiVersion: v2
name: app
version: 0.0.0
appVersion: "2.1"
description: An application chart with a dependency
type: application
kubeVersion: ">=1.20.0-0"
keywords: [demo]
home: https://example.com/app
maintainers: [{name: Platform Team, email: platform@example.com}]
annotations: {example.com/team: platform}
dependencies:
  - name: hello
    version: 1.0.0
    alias: greeter
`,
	"charts/hello-1.0.0.tgz": "@hello-1.0.0.tgz",
	"templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n" +
		"data:\n  a: b\n",
}

// anonymousRead extends the example's bucket policy with a statement that
// lets anyone list and read the charts.
const anonymousRead = `{"Version":"2012-10-17","Statement":[
{"Sid":"DenyUnEncryptedObjectUploads","Effect":"Deny","Principal":"*",
 "Action":"s3:PutObject","Resource":"arn:aws:s3:::devtools-artifacts/*",
 "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
{"Sid":"AnonymousCharts","Effect":"Allow","Principal":"*",
 "Action":["s3:ListBucket","s3:GetObject"],
 "Resource":["arn:aws:s3:::devtools-artifacts","arn:aws:s3:::devtools-artifacts/charts/*"]}]}`

// TestHelmRepository publishes charts as ci-publisher and uses them through
// the Helm repository view as the PRD delegate, as the partner's intruder
// and anonymously, over plain HTTP.
func TestHelmRepository(t *testing.T) {
	t.Parallel()
	h := helmcli.New(t)
	logHelmVersion(t, h)
	srv := troveproc.Start(t, troveBin, "http", "--data-dir", filepath.Join(t.TempDir(), "d"),
		"--config", exampleOrg)
	pub := s3Client(t, srv.Endpoint, publisher, "")
	uploaded := map[string][]byte{}
	add := func(name, version string, body []byte) {
		uploaded[name+" "+version] = body
		publish(t, pub, "charts/"+name+"-"+version+".tgz", body)
	}
	for _, v := range []string{"0.1.0", "0.2.0", "1.0.0"} {
		add("hello", v, readChart(t, "hello-"+v+".tgz"))
	}
	add("legacy", "0.9.0", packageChart(t, h, "legacy", "0.9.0", legacyChart))
	add("app", "2.1.0", packageChart(t, h, "app", "2.1.0", appChart))
	publish(t, pub, "charts/broken.tgz", []byte("not a chart"))
	url := srv.Endpoint + "/-/helm/" + bucket + "/charts"

	if r := repoAdd(t, h, "trove", url, &delegate); r.Err != nil {
		t.Fatal(r)
	}
	want := []string{"trove/app 2.1.0", "trove/hello 1.0.0", "trove/hello 0.2.0",
		"trove/hello 0.1.0", "trove/legacy 0.9.0"}
	if got := h.SearchVersions(t, "trove"); !slices.Equal(got, want) {
		t.Fatalf("helm search repo --versions: %q, want %q", got, want)
	}
	for nv, body := range uploaded {
		name, version, _ := strings.Cut(nv, " ")
		if got := h.Pull(t, "trove/"+name, version); !bytes.Equal(got, body) {
			t.Errorf("helm pull %s %s: %d bytes differ from the %d uploaded", name, version,
				len(got), len(body))
		}
	}
	show := h.Must(t, "show", "chart", "trove/app", "--version", "2.1.0").Stdout
	for _, s := range []string{"alias: greeter", "example.com/team: platform"} {
		if !strings.Contains(show, s) {
			t.Errorf("helm show chart trove/app lacks %q:\n%s", s, show)
		}
	}

	t.Run("never stale", func(t *testing.T) {
		add("app", "2.2.0", packageChart(t, h, "app", "2.2.0", appChart))
		deleteKey(t, pub, "charts/hello-0.1.0.tgz")
		h.Must(t, "repo", "update", "trove")
		want := []string{"trove/app 2.2.0", "trove/app 2.1.0", "trove/hello 1.0.0",
			"trove/hello 0.2.0", "trove/legacy 0.9.0"}
		if got := h.SearchVersions(t, "trove"); !slices.Equal(got, want) {
			t.Fatalf("after publishing and deleting: %q, want %q", got, want)
		}
	})
	t.Run("outsiders", func(t *testing.T) { outsiders(t, srv.Endpoint, url) })
}

// outsiders checks the intruder, a wrong secret and anonymous callers, then
// a bucket policy that lets anonymous callers in (Principal "*" with no
// condition: from then on the intruder, whose own policy allows s3:*, may
// read too, as in AWS).
func outsiders(t *testing.T, endpoint, url string) {
	h := helmcli.New(t)
	wrong := key{delegate.id, "EXAMPLE/not-the-secret/00000000000000000"}
	for _, tt := range []struct {
		name string
		k    *key
		want string
	}{
		{name: "intruder", k: &intruder, want: "403"},
		{name: "wrong secret", k: &wrong, want: "403"},
		{name: "anonymous", k: nil, want: "401"},
	} {
		r := repoAdd(t, h, "x", url, tt.k)
		if r.Err == nil || !strings.Contains(r.Stderr, tt.want) {
			t.Errorf("%s: helm repo add: want a %s failure: %s", tt.name, tt.want, r)
		}
	}
	root := s3Client(t, endpoint, devRoot, "")
	_, err := root.PutBucketPolicy(context.Background(), &s3.PutBucketPolicyInput{
		Bucket: aws.String(bucket), Policy: aws.String(anonymousRead)})
	if err != nil {
		t.Fatal(err)
	}
	if r := repoAdd(t, h, "public", url, nil); r.Err != nil {
		t.Fatalf("anonymous helm repo add with an anonymous bucket policy: %s", r)
	}
	if got := h.Pull(t, "public/hello", "1.0.0"); !bytes.Equal(got,
		readChart(t, "hello-1.0.0.tgz")) {
		t.Error("anonymous helm pull: bytes differ")
	}
	// Bad credentials never fall back to anonymous access.
	if r := repoAdd(t, h, "y", url, &wrong); r.Err == nil || !strings.Contains(r.Stderr, "403") {
		t.Errorf("wrong secret with an anonymous bucket policy: want 403: %s", r)
	}
}

func deleteKey(t *testing.T, c *s3.Client, objectKey string) {
	t.Helper()
	_, err := c.DeleteObject(context.Background(), &s3.DeleteObjectInput{
		Bucket: aws.String(bucket), Key: aws.String(objectKey)})
	if err != nil {
		t.Fatalf("delete %s: %v", objectKey, err)
	}
}

// TestHelmRepositoryTLS serves trove with --tls-self-signed and uses the
// view over HTTPS, trusting the generated certificate with --ca-file.
func TestHelmRepositoryTLS(t *testing.T) {
	t.Parallel()
	h := helmcli.New(t)
	data := filepath.Join(t.TempDir(), "d")
	srv := troveproc.Start(t, troveBin, "https", "--data-dir", data, "--config", exampleOrg,
		"--tls-self-signed")
	ca := filepath.Join(data, "tls", "self-signed.crt")
	body := readChart(t, "hello-1.0.0.tgz")
	publish(t, s3Client(t, srv.Endpoint, publisher, ca), "charts/hello-1.0.0.tgz", body)
	url := srv.Endpoint + "/-/helm/" + bucket + "/charts"
	if r := repoAdd(t, h, "untrusted", url, &delegate); r.Err == nil {
		t.Errorf("helm repo add without --ca-file passed: %s", r)
	}
	if r := repoAdd(t, h, "trove", url, &delegate, "--ca-file", ca); r.Err != nil {
		t.Fatal(r)
	}
	if got := h.SearchVersions(t, "trove"); !slices.Equal(got, []string{"trove/hello 1.0.0"}) {
		t.Fatalf("helm search repo over HTTPS: %q", got)
	}
	if got := h.Pull(t, "trove/hello", "1.0.0"); !bytes.Equal(got, body) {
		t.Error("helm pull over HTTPS: bytes differ")
	}
	if r := repoAdd(t, h, "intruder", url, &intruder, "--ca-file", ca); r.Err == nil ||
		!strings.Contains(r.Stderr, "403") {
		t.Errorf("intruder over HTTPS: want 403: %s", r)
	}
}
