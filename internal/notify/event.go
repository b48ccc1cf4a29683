package notify

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// The S3 event message structure, version 2.1, with one record per body.
type (
	message struct {
		Records []record `json:"Records"`
	}
	record struct {
		EventVersion      string            `json:"eventVersion"`
		EventSource       string            `json:"eventSource"`
		AWSRegion         string            `json:"awsRegion"`
		EventTime         string            `json:"eventTime"`
		EventName         string            `json:"eventName"`
		UserIdentity      principal         `json:"userIdentity"`
		RequestParameters requestParameters `json:"requestParameters"`
		ResponseElements  responseElements  `json:"responseElements"`
		S3                entity            `json:"s3"`
	}
	principal struct {
		PrincipalID string `json:"principalId"`
	}
	requestParameters struct {
		SourceIPAddress string `json:"sourceIPAddress"`
	}
	responseElements struct {
		RequestID string `json:"x-amz-request-id"`
		HostID    string `json:"x-amz-id-2"`
	}
	entity struct {
		SchemaVersion   string       `json:"s3SchemaVersion"`
		ConfigurationID string       `json:"configurationId"`
		Bucket          bucketEntity `json:"bucket"`
		Object          objectEntity `json:"object"`
	}
	bucketEntity struct {
		Name          string    `json:"name"`
		OwnerIdentity principal `json:"ownerIdentity"`
		ARN           string    `json:"arn"`
	}
	// objectEntity has size and eTag for a created object only, and
	// versionId only in a bucket whose versioning was ever enabled, as S3.
	objectEntity struct {
		Key       string `json:"key"`
		Size      *int64 `json:"size,omitempty"`
		ETag      string `json:"eTag,omitempty"`
		VersionID string `json:"versionId,omitempty"`
		Sequencer string `json:"sequencer"`
	}
)

// eventTimeFormat is S3's: UTC, milliseconds.
const eventTimeFormat = "2006-01-02T15:04:05.000Z"

// Body returns the JSON body that reports e for the configuration
// configID: S3's event message with one record.
func Body(e store.Event, configID string) ([]byte, error) {
	obj := objectEntity{Key: EncodeKey(e.Key), ETag: strings.Trim(e.ETag, `"`),
		VersionID: e.VersionID, Sequencer: fmt.Sprintf("%016X", e.Seq)}
	if strings.HasPrefix(e.Name, "ObjectCreated:") {
		size := e.Size
		obj.Size = &size
	}
	r := record{EventVersion: "2.1", EventSource: "aws:s3", AWSRegion: e.Region,
		EventTime: e.Time.UTC().Format(eventTimeFormat), EventName: e.Name,
		UserIdentity:      principal{PrincipalID: e.Principal},
		RequestParameters: requestParameters{SourceIPAddress: e.SourceIP},
		ResponseElements:  responseElements{RequestID: e.RequestID, HostID: e.HostID},
		S3: entity{SchemaVersion: "1.0", ConfigurationID: configID,
			Bucket: bucketEntity{Name: e.Bucket, ARN: "arn:aws:s3:::" + e.Bucket,
				OwnerIdentity: principal{PrincipalID: e.BucketOwner}},
			Object: obj}}
	b, err := json.Marshal(message{Records: []record{r}})
	if err != nil {
		return nil, fmt.Errorf("notify: encode event: %w", err)
	}
	return b, nil
}

// EncodeKey URL-encodes a key as S3's event records carry it: form
// encoding (a space is "+"), but with "/" left as it is.
func EncodeKey(key string) string {
	return strings.ReplaceAll(url.QueryEscape(key), "%2F", "/")
}

// bodyOwner returns the bucket owner a body that Body wrote names, or
// false when body is not such a body.
func bodyOwner(body []byte) (string, bool) {
	var m struct {
		Records []struct {
			S3 struct {
				Bucket struct {
					OwnerIdentity principal `json:"ownerIdentity"`
				} `json:"bucket"`
			} `json:"s3"`
		} `json:"Records"`
	}
	if json.Unmarshal(body, &m) != nil || len(m.Records) != 1 {
		return "", false
	}
	owner := m.Records[0].S3.Bucket.OwnerIdentity.PrincipalID
	return owner, owner != ""
}
