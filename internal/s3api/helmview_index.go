package s3api

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/helmrepo"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/store"
)

// helmIndex serves index.yaml of the charts under prefix: authorized as
// s3:ListBucket with s3:prefix, built from the current listing, so that
// every write through the S3 API shows in the next index.
func (h *Handler) helmIndex(rq *request, prefix string) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	keys := policy.Context{}
	keys.Set("s3:prefix", prefix)
	if err := h.authorize(rq, bucketTarget("s3:ListBucket", b), keys); err != nil {
		return err
	}
	versions, err := h.helmVersions(rq, b, prefix)
	if err != nil {
		return err
	}
	out, err := helmrepo.Index(versions, h.cfg.Now())
	if err != nil {
		return fmt.Errorf("s3api: helm index: %w", err)
	}
	hd := rq.w.Header()
	hd.Set("Content-Type", "application/yaml")
	hd.Set("Content-Length", strconv.Itoa(len(out)))
	hd.Set("Cache-Control", "no-cache")
	rq.writeHeader(http.StatusOK)
	if rq.r.Method == http.MethodGet {
		if _, err := rq.w.Write(out); err != nil {
			h.log.Debug("send helm index", "request_id", rq.id, "err", err)
		}
	}
	return nil
}

// helmVersions lists every key under prefix ending in .tgz, page by page,
// and returns the chart versions of those the caller may read.
func (h *Handler) helmVersions(rq *request, b store.Bucket, prefix string) (
	[]helmrepo.Version, error) {
	var out []helmrepo.Version
	p := store.ListParams{Prefix: prefix, MaxKeys: maxListKeys}
	for {
		page, err := h.cfg.Meta.ListObjects(rq.ctx, b.Name, p)
		if err != nil {
			return nil, fmt.Errorf("s3api: helm index: list objects: %w", err)
		}
		for _, o := range page.Objects {
			if !strings.HasSuffix(o.Key, ".tgz") {
				continue
			}
			v, ok, err := h.helmVersion(rq, b, prefix, o.Key)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, v)
			}
		}
		if !page.Truncated {
			return out, nil
		}
		p.After = page.NextAfter
	}
}

// helmAttempts bounds how often one chart is read again because its object
// was overwritten while it was being read.
const helmAttempts = 5

// helmVersion is the chart version of the archive at key, read from the
// object's current record, and false when the index leaves it out: the key
// is gone, the caller may not s3:GetObject it, it is not a valid chart, or
// it cannot be named by a relative URL. An archive overwritten between
// reading its record and opening its blob is read again.
func (h *Handler) helmVersion(rq *request, b store.Bucket, prefix, key string) (
	helmrepo.Version, bool, error) {
	rel, ok := relativeURL(strings.TrimPrefix(key, prefix))
	if !ok {
		h.log.Debug("helm index: key has no relative URL", "bucket", b.Name, "key", key)
		return helmrepo.Version{}, false, nil
	}
	for range helmAttempts {
		o, err := h.cfg.Meta.GetObject(rq.ctx, b.Name, key)
		if errors.Is(err, store.ErrNotFound) {
			return helmrepo.Version{}, false, nil
		}
		if err != nil {
			return helmrepo.Version{}, false, fmt.Errorf("s3api: helm index: %w", err)
		}
		target := objectTarget("s3:GetObject", b, key)
		if !h.allowed(rq, target, existingTagKeys(o, true)) {
			return helmrepo.Version{}, false, nil
		}
		c, err := h.helmChart(rq, o)
		switch {
		case errors.Is(err, store.ErrNotFound):
			continue // overwritten or deleted since GetObject: read the record again
		case errors.Is(err, helmrepo.ErrInvalid):
			return helmrepo.Version{}, false, nil
		case err != nil:
			return helmrepo.Version{}, false, err
		}
		return helmrepo.Version{Chart: c, URL: rel, Created: o.LastModified}, true, nil
	}
	return helmrepo.Version{}, false, nil
}

// helmChart returns the chart in o's blob, from the cache when a request
// read that blob before: a blob id names immutable bytes. Requests that
// meet a new blob at the same time share one read. An archive that is not
// a valid chart is logged, at warn, when it is first read, and remembered
// as such.
func (h *Handler) helmChart(rq *request, o store.Object) (helmrepo.Chart, error) {
	if c, err, ok := h.helm.get(o.BlobID); ok {
		return c, err
	}
	c, err, first := h.helm.read(rq.ctx, o.BlobID, func() (helmrepo.Chart, error) {
		return h.readHelmChart(rq, o)
	})
	if errors.Is(err, context.Canceled) && rq.ctx.Err() == nil {
		return h.readHelmChart(rq, o) // the request that read it went away
	}
	if !first || (err != nil && !errors.Is(err, helmrepo.ErrInvalid)) {
		return c, err
	}
	if err != nil {
		h.log.Warn("helm index: archive left out: not a valid chart", "bucket", o.Bucket,
			"key", o.Key, "reason", err.Error())
	}
	h.helm.put(o.BlobID, c, err)
	return c, err
}

// readHelmChart reads and parses o's blob. A blob removed since o was read
// is store.ErrNotFound.
func (h *Handler) readHelmChart(rq *request, o store.Object) (helmrepo.Chart, error) {
	if o.Size > helmrepo.DefaultMaxArchive {
		return helmrepo.Chart{}, fmt.Errorf("%w: archive of %d bytes, more than %d",
			helmrepo.ErrInvalid, o.Size, helmrepo.DefaultMaxArchive)
	}
	blob, err := h.cfg.Blobs.Open(rq.ctx, o.BlobID)
	if err != nil {
		return helmrepo.Chart{}, fmt.Errorf("s3api: helm index: open blob: %w", err)
	}
	defer blob.Close()
	c, err := helmrepo.ReadChart(blob, helmrepo.Limits{})
	if err != nil && !errors.Is(err, helmrepo.ErrInvalid) {
		return c, fmt.Errorf("s3api: helm index: read %s/%s: %w", o.Bucket, o.Key, err)
	}
	return c, err
}

// relativeURL is the URL of a key's rest after the repository's prefix,
// relative to the repository's URL: each segment escaped, ':' too, so that
// no segment reads as a scheme. A rest with an empty, "." or ".." segment
// has none, since URL resolution would change the path.
func relativeURL(rest string) (string, bool) {
	segs := strings.Split(rest, "/")
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			return "", false
		}
		segs[i] = strings.ReplaceAll(url.PathEscape(s), ":", "%3A")
	}
	return strings.Join(segs, "/"), true
}
