package session

import (
	"crypto/rand"
	"math/big"
)

// TempKeyPrefix starts every temporary access key id, as in AWS.
const TempKeyPrefix = "ASIA"

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
)

// NewCredentials returns a fresh temporary access key id (ASIA and 16
// upper-case letters or digits) and a 40-character secret.
func NewCredentials() (id, secret string) {
	return TempKeyPrefix + random(16, upperAlnum), random(40, secretChars)
}

// IsTemporary reports whether id is a temporary access key id.
func IsTemporary(id string) bool {
	return len(id) == len(TempKeyPrefix)+16 && id[:len(TempKeyPrefix)] == TempKeyPrefix
}

func random(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		v, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err) // crypto/rand does not fail on supported platforms
		}
		b[i] = alphabet[v.Int64()]
	}
	return string(b)
}
