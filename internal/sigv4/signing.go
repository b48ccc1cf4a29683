package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
)

const (
	algorithm    = "AWS4-HMAC-SHA256"
	iso8601Basic = "20060102T150405Z"
	scopeDate    = "20060102"
	terminator   = "aws4_request"
	serviceS3    = "s3"
	// emptySHA256 is the hex SHA-256 of no bytes.
	emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
)

// credential is the parsed Credential value:
// access-key/yyyymmdd/region/service/aws4_request.
type credential struct {
	accessKey string
	date      string
	region    string
	service   string
}

// scope is the credential scope used in strings to sign.
func (c credential) scope() string {
	return c.date + "/" + c.region + "/" + c.service + "/" + terminator
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// deriveKey computes the SigV4 signing key for secret within a scope.
func deriveKey(secret string, c credential) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), c.date)
	k = hmacSHA256(k, c.region)
	k = hmacSHA256(k, c.service)
	return hmacSHA256(k, terminator)
}

// stringToSign is the SigV4 string to sign for a canonical request.
func stringToSign(amzDate, scope, canonicalRequest string) string {
	return strings.Join([]string{algorithm, amzDate, scope, sha256Hex(canonicalRequest)}, "\n")
}

// keyCacheSize bounds the number of derived signing keys kept. A key lives a
// day, so this covers that many active (key, region) pairs without eviction.
const keyCacheSize = 1024

// cacheKey names one derived key. The secret is part of it so that a rotated
// secret never reuses the old secret's key.
type cacheKey struct {
	secret string
	cred   credential
}

// keyCache caches derived signing keys. The zero value is ready to use.
type keyCache struct {
	mu   sync.Mutex          // guards keys
	keys map[cacheKey][]byte // derived signing keys; never more than keyCacheSize
}

// get returns the signing key for secret and c, deriving and caching it if
// needed. The returned slice must not be modified.
func (kc *keyCache) get(secret string, c credential) []byte {
	ck := cacheKey{secret: secret, cred: c}
	kc.mu.Lock()
	k, ok := kc.keys[ck]
	kc.mu.Unlock()
	if ok {
		return k
	}
	k = deriveKey(secret, c)
	kc.mu.Lock()
	defer kc.mu.Unlock()
	if kc.keys == nil {
		kc.keys = make(map[cacheKey][]byte)
	}
	if len(kc.keys) >= keyCacheSize {
		// Evict an arbitrary entry; map order is unspecified, which is
		// good enough for a cache whose entries all expire within a day.
		for old := range kc.keys {
			delete(kc.keys, old)
			break
		}
	}
	kc.keys[ck] = k
	return k
}

// chain computes the running signatures of an aws-chunked body: each chunk's
// signature covers the previous one, starting with the request's.
type chain struct {
	key     []byte
	amzDate string
	scope   string
	prev    string // hex signature of the previous chunk (or the request)
}

// next checks claimed (raw bytes) against the signature of a chunk whose data
// has SHA-256 dataSum, and on success makes it the previous signature.
func (c *chain) next(dataSum, claimed []byte) bool {
	sts := "AWS4-HMAC-SHA256-PAYLOAD\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev +
		"\n" + emptySHA256 + "\n" + hex.EncodeToString(dataSum)
	return c.advance(sts, claimed)
}

// trailer checks claimed against the signature of the trailer block whose
// canonical form ("name:value\n" per trailer) is canonical.
func (c *chain) trailer(canonical string, claimed []byte) bool {
	sts := "AWS4-HMAC-SHA256-TRAILER\n" + c.amzDate + "\n" + c.scope + "\n" + c.prev +
		"\n" + sha256Hex(canonical)
	return c.advance(sts, claimed)
}

func (c *chain) advance(sts string, claimed []byte) bool {
	mac := hmacSHA256(c.key, sts)
	if !hmac.Equal(mac, claimed) {
		return false
	}
	c.prev = hex.EncodeToString(mac)
	return true
}
