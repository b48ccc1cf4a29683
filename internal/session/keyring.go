package session

import (
	"context"
	"crypto/rand"
	"fmt"
	"sync"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// KeyStore is where a Keyring keeps its keys; store.Meta is one.
type KeyStore interface {
	SessionKeys(ctx context.Context) ([]store.SessionKey, error)
	AddSessionKey(ctx context.Context, k store.SessionKey) error
}

// reloadEvery bounds how often a Keyring rereads the store for a key id it
// does not know: a token naming an unknown id costs at most one read per
// interval, except the id after the newest, which another server's Rotate
// adds, and which costs a read each time.
const reloadEvery = time.Second

// Keyring seals tokens under the newest key in a KeyStore and opens tokens
// sealed under any key there. The first Seal on an empty store creates key
// 1; several servers sharing the store converge on the one stored first.
// A Keyring is safe for concurrent use.
type Keyring struct {
	store KeyStore

	mu     sync.Mutex // guards keys, newest and loaded
	keys   map[uint32]Key
	newest uint32
	loaded time.Time // when keys were last read; zero before the first read
}

// NewKeyring returns a Keyring over s.
func NewKeyring(s KeyStore) *Keyring {
	return &Keyring{store: s, keys: map[uint32]Key{}}
}

// Seal seals c under the newest key, creating the first key when the store
// has none.
func (k *Keyring) Seal(ctx context.Context, c *Claims) (string, error) {
	key, err := k.sealingKey(ctx)
	if err != nil {
		return "", err
	}
	return Seal(key, c)
}

// Open opens token; see the package function Open.
func (k *Keyring) Open(ctx context.Context, token string) (*Claims, error) {
	id, err := KeyID(token)
	if err != nil {
		return nil, err
	}
	if _, ok := k.key(id); !ok {
		// The key after the newest is what another server's Rotate adds:
		// always look for it. Other unknown ids are rate-limited.
		if err := k.reload(ctx, id == k.newestID()+1); err != nil {
			return nil, err
		}
	}
	return Open(token, k.key)
}

// Rotate adds a key after the newest, which seals every later token;
// tokens sealed under older keys stay valid.
func (k *Keyring) Rotate(ctx context.Context) error {
	if err := k.reload(ctx, true); err != nil {
		return err
	}
	k.mu.Lock()
	next := k.newest + 1
	k.mu.Unlock()
	return k.add(ctx, next)
}

func (k *Keyring) key(id uint32) (Key, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	key, ok := k.keys[id]
	return key, ok
}

// sealingKey returns the newest key, reading the store on first use and
// creating key 1 when it has none.
func (k *Keyring) sealingKey(ctx context.Context) (Key, error) {
	k.mu.Lock()
	key, ok := k.keys[k.newest]
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	if err := k.reload(ctx, true); err != nil {
		return Key{}, err
	}
	if key, ok := k.key(k.newestID()); ok {
		return key, nil
	}
	if err := k.add(ctx, 1); err != nil {
		return Key{}, err
	}
	if key, ok := k.key(k.newestID()); ok {
		return key, nil
	}
	return Key{}, fmt.Errorf("session: no sealing key after creating one")
}

func (k *Keyring) newestID() uint32 {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.newest
}

// add stores a new random key with id, unless another server stored one
// first, and reloads.
func (k *Keyring) add(ctx context.Context, id uint32) error {
	secret := make([]byte, KeySize)
	if _, err := rand.Read(secret); err != nil {
		return fmt.Errorf("session: new key: %w", err)
	}
	sk := store.SessionKey{ID: id, Secret: secret, Created: time.Now().UTC()}
	if err := k.store.AddSessionKey(ctx, sk); err != nil {
		return fmt.Errorf("session: store key %d: %w", id, err)
	}
	return k.reload(ctx, true)
}

// reload rereads the keys; unless force, at most once per reloadEvery.
func (k *Keyring) reload(ctx context.Context, force bool) error {
	k.mu.Lock()
	recent := !k.loaded.IsZero() && time.Since(k.loaded) < reloadEvery
	k.mu.Unlock()
	if recent && !force {
		return nil
	}
	stored, err := k.store.SessionKeys(ctx)
	if err != nil {
		return fmt.Errorf("session: read keys: %w", err)
	}
	keys := make(map[uint32]Key, len(stored))
	var newest uint32
	for _, s := range stored {
		keys[s.ID] = Key{ID: s.ID, Secret: s.Secret}
		newest = max(newest, s.ID)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys, k.newest, k.loaded = keys, newest, time.Now()
	return nil
}
