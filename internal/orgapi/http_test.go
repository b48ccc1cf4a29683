package orgapi_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
)

// raw sends body to action, signed by k unless it is nil, with the given
// content type, and returns the status and the decoded JSON error.
func raw(t *testing.T, url string, k *key, action, ctype, body string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ctype)
	req.Header.Set("X-Amz-Target", "AWSOrganizationsV20161128."+action)
	if k != nil {
		sum := sha256.Sum256([]byte(body))
		err = v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.id,
			SecretAccessKey: k.secret}, req, hex.EncodeToString(sum[:]), "organizations",
			"us-east-1", time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	var out map[string]string
	_ = json.Unmarshal(data, &out)
	return resp.StatusCode, out
}

// TestProtocolErrors checks the JSON error shape and status of requests
// refused before any action runs.
func TestProtocolErrors(t *testing.T) {
	srv := newServer(t)
	const json11 = "application/x-amz-json-1.1"
	tests := []struct {
		name, action, ctype, body string
		k                         *key
		status                    int
		want                      string
	}{
		{"unsigned", "ListAccounts", json11, "{}", nil, 403,
			"MissingAuthenticationTokenException"},
		{"unknown action", "InviteAccountToOrganization", json11, "{}", &managerRoot, 400,
			"UnknownOperationException"},
		{"wrong content type", "ListAccounts", "application/json", "{}", &managerRoot, 400,
			"SerializationException"},
		{"not JSON", "ListAccounts", json11, "{", &managerRoot, 400, "SerializationException"},
		{"member account", "ListRoots", json11, "{}", &memberRoot, 400,
			"AccessDeniedException"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := raw(t, srv.URL, tt.k, tt.action, tt.ctype, tt.body)
			if status != tt.status || body["__type"] != tt.want || body["Message"] == "" {
				t.Errorf("status %d, body %v; want %d and __type %s with a Message", status,
					body, tt.status, tt.want)
			}
		})
	}
}

// TestPagination lists 23 accounts in pages of 10 with the SDK's
// paginator.
func TestPagination(t *testing.T) {
	srv := newServer(t)
	c := client(srv, managerRoot)
	for i := range 20 {
		_, err := c.CreateAccount(t.Context(), &organizations.CreateAccountInput{
			AccountName: aws.String("a" + string(rune('a'+i))),
			Email:       aws.String("a@example.com")})
		if err != nil {
			t.Fatal(err)
		}
	}
	p := organizations.NewListAccountsPaginator(c, &organizations.ListAccountsInput{
		MaxResults: aws.Int32(10)})
	var pages, seen int
	ids := map[string]bool{}
	for p.HasMorePages() {
		out, err := p.NextPage(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, a := range out.Accounts {
			ids[*a.Id] = true
			seen++
		}
	}
	// 20 created, the management account, the member; the outsider is not listed
	if pages != 3 || seen != 22 || len(ids) != 22 {
		t.Errorf("%d pages, %d accounts (%d distinct); want 3, 22, 22", pages, seen, len(ids))
	}
}
