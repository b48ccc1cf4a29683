package session

import (
	"errors"
	"testing"
)

// FuzzOpen checks that Open never panics, fails only with ErrInvalid, and
// opens only what was sealed under the key.
func FuzzOpen(f *testing.F) {
	token, err := Seal(key1, claims())
	if err != nil {
		f.Fatal(err)
	}
	f.Add(token)
	f.Add("")
	f.Add("AQAAAAE")
	f.Add(token[:len(token)/2])
	f.Fuzz(func(t *testing.T, s string) {
		c, err := Open(s, keysOf(key1))
		if err != nil {
			if !errors.Is(err, ErrInvalid) || c != nil {
				t.Fatalf("Open = %v, %v", c, err)
			}
			return
		}
		if c.AccessKeyID == "" {
			t.Fatal("opened claims without an access key id")
		}
	})
}
