package oidc_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/oidc"
	"github.com/troveproject/trove/internal/testutil/oidcissuer"
)

func TestJWKSFile(t *testing.T) {
	is := oidcissuer.New(t)
	p := provider(is)
	p.JWKSURL, p.JWKSFile = "", is.WriteJWKS(t.TempDir())
	var v oidc.Verifier
	now := time.Now()
	for _, kid := range []string{oidcissuer.RSAKeyID, oidcissuer.ECKeyID} {
		if _, err := v.Verify(t.Context(), p, is.Token(oidcissuer.Claims{},
			oidcissuer.WithKey(kid)), now); err != nil {
			t.Errorf("key %s: %v", kid, err)
		}
	}
	if is.JWKSHits() != 0 {
		t.Errorf("the JWKS URL was fetched %d times for a file provider", is.JWKSHits())
	}
}

// TestJWKSFileRefused checks that a key file that is missing, not a regular
// file or too large is an ErrCommunication, and that a FIFO does not block.
func TestJWKSFileRefused(t *testing.T) {
	is := oidcissuer.New(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big.json")
	pad := strings.Repeat(" ", oidc.MaxJWKSSize)
	if err := os.WriteFile(big, append(is.JWKS(), pad...), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, path string }{
		{"Missing", filepath.Join(dir, "absent.json")},
		{"Directory", dir},
		{"FIFO", fifo},
		{"TooLarge", big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := provider(is)
			p.JWKSURL, p.JWKSFile = "", tt.path
			var v oidc.Verifier
			_, err := v.Verify(t.Context(), p, is.Token(oidcissuer.Claims{}), time.Now())
			if !errors.Is(err, oidc.ErrCommunication) {
				t.Errorf("Verify: %v, want ErrCommunication", err)
			}
		})
	}
}

// TestKeyRotation checks that a token signed with a key the cached set
// lacks makes the verifier read the set again, at most once per
// RefetchInterval, for URL and file sources alike.
func TestKeyRotation(t *testing.T) {
	for _, source := range []string{"URL", "File"} {
		t.Run(source, func(t *testing.T) {
			is := oidcissuer.New(t)
			p := provider(is)
			dir := t.TempDir()
			if source == "File" {
				p.JWKSURL, p.JWKSFile = "", is.WriteJWKS(dir)
			}
			v := oidc.Verifier{RefetchInterval: time.Minute}
			now := time.Now()
			kid := oidcissuer.RSAKeyID
			verify := func(at time.Time) error {
				_, err := v.Verify(t.Context(), p, is.Token(oidcissuer.Claims{},
					oidcissuer.IssuedAt(at), oidcissuer.WithKey(kid)), at)
				return err
			}
			if err := verify(now); err != nil {
				t.Fatal(err)
			}
			is.Rotate(oidcissuer.RSAKeyID, "rsa-2")
			is.WriteJWKS(dir)
			kid = "rsa-2"
			if err := verify(now.Add(30 * time.Second)); !errors.Is(err, oidc.ErrInvalidToken) {
				t.Fatalf("new key within the interval: %v, want ErrInvalidToken", err)
			}
			if err := verify(now.Add(61 * time.Second)); err != nil {
				t.Fatalf("new key after the interval: %v", err)
			}
			if source == "URL" && is.JWKSHits() != 2 {
				t.Errorf("JWKS fetched %d times, want 2", is.JWKSHits())
			}
		})
	}
}

// TestUnknownKeyIDFetchesOnce checks that a stream of tokens with an
// unknown key id costs one read per interval.
func TestUnknownKeyIDFetchesOnce(t *testing.T) {
	is := oidcissuer.New(t)
	v := oidc.Verifier{RefetchInterval: time.Minute}
	now := time.Now()
	tok := is.Token(oidcissuer.Claims{}, oidcissuer.HeaderKeyID("unknown"))
	for i := range 10 {
		_, err := v.Verify(t.Context(), provider(is), tok, now.Add(time.Duration(i)*time.Second))
		if !errors.Is(err, oidc.ErrInvalidToken) {
			t.Fatalf("Verify: %v", err)
		}
	}
	if got := is.JWKSHits(); got != 1 {
		t.Errorf("JWKS fetched %d times, want 1", got)
	}
}

