package s3api

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3catalog"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/sigv4"
	"github.com/troveproject/trove/internal/store"
)

// bucketError maps an error of a store call on bucket, named by what:
// NoSuchBucket when the bucket is gone, else the error wrapped; nil stays
// nil.
func bucketError(err error, bucket, what string) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrNotFound):
		return s3err.New(s3err.NoSuchBucket).With("BucketName", bucket)
	}
	return fmt.Errorf("s3api: %s in bucket %s: %w", what, bucket, err)
}

// loadBucket returns rq's bucket or NoSuchBucket, and checks that a signed
// request was signed for the bucket's region, as S3 does.
func (h *Handler) loadBucket(rq *request) (store.Bucket, error) {
	b, err := h.cfg.Meta.GetBucket(rq.ctx, rq.bucket)
	if err != nil {
		return b, bucketError(err, rq.bucket, "get bucket")
	}
	rq.notifies = b.Notification != nil
	// As S3 does, say where the bucket lives, so that clients signing for
	// another region can redirect themselves even from a bodiless HEAD error.
	rq.w.Header().Set("x-amz-bucket-region", b.Region)
	if want := rq.r.Header.Get("x-amz-expected-bucket-owner"); want != "" && want != b.Owner {
		// The caller asked not to touch a bucket another account owns.
		return b, s3err.New(s3err.AccessDenied)
	}
	if rq.auth.Method != sigv4.None && rq.auth.Region != b.Region {
		return b, s3err.Newf(s3err.AuthorizationHeaderMalformed,
			"The authorization header is malformed; the region '%s' is wrong; expecting '%s'",
			rq.auth.Region, b.Region).With("Region", b.Region)
	}
	return b, nil
}

func (h *Handler) listBuckets(rq *request) error {
	p := rq.caller.Principal
	if p.Anonymous {
		return s3err.New(s3err.AccessDenied)
	}
	t := target{action: "s3:ListAllMyBuckets", resource: s3catalog.AccountResource,
		owner: p.Account}
	if err := h.authorize(rq, t, nil); err != nil {
		return err
	}
	bs, err := h.cfg.Meta.ListBuckets(rq.ctx, p.Account)
	if err != nil {
		return fmt.Errorf("s3api: list buckets: %w", err)
	}
	out := listAllMyBucketsResult{Owner: ownerOf(p.Account)}
	for _, b := range bs {
		out.Buckets = append(out.Buckets, bucketEntry{Name: b.Name,
			CreationDate: b.Created.UTC().Format(timeFormat), BucketRegion: b.Region})
	}
	return writeXML(rq, http.StatusOK, &out)
}

var bucketNameRe = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)

// validBucketName applies S3's naming rules for general purpose buckets.
func validBucketName(name string) error {
	bad := func(why string) error {
		return s3err.Newf(s3err.InvalidBucketName, "The specified bucket is not valid: %s.", why).
			With("BucketName", name)
	}
	switch {
	case len(name) < 3 || len(name) > 63:
		return bad("a bucket name must be 3 to 63 characters long")
	case !bucketNameRe.MatchString(name):
		return bad("use lower-case letters, digits, dots and hyphens, " +
			"beginning and ending with a letter or digit")
	case strings.Contains(name, ".."):
		return bad("a bucket name must not contain two adjacent periods")
	case net.ParseIP(name) != nil:
		return bad("a bucket name must not be formatted as an IP address")
	}
	for _, p := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, p) {
			return bad("a bucket name must not begin with " + p)
		}
	}
	for _, s := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, s) {
			return bad("a bucket name must not end with " + s)
		}
	}
	return nil
}

type createBucketConfiguration struct {
	XMLName            xml.Name `xml:"CreateBucketConfiguration"`
	LocationConstraint *string  `xml:"LocationConstraint"`
}

// locationConstraintOf reads the optional CreateBucketConfiguration body. It
// returns nil when the body names no LocationConstraint, and a pointer to ""
// for an empty element, which, as in S3, means us-east-1.
func locationConstraintOf(body []byte) (*string, error) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil, nil
	}
	var cfg createBucketConfiguration
	if err := xml.Unmarshal(body, &cfg); err != nil {
		return nil, s3err.New(s3err.MalformedXML)
	}
	if lc := cfg.LocationConstraint; lc != nil && *lc == "us-east-1" {
		return nil, s3err.New(s3err.InvalidLocationConstraint).With("LocationConstraint", *lc)
	}
	return cfg.LocationConstraint, nil
}

// bucketRegion returns the region a new bucket goes to: its location
// constraint, or us-east-1 without one. As in S3, the request must be signed
// for that region.
func (h *Handler) bucketRegion(rq *request, lc string) (string, error) {
	region := lc
	if region == "" {
		region = "us-east-1"
	}
	if rq.auth.Region == region {
		return region, nil
	}
	if lc == "" {
		return "", s3err.New(s3err.IllegalLocationConstraint)
	}
	return "", s3err.Newf(s3err.IllegalLocationConstraint, "The %s location constraint is "+
		"incompatible for the region specific endpoint this request was sent to.", lc)
}

