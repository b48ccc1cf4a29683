package orgapi

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
)

// maxResults is the largest page AWS Organizations answers, and the size
// of a page when the request names none.
const maxResults = 20

// pageInput is what every paginated action takes.
type pageInput struct {
	NextToken  *string `json:"NextToken"`
	MaxResults *int    `json:"MaxResults"`
}

// page returns the items of the page in selects and the token of the next
// page, "" when it is the last. A token is the offset of the page's first
// item, opaque to clients; one past the end, or from another listing that
// has since shrunk, is InvalidInputException.
func page[T any](items []T, in pageInput) ([]T, string, error) {
	n := maxResults
	if in.MaxResults != nil {
		n = *in.MaxResults
		if n < 1 {
			return nil, "", invalid("MIN_VALUE_EXCEEDED", "MaxResults must be at least 1.")
		}
		if n > maxResults {
			return nil, "", invalid("MAX_VALUE_EXCEEDED", "MaxResults must be at most %d.",
				maxResults)
		}
	}
	start := 0
	if in.NextToken != nil {
		var ok bool
		if start, ok = parseToken(*in.NextToken); !ok || start > len(items) {
			return nil, "", invalid("INVALID_PAGINATION_TOKEN",
				"The NextToken is not one this listing gave.")
		}
	}
	end := min(start+n, len(items))
	next := ""
	if end < len(items) {
		next = base64.RawURLEncoding.EncodeToString([]byte("trove:" + strconv.Itoa(end)))
	}
	return items[start:end], next, nil
}

// parseToken decodes a NextToken to an offset.
func parseToken(tok string) (int, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < len("trove:") || string(raw[:6]) != "trove:" {
		return 0, false
	}
	n, err := strconv.Atoi(string(raw[6:]))
	return n, err == nil && n > 0
}

// respondPage answers the page in selects of all as a listing: all's page
// under member, then NextToken unless it is the last page.
func respondPage[T any](rq *request, member string, all []T, in pageInput) error {
	got, next, err := page(all, in)
	if err != nil {
		return err
	}
	return respond(rq, listing[T]{member: member, items: got, next: next})
}

// listing is one page of a listing as AWS shapes it: {"<member>": [...],
// "NextToken": ...}, NextToken left out on the last page.
type listing[T any] struct {
	member string
	items  []T
	next   string
}

// MarshalJSON writes the members in that order.
func (l listing[T]) MarshalJSON() ([]byte, error) {
	name, _ := json.Marshal(l.member)
	items, err := json.Marshal(l.items)
	if err != nil {
		return nil, err
	}
	out := append(append(append([]byte("{"), name...), ':'), items...)
	if l.next != "" {
		next, _ := json.Marshal(l.next)
		out = append(append(out, `,"NextToken":`...), next...)
	}
	return append(out, '}'), nil
}