func TestJWKSURLFailures(t *testing.T) {
	is := oidcissuer.New(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	redirect := httptest.NewServer(http.RedirectHandler(is.JWKSURL(), http.StatusFound))
	defer redirect.Close()
	status := httptest.NewServer(http.NotFoundHandler())
	defer status.Close()
	big := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"keys":["` + strings.Repeat("x", oidc.MaxJWKSSize) + `"]}`))
	}))
	defer big.Close()
	tests := []struct{ name, url string }{
		{"Timeout", slow.URL},
		{"Redirect", redirect.URL},
		{"NotFound", status.URL},
		{"TooLarge", big.URL},
		{"NotLoopback", "http://192.0.2.1/keys"},
		{"Refused", "http://127.0.0.1:1/keys"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := oidc.Verifier{FetchTimeout: 200 * time.Millisecond}
			p := provider(is)
			p.JWKSURL = tt.url
			_, err := v.Verify(t.Context(), p, is.Token(oidcissuer.Claims{}), time.Now())
			if !errors.Is(err, oidc.ErrCommunication) {
				t.Errorf("Verify: %v, want ErrCommunication", err)
			}
		})
	}
}

func TestParseJWKS(t *testing.T) {
	is := oidcissuer.New(t)
	tests := []struct {
		name string
		file string // under testdata/jwks
		keys int    // 0: an error
	}{
		{"Issuer", "", 2},
		{"SymmetricDropped", "symmetric.json", 0},
		{"SmallRSADropped", "rsa1024.json", 0},
		{"EncryptionKeyDropped", "enc.json", 1},
		{"NotJSON", "garbage.json", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := is.JWKS()
			if tt.file != "" {
				var err error
				if data, err = os.ReadFile(filepath.Join("testdata", "jwks", tt.file)); err != nil {
					t.Fatal(err)
				}
			}
			keys, err := oidc.ParseJWKS(data)
			if len(keys) != tt.keys || (err == nil) != (tt.keys > 0) {
				t.Errorf("ParseJWKS: %d keys, %v; want %d", len(keys), err, tt.keys)
			}
		})
	}
}

func TestCheckURLs(t *testing.T) {
	tests := []struct {
		url           string
		issuer, jwks  bool
		issuerMessage string
	}{
		{"https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", true, false, ""},
		{"https://127.0.0.1:8443/keys", true, true, ""},
		{"http://127.0.0.1:8080", true, true, ""},
		{"http://[::1]:8080/jwks", true, true, ""},
		{"http://localhost/jwks", true, true, ""},
		{"http://issuer.example.com", false, false, "loopback host only"},
		{"https://192.0.2.1/keys", true, false, ""},
		{"ftp://127.0.0.1/keys", false, false, "must be https"},
		{"https://user:pw@127.0.0.1/", false, false, "user information"},
		{"https://127.0.0.1/?a=b", false, false, "no query"},
		{"https://127.0.0.1/#f", false, false, "no query or fragment"},
		{"https:///path", false, false, "no host"},
		{"", false, false, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			err := oidc.CheckIssuer(tt.url)
			if (err == nil) != tt.issuer || err != nil && !strings.Contains(err.Error(),
				tt.issuerMessage) {
				t.Errorf("CheckIssuer: %v, want ok %v (%q)", err, tt.issuer, tt.issuerMessage)
			}
			if err := oidc.CheckJWKSURL(tt.url); (err == nil) != tt.jwks {
				t.Errorf("CheckJWKSURL: %v, want ok %v", err, tt.jwks)
			}
		})
	}
}

func TestProviderNames(t *testing.T) {
	tests := []struct{ url, name string }{
		{"https://oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE",
			"oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"},
		{"https://token.actions.githubusercontent.com", "token.actions.githubusercontent.com"},
		{"https://issuer.example.com/", "issuer.example.com/"},
		{"http://127.0.0.1:41234", "127.0.0.1:41234"},
	}
	for _, tt := range tests {
		p := oidc.Provider{Account: account, URL: tt.url}
		if got := p.Name(); got != tt.name {
			t.Errorf("Name(%s) = %q, want %q", tt.url, got, tt.name)
		}
		if got, want := p.ARN(), "arn:aws:iam::"+account+":oidc-provider/"+tt.name; got != want {
			t.Errorf("ARN(%s) = %q, want %q", tt.url, got, want)
		}
	}
}

func TestProviderCheck(t *testing.T) {
	good := oidc.Provider{Account: account, URL: "https://issuer.example.com",
		ClientIDs: []string{"sts.amazonaws.com"}, JWKSFile: "/etc/jwks.json"}
	tests := []struct {
		name   string
		change func(p *oidc.Provider)
		ok     bool
	}{
		{"Good", func(p *oidc.Provider) {}, true},
		{"LoopbackURL", func(p *oidc.Provider) {
			p.JWKSFile, p.JWKSURL = "", "http://127.0.0.1:9/keys"
		}, true},
		{"NoClientIDs", func(p *oidc.Provider) { p.ClientIDs = nil }, false},
		{"BothSources", func(p *oidc.Provider) { p.JWKSURL = "http://127.0.0.1:9/keys" }, false},
		{"NoSource", func(p *oidc.Provider) { p.JWKSFile = "" }, false},
		{"RemoteURL", func(p *oidc.Provider) {
			p.JWKSFile, p.JWKSURL = "", "https://issuer.example.com/keys"
		}, false},
		{"HTTPIssuer", func(p *oidc.Provider) { p.URL = "http://issuer.example.com" }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := good
			p.ClientIDs = append([]string(nil), good.ClientIDs...)
			tt.change(&p)
			if err := p.Check(); (err == nil) != tt.ok {
				t.Errorf("Check: %v, want ok %v", err, tt.ok)
			}
		})
	}
}
