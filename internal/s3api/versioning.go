package s3api

import "github.com/troveproject/trove/internal/s3err"

func (h *Handler) getBucketVersioning(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) putBucketVersioning(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) listObjectVersions(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}
