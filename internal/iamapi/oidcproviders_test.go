package iamapi_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/troveproject/trove/internal/iamapi"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

const eksURL = "https://oidc.eks.eu-west-1.amazonaws.com/id/5C1AE3D2E7B54F1E9A6B0C3D4E5F6A7B"

// providerARN is the ARN of prd's provider for the issuer u.
func providerARN(u string) string {
	_, rest, _ := strings.Cut(u, "://")
	return "arn:aws:iam::" + prd + ":oidc-provider/" + rest
}

// createProvider creates a provider of issuer u for the client ids.
func createProvider(u string, ids ...string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
			Url: aws.String(u), ClientIDList: ids})
		return err
	}
}

// discovery serves a discovery document naming issuer and jwks until the
// test ends; "" names the server's own URL and its /keys.
func discovery(t *testing.T, issuer, jwks string) string {
	srv := httptest.NewServer(nil)
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		iss, keys := issuer, jwks
		if iss == "" {
			iss = srv.URL
		}
		if keys == "" {
			keys = srv.URL + "/keys"
		}
		fmt.Fprintf(w, `{"issuer":%q,"jwks_uri":%q}`, iss, keys)
	})
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestOIDCProviderScenario runs the provider actions, in order, as the
// root user of the prd account, each with the outcome IAM gives.
func TestOIDCProviderScenario(t *testing.T) {
	e := newEnv(t)
	is := oidcissuer.New(t)
	c := e.iam(creds(prdRoot))
	steps := append(providerCreateSteps(t, e, is), providerChangeSteps(is)...)
	for _, s := range steps {
		if !t.Run(s.name, func(t *testing.T) {
			if got := errCode(s.call(t.Context(), c)); got != s.code {
				t.Fatalf("error code %q, want %q", got, s.code)
			}
		}) {
			return // later steps build on this one
		}
	}
}

// withJWKSURL creates the provider of u with trove's JwksUrl parameter,
// which the SDK does not send: the request is signed and posted by hand.
func withJWKSURL(t *testing.T, e *env, u, jwks string) func(context.Context, *iam.Client) error {
	return func(context.Context, *iam.Client) error {
		status, body := post(t, e.srv, &prdRoot, url.Values{
			"Action": {"CreateOpenIDConnectProvider"}, "Version": {iamapi.Version},
			"Url": {u}, "ClientIDList.member.1": {oidcissuer.Audience}, "JwksUrl": {jwks}})
		if status == http.StatusOK {
			return nil
		}
		var doc errorDoc
		if err := xml.Unmarshal(body, &doc); err != nil {
			return err
		}
		return &smithy.GenericAPIError{Code: doc.Error.Code, Message: doc.Error.Message}
	}
}

func providerCreateSteps(t *testing.T, e *env, is *oidcissuer.Issuer) []step {
	thumb := func(tp string) func(ctx context.Context, c *iam.Client) error {
		return func(ctx context.Context, c *iam.Client) error {
			_, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
				Url: aws.String(eksURL + "/x"), ClientIDList: []string{"a"},
				ThumbprintList: []string{tp}})
			return err
		}
	}
	return []step{
		{"Create from a loopback issuer's discovery", func(ctx context.Context,
			c *iam.Client) error {
			out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
				Url: aws.String(is.URL), ClientIDList: []string{oidcissuer.Audience}})
			if err == nil && aws.ToString(out.OpenIDConnectProviderArn) != providerARN(is.URL) {
				return errors.New("ARN " + aws.ToString(out.OpenIDConnectProviderArn))
			}
			return err
		}, ""},
		{"Create again", createProvider(is.URL, "x"), "EntityAlreadyExists"},
		failing("Create remote issuer without a key source", createProvider(eksURL, "a"),
			"InvalidInput", "JwksUrl"),
		{"Create remote issuer with a loopback JwksUrl", withJWKSURL(t, e, eksURL,
			is.JWKSURL()), ""},
		failing("Create with a remote JwksUrl", withJWKSURL(t, e, eksURL+"/2", eksURL+"/keys"),
			"InvalidInput", "JwksUrl: JWKS URL"),
		failing("Create http off loopback", createProvider("http://issuer.example", "a"),
			"InvalidInput", "http is accepted on a loopback host only"),
		failing("Create with a query", createProvider("https://issuer.example/?a=b", "a"),
			"InvalidInput", "no query"),
		failing("Create without client ids", createProvider(is.URL+"/other"),
			"InvalidInput", "ClientIDList"),
		{"Create with a client id twice", createProvider(is.URL+"/other", "a", "a"),
			"InvalidInput"},
		{"Create with a bad thumbprint", thumb("abc"), "ValidationError"},
		// TestDiscoveryFailuresSayNothing checks what these failures say.
		failing("Create with nothing at the discovery URL",
			createProvider(is.URL+"/other", "a"), "InvalidInput", "see the server log"),
		failing("Create with a discovery naming another issuer",
			createProvider(discovery(t, "http://127.0.0.1:1", ""), "a"), "InvalidInput",
			"see the server log"),
		failing("Create with a remote jwks_uri", createProvider(discovery(t, "",
			eksURL+"/keys"), "a"), "InvalidInput", "see the server log"),
		failing("Create with a key set without keys", createProvider(discovery(t, "", ""),
			"a"), "InvalidInput", "see the server log"),
	}
}

