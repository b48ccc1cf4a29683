package s3api

import (
	"bytes"
	"errors"
	"reflect"
	"testing"

	"github.com/troveproject/trove/internal/notify"
	"github.com/troveproject/trove/internal/s3err"
)

// FuzzParseNotification checks that any body is refused with an S3 error
// or read into a configuration that, once Check accepts it, is stored in a
// form that reads back equal, and that matching it never panics.
func FuzzParseNotification(f *testing.F) {
	for _, seed := range []string{
		`<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
			`<QueueConfiguration><Id>c</Id><Queue>arn:trove:sqs::hook:webhook</Queue>` +
			`<Event>s3:ObjectCreated:*</Event><Filter><S3Key><FilterRule><Name>prefix` +
			`</Name><Value>charts/</Value></FilterRule><FilterRule><Name>suffix</Name>` +
			`<Value>.tgz</Value></FilterRule></S3Key></Filter></QueueConfiguration>` +
			`</NotificationConfiguration>`,
		`<NotificationConfiguration><TopicConfiguration><Topic>arn:aws:sns:x</Topic>` +
			`<Event>s3:ObjectRemoved:*</Event></TopicConfiguration></NotificationConfiguration>`,
		`<NotificationConfiguration/>`, "", "<a/>",
	} {
		f.Add([]byte(seed))
	}
	declared := func(id string) bool { return id == "hook" }
	f.Fuzz(func(t *testing.T, body []byte) {
		c, err := parseNotification(bytes.NewReader(body))
		var e *s3err.Error
		if err != nil {
			if !errors.As(err, &e) {
				t.Fatalf("error %v is not an S3 error", err)
			}
			return
		}
		if err := c.Check(declared); err != nil {
			var ce *notify.ConfigError
			if !errors.As(notificationError(err), &e) || !errors.As(err, &ce) {
				t.Fatalf("Check error %v is not a configuration error", err)
			}
			return
		}
		doc, err := c.Marshal()
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		back, err := notify.Parse(doc)
		if err != nil || !reflect.DeepEqual(back.Queues, c.Queues) {
			t.Fatalf("Parse(Marshal) = %+v, %v; want %+v", back, err, c.Queues)
		}
		back.Match("ObjectCreated:Put", "charts/app.tgz")
	})
}
