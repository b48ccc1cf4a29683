package store

// Multipart is the part of Meta that records multipart uploads and their
// parts until they are completed or aborted.
type Multipart interface{}