func providerChangeSteps(is *oidcissuer.Issuer) []step {
	arn := providerARN(is.URL)
	clientID := func(add bool, id string) func(ctx context.Context, c *iam.Client) error {
		return func(ctx context.Context, c *iam.Client) error {
			if add {
				_, err := c.AddClientIDToOpenIDConnectProvider(ctx,
					&iam.AddClientIDToOpenIDConnectProviderInput{ClientID: aws.String(id),
						OpenIDConnectProviderArn: aws.String(arn)})
				return err
			}
			_, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx,
				&iam.RemoveClientIDFromOpenIDConnectProviderInput{ClientID: aws.String(id),
					OpenIDConnectProviderArn: aws.String(arn)})
			return err
		}
	}
	return []step{
		{"Get", getProvider(arn, "127.0.0.1", oidcissuer.Audience), ""},
		{"Get of the https provider", getProvider(providerARN(eksURL),
			strings.TrimPrefix(eksURL, "https://"), oidcissuer.Audience), ""},
		{"Get of a bad ARN", getProvider("arn:aws:iam::"+prd+":role/x", "", ""),
			"InvalidInput"},
		{"Get of another account's provider", getProvider(
			"arn:aws:iam::111111111111:oidc-provider/x", "", ""), "InvalidInput"},
		{"Get of a missing provider", getProvider(arn+"/missing", "", ""), "NoSuchEntity"},
		{"List", func(ctx context.Context, c *iam.Client) error {
			out, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
			if err == nil && len(out.OpenIDConnectProviderList) != 2 {
				return fmt.Errorf("listed %d providers, want 2", len(out.OpenIDConnectProviderList))
			}
			return err
		}, ""},
		{"AddClientID", clientID(true, "other"), ""},
		{"AddClientID again", clientID(true, "other"), ""},
		{"Get after AddClientID", getProvider(arn, "", oidcissuer.Audience, "other"), ""},
		{"RemoveClientID", clientID(false, oidcissuer.Audience), ""},
		{"RemoveClientID missing", clientID(false, "absent"), ""},
		{"RemoveClientID last", clientID(false, "other"), "InvalidInput"},
		{"UpdateThumbprint", func(ctx context.Context, c *iam.Client) error {
			tp := strings.Repeat("ab", 20)
			_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx,
				&iam.UpdateOpenIDConnectProviderThumbprintInput{ThumbprintList: []string{tp},
					OpenIDConnectProviderArn: aws.String(arn)})
			if err != nil {
				return err
			}
			out, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
				OpenIDConnectProviderArn: aws.String(arn)})
			if err == nil && !slices.Equal(out.ThumbprintList, []string{tp}) {
				return fmt.Errorf("thumbprints %v", out.ThumbprintList)
			}
			return err
		}, ""},
		{"Delete", deleteProvider(arn), ""},
		{"Delete again", deleteProvider(arn), ""},
		{"Get after Delete", getProvider(arn, "", ""), "NoSuchEntity"},
	}
}

// getProvider gets the provider arn and checks its Url, unless urlPart is
// "", and its client ids.
func getProvider(arn, urlPart string, ids ...string) func(context.Context, *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		out, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(arn)})
		switch {
		case err != nil:
			return err
		case urlPart != "" && !strings.Contains(aws.ToString(out.Url), urlPart):
			return fmt.Errorf("Url %s", aws.ToString(out.Url))
		case !slices.Equal(out.ClientIDList, ids):
			return fmt.Errorf("client ids %v, want %v", out.ClientIDList, ids)
		}
		return nil
	}
}

func deleteProvider(arn string) func(ctx context.Context, c *iam.Client) error {
	return func(ctx context.Context, c *iam.Client) error {
		_, err := c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{
			OpenIDConnectProviderArn: aws.String(arn)})
		return err
	}
}

// TestWebIdentityThroughAPI declares a provider and a role trusting it with
// the API alone, exchanges a token for a session, and checks that deleting
// the provider stops the next exchange.
func TestWebIdentityThroughAPI(t *testing.T) {
	e := newEnv(t)
	is := oidcissuer.New(t)
	ctx := t.Context()
	root := e.iam(creds(prdRoot))
	arn := providerARN(is.URL)
	name := strings.TrimPrefix(arn, "arn:aws:iam::"+prd+":oidc-provider/")
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` +
		`{"Federated":"` + arn + `"},"Action":"sts:AssumeRoleWithWebIdentity",` +
		`"Condition":{"StringEquals":{"` + name +
		`:sub":"system:serviceaccount:delivery:agent"}}}]}`
	for _, call := range []func(context.Context, *iam.Client) error{
		createProvider(is.URL, oidcissuer.Audience),
		createRole("pod", "/", trust),
	} {
		if err := call(ctx, root); err != nil {
			t.Fatal(err)
		}
	}
	anonymous := sts.New(sts.Options{Region: "us-east-1", BaseEndpoint: aws.String(e.url),
		Credentials: aws.AnonymousCredentials{}, RetryMaxAttempts: 1})
	exchange := func(c oidcissuer.Claims) string {
		_, err := anonymous.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: aws.String("arn:aws:iam::" + prd + ":role/pod"), RoleSessionName: aws.String(
				"pod"), WebIdentityToken: aws.String(is.Token(c))})
		return errCode(err)
	}
	agent := oidcissuer.Claims{Namespace: "delivery", ServiceAccount: "agent"}
	tests := []struct {
		name   string
		change func(context.Context, *iam.Client) error
		claims oidcissuer.Claims
		want   string
	}{
		{"the trusted service account", nil, agent, ""},
		{"another service account", nil, oidcissuer.Claims{Namespace: "delivery"},
			"AccessDenied"},
		{"after the provider is deleted", deleteProvider(arn), agent, "InvalidIdentityToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.change != nil {
				if err := tt.change(ctx, root); err != nil {
					t.Fatal(err)
				}
			}
			if got := exchange(tt.claims); got != tt.want {
				t.Fatalf("AssumeRoleWithWebIdentity: %q, want %q", got, tt.want)
			}
		})
	}
}
