package artifacts

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/troveproject/trove/internal/artifacts/selector"
)

// Pulled is an artifact Pull wrote.
type Pulled struct {
	selector.Artifact
	// Path is the file written.
	Path string
	// Bytes is how many bytes were written.
	Bytes int64
	// Verified says how the bytes were checked against the object, as a
	// comma-separated list: the checksum algorithms the SDK validated (such
	// as "CRC64NVME"), and "MD5" when they were compared with the ETag, so
	// "CRC64NVME,MD5" for a single-part upload. It is empty when neither was
	// possible: an object uploaded in parts without a full-object checksum,
	// or encrypted with SSE-KMS or SSE-C, has an ETag that is no MD5 of its
	// bytes; then only the length was checked.
	Verified string
}

// filePerm is the mode of the files Pull writes.
const filePerm = 0o644

// Pull downloads the artifact whose version text is version, or the newest
// when version is empty, to the file dest, replacing it atomically: the
// bytes go to a temporary file in dest's directory, are checked, synced and
// renamed to dest, so dest never holds a partial or unchecked download. The
// object is fetched with GetObject, with checksum mode enabled and on the
// condition that its ETag is still the one listed. A dest that exists and
// is no regular file is refused before anything is listed or downloaded
// (see CheckDestination).
func (c *Client) Pull(ctx context.Context, version, dest string) (Pulled, error) {
	if err := CheckDestination(dest); err != nil {
		return Pulled{}, err
	}
	a, err := c.Find(ctx, version)
	if err != nil {
		return Pulled{}, err
	}
	return c.PullArtifact(ctx, a, dest, PullOptions{})
}

// PullOptions tune PullArtifact; the zero value is Pull's behaviour.
type PullOptions struct {
	// Progress, when not nil, is called once the download starts with the
	// object's size (-1 when the service does not say) and returns a writer
	// that is given every byte as it is downloaded, such as a progress bar.
	// Its errors are ignored, and PullArtifact neither closes nor finishes
	// it; a nil writer means no progress.
	Progress func(size int64) io.Writer
}

// PullArtifact downloads a, an artifact that List or Find returned, to dest
// as Pull does, refusing a dest that is no regular file before it calls
// GetObject. It fails with a GetObject CallError (PreconditionFailed) when
// the object has changed since it was listed.
func (c *Client) PullArtifact(ctx context.Context, a selector.Artifact, dest string,
	opts PullOptions) (Pulled, error) {
	if err := CheckDestination(dest); err != nil {
		return Pulled{}, err
	}
	out, err := c.s3.GetObject(ctx, &s3.GetObjectInput{
		Bucket:       aws.String(c.src.Bucket),
		Key:          aws.String(a.Key),
		ChecksumMode: types.ChecksumModeEnabled,
		IfMatch:      nonEmpty(a.ETag),
	})
	if err != nil {
		return Pulled{}, newCallError("GetObject", c.url(a.Key), err)
	}
	defer out.Body.Close()
	p := Pulled{Artifact: a, Path: dest}
	err = writeAtomic(dest, filePerm, func(w io.Writer) error {
		w = opts.watch(w, out.ContentLength)
		var cerr error
		p.Bytes, p.Verified, cerr = c.copyChecked(w, out, a.Key)
		return cerr
	})
	if err != nil {
		return Pulled{}, err
	}
	return p, nil
}

// watch returns w, also feeding the progress writer when there is one.
func (o PullOptions) watch(w io.Writer, length *int64) io.Writer {
	if o.Progress == nil {
		return w
	}
	size := int64(-1)
	if length != nil {
		size = *length
	}
	if pw := o.Progress(size); pw != nil {
		return io.MultiWriter(w, quiet{pw})
	}
	return w
}

// quiet is a writer whose errors are ignored: a progress display that fails
// must not fail the download.
type quiet struct{ w io.Writer }

func (q quiet) Write(p []byte) (int, error) {
	_, _ = q.w.Write(p)
	return len(p), nil
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return aws.String(s)
}

