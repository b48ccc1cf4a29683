// Package session seals and opens the session tokens of trove's temporary
// credentials. A token is self-contained: it carries, encrypted and
// authenticated, everything a request made with the credentials needs (the
// temporary access key id and its secret, the role and session, the
// expiry, session policies and tags), so that no server keeps per-session
// state and every server sharing the metadata store accepts every token.
//
// # Format
//
// A token is the unpadded URL-safe base64 of
//
//	version (1 byte, 1) | key id (4 bytes, big endian) | nonce (12 bytes) |
//	AES-256-GCM ciphertext of the JSON-encoded Claims, with the first five
//	bytes as additional data
//
// The key id names the sealing key (a store.SessionKey), so that keys can be
// added while tokens sealed under older ones stay valid. Anything that does
// not open, under the key it names, is ErrInvalid; Open never says why, and
// no error carries a secret or the token.
//
// Seal and Open are pure; a Keyring keeps the keys in the metadata store,
// creating the first on first use.
package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Conditions callers test with errors.Is.
var (
	// ErrInvalid reports a token that is malformed, was not sealed by a
	// known key, or was altered.
	ErrInvalid = errors.New("session: invalid token")
	// ErrExpired reports a token whose session has ended.
	ErrExpired = errors.New("session: token expired")
)

// version is the format's first byte.
const version = 1

// MaxTokenLen bounds the tokens Open accepts, in characters: a session
// with a 2,048-character policy, ten policy ARNs and fifty tags seals to
// well under it.
const MaxTokenLen = 16 << 10

// KeySize is the size of a sealing key's secret: AES-256.
const KeySize = 32

const (
	headerLen = 5
	nonceLen  = 12
)

// Key is a sealing key.
type Key struct {
	ID     uint32
	Secret []byte // KeySize bytes
}

// Claims is what a token carries. Times are UTC with second precision.
type Claims struct {
	AccessKeyID string    `json:"k"` // ASIA...
	Secret      string    `json:"s"` // the secret access key
	Account     string    `json:"a"` // the role's account
	Role        string    `json:"r"` // the role's name
	RoleID      string    `json:"ri"`
	RolePath    string    `json:"rp"`
	Name        string    `json:"n"` // the role session name
	Issued      time.Time `json:"i"`
	Expires     time.Time `json:"e"`
	// Policy is the inline session policy, "" for none; PolicyARNs the
	// managed session policies, and PolicyIDs their IAM unique ids
	// (ANPA...) when the session was issued, index for index, so that a
	// policy deleted and created again under the same ARN is not taken for
	// the one the session was given. Tokens sealed before trove recorded
	// the ids have none.
	Policy     string   `json:"p,omitempty"`
	PolicyARNs []string `json:"pa,omitempty"`
	PolicyIDs  []string `json:"pi,omitempty"`
	// Tags are the session tags, no two keys equal but for case (see
	// UniqueTags for tokens sealed before that was enforced); Transitive the
	// keys that pass on to a session this one assumes (role chaining),
	// spelled as in Tags.
	Tags       map[string]string `json:"t,omitempty"`
	Transitive []string          `json:"tt,omitempty"`
	// SourceIdentity is sts:SourceIdentity, "" for none.
	SourceIdentity string `json:"si,omitempty"`
	// Chained marks a session assumed by another role session.
	Chained bool `json:"c,omitempty"`
	// Federated names the identity provider of a session assumed with a
	// web identity, "" otherwise.
	Federated string `json:"f,omitempty"`
}

// Check returns ErrExpired when the session has ended at now.
func (c *Claims) Check(now time.Time) error {
	if !now.Before(c.Expires) {
		return ErrExpired
	}
	return nil
}

// Seal encrypts c under k and returns the token.
func Seal(k Key, c *Claims) (string, error) {
	aead, err := newAEAD(k)
	if err != nil {
		return "", err
	}
	plain, err := json.Marshal(c)
	if err != nil {
		return "", fmt.Errorf("session: encode claims: %w", err)
	}
	buf := make([]byte, headerLen+nonceLen, headerLen+nonceLen+len(plain)+aead.Overhead())
	buf[0] = version
	binary.BigEndian.PutUint32(buf[1:headerLen], k.ID)
	if _, err := rand.Read(buf[headerLen:]); err != nil {
		return "", fmt.Errorf("session: nonce: %w", err)
	}
	out := aead.Seal(buf, buf[headerLen:], plain, buf[:headerLen])
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// KeyID returns the id of the key token names, or ErrInvalid.
func KeyID(token string) (uint32, error) {
	raw, err := decode(token)
	if err != nil {
		return 0, err
	}
	return binary.BigEndian.Uint32(raw[1:headerLen]), nil
}

// Open decrypts token with the key that key returns for the id the token
// names (ok false when there is none) and returns its claims. Every
// failure is ErrInvalid.
func Open(token string, key func(id uint32) (Key, bool)) (*Claims, error) {
	raw, err := decode(token)
	if err != nil {
		return nil, err
	}
	k, ok := key(binary.BigEndian.Uint32(raw[1:headerLen]))
	if !ok {
		return nil, ErrInvalid
	}
	aead, err := newAEAD(k)
	if err != nil {
		return nil, ErrInvalid
	}
	plain, err := aead.Open(nil, raw[headerLen:headerLen+nonceLen],
		raw[headerLen+nonceLen:], raw[:headerLen])
	if err != nil {
		return nil, ErrInvalid
	}
	var c Claims
	if err := json.Unmarshal(plain, &c); err != nil || c.AccessKeyID == "" {
		return nil, ErrInvalid
	}
	return &c, nil
}

// decode checks the token's size, encoding and version.
func decode(token string) ([]byte, error) {
	if len(token) > MaxTokenLen {
		return nil, ErrInvalid
	}
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < headerLen+nonceLen+16 || raw[0] != version {
		return nil, ErrInvalid
	}
	return raw, nil
}

func newAEAD(k Key) (cipher.AEAD, error) {
	if len(k.Secret) != KeySize {
		return nil, fmt.Errorf("session: key %d has %d bytes, want %d", k.ID, len(k.Secret),
			KeySize)
	}
	block, err := aes.NewCipher(k.Secret)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	return cipher.NewGCM(block)
}
