package s3api_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/troveproject/trove/internal/identity"
	"github.com/troveproject/trove/internal/s3api"
	"github.com/troveproject/trove/internal/store"
	"github.com/troveproject/trove/internal/testutil"
)

// racingBlobs overwrites an object through the handler the first time a blob
// is opened, between GetObject's metadata lookup and its blob open: the
// window a concurrent PutObject hits in production.
type racingBlobs struct {
	store.Blobs
	once      sync.Once
	overwrite func()
}

func (b *racingBlobs) Open(ctx context.Context, id string) (store.Blob, error) {
	b.once.Do(b.overwrite)
	return b.Blobs.Open(ctx, id)
}

// TestGetDuringOverwrite checks that a GET racing an overwrite of the same
// key returns the old or the new object, as S3 does, never InternalError:
// trove used to remove the replaced blob while the GET was about to open it.
func TestGetDuringOverwrite(t *testing.T) {
	st := testutil.Stores(t, "testdata/org.yaml")
	blobs := &racingBlobs{Blobs: st.Blobs}
	h := s3api.New(s3api.Config{Meta: st.Meta, Blobs: blobs, Directory: identity.New(st.Meta)})
	const url = "http://127.0.0.1/dev-main/raced"
	send := func(method, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signed(t, &alice, "us-east-1", method, url, []byte(body), nil))
		return rec
	}
	if rec := send(http.MethodPut, "old"); rec.Code != http.StatusOK {
		t.Fatalf("put: %d %s", rec.Code, rec.Body)
	}
	blobs.overwrite = func() {
		if rec := send(http.MethodPut, "new"); rec.Code != http.StatusOK {
			t.Errorf("overwrite: %d %s", rec.Code, rec.Body)
		}
	}
	rec := send(http.MethodGet, "")
	body, _ := io.ReadAll(rec.Body)
	if rec.Code != http.StatusOK || (string(body) != "old" && string(body) != "new") {
		t.Fatalf("GET during overwrite: %d %s, want 200 with old or new", rec.Code, body)
	}
}
