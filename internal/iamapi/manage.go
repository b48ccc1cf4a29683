package iamapi

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/store"
)

// The IAM management actions act on the caller's own account only: a
// caller never names another account, and the account's root user may do
// everything unless an SCP denies it. Reads and writes go straight to the
// store, whose identity version tells every identity.Directory to rebuild
// what it cached, so that a change takes effect at the next request.

// named marshals v as an element called name.
type named struct {
	name string
	v    any
}

// MarshalXML writes n.v under n.name.
func (n named) MarshalXML(e *xml.Encoder, _ xml.StartElement) error {
	return e.EncodeElement(n.v, xml.StartElement{Name: xml.Name{Local: n.name}})
}

// reply sends the answer to rq's action; result nil answers no result
// element, as IAM does for actions that return nothing.
func reply(rq *request, result any) error {
	doc := awsapi.Response{XMLName: xml.Name{Local: rq.action + "Response"},
		Xmlns: namespace, Metadata: awsapi.Metadata{RequestID: rq.id}}
	if result != nil {
		doc.Result = &named{name: rq.action + "Result", v: result}
	}
	writeXML(rq.w, http.StatusOK, doc)
	return nil
}

// allow authorizes the caller for action on resource of its own account.
func (h *Handler) allow(rq *request, action, resource string) error {
	return h.authorize(rq, action, resource, rq.caller.Principal.Account, false)
}

// own is the account the caller acts on: its own.
func own(rq *request) string { return rq.caller.Principal.Account }

// arnOf is the ARN of an IAM entity of kind ("user", "group", "policy") with
// path and name in account.
func arnOf(account, kind, path, name string) string {
	if path == "" {
		path = "/"
	}
	return "arn:aws:iam::" + account + ":" + kind + path + name
}

// Limits of IAM's parameters, as its API reference states them.
const (
	maxUserName   = 64
	maxEntityName = 128 // groups, managed and inline policies
	maxPath       = 512
)

var (
	nameRE = regexp.MustCompile(`^[\w+=,.@-]+$`)
	pathRE = regexp.MustCompile(`^/([\x21-\x7f]*/)?$`)
)

// name reads the required name parameter param, of at most limit
// characters of IAM's name alphabet.
func (p params) name(param string, limit int) (string, error) {
	v := p.str(param)
	if v == "" {
		return "", missingParam(param)
	}
	if len(v) > limit || !nameRE.MatchString(v) {
		return "", errorf(ValidationError, "1 validation error detected: Value %q at '%s' "+
			"failed to satisfy constraint: Member must be 1 to %d characters of letters, "+
			"digits and _+=,.@-", truncate(v), lowerFirst(param), limit)
	}
	return v, nil
}

// path reads the optional path parameter param, "/" when absent.
func (p params) path(param string) (string, error) {
	v := p.str(param)
	if v == "" {
		return "/", nil
	}
	if len(v) > maxPath || !pathRE.MatchString(v) {
		return "", errorf(ValidationError, "1 validation error detected: Value %q at '%s' "+
			"failed to satisfy constraint: a path is \"/\" or begins and ends with \"/\", "+
			"at most %d printable ASCII characters", truncate(v), lowerFirst(param), maxPath)
	}
	return v, nil
}

// pathPrefix reads PathPrefix, "/" when absent.
func (p params) pathPrefix() (string, error) {
	v := p.str("PathPrefix")
	if v == "" {
		return "/", nil
	}
	if len(v) > maxPath || v[0] != '/' || strings.ContainsFunc(v, func(r rune) bool {
		return r < 0x21 || r > 0x7f
	}) {
		return "", errorf(ValidationError, "1 validation error detected: Value %q at "+
			"'pathPrefix' failed to satisfy constraint: it begins with \"/\" and has at most "+
			"%d printable ASCII characters", truncate(v), maxPath)
	}
	return v, nil
}

// missingParam reports a required parameter that is absent.
func missingParam(param string) error {
	return errorf(ValidationError, "1 validation error detected: Value null at '%s' failed "+
		"to satisfy constraint: Member must not be null", lowerFirst(param))
}

