package orgapi

import (
	"encoding/base64"
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
