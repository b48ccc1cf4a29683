package sigv4

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/troveproject/trove/internal/s3err"
)

// param is one decoded query parameter.
type param struct {
	key, value string
}

// parseQuery splits a raw query into decoded parameters in order, keeping
// duplicates. Names and values are decoded as form values, so "+" is a space,
// matching what r.URL.Query() gives handlers.
func parseQuery(raw string) ([]param, error) {
	var params []param
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		key, err1 := url.QueryUnescape(k)
		value, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			return nil, s3err.Newf(s3err.InvalidArgument,
				"The query string is not valid: malformed percent-encoding.")
		}
		params = append(params, param{key, value})
	}
	return params, nil
}

// lookup returns the value of the parameter named key and how many times it
// occurs.
func lookup(params []param, key string) (string, int) {
	var v string
	n := 0
	for _, p := range params {
		if p.key == key {
			if n == 0 {
				v = p.value
			}
			n++
		}
	}
	return v, n
}

func has(params []param, key string) bool {
	_, n := lookup(params, key)
	return n > 0
}

// canonicalRequest builds the canonical request described in the package doc.
// presigned drops X-Amz-Signature from the query.
func canonicalRequest(r *http.Request, params []param, signed []string, signedRaw,
	payloadHash string, presigned bool) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(params, presigned))
	b.WriteByte('\n')
	for _, name := range signed {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(headerValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(signedRaw)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// canonicalURI is the path as the client sent it. The raw request target is
// preferred because r.URL.EscapedPath may re-encode a path that is not in
// Go's preferred escaping.
func canonicalURI(r *http.Request) string {
	p := rawPath(r.RequestURI)
	if p == "" {
		p = r.URL.EscapedPath()
	}
	if p == "" {
		return "/"
	}
	return p
}

// rawPath extracts the path from a request target in origin form
// ("/p?q") or absolute form ("http://host/p?q").
func rawPath(target string) string {
	target, _, _ = strings.Cut(target, "?")
	if strings.HasPrefix(target, "/") {
		return target
	}
	if i := strings.Index(target, "://"); i >= 0 {
		rest := target[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			return rest[j:]
		}
	}
	return ""
}

// canonicalQuery encodes params per RFC 3986 and sorts them by name, then
// value.
func canonicalQuery(params []param, presigned bool) string {
	enc := make([]string, 0, len(params))
	for _, p := range params {
		if presigned && p.key == "X-Amz-Signature" {
			continue
		}
		enc = append(enc, uriEncode(p.key)+"="+uriEncode(p.value))
	}
	slices.SortFunc(enc, func(a, b string) int {
		ka, va, _ := strings.Cut(a, "=")
		kb, vb, _ := strings.Cut(b, "=")
		if c := strings.Compare(ka, kb); c != 0 {
			return c
		}
		return strings.Compare(va, vb)
	})
	return strings.Join(enc, "&")
}

// uriEncode percent-encodes every byte but the RFC 3986 unreserved set, with
// upper-case hex.
func uriEncode(s string) string {
	const hexUpper = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexUpper[c>>4])
		b.WriteByte(hexUpper[c&15])
	}
	return b.String()
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// headerValue is the canonical value of the lower-case header name.
func headerValue(r *http.Request, name string) string {
	var values []string
	switch name {
	case "host":
		values = []string{r.Host}
	case "content-length":
		values = r.Header.Values(name)
		if len(values) == 0 && r.ContentLength >= 0 {
			values = []string{strconv.FormatInt(r.ContentLength, 10)}
		}
	case "transfer-encoding":
		values = r.Header.Values(name)
		if len(values) == 0 && len(r.TransferEncoding) > 0 {
			values = []string{strings.Join(r.TransferEncoding, ",")}
		}
	default:
		values = r.Header.Values(name)
	}
	out := make([]string, len(values))
	for i, v := range values {
		out[i] = collapseSpace(v)
	}
	return strings.Join(out, ",")
}

// collapseSpace trims v and turns each inner run of spaces or tabs into one
// space.
func collapseSpace(v string) string {
	v = strings.Trim(v, " \t")
	if !strings.Contains(v, "  ") && !strings.ContainsRune(v, '\t') {
		return v
	}
	var b strings.Builder
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' || c == '\t' {
			space = true
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