// copyChecked copies out's body to w and checks it: the SDK validates a
// checksum while the body is read, and fails the read on a mismatch; else
// an MD5 ETag is compared with the bytes. The length is always checked.
func (c *Client) copyChecked(w io.Writer, out *s3.GetObjectOutput, key string) (
	int64, string, error) {
	var algs []string
	if m, ok := s3.GetChecksumValidationMetadata(out.ResultMetadata); ok {
		algs = m.AlgorithmsUsed
	}
	etag, useMD5 := md5ETag(out)
	var sum hash.Hash
	if useMD5 {
		sum = md5.New()
		w = io.MultiWriter(w, sum)
	}
	n, err := io.Copy(w, out.Body)
	if err != nil {
		return n, "", fmt.Errorf("artifacts: GetObject on %s: reading the body: %w",
			c.url(key), err)
	}
	if out.ContentLength != nil && n != *out.ContentLength {
		return n, "", fmt.Errorf("%w: %s: got %d bytes, Content-Length says %d", ErrIntegrity,
			c.url(key), n, *out.ContentLength)
	}
	var how []string
	if len(algs) > 0 {
		how = append(how, algs...)
	}
	if useMD5 {
		if got := hex.EncodeToString(sum.Sum(nil)); got != etag {
			return n, "", fmt.Errorf("%w: %s: MD5 %s, ETag says %s", ErrIntegrity,
				c.url(key), got, etag)
		}
		how = append(how, "MD5")
	}
	return n, strings.Join(how, ","), nil
}

// md5ETag returns the ETag of out, unquoted and in lower case, and whether
// it is the MD5 of the object's bytes: a single-part upload's ETag is, unless
// the object is encrypted with SSE-KMS or SSE-C; a multipart upload's
// ("...-N") is not.
func md5ETag(out *s3.GetObjectOutput) (string, bool) {
	etag := strings.ToLower(strings.Trim(aws.ToString(out.ETag), `"`))
	if len(etag) != 2*md5.Size {
		return "", false
	}
	if _, err := hex.DecodeString(etag); err != nil {
		return "", false
	}
	switch out.ServerSideEncryption {
	case types.ServerSideEncryptionAwsKms, types.ServerSideEncryptionAwsKmsDsse:
		return "", false
	}
	if out.SSECustomerAlgorithm != nil {
		return "", false
	}
	return etag, true
}

// writeAtomic calls fill with a temporary file in dest's directory and, when
// it succeeds, gives it mode perm, syncs it, renames it to dest and syncs the
// directory. On any failure the temporary file is removed and dest is left
// as it was. Just before the rename it checks again that dest is absent or
// a regular file (CheckDestination), so that a special file put there
// during the download is not replaced.
func writeAtomic(dest string, perm os.FileMode, fill func(w io.Writer) error) (err error) {
	dir := filepath.Dir(dest)
	f, err := os.CreateTemp(dir, "."+filepath.Base(dest)+".trove-*")
	if err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(f.Name())
		}
	}()
	if err = fill(f); err != nil {
		return err
	}
	if err = f.Chmod(perm); err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	if err = f.Sync(); err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	if err = f.Close(); err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	if err = recheck(dest); err != nil {
		return err
	}
	if err = os.Rename(f.Name(), dest); err != nil {
		return fmt.Errorf("artifacts: %w", err)
	}
	syncDir(dir)
	return nil
}

// recheck fails when dest has become something else than a regular file
// since the write began: then it is left as it is.
func recheck(dest string) error {
	kind, err := irregular(dest)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrBadDestination, err)
	}
	if kind != "" {
		return fmt.Errorf("%w: %s is now %s, not a regular file: not replaced",
			ErrBadDestination, dest, kind)
	}
	return nil
}

// syncDir makes a rename in dir durable where the system allows it; a
// failure is ignored, as the file itself is already synced.
func syncDir(dir string) {
	d, err := os.Open(dir)
	if err != nil {
		return
	}
	_ = d.Sync()
	_ = d.Close()
}
