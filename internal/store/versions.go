package store

// Versions is the part of Meta that serves bucket versioning: version ids,
// delete markers and reads, deletes and listings by version.
type Versions interface{}
