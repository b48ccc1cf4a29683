package s3api

// Tags: object tag sets (PutObjectTagging and its siblings, x-amz-tagging
// on uploads, x-amz-tagging-directive on copies) and bucket tag sets
// (PutBucketTagging and its siblings). S3's limits apply: at most
// maxObjectTags tags on an object and maxBucketTags on a bucket, keys of
// 1 to maxTagKey characters and values of at most maxTagValue, each key
// once, none starting with the reserved "aws:" prefix, and only letters,
// digits, white space and _ . : / = + - @ in either.

import (
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/s3err"
	"github.com/troveproject/trove/internal/store"
)

// S3's limits on tag sets.
const (
	maxObjectTags = 10
	maxBucketTags = 50
	maxTagKey     = 128
	maxTagValue   = 256
)

// parseTaggingHeader reads the x-amz-tagging header of PutObject, CopyObject
// and CreateMultipartUpload: a URL-encoded query string of key=value pairs.
// It returns nil when the header is not sent and an empty map when it is sent
// empty. A header that does not decode, or names a key twice, is
// InvalidArgument; one that breaks a tag limit is InvalidTag.
func parseTaggingHeader(h http.Header) (map[string]string, error) {
	v, ok := headerValue(h, "x-amz-tagging")
	if !ok {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, badTagging()
	}
	tags := make(map[string]string, len(q))
	for k, vs := range q {
		if len(vs) != 1 {
			return nil, badTagging()
		}
		tags[k] = vs[0]
	}
	return tags, checkObjectTags(tags)
}

func badTagging() error {
	return s3err.Newf(s3err.InvalidArgument, "The x-amz-tagging header must be a URL-encoded "+
		"query string of tags, each key named once.").With("ArgumentName", "x-amz-tagging")
}

// checkObjectTags applies S3's limits to an object's tag set and refuses
// two keys that differ only in case (a choice: S3 takes them as two tags,
// but the policy engine matches condition key names case-insensitively, so
// s3:ExistingObjectTag/<key> and s3:RequestObjectTag/<key> could not tell
// them apart and a policy would see one of the two values at random).
func checkObjectTags(tags map[string]string) error {
	if err := checkTags(tags, maxObjectTags); err != nil {
		return err
	}
	folded := make(map[string]bool, len(tags))
	for k := range tags {
		if folded[strings.ToLower(k)] {
			return s3err.Newf(s3err.InvalidTag, "trove refuses tag keys that differ only "+
				"in case: policies cannot tell them apart.").With("TagKey", k)
		}
		folded[strings.ToLower(k)] = true
	}
	return nil
}

// checkTags applies S3's limits to a tag set of at most limit tags.
func checkTags(tags map[string]string, limit int) error {
	if len(tags) > limit {
		if limit == maxObjectTags {
			return s3err.Newf(s3err.InvalidTag, "Object tags cannot be greater than %d", limit)
		}
		return s3err.Newf(s3err.InvalidTag, "Bucket tag count cannot be greater than %d",
			limit)
	}
	for k, v := range tags {
		if err := checkTag(k, v); err != nil {
			return err
		}
	}
	return nil
}

// checkTag applies S3's rules to one tag.
func checkTag(k, v string) error {
	switch {
	case k == "" || utf8.RuneCountInString(k) > maxTagKey || !validTagText(k):
		return s3err.Newf(s3err.InvalidTag, "The TagKey you have provided is invalid").
			With("TagKey", k)
	case utf8.RuneCountInString(v) > maxTagValue || !validTagText(v):
		return s3err.Newf(s3err.InvalidTag, "The TagValue you have provided is invalid").
			With("TagKey", k)
	case strings.HasPrefix(strings.ToLower(k), "aws:"):
		return s3err.Newf(s3err.InvalidTag, "Your TagKey cannot be prefixed with aws:").
			With("TagKey", k)
	}
	return nil
}

// validTagText reports whether s is valid UTF-8 made of letters, digits,
// white space and the punctuation tags allow.
func validTagText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsSpace(r) ||
			unicode.IsMark(r) || strings.ContainsRune("_.:/=+-@", r)
		if !ok {
			return false
		}
	}
	return true
}

// existingTagKeys is s3:ExistingObjectTag/<key> for each tag of o, a
// version that was found and is not a delete marker.
func existingTagKeys(o store.Object, found bool) policy.Context {
	c := policy.Context{}
	if !found || o.DeleteMarker {
		return c
	}
	for k, v := range o.Tags {
		c.Set("s3:ExistingObjectTag/"+k, v)
	}
	return c
}

// uploadTags reads the x-amz-tagging header of a write that creates an
// object (PutObject, CreateMultipartUpload) and, when it carries tags,
// authorizes s3:PutObjectTagging on the object with the request's tag keys,
// as S3 requires of a write that sets tags. It returns nil when the header
// is not sent or empty.
func (h *Handler) uploadTags(rq *request, b store.Bucket, key string) (map[string]string,
	error) {
	tags, err := parseTaggingHeader(rq.r.Header)
	if err != nil || len(tags) == 0 {
		return nil, err
	}
	return tags, h.authorizeTagWrite(rq, b, key, "s3:PutObjectTagging", nil)
}

