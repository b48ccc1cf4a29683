package s3api

import "github.com/troveproject/trove/internal/s3err"

func (h *Handler) getBucketTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) putBucketTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) deleteBucketTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) getObjectTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) putObjectTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) deleteObjectTagging(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}
