package awsapi

import (
	"net/http"
	"testing"

	"github.com/troveproject/trove/internal/s3err"
)

func TestQueryTable(t *testing.T) {
	own := Table[code]{"AccessDenied": {Status: http.StatusTeapot, Message: "own"},
		"NoSuchThing": {Status: http.StatusNotFound, Message: "none"}}
	tab := QueryTable(own)
	for _, tc := range []struct {
		code    code
		status  int
		message string
	}{
		{"AccessDenied", http.StatusTeapot, "own"},
		{"NoSuchThing", http.StatusNotFound, "none"},
		{"InvalidClientTokenId", http.StatusForbidden,
			"The security token included in the request is invalid."},
		{"Unknown", http.StatusInternalServerError, ""},
	} {
		if tab.Status(tc.code) != tc.status || tab[tc.code].Message != tc.message {
			t.Errorf("%s: %d %q, want %d %q", tc.code, tab.Status(tc.code),
				tab[tc.code].Message, tc.status, tc.message)
		}
	}
}

func TestQueryCatalog(t *testing.T) {
	c := QueryCatalog(QueryTable(Table[code]{}), "Failure")
	for _, tc := range []struct {
		from s3err.Code
		want code
	}{
		{s3err.InvalidToken, "InvalidClientTokenId"},
		{s3err.ExpiredToken, "ExpiredToken"},
		{s3err.InternalError, "Failure"},
		{s3err.RequestTimeTooSkewed, "RequestExpired"},
	} {
		if got := c.FromS3[tc.from]; got != tc.want {
			t.Errorf("FromS3[%s] = %s, want %s", tc.from, got, tc.want)
		}
	}
	if c.Message("MissingAction") != "The request must contain the parameter Action." {
		t.Errorf("Message(MissingAction) = %q", c.Message("MissingAction"))
	}
}
