package iamapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/troveproject/trove/internal/iamapi"
)

// TestClientSuggestsHTTPS checks that asking a TLS listener over plain HTTP,
// which it cuts off, ends in an error that suggests https.
func TestClientSuggestsHTTPS(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	c := &iamapi.Client{Endpoint: "http://" + srv.Listener.Addr().String(),
		Credentials: credentials.NewStaticCredentialsProvider(intruder.id, intruder.secret, "")}
	_, err := c.SimulatePrincipalPolicy(context.Background(), iamapi.SimulateInput{
		PolicySourceArn: "arn:aws:iam::333333333333:user/intruder",
		Actions:         []string{"s3:GetObject"}})
	if err == nil || !strings.Contains(err.Error(), "does the endpoint serve https?") {
		t.Fatalf("err = %v, want a hint to use https", err)
	}
}
