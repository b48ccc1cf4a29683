package server

import "time"

// WriteSelfSigned stores under dataDir the self-signed pair that a start at
// now with domains would have generated, for tests of what a later start
// reuses or replaces.
func WriteSelfSigned(dataDir string, domains []string, now time.Time) error {
	certFile, keyFile := SelfSignedFiles(dataDir)
	_, err := writeSelfSigned(certFile, keyFile, selfSignedNames(domains), now)
	return err
}
