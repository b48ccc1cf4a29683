package identity

import (
	"fmt"
	"strings"
	"testing"

	"github.com/troveproject/trove/internal/policy"
)

// TestParseCacheBounded stores distinct policies that compile large and
// checks the cache's memory stays within its bound.
func TestParseCacheBounded(t *testing.T) {
	d := &Directory{parsed: map[[32]byte]*policy.Policy{}}
	wild := strings.Repeat("?", 18000)
	for i := range 80 {
		doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Sid":"S%d",`+
			`"Effect":"Allow","Principal":"*","Action":"s3:GetObject",`+
			`"Resource":"arn:aws:s3:::b/%s"}]}`, i, wild)
		p, err := d.Parse([]byte(doc), policy.Resource)
		if err != nil {
			t.Fatal(err)
		}
		if p.Footprint() < 18000*64 {
			t.Fatalf("footprint %d underestimates 18000 wildcards", p.Footprint())
		}
		if d.parsedBytes > maxParsedBytes {
			t.Fatalf("after %d policies the cache holds %d bytes, over %d", i+1,
				d.parsedBytes, maxParsedBytes)
		}
	}
}
