package oidc

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// goldenNow is the time the golden cases' claims are checked at.
var goldenNow = time.Unix(1800000100, 0)

// TestConditionKeysGolden checks, for each testdata/conditions/NAME.json (a
// provider's url and clientIds and a token's claims), the claims and
// condition keys the token yields against NAME.golden.
func TestConditionKeysGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "conditions", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			got := renderCase(t, file)
			golden := strings.TrimSuffix(file, ".json") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("%s:\n got:\n%s\nwant:\n%s", golden, got, want)
			}
		})
	}
}

// renderCase checks the case's claims and renders them with their keys.
func renderCase(t *testing.T, file string) string {
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var tc struct {
		URL       string          `json:"url"`
		ClientIDs []string        `json:"clientIds"`
		Claims    json.RawMessage `json:"claims"`
	}
	if err := json.Unmarshal(data, &tc); err != nil {
		t.Fatal(err)
	}
	p := &Provider{Account: "111122223333", URL: tc.URL, ClientIDs: tc.ClientIDs}
	c, err := parseClaims(tc.Claims)
	if err == nil {
		err = c.check(p, goldenNow)
	}
	if err != nil {
		t.Fatalf("claims: %v", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "arn: %s\nsub: %s\naud: %q\nazp: %s\namr: %q\nclient id: %s\n",
		p.ARN(), c.Subject, c.Audience, c.AuthorizedParty, c.AMR, c.ClientID)
	fmt.Fprintf(&b, "exp: %s\nnbf: %s\niat: %s\n\nkeys:\n", c.Expiry.Format(time.RFC3339Nano),
		c.NotBefore.Format(time.RFC3339), c.IssuedAt.Format(time.RFC3339))
	keys := p.ConditionKeys(c)
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		fmt.Fprintf(&b, "%s = %q\n", k, keys[k])
	}
	return b.String()
}
