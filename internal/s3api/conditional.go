package s3api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// checkPreconditions applies If-Match, If-Unmodified-Since, If-None-Match and
// If-Modified-Since to a read, with S3's precedence: a true If-Match
// overrides a false If-Unmodified-Since, and a false If-None-Match overrides
// a true If-Modified-Since.
func checkPreconditions(r *http.Request, o store.Object) error {
	mod := o.LastModified.Truncate(time.Second)
	im, hasIM := r.Header["If-Match"]
	if hasIM && !etagMatches(im, o.ETag) {
		return s3err.New(s3err.PreconditionFailed).With("Condition", "If-Match")
	}
	if t, ok := headerTime(r, "If-Unmodified-Since"); ok && !hasIM && mod.After(t) {
		return s3err.New(s3err.PreconditionFailed).With("Condition", "If-Unmodified-Since")
	}
	inm, hasINM := r.Header["If-None-Match"]
	if hasINM && etagMatches(inm, o.ETag) {
		return s3err.New(s3err.NotModified)
	}
	if t, ok := headerTime(r, "If-Modified-Since"); ok && !hasINM && !mod.After(t) {
		return s3err.New(s3err.NotModified)
	}
	return nil
}

func etagMatches(values []string, etag string) bool {
	bare := strings.Trim(etag, `"`)
	for _, v := range values {
		for _, tag := range strings.Split(v, ",") {
			tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
			if tag == "*" || strings.Trim(tag, `"`) == bare {
				return true
			}
		}
	}
	return false
}

func headerTime(r *http.Request, name string) (time.Time, bool) {
	v := r.Header.Get(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// byteRange is the part of an object a GET returns.
type byteRange struct {
	start, length int64
	partial       bool
}

// parseRange interprets a Range header for an object of size bytes. As in
// S3, a header that is not a single well-formed byte range is ignored and
// the whole object returned; a well-formed range that starts beyond the
// object is InvalidRange.
func parseRange(h string, size int64) (byteRange, error) {
	whole := byteRange{start: 0, length: size}
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return whole, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return whole, nil
	}
	if first == "" { // suffix: the last N bytes
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return whole, nil
		}
		if n == 0 || size == 0 {
			return whole, invalidRange(h, size)
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n, partial: true}, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return whole, nil
	}
	end := size - 1
	if last != "" {
		if end, err = strconv.ParseInt(last, 10, 64); err != nil || end < start {
			return whole, nil
		}
	}
	if start >= size {
		return whole, invalidRange(h, size)
	}
	end = min(end, size-1)
	return byteRange{start: start, length: end - start + 1, partial: true}, nil
}

func invalidRange(h string, size int64) error {
	return s3err.New(s3err.InvalidRange).With("RangeRequested", h).
		With("ActualObjectSize", fmt.Sprint(size))
}

// writeExpect reads the conditional-write headers of a PutObject or
// DeleteObject, those named among If-Match and If-None-Match, into the
// precondition the store checks in the same transaction as the write.
// If-None-Match takes only "*" (the key must not exist); If-Match takes "*"
// (the key must exist) or one ETag, quoted or not.
func writeExpect(h http.Header, names ...string) (store.Expect, error) {
	var want store.Expect
	for _, name := range names {
		vs, ok := h[http.CanonicalHeaderKey(name)]
		if !ok {
			continue
		}
		v := strings.TrimSpace(strings.Join(vs, ","))
		switch {
		case name == "If-None-Match" && v != "*":
			return want, s3err.Newf(s3err.NotImplemented,
				"trove serves If-None-Match on a write only with the value *.").
				With("Header", "If-None-Match")
		case name == "If-None-Match":
			want.Absent = true
		default:
			want = matchExpect(v)
		}
	}
	if want.Absent && (want.Present || want.ETag != "") {
		return want, s3err.Newf(s3err.NotImplemented,
			"trove does not implement If-Match together with If-None-Match.")
	}
	return want, nil
}

// matchExpect is the precondition of an If-Match value, or of a
// DeleteObjects ETag element: "*" needs an object, anything else an object
// with that ETag, quoted or not (one pair of quotes is taken off).
func matchExpect(v string) store.Expect {
	v = strings.TrimSpace(v)
	if v == "*" {
		return store.Expect{Present: true}
	}
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		v = v[1 : len(v)-1]
	}
	return store.Expect{ETag: `"` + v + `"`}
}

// authorizeConditionalDelete authorizes the read a delete conditional on
// the object (If-Match, or an ETag in DeleteObjects) makes besides the
// delete: its answer tells whether the guessed ETag is the object's, so S3
// asks for s3:GetObject too.
func (h *Handler) authorizeConditionalDelete(rq *request, b store.Bucket, key string) error {
	return h.authorize(rq, objectTarget("s3:GetObject", b, key), nil)
}

// conditionError maps a store.ErrPrecondition for a write made with want:
// NoSuchKey when the write needed an object and there was none, else
// PreconditionFailed naming the header that failed.
func conditionError(err error, want store.Expect, key string) error {
	if errors.Is(err, store.ErrNotFound) {
		return s3err.New(s3err.NoSuchKey).With("Key", key).WithCause(err)
	}
	cond := "If-Match"
	if want.Absent {
		cond = "If-None-Match"
	}
	return s3err.New(s3err.PreconditionFailed).With("Condition", cond).WithCause(err)
}
