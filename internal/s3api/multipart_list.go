package s3api

// ListParts and ListMultipartUploads.

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// initiator is the Initiator element: the principal that created the upload.
type initiator struct {
	ID          string `xml:"ID"`
	DisplayName string `xml:"DisplayName"`
}

type partEntry struct {
	PartNumber   int    `xml:"PartNumber"`
	LastModified string `xml:"LastModified"`
	ETag         string `xml:"ETag"`
	Size         int64  `xml:"Size"`
	checksumFields
}

// listPartsResult is ListParts' response body.
type listPartsResult struct {
	XMLName              xml.Name    `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListPartsResult"`
	Bucket               string      `xml:"Bucket"`
	Key                  string      `xml:"Key"`
	UploadID             string      `xml:"UploadId"`
	Initiator            initiator   `xml:"Initiator"`
	Owner                *owner      `xml:"Owner"`
	StorageClass         string      `xml:"StorageClass"`
	PartNumberMarker     int         `xml:"PartNumberMarker"`
	NextPartNumberMarker int         `xml:"NextPartNumberMarker"`
	MaxParts             int         `xml:"MaxParts"`
	IsTruncated          bool        `xml:"IsTruncated"`
	ChecksumAlgorithm    string      `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType         string      `xml:"ChecksumType,omitempty"`
	Parts                []partEntry `xml:"Part"`
}

func (h *Handler) listParts(rq *request) error {
	id, b, err := h.uploadCall(rq, "s3:ListMultipartUploadParts")
	if err != nil {
		return err
	}
	maxN, err := intParam(rq, "max-parts", maxListParts)
	if err != nil {
		return err
	}
	marker, err := intParam(rq, "part-number-marker", 0)
	if err != nil {
		return err
	}
	u, err := h.cfg.Meta.GetUpload(rq.ctx, b.Name, rq.key, id)
	if err != nil {
		return uploadError(err, id)
	}
	page, err := h.cfg.Meta.ListParts(rq.ctx, b.Name, rq.key, id, marker, maxN)
	if err != nil {
		return uploadError(err, id)
	}
	return writeXML(rq, http.StatusOK, partsResult(u, page, marker, maxN))
}

func partsResult(u store.Upload, page store.PartPage, marker, maxN int) listPartsResult {
	res := listPartsResult{Bucket: u.Bucket, Key: u.Key, UploadID: u.ID,
		Initiator: initiator{ID: u.Initiator, DisplayName: u.Initiator},
		Owner:     ownerOf(u.Owner), StorageClass: "STANDARD", PartNumberMarker: marker,
		MaxParts: maxN, IsTruncated: page.Truncated,
		ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType}
	for _, p := range page.Parts {
		res.Parts = append(res.Parts, partEntry{PartNumber: p.Number,
			LastModified: p.LastModified.UTC().Format(timeFormat), ETag: p.ETag, Size: p.Size,
			checksumFields: checksumsOf(u.ChecksumAlgorithm, p.Checksums)})
		res.NextPartNumberMarker = p.Number
	}
	return res
}

type uploadEntry struct {
	Key               string    `xml:"Key"`
	UploadID          string    `xml:"UploadId"`
	Initiator         initiator `xml:"Initiator"`
	Owner             *owner    `xml:"Owner"`
	StorageClass      string    `xml:"StorageClass"`
	Initiated         string    `xml:"Initiated"`
	ChecksumAlgorithm string    `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string    `xml:"ChecksumType,omitempty"`
}

// listUploadsResult is ListMultipartUploads' response body.
type listUploadsResult struct {
	XMLName xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListMultipartUploadsResult"`

	Bucket             string         `xml:"Bucket"`
	KeyMarker          string         `xml:"KeyMarker"`
	UploadIDMarker     string         `xml:"UploadIdMarker"`
	NextKeyMarker      string         `xml:"NextKeyMarker"`
	NextUploadIDMarker string         `xml:"NextUploadIdMarker"`
	Prefix             string         `xml:"Prefix"`
	Delimiter          string         `xml:"Delimiter,omitempty"`
	MaxUploads         int            `xml:"MaxUploads"`
	EncodingType       string         `xml:"EncodingType,omitempty"`
	IsTruncated        bool           `xml:"IsTruncated"`
	Uploads            []uploadEntry  `xml:"Upload"`
	CommonPrefixes     []commonPrefix `xml:"CommonPrefixes"`
}

func (h *Handler) listMultipartUploads(rq *request) error {
	b, err := h.loadBucket(rq)
	if err != nil {
		return err
	}
	if err := h.authorize(rq, bucketTarget("s3:ListBucketMultipartUploads", b), nil); err != nil {
		return err
	}
	q := rq.r.URL.Query()
	p := store.UploadListParams{Prefix: q.Get("prefix"), Delimiter: q.Get("delimiter"),
		KeyMarker: q.Get("key-marker")}
	if p.KeyMarker != "" {
		p.UploadIDMarker = q.Get("upload-id-marker")
	}
	if p.MaxUploads, err = intParam(rq, "max-uploads", maxUploads); err != nil {
		return err
	}
	encode, err := encodingType(q)
	if err != nil {
		return err
	}
	page, err := h.cfg.Meta.ListUploads(rq.ctx, b.Name, p)
	if err != nil {
		return bucketError(err, b.Name, "list uploads")
	}
	return writeXML(rq, http.StatusOK, uploadsResult(b, p, page, encode))
}

func uploadsResult(b store.Bucket, p store.UploadListParams, page store.UploadPage,
	encode bool) listUploadsResult {
	enc := func(s string) string {
		if encode {
			return strings.ReplaceAll(url.QueryEscape(s), "%2F", "/")
		}
		return s
	}
	res := listUploadsResult{Bucket: b.Name, KeyMarker: enc(p.KeyMarker),
		UploadIDMarker: p.UploadIDMarker, Prefix: enc(p.Prefix), Delimiter: enc(p.Delimiter),
		MaxUploads: p.MaxUploads, IsTruncated: page.Truncated}
	if encode {
		res.EncodingType = "url"
	}
	if page.Truncated {
		res.NextKeyMarker, res.NextUploadIDMarker = enc(page.NextKeyMarker),
			page.NextUploadIDMarker
	}
	for _, u := range page.Uploads {
		res.Uploads = append(res.Uploads, uploadEntry{Key: enc(u.Key), UploadID: u.ID,
			Initiator: initiator{ID: u.Initiator, DisplayName: u.Initiator},
			Owner:     ownerOf(u.Owner), StorageClass: "STANDARD",
			Initiated:         u.Initiated.UTC().Format(timeFormat),
			ChecksumAlgorithm: u.ChecksumAlgorithm, ChecksumType: u.ChecksumType})
	}
	for _, cp := range page.CommonPrefixes {
		res.CommonPrefixes = append(res.CommonPrefixes, commonPrefix{Prefix: enc(cp)})
	}
	return res
}