// authorizeTagWrite authorizes action, a write of object tags, on key with
// the x-amz-tagging header's keys and extra.
func (h *Handler) authorizeTagWrite(rq *request, b store.Bucket, key, action string,
	extra policy.Context) error {
	c := policy.Context{}
	for k, v := range extra {
		c.Set(k, v...)
	}
	if err := requestTagKeys(c, rq.r.Header); err != nil {
		return err
	}
	return h.authorize(rq, objectTarget(action, b, key), c)
}

// setTaggingCount sends x-amz-tagging-count with the number of o's tags,
// when it has some and the caller may read them (s3:GetObjectTagging, or
// s3:GetObjectVersionTagging for a named version), as S3 does.
func (h *Handler) setTaggingCount(rq *request, b store.Bucket, o store.Object, named bool) {
	if len(o.Tags) == 0 {
		return
	}
	action := "s3:GetObjectTagging"
	if named {
		action = "s3:GetObjectVersionTagging"
	}
	keys := withVersionKey(existingTagKeys(o, true), o.VersionID, named)
	if h.allowed(rq, objectTarget(action, b, o.Key), keys) {
		rq.w.Header().Set("x-amz-tagging-count", strconv.Itoa(len(o.Tags)))
	}
}

// maxTaggingBody bounds the Tagging document read: 50 tags of 128 and 256
// characters, each escaped, fit well within it.
const maxTaggingBody = 256 << 10

// tagEntry is one Tag of an answer.
type tagEntry struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// taggingOutput is the answer of GetObjectTagging and GetBucketTagging. An
// empty set is an empty TagSet element, as S3 sends it.
type taggingOutput struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ Tagging"`
	TagSet  struct {
		Tags []tagEntry `xml:"Tag"`
	} `xml:"TagSet"`
}