// lowerFirst spells a parameter as IAM's validation messages do.
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// policyARN reads the required parameter param, the ARN of a managed
// policy of the caller's account. An AWS managed policy
// (arn:aws:iam::aws:policy/...) is NoSuchEntity: trove has none.
func (p params) policyARN(rq *request, param string) (string, error) {
	v := p.str(param)
	if v == "" {
		return "", missingParam(param)
	}
	if strings.HasPrefix(v, "arn:aws:iam::aws:policy/") {
		return "", errorf(NoSuchEntity, "Policy %s does not exist: trove has no AWS managed "+
			"policies; create a customer managed policy instead.", truncate(v))
	}
	rest, ok := strings.CutPrefix(v, "arn:aws:iam::"+own(rq)+":policy/")
	if !ok {
		if accountOf(v) != "" && strings.Contains(v, ":policy/") {
			return "", errorf(NoSuchEntity, "Policy %s does not exist or is not attachable: "+
				"a managed policy of another account cannot be used.", truncate(v))
		}
		return "", errorf(InvalidInput, "ARN %s is not valid.", truncate(v))
	}
	name := rest[strings.LastIndex(rest, "/")+1:]
	if name == "" || len(name) > maxEntityName || !nameRE.MatchString(name) {
		return "", errorf(InvalidInput, "ARN %s is not valid.", truncate(v))
	}
	return v, nil
}

// managedByARN reads the policy ARN parameter param and returns the
// managed policy it names; NoSuchEntity unless the account has a policy of
// exactly that ARN.
func (h *Handler) managedByARN(rq *request, param string) (store.ManagedPolicy, error) {
	arn, err := params{rq.r.Form}.policyARN(rq, param)
	if err != nil {
		return store.ManagedPolicy{}, err
	}
	return h.managed(rq, arn)
}

// managed returns the managed policy of the caller's account whose ARN is
// arn, a valid policy ARN of that account.
func (h *Handler) managed(rq *request, arn string) (store.ManagedPolicy, error) {
	name := arn[strings.LastIndex(arn, "/")+1:]
	mp, err := h.cfg.Meta.GetManagedPolicy(rq.ctx, own(rq), name)
	if err == nil && mp.ARN() != arn {
		err = store.ErrNotFound
	}
	if err != nil {
		return mp, notFound(err, "Policy %s does not exist or is not attachable.", arn)
	}
	return mp, nil
}

// page returns the page of items that MaxItems and Marker select, whether
// more follow, and the marker of the next page.
func page[T any](p params, items []T) ([]T, bool, string, error) {
	start, n, err := p.page()
	if err != nil {
		return nil, false, "", err
	}
	if start > len(items) {
		return nil, false, "", errorf(InvalidInput, "Marker: %d is past the last item.", start)
	}
	end := min(start+n, len(items))
	if end < len(items) {
		return items[start:end], true, strconv.Itoa(end), nil
	}
	return items[start:end], false, "", nil
}

// newID returns a unique id of IAM's form: prefix then 17 characters of
// upper-case letters and digits.
func newID(prefix string) string {
	return prefix + randomBase32(17)
}

// newAccessKey returns a new access key id (AKIA and 16 characters) and
// secret (40 characters).
func newAccessKey() (id, secret string) {
	var b [30]byte
	_, _ = rand.Read(b[:])
	return "AKIA" + randomBase32(16), base64.StdEncoding.EncodeToString(b[:])
}

// randomBase32 returns n random characters of A-Z and 2-7.
func randomBase32(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base32.StdEncoding.EncodeToString(b)[:n]
}

// notFound turns store.ErrNotFound into NoSuchEntity with message, and
// wraps any other error.
func notFound(err error, format string, args ...any) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Code: NoSuchEntity, Message: fmt.Sprintf(format, args...), Cause: err}
	}
	return fmt.Errorf("iamapi: %s: %w", fmt.Sprintf(format, args...), err)
}

// conflict turns store.ErrInUse into DeleteConflict, saying what remains.
func conflict(err error, what string) error {
	if !errors.Is(err, store.ErrInUse) {
		return err
	}
	why := err.Error()
	if i := strings.LastIndex(why, ": it has "); i >= 0 {
		why = why[i+len(": "):]
	}
	return &Error{Code: DeleteConflict, Message: fmt.Sprintf("Cannot delete %s: %s; remove "+
		"them first.", what, why), Cause: err}
}

// noSuchUser is NoSuchEntity for a user.
func noSuchUser(name string) error {
	return errorf(NoSuchEntity, "The user with name %s cannot be found.", truncate(name))
}

// runes counts the characters of s.
func runes(s string) int { return utf8.RuneCountInString(s) }
