package iamapi

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/troveproject/trove/internal/policy"
)

// IAM's limits on the tags of one entity.
const (
	maxTags     = 50
	maxTagKey   = 128
	maxTagValue = 256
)

// tagXML is IAM's Tag element.
type tagXML struct {
	Key   string
	Value string
}

var (
	tagKeyRE   = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)
	tagValueRE = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$`)
)

// tags reads Tags.member.N.Key and .Value: at most maxTags, each with a
// Key, keys unique (regardless of case, as IAM has it) and not in the aws:
// namespace.
func (p params) tags() ([]tagXML, error) {
	ms, err := p.members("Tags")
	if err != nil {
		return nil, err
	}
	if err := fields("Tags", ms, "Key", "Value"); err != nil {
		return nil, err
	}
	for i, m := range ms {
		if !m.Has("Key") {
			return nil, errorf(ValidationError, "1 validation error detected: Value null at "+
				"'Tags.member.%d.Key' failed to satisfy constraint: Member must not be null", i+1)
		}
	}
	if len(ms) > maxTags {
		return nil, errorf(LimitExceeded, "Cannot exceed quota for TagsPerUser: %d.", maxTags)
	}
	seen := map[string]bool{}
	out := make([]tagXML, 0, len(ms))
	for i, m := range ms {
		t := tagXML{Key: m.Get("Key"), Value: m.Get("Value")}
		if err := checkTag(i+1, t); err != nil {
			return nil, err
		}
		if seen[strings.ToLower(t.Key)] {
			return nil, errorf(InvalidInput, "Duplicate tag keys found: %s. Tag keys are not "+
				"case sensitive.", truncate(t.Key))
		}
		seen[strings.ToLower(t.Key)] = true
		out = append(out, t)
	}
	return out, nil
}

// checkTag checks the key and value of tag n.
func checkTag(n int, t tagXML) error {
	switch {
	case t.Key == "" || runes(t.Key) > maxTagKey || !tagKeyRE.MatchString(t.Key):
		return errorf(ValidationError, "1 validation error detected: Value %q at "+
			"'tags.%d.member.key' failed to satisfy constraint: Member must be 1 to %d "+
			"letters, digits, spaces or _.:/=+-@", truncate(t.Key), n, maxTagKey)
	case runes(t.Value) > maxTagValue || !tagValueRE.MatchString(t.Value):
		return errorf(ValidationError, "1 validation error detected: Value at "+
			"'tags.%d.member.value' failed to satisfy constraint: Member must be at most "+
			"%d letters, digits, spaces or _.:/=+-@", n, maxTagValue)
	case strings.HasPrefix(strings.ToLower(t.Key), "aws:"):
		return errorf(InvalidInput, "Tag keys beginning with aws: are reserved for AWS "+
			"(%s).", truncate(t.Key))
	}
	return nil
}

// tagMap turns tags into a map.
func tagMap(tags []tagXML) map[string]string {
	m := make(map[string]string, len(tags))
	for _, t := range tags {
		m[t.Key] = t.Value
	}
	return m
}

// sortedTags turns a map of tags into elements sorted by key.
func sortedTags(m map[string]string) []tagXML {
	out := make([]tagXML, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, tagXML{Key: k, Value: m[k]})
	}
	return out
}

// allowCreate authorizes action on arn, the entity a request creates, with
// the request's tags (aws:RequestTag/KEY, aws:TagKeys) and, when given, its
// permissions boundary's ARN (iam:PermissionsBoundary) as condition keys.
// A request with tags also needs tagAction on arn (iam:TagUser and the
// like): as in IAM, tagging at creation takes the tagging permission.
func (h *Handler) allowCreate(rq *request, action, tagAction, arn string, tags []tagXML,
	boundary string) error {
	tagKeys(rq, tags)
	if boundary != "" {
		rq.keys.Set("iam:PermissionsBoundary", boundary)
	}
	if err := h.allow(rq, action, arn); err != nil || len(tags) == 0 {
		return err
	}
	return h.allow(rq, tagAction, arn)
}

// tagKeys sets the condition keys aws:RequestTag/KEY and aws:TagKeys of a
// request that tags.
func tagKeys(rq *request, tags []tagXML) {
	if rq.keys == nil {
		rq.keys = policy.Context{}
	}
	keys := make([]string, 0, len(tags))
	for _, t := range tags {
		rq.keys.Set("aws:RequestTag/"+t.Key, t.Value)
		keys = append(keys, t.Key)
	}
	if len(keys) > 0 {
		rq.keys.Set("aws:TagKeys", keys...)
	}
}

func (h *Handler) tagUser(rq *request) error {
	tags, err := requestTags(rq)
	if err != nil {
		return err
	}
	u, err := h.targetUser(rq, "iam:TagUser")
	if err != nil {
		return err
	}
	h.writeMu.Lock()
	defer h.writeMu.Unlock()
	have, err := h.cfg.Meta.ListUserTags(rq.ctx, u.Account, u.Name)
	if err != nil {
		return fmt.Errorf("iamapi: tags of user %s: %w", u.Name, err)
	}
	if len(withTags(have, tags)) > maxTags {
		return errorf(LimitExceeded, "Cannot exceed quota for TagsPerUser: %d.", maxTags)
	}
	if err := h.cfg.Meta.TagUser(rq.ctx, u.Account, u.Name, tagMap(tags)); err != nil {
		return fmt.Errorf("iamapi: tag user %s: %w", u.Name, err)
	}
	return reply(rq, nil)
}

func (h *Handler) untagUser(rq *request) error {
	keys, err := untagKeys(rq)
	if err != nil {
		return err
	}
	u, err := h.targetUser(rq, "iam:UntagUser")
	if err != nil {
		return err
	}
	if err := h.cfg.Meta.UntagUser(rq.ctx, u.Account, u.Name, keys); err != nil {
		return fmt.Errorf("iamapi: untag user %s: %w", u.Name, err)
	}
	return reply(rq, nil)
}

func (h *Handler) listUserTags(rq *request) error {
	u, err := h.targetUser(rq, "iam:ListUserTags")
	if err != nil {
		return err
	}
	tags, err := h.cfg.Meta.ListUserTags(rq.ctx, u.Account, u.Name)
	if err != nil {
		return fmt.Errorf("iamapi: tags of user %s: %w", u.Name, err)
	}
	return replyTags(rq, tags)
}

func (h *Handler) putUserPermissionsBoundary(rq *request) error {
	arn, err := params{rq.r.Form}.policyARN(rq, "PermissionsBoundary")
	if err != nil {
		return err
	}
	rq.keys = policy.Context{}
	rq.keys.Set("iam:PermissionsBoundary", arn)
	u, err := h.targetUser(rq, "iam:PutUserPermissionsBoundary")
	if err != nil {
		return err
	}
	mp, err := h.managed(rq, arn)
	if err != nil {
		return err
	}
	u.Boundary = mp.Name
	if err := h.cfg.Meta.PutUser(rq.ctx, u); err != nil {
		return notFound(err, "Policy %s does not exist or is not attachable.", arn)
	}
	return reply(rq, nil)
}

func (h *Handler) deleteUserPermissionsBoundary(rq *request) error {
	u, err := h.targetUser(rq, "iam:DeleteUserPermissionsBoundary")
	if err != nil {
		return err
	}
	if u.Boundary == "" {
		return errorf(NoSuchEntity, "The user %s has no permissions boundary.", u.Name)
	}
	u.Boundary = ""
	if err := h.cfg.Meta.PutUser(rq.ctx, u); err != nil {
		return fmt.Errorf("iamapi: put user %s: %w", u.Name, err)
	}
	return reply(rq, nil)
}

// requestTags reads the Tags of a tagging request, at least one, and sets
// the condition keys aws:RequestTag/KEY and aws:TagKeys.
func requestTags(rq *request) ([]tagXML, error) {
	tags, err := params{rq.r.Form}.tags()
	if err != nil {
		return nil, err
	}
	if len(tags) == 0 {
		return nil, missingParam("Tags")
	}
	tagKeys(rq, tags)
	return tags, nil
}

// replyTags answers a ListXTags request with a page of tags, by key.
func replyTags(rq *request, tags map[string]string) error {
	items, more, marker, err := page(params{rq.r.Form}, sortedTags(tags))
	if err != nil {
		return err
	}
	return reply(rq, struct {
		Tags        []tagXML `xml:"Tags>member"`
		IsTruncated bool
		Marker      string `xml:",omitempty"`
	}{items, more, marker})
}

// withTags returns have with tags added, as IAM tags users and roles: a
// key replaces any key that differs from it only in case (IAM keeps one
// Department, whatever its case, with the case of the last write).
func withTags(have map[string]string, tags []tagXML) map[string]string {
	out := make(map[string]string, len(have)+len(tags))
	maps.Copy(out, have)
	for _, t := range tags {
		for k := range out {
			if strings.EqualFold(k, t.Key) {
				delete(out, k)
			}
		}
		out[t.Key] = t.Value
	}
	return out
}

// withoutTags returns have without the keys, compared regardless of case.
func withoutTags(have map[string]string, keys []string) map[string]string {
	out := maps.Clone(have)
	for k := range out {
		for _, drop := range keys {
			if strings.EqualFold(k, drop) {
				delete(out, k)
			}
		}
	}
	return out
}