// newTaggingOutput lists tags by key.
func newTaggingOutput(tags map[string]string) taggingOutput {
	var out taggingOutput
	for k, v := range tags {
		out.TagSet.Tags = append(out.TagSet.Tags, tagEntry{Key: k, Value: v})
	}
	slices.SortFunc(out.TagSet.Tags, func(a, b tagEntry) int {
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// readTagging reads the Tagging document of a put and parses it with
// parseTagging.
func readTagging(rq *request, check func(map[string]string) error) (map[string]string,
	error) {
	return parseTagging(rq.r.Body, check)
}

// taggingTokens bounds the tokens of a Tagging document loosely: the body's
// 256 KiB is the tighter bound, and a set of too many tags still reaches
// check, which answers InvalidTag as S3 does.
const taggingTokens = 64 << 10

// parseTagging reads a Tagging document from r up to its end: one TagSet
// whose Tags each have a Key and a Value, each once, no key twice. check
// applies the limits.
func parseTagging(r io.Reader, check func(map[string]string) error) (map[string]string,
	error) {
	x := newXMLBody(r, xmlLimits{bytes: maxTaggingBody, tokens: taggingTokens})
	if err := x.open("Tagging"); err != nil {
		return nil, err
	}
	var tags map[string]string
	for {
		name, ok, err := x.child()
		switch {
		case err != nil:
			return nil, err
		case !ok && tags == nil:
			return nil, malformed("no TagSet in a Tagging document")
		case !ok:
			if err := x.close(); err != nil {
				return nil, err
			}
			return tags, check(tags)
		case name != "TagSet":
			err = x.skip()
		case tags != nil:
			return nil, malformed("element TagSet twice")
		default:
			tags, err = parseTagSet(x)
		}
		if err != nil {
			return nil, err
		}
	}
}

// parseTagSet reads the Tags of a TagSet element.
func parseTagSet(x *xmlBody) (map[string]string, error) {
	tags := map[string]string{}
	for {
		name, ok, err := x.child()
		if err != nil || !ok {
			return tags, err
		}
		if name != "Tag" {
			if err := x.skip(); err != nil {
				return nil, err
			}
			continue
		}
		var k, v *string
		dst := [...]**string{&k, &v}
		if err := x.fields([]string{"Key", "Value"}, func(i int, t string) {
			*dst[i] = &t
		}); err != nil {
			return nil, err
		}
		if k == nil || v == nil {
			return nil, malformed("Tag without a Key or a Value")
		}
		if _, dup := tags[*k]; dup {
			return nil, s3err.Newf(s3err.InvalidTag,
				"Cannot provide multiple Tags with the same key").With("TagKey", *k)
		}
		tags[*k] = *v
	}
}

// setRequestTagKeys sets s3:RequestObjectTag/<key> for each tag and
// s3:RequestObjectTagKeys, the set of keys (present and empty for none).
func setRequestTagKeys(c policy.Context, tags map[string]string) {
	keys := make([]string, 0, len(tags))
	for k, v := range tags {
		keys = append(keys, k)
		c.Set("s3:RequestObjectTag/"+k, v)
	}
	slices.Sort(keys)
	c.Set("s3:RequestObjectTagKeys", keys...)
}

// taggedObject is the version an object tagging request acts on.
type taggedObject struct {
	b     store.Bucket
	o     store.Object
	found bool
	id    string // the versionId query parameter
	named bool   // whether it was sent
}

// loadTagged loads the bucket and the version an object tagging request
// names, before authorization, whose s3:ExistingObjectTag keys need it.
func (h *Handler) loadTagged(rq *request) (taggedObject, error) {
	var t taggedObject
	var err error
	if t.b, err = h.loadBucket(rq); err != nil {
		return t, err
	}
	if t.id, t.named, err = versionArg(rq); err != nil {
		return t, err
	}
	t.o, t.found, err = h.readVersion(rq, t.b, rq.key, t.id)
	return t, err
}

// authorize authorizes action, or versionAction when a version is named,
// with the version's tags and extra, then answers a version that cannot
// be tagged as a read would (readable).
func (t taggedObject) authorize(h *Handler, rq *request, action, versionAction string,
	extra policy.Context) error {
	keys := withVersionKey(existingTagKeys(t.o, t.found), t.id, t.named)
	for k, v := range extra {
		keys.Set(k, v...)
	}
	if t.named {
		action = versionAction
	}
	if err := h.authorize(rq, objectTarget(action, t.b, rq.key), keys); err != nil {
		return err
	}
	if err := h.readable(rq, t.b, t.o, t.found, t.named); err != nil {
		return err
	}
	if t.b.Versioning != "" || t.named {
		setVersionHeader(rq, t.o.VersionID)
	}
	return nil
}

func (h *Handler) getObjectTagging(rq *request) error {
	t, err := h.loadTagged(rq)
	if err != nil {
		return err
	}
	err = t.authorize(h, rq, "s3:GetObjectTagging", "s3:GetObjectVersionTagging", nil)
	if err != nil {
		return err
	}
	return writeXML(rq, http.StatusOK, newTaggingOutput(t.o.Tags))
}

func (h *Handler) putObjectTagging(rq *request) error {
	t, err := h.loadTagged(rq)
	if err != nil {
		return err
	}
	tags, err := readTagging(rq, checkObjectTags)
	if err != nil {
		return err
	}
	keys := policy.Context{}
	setRequestTagKeys(keys, tags)
	err = t.authorize(h, rq, "s3:PutObjectTagging", "s3:PutObjectVersionTagging", keys)
	if err != nil {
		return err
	}
	return h.setObjectTags(rq, t, tags, http.StatusOK)
}

func (h *Handler) deleteObjectTagging(rq *request) error {
	t, err := h.loadTagged(rq)
	if err != nil {
		return err
	}
	err = t.authorize(h, rq, "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", nil)
	if err != nil {
		return err
	}
	return h.setObjectTags(rq, t, nil, http.StatusNoContent)
}

// setObjectTags stores tags on exactly the version that was authorized: a
// write that made another version current since is not tagged by mistake.
// The version gone since is answered as missing.
func (h *Handler) setObjectTags(rq *request, t taggedObject, tags map[string]string,
	status int) error {
	_, err := h.cfg.Meta.SetObjectTags(rq.ctx, t.b.Name, rq.key, t.o.VersionID, tags)
	if errors.Is(err, store.ErrNotFound) {
		return h.readable(rq, t.b, store.Object{}, false, t.named)
	}
	if err != nil {
		return fmt.Errorf("s3api: set object tags: %w", err)
	}
	rq.writeHeader(status)
	return nil
}

func (h *Handler) getBucketTagging(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:GetBucketTagging", b), nil); err != nil {
		return err
	}
	if b.Tags == nil {
		return s3err.New(s3err.NoSuchTagSet).With("BucketName", b.Name)
	}
	return writeXML(rq, http.StatusOK, newTaggingOutput(b.Tags))
}

func (h *Handler) putBucketTagging(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:PutBucketTagging", b), nil); err != nil {
		return err
	}
	tags, err := readTagging(rq, func(tags map[string]string) error {
		return checkTags(tags, maxBucketTags)
	})
	if err != nil {
		return err
	}
	return h.setBucketTags(rq, b, tags)
}

// deleteBucketTagging removes the tag set; as in S3 it also needs
// s3:PutBucketTagging, there being no s3:DeleteBucketTagging action.
func (h *Handler) deleteBucketTagging(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:PutBucketTagging", b), nil); err != nil {
		return err
	}
	return h.setBucketTags(rq, b, nil)
}

// setBucketTags stores tags (nil or empty removing the set) and answers 204.
func (h *Handler) setBucketTags(rq *request, b store.Bucket, tags map[string]string) error {
	if err := h.cfg.Meta.SetBucketTags(rq.ctx, b.Name, tags); err != nil {
		return bucketError(err, b.Name, "set bucket tags")
	}
	rq.writeHeader(http.StatusNoContent)
	return nil
}
