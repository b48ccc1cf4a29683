package session

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/troveproject/trove/internal/store"
)

var (
	key1 = Key{ID: 1, Secret: bytes.Repeat([]byte{1}, KeySize)}
	key2 = Key{ID: 2, Secret: bytes.Repeat([]byte{2}, KeySize)}
)

// keysOf returns a key lookup over ks.
func keysOf(ks ...Key) func(uint32) (Key, bool) {
	return func(id uint32) (Key, bool) {
		for _, k := range ks {
			if k.ID == id {
				return k, true
			}
		}
		return Key{}, false
	}
}

func claims() *Claims {
	at := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	return &Claims{AccessKeyID: "ASIAABCDEFGHIJKLMNOP", Secret: strings.Repeat("s", 40),
		Account: "222222222222", Role: "delivery", RoleID: "AROA12345678901234567",
		RolePath: "/", Name: "agent", Issued: at, Expires: at.Add(time.Hour),
		Policy: `{"Version":"2012-10-17"}`, PolicyARNs: []string{"arn:aws:iam::1:policy/p"},
		Tags: map[string]string{"team": "web"}, Transitive: []string{"team"},
		SourceIdentity: "alice"}
}

// flip returns token with one byte of its decoded form changed at i.
func flip(t *testing.T, token string, i int) string {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		t.Fatal(err)
	}
	raw[i%len(raw)] ^= 0x20
	return base64.RawURLEncoding.EncodeToString(raw)
}

func TestSealOpen(t *testing.T) {
	token, err := Seal(key1, claims())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		token string
		keys  func(uint32) (Key, bool)
		ok    bool
	}{
		{"round trip", token, keysOf(key1, key2), true},
		{"unknown key id", token, keysOf(key2), false},
		{"other key under the same id", token, keysOf(Key{ID: 1, Secret: key2.Secret}), false},
		{"flipped version", flip(t, token, 0), keysOf(key1), false},
		{"flipped key id", flip(t, token, 4), keysOf(key1, Key{ID: 1<<29 | 1,
			Secret: key1.Secret}), false},
		{"flipped nonce", flip(t, token, 8), keysOf(key1), false},
		{"flipped ciphertext", flip(t, token, 40), keysOf(key1), false},
		{"flipped tag", flip(t, token, -1+len(token)*3/4), keysOf(key1), false},
		{"truncated", token[:len(token)-4], keysOf(key1), false},
		{"not base64", "!!" + token, keysOf(key1), false},
		{"empty", "", keysOf(key1), false},
		{"too long", strings.Repeat("A", MaxTokenLen+1), keysOf(key1), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Open(tt.token, tt.keys)
			if !tt.ok {
				if !errors.Is(err, ErrInvalid) || c != nil {
					t.Fatalf("Open = %v, %v; want ErrInvalid", c, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(c, claims()) {
				t.Errorf("claims:\n got %+v\nwant %+v", c, claims())
			}
		})
	}
}

func TestSealFreshNonce(t *testing.T) {
	a, _ := Seal(key1, claims())
	b, _ := Seal(key1, claims())
	if a == b {
		t.Error("two seals of the same claims are equal")
	}
	if strings.Contains(a, claims().Secret) {
		t.Error("the token shows the secret")
	}
}

func TestSealBadKey(t *testing.T) {
	if _, err := Seal(Key{ID: 1, Secret: []byte("short")}, claims()); err == nil {
		t.Error("Seal with a short key succeeded")
	}
}

func TestCheck(t *testing.T) {
	c := claims()
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"just issued", c.Issued, nil},
		{"a second before expiry", c.Expires.Add(-time.Second), nil},
		{"at expiry", c.Expires, ErrExpired},
		{"after expiry", c.Expires.Add(time.Hour), ErrExpired},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.Check(tt.now); !errors.Is(err, tt.want) {
				t.Errorf("Check = %v, want %v", err, tt.want)
			}
		})
	}
}

func TestNewCredentials(t *testing.T) {
	id, secret := NewCredentials()
	if !IsTemporary(id) || len(secret) != 40 {
		t.Errorf("NewCredentials = %q, %d-character secret", id, len(secret))
	}
	for _, c := range id[4:] {
		if !strings.ContainsRune(upperAlnum, c) {
			t.Errorf("id %q has %q", id, c)
		}
	}
	if IsTemporary("AKIAABCDEFGHIJKLMNOP") || IsTemporary("ASIA") {
		t.Error("IsTemporary accepts a long-term or short id")
	}
}

// memKeys is a KeyStore in memory that counts reads.
type memKeys struct {
	mu    sync.Mutex
	keys  []store.SessionKey
	reads int
}

func (m *memKeys) SessionKeys(context.Context) ([]store.SessionKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.reads++
	out := make([]store.SessionKey, len(m.keys))
	for i := range m.keys {
		out[len(m.keys)-1-i] = m.keys[i]
	}
	return out, nil
}

func (m *memKeys) AddSessionKey(_ context.Context, k store.SessionKey) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, have := range m.keys {
		if have.ID == k.ID {
			return nil
		}
	}
	m.keys = append(m.keys, k)
	return nil
}

// TestKeyringShared checks that two keyrings over one store share the
// first key, open each other's tokens, and keep old tokens after rotation.
func TestKeyringShared(t *testing.T) {
	ctx := t.Context()
	st := &memKeys{}
	a, b := NewKeyring(st), NewKeyring(st)
	ta, err := a.Seal(ctx, claims())
	if err != nil {
		t.Fatal(err)
	}
	tb, err := b.Seal(ctx, claims())
	if err != nil {
		t.Fatal(err)
	}
	if len(st.keys) != 1 {
		t.Fatalf("%d keys stored, want 1", len(st.keys))
	}
	if _, err := b.Open(ctx, ta); err != nil {
		t.Errorf("b opens a's token: %v", err)
	}
	if err := a.Rotate(ctx); err != nil {
		t.Fatal(err)
	}
	tc, err := a.Seal(ctx, claims())
	if err != nil {
		t.Fatal(err)
	}
	if id, _ := KeyID(tc); id != 2 {
		t.Errorf("after Rotate the token names key %d, want 2", id)
	}
	for name, tok := range map[string]string{"old": tb, "new": tc} {
		if _, err := b.Open(ctx, tok); err != nil {
			t.Errorf("b opens the %s token: %v", name, err)
		}
	}
}

// TestKeyringReloadLimited checks that tokens naming unknown keys cost at
// most one store read per interval.
func TestKeyringReloadLimited(t *testing.T) {
	ctx := t.Context()
	st := &memKeys{}
	k := NewKeyring(st)
	if _, err := k.Seal(ctx, claims()); err != nil {
		t.Fatal(err)
	}
	forged, _ := Seal(Key{ID: 77, Secret: key1.Secret}, claims())
	reads := st.reads
	for range 20 {
		if _, err := k.Open(ctx, forged); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Open of an unknown key's token = %v", err)
		}
	}
	if st.reads-reads > 1 {
		t.Errorf("%d store reads for 20 unknown-key tokens, want at most 1", st.reads-reads)
	}
}
