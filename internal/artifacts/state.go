package artifacts

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"

	"github.com/troveproject/trove/internal/webhook"
)

// ErrStateLocked is wrapped by NewWatcher's error when another watcher
// holds the state file.
var ErrStateLocked = errors.New("artifacts: state file in use by another watcher")

// stateVersion is the format of the state file this package writes.
const stateVersion = 1

// stateFilePerm is the mode of the state file and its lock.
const stateFilePerm = 0o600

// stateDoc is the content of a state file: what each source has shown so
// far, and the webhook deliveries not yet acknowledged.
type stateDoc struct {
	Version int                     `json:"version"`
	Sources map[string]*sourceState `json:"sources"`
	Pending []delivery              `json:"pending"`
}

// sourceState is what a watcher knows of one source.
type sourceState struct {
	// Definition identifies what the source lists (see definition); when
	// it changes, the source is baselined again.
	Definition string `json:"definition"`
	// Seen maps each key of the last listing to its ETag.
	Seen map[string]string `json:"seen"`
}

// delivery is a webhook delivery not yet acknowledged: its id and the
// exact body to POST.
type delivery struct {
	ID   string          `json:"id"`
	Body json.RawMessage `json:"body"`
}

// stateFile is a state file held, locked, by one watcher. Its methods are
// not safe for concurrent use: the Watcher serializes them.
type stateFile struct {
	path string
	lock io.Closer
	doc  stateDoc
}

// openState locks the state file at path and reads it; only a missing file
// is an empty state. A file that does not parse, or that lacks a part of
// the state, is an error, not an empty state: starting afresh would
// baseline every source again and lose the pending deliveries. Pending
// deliveries whose id is no valid webhook delivery id, or without a body,
// are dropped rather than retried forever: the state is saved without them,
// and they are returned for a warning.
func openState(path string) (*stateFile, []delivery, error) {
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, nil, err
	}
	st := &stateFile{path: path, lock: lock}
	dropped, err := st.read()
	if err == nil && len(dropped) > 0 {
		err = st.save()
	}
	if err != nil {
		lock.Close()
		return nil, nil, err
	}
	return st, dropped, nil
}

// read reads the state file, or starts an empty state when there is none,
// and returns the pending deliveries it dropped.
func (st *stateFile) read() ([]delivery, error) {
	st.doc = stateDoc{Version: stateVersion, Sources: map[string]*sourceState{}}
	kind, err := irregular(st.path)
	if err != nil {
		return nil, fmt.Errorf("artifacts: state file: %w", err)
	}
	if kind != "" {
		return nil, fmt.Errorf("artifacts: state file %s is %s, not a regular file: name "+
			"a regular file, or a path where none exists yet", st.path, kind)
	}
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("artifacts: state file: %w", err)
	}
	doc, err := parseState(data)
	if err != nil {
		return nil, fmt.Errorf("artifacts: state file %s: %w", st.path, err)
	}
	st.doc = *doc
	return st.dropInvalid(), nil
}

// errBadState is wrapped by parseState's errors.
var errBadState = errors.New("not a trove artifacts state")

// parseState parses the content of a state file strictly: a JSON object
// with the current version, a "sources" object whose entries each have a
// definition and a "seen" object, and "pending" deliveries (null or
// absent when there are none). Unknown fields are errors too.
func parseState(data []byte) (*stateDoc, error) {
	var doc *stateDoc
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %w", errBadState, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: data after the JSON object", errBadState)
	}
	switch {
	case doc == nil:
		return nil, fmt.Errorf("%w: null", errBadState)
	case doc.Version == 0:
		return nil, fmt.Errorf("%w: no version", errBadState)
	case doc.Version != stateVersion:
		return nil, fmt.Errorf("%w: version %d, want %d", errBadState, doc.Version,
			stateVersion)
	case doc.Sources == nil:
		return nil, fmt.Errorf("%w: no \"sources\" object", errBadState)
	}
	for name, s := range doc.Sources {
		switch {
		case s == nil:
			return nil, fmt.Errorf("%w: source %q: null", errBadState, name)
		case s.Definition == "":
			return nil, fmt.Errorf("%w: source %q: no definition", errBadState, name)
		case s.Seen == nil:
			return nil, fmt.Errorf("%w: source %q: no \"seen\" object", errBadState, name)
		}
	}
	return doc, nil
}

// dropInvalid removes the pending deliveries that could never be made:
// those whose id webhook.CheckID refuses, which Deliver would refuse at
// every attempt, and those without a body. It returns them.
func (st *stateFile) dropInvalid() []delivery {
	var dropped []delivery
	st.doc.Pending = slices.DeleteFunc(st.doc.Pending, func(d delivery) bool {
		bad := webhook.CheckID(d.ID) != nil || len(d.Body) == 0 || string(d.Body) == "null"
		if bad {
			dropped = append(dropped, d)
		}
		return bad
	})
	return dropped
}

// save writes the state atomically: to a temporary file beside it, synced,
// renamed over it, with the directory synced after.
func (st *stateFile) save() error {
	data, err := json.Marshal(st.doc)
	if err != nil {
		return fmt.Errorf("artifacts: state file: %w", err)
	}
	return writeAtomic(st.path, stateFilePerm, func(w io.Writer) error {
		if _, err := w.Write(data); err != nil {
			return fmt.Errorf("artifacts: state file: %w", err)
		}
		return nil
	})
}

// close releases the lock.
func (st *stateFile) close() error { return st.lock.Close() }

// ack forgets the pending delivery id, and reports whether it was pending.
func (st *stateFile) ack(id string) bool {
	for i, d := range st.doc.Pending {
		if d.ID == id {
			st.doc.Pending = append(st.doc.Pending[:i], st.doc.Pending[i+1:]...)
			return true
		}
	}
	return false
}

// definition identifies what src lists: its endpoint, bucket, pattern and
// constraint. The order, region and profile do not change which artifacts
// there are, and so are not part of it.
func definition(src Source) string {
	h := sha256.New()
	for _, f := range []string{src.Endpoint, src.Bucket, src.Pattern,
		strconv.FormatBool(src.Regexp), src.Constraint} {
		fmt.Fprintf(h, "%d:%s;", len(f), f)
	}
	return hex.EncodeToString(h.Sum(nil))[:32]
}
