package s3api

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

const maxListKeys = 1000

// listArgs are the parsed arguments of ListObjects and ListObjectsV2.
type listArgs struct {
	v2        bool
	prefix    string
	delimiter string
	maxKeys   int
	after     string // exclusive start: marker, start-after or continuation
	token     string // the continuation token as sent (V2)
	startAft  string
	marker    string
	encode    bool
	fetchOwn  bool
}

func parseListArgs(rq *request) (listArgs, error) {
	q := rq.r.URL.Query()
	a := listArgs{prefix: q.Get("prefix"), delimiter: q.Get("delimiter"), maxKeys: maxListKeys}
	if q.Has("list-type") {
		if q.Get("list-type") != "2" {
			return a, s3err.Newf(s3err.InvalidArgument, "Invalid List Type specified in Request").
				With("ArgumentName", "list-type").With("ArgumentValue", q.Get("list-type"))
		}
		a.v2 = true
	}
	var err error
	if a.maxKeys, err = intParam(rq, "max-keys", maxListKeys); err != nil {
		return a, err
	}
	if a.encode, err = encodingType(q); err != nil {
		return a, err
	}
	return a, a.position(q)
}

// position sets where the listing starts from the version's parameters.
func (a *listArgs) position(q url.Values) error {
	if !a.v2 {
		a.marker = q.Get("marker")
		a.after = a.marker
		return nil
	}
	a.fetchOwn = q.Get("fetch-owner") == "true"
	a.startAft = q.Get("start-after")
	a.after = a.startAft
	if !q.Has("continuation-token") {
		return nil
	}
	a.token = q.Get("continuation-token")
	raw, err := base64.RawURLEncoding.DecodeString(a.token)
	if err != nil || a.token == "" || !strings.HasPrefix(string(raw), "t1:") {
		return s3err.Newf(s3err.InvalidArgument, "The continuation token provided is incorrect").
			With("ArgumentName", "continuation-token")
	}
	a.after = strings.TrimPrefix(string(raw), "t1:")
	return nil
}

func continuationToken(after string) string {
	return base64.RawURLEncoding.EncodeToString([]byte("t1:" + after))
}

func (h *Handler) listObjects(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	a, err := parseListArgs(rq)
	if err != nil {
		return err
	}
	if a.v2 {
		rq.op = "ListObjectsV2"
	}
	keys := listContext(rq.r.URL.Query())
	if err := h.authorize(rq, bucketTarget("s3:ListBucket", b), keys); err != nil {
		return err
	}
	page, err := h.cfg.Meta.ListObjects(rq.ctx, b.Name, store.ListParams{
		Prefix: a.prefix, Delimiter: a.delimiter, After: a.after, MaxKeys: a.maxKeys})
	if err != nil {
		return fmt.Errorf("s3api: list objects: %w", err)
	}
	return writeXML(rq, http.StatusOK, listResult(b, a, page))
}

func listResult(b store.Bucket, a listArgs, page store.ListPage) *listBucketResult {
	enc := func(s string) string {
		if a.encode {
			return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
		}
		return s
	}
	out := &listBucketResult{Name: b.Name, Prefix: enc(a.prefix), MaxKeys: a.maxKeys,
		Delimiter: enc(a.delimiter), IsTruncated: page.Truncated}
	if a.encode {
		out.EncodingType = "url"
	}
	for _, o := range page.Objects {
		e := objectEntry{Key: enc(o.Key), LastModified: o.LastModified.UTC().Format(timeFormat),
			ETag: o.ETag, Size: o.Size, StorageClass: "STANDARD"}
		if !a.v2 || a.fetchOwn {
			e.Owner = ownerOf(b.Owner)
		}
		out.Contents = append(out.Contents, e)
	}
	for _, p := range page.CommonPrefixes {
		out.CommonPrefixes = append(out.CommonPrefixes, commonPrefix{Prefix: enc(p)})
	}
	if a.v2 {
		n := len(page.Objects) + len(page.CommonPrefixes)
		out.KeyCount = &n
		out.StartAfter = enc(a.startAft)
		out.Continuation = a.token
		if page.Truncated {
			out.NextToken = continuationToken(page.NextAfter)
		}
		return out
	}
	marker := enc(a.marker)
	out.Marker = &marker
	if page.Truncated && a.delimiter != "" {
		out.NextMarker = enc(page.NextAfter)
	}
	return out
}

// intParam reads a non-negative integer query parameter, def when absent;
// values above def, when def is a page limit, are lowered to it.
func intParam(rq *request, name string, def int) (int, error) {
	if !rq.hasQuery(name) {
		return def, nil
	}
	v := rq.query(name)
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, s3err.Newf(s3err.InvalidArgument,
			"Provided %s not an integer or within integer range", name).
			With("ArgumentName", name).With("ArgumentValue", v)
	}
	if def > 0 {
		n = min(n, def)
	}
	return n, nil
}

// encodingType reads encoding-type: "" or "url".
func encodingType(q url.Values) (bool, error) {
	switch et := q.Get("encoding-type"); et {
	case "":
		return false, nil
	case "url":
		return true, nil
	default:
		return false, s3err.Newf(s3err.InvalidArgument,
			"Invalid Encoding Method specified in Request").
			With("ArgumentName", "encoding-type").With("ArgumentValue", et)
	}
}
