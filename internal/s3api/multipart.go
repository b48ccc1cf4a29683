package s3api

import "github.com/troveproject/trove/internal/s3err"

func (h *Handler) listMultipartUploads(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) listParts(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) uploadPart(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) uploadPartCopy(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) abortMultipartUpload(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) createMultipartUpload(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}

func (h *Handler) completeMultipartUpload(rq *request) error {
	return s3err.Newf(s3err.NotImplemented, "trove does not implement %s yet.", rq.op)
}
