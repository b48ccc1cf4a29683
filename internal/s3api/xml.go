package s3api

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"fmt"
)

// timeFormat is how S3 writes times in XML bodies.
const timeFormat = "2006-01-02T15:04:05.000Z"

type owner struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName,omitempty"`
}

// ownerOf returns the canonical user of an account: a stable 64-hex id.
func ownerOf(account string) *owner {
	h := sha256.Sum256([]byte("trove-canonical-user:" + account))
	return &owner{ID: hex.EncodeToString(h[:]), DisplayName: account}
}

type bucketEntry struct {
	Name         string `xml:"Name"`
	CreationDate string `xml:"CreationDate"`
	BucketRegion string `xml:"BucketRegion,omitempty"`
}

type listAllMyBucketsResult struct {
	XMLName xml.Name      `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListAllMyBucketsResult"`
	Owner   *owner        `xml:"Owner"`
	Buckets []bucketEntry `xml:"Buckets>Bucket"`
}

type locationConstraint struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ LocationConstraint"`
	Region  string   `xml:",chardata"`
}

type objectEntry struct {
	Key          string `xml:"Key"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	Owner        *owner `xml:"Owner,omitempty"`
	StorageClass string `xml:"StorageClass"`
}

type commonPrefix struct {
	Prefix string `xml:"Prefix"`
}

// listBucketResult serves both ListObjects (V1) and ListObjectsV2; the
// fields of the other version stay empty and are omitted.
type listBucketResult struct {
	XMLName        xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         *string        `xml:"Marker,omitempty"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	StartAfter     string         `xml:"StartAfter,omitempty"`
	Continuation   string         `xml:"ContinuationToken,omitempty"`
	NextToken      string         `xml:"NextContinuationToken,omitempty"`
	KeyCount       *int           `xml:"KeyCount,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	Contents       []objectEntry  `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

// writeXML writes v as an XML document; the types name S3's namespace in
// their XMLName tags.
func writeXML(rq *request, status int, v any) error {
	body, err := xml.Marshal(v)
	if err != nil {
		return fmt.Errorf("s3api: encode response: %w", err)
	}
	rq.w.Header().Set("Content-Type", "application/xml")
	rq.writeHeader(status)
	_, _ = rq.w.Write([]byte(xml.Header))
	_, _ = rq.w.Write(body)
	return nil
}
