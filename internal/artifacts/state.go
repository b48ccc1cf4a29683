package artifacts

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
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

// openState locks the state file at path and reads it; a missing file is
// an empty state. A file that does not parse is an error, not an empty
// state: starting afresh would baseline every source again and lose the
// pending deliveries.
func openState(path string) (*stateFile, error) {
	lock, err := lockFile(path + ".lock")
	if err != nil {
		return nil, err
	}
	st := &stateFile{path: path, lock: lock}
	if err := st.read(); err != nil {
		lock.Close()
		return nil, err
	}
	return st, nil
}

func (st *stateFile) read() error {
	st.doc = stateDoc{Version: stateVersion, Sources: map[string]*sourceState{}}
	data, err := os.ReadFile(st.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("artifacts: state file: %w", err)
	}
	if err := json.Unmarshal(data, &st.doc); err != nil {
		return fmt.Errorf("artifacts: state file %s: %w", st.path, err)
	}
	if st.doc.Version != stateVersion {
		return fmt.Errorf("artifacts: state file %s: version %d, want %d", st.path,
			st.doc.Version, stateVersion)
	}
	if st.doc.Sources == nil {
		st.doc.Sources = map[string]*sourceState{}
	}
	return nil
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