func (h *Handler) createBucket(rq *request) error {
	if err := validBucketName(rq.bucket); err != nil {
		return err
	}
	p := rq.caller.Principal
	if p.Anonymous {
		return s3err.New(s3err.AccessDenied)
	}
	body, err := io.ReadAll(io.LimitReader(rq.r.Body, 64*1024))
	if err != nil {
		return bodyError(err)
	}
	lcp, err := locationConstraintOf(body)
	if err != nil {
		return err
	}
	t := target{action: "s3:CreateBucket", resource: bucketARN(rq.bucket), owner: p.Account}
	if err := h.authorize(rq, t, createBucketContext(rq.r, lcp)); err != nil {
		return err
	}
	var lc string
	if lcp != nil {
		lc = *lcp
	}
	if old, err := h.cfg.Meta.GetBucket(rq.ctx, rq.bucket); err == nil {
		return bucketTaken(rq, old, p.Account)
	}
	region, err := h.bucketRegion(rq, lc)
	if err != nil {
		return err
	}
	b := store.Bucket{Name: rq.bucket, Owner: p.Account, Region: region,
		Created: h.cfg.Now().UTC().Truncate(time.Millisecond)}
	err = h.cfg.Meta.CreateBucket(rq.ctx, b)
	if errors.Is(err, store.ErrBucketExists) { // created since the check above
		old, gerr := h.cfg.Meta.GetBucket(rq.ctx, rq.bucket)
		if gerr != nil {
			return fmt.Errorf("s3api: create bucket: %w", gerr)
		}
		return bucketTaken(rq, old, p.Account)
	}
	if err != nil {
		return fmt.Errorf("s3api: create bucket: %w", err)
	}
	rq.w.Header().Set("Location", "/"+rq.bucket)
	rq.writeHeader(http.StatusOK)
	return nil
}

// bucketTaken answers a CreateBucket for a name that exists: another
// account's bucket is BucketAlreadyExists; the caller's own is
// BucketAlreadyOwnedByYou, except in us-east-1 where S3, for legacy
// compatibility, answers 200 OK.
func bucketTaken(rq *request, old store.Bucket, account string) error {
	if old.Owner != account {
		return s3err.New(s3err.BucketAlreadyExists).With("BucketName", rq.bucket)
	}
	if old.Region == "us-east-1" {
		rq.w.Header().Set("Location", "/"+rq.bucket)
		rq.writeHeader(http.StatusOK)
		return nil
	}
	return s3err.New(s3err.BucketAlreadyOwnedByYou).With("BucketName", rq.bucket)
}

func (h *Handler) headBucket(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:ListBucket", b), nil); err != nil {
		return err
	}
	rq.writeHeader(http.StatusOK)
	return nil
}

func (h *Handler) deleteBucket(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:DeleteBucket", b), nil); err != nil {
		return err
	}
	err = h.cfg.Meta.DeleteBucket(rq.ctx, b.Name)
	if errors.Is(err, store.ErrBucketNotEmpty) {
		return s3err.New(s3err.BucketNotEmpty).With("BucketName", b.Name)
	}
	if err != nil {
		return fmt.Errorf("s3api: delete bucket: %w", err)
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}

// getBucketLocation answers from any region, as S3 does: finding a bucket's
// region is what the call is for, so it skips loadBucket's region check.
func (h *Handler) getBucketLocation(rq *request) error {
	b, err := h.cfg.Meta.GetBucket(rq.ctx, rq.bucket)
	if err != nil {
		return bucketError(err, rq.bucket, "get bucket")
	}
	if err := h.authorize(rq, bucketTarget("s3:GetBucketLocation", b), nil); err != nil {
		return err
	}
	loc := b.Region
	if loc == "us-east-1" {
		loc = ""
	}
	return writeXML(rq, http.StatusOK, &locationConstraint{Region: loc})
}

func (h *Handler) getBucketPolicy(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:GetBucketPolicy", b), nil); err != nil {
		return err
	}
	if b.Policy == nil {
		return s3err.New(s3err.NoSuchBucketPolicy).With("BucketName", b.Name)
	}
	rq.w.Header().Set("Content-Type", "application/json")
	rq.writeHeader(http.StatusOK)
	_, _ = rq.w.Write(b.Policy)
	return nil
}

func (h *Handler) putBucketPolicy(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:PutBucketPolicy", b), nil); err != nil {
		return err
	}
	doc, err := io.ReadAll(io.LimitReader(rq.r.Body, bucketpolicy.MaxSize+1))
	if err != nil {
		return bodyError(err)
	}
	if _, err := bucketpolicy.Validate(doc, b.Name); err != nil {
		return s3err.Newf(s3err.MalformedPolicy, "%s", policyMessage(err))
	}
	if err := h.cfg.Meta.PutBucketPolicy(rq.ctx, b.Name, doc); err != nil {
		return fmt.Errorf("s3api: put bucket policy: %w", err)
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}

// policyMessage returns the client-facing text of a policy validation error.
func policyMessage(err error) string {
	var m *policy.MalformedError
	if errors.As(err, &m) {
		return m.Msg
	}
	return "Invalid policy syntax."
}

func (h *Handler) deleteBucketPolicy(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:DeleteBucketPolicy", b), nil); err != nil {
		return err
	}
	if err := h.cfg.Meta.PutBucketPolicy(rq.ctx, b.Name, nil); err != nil {
		return fmt.Errorf("s3api: delete bucket policy: %w", err)
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}
