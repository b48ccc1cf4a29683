package store

// Tagging is the part of Meta that stores bucket and object tag sets.
type Tagging interface{}
