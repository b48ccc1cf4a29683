package s3api

import "github.com/troveproject/trove/internal/policy"

// ObserveContexts makes h call f, from the request's goroutine, with the
// operation, the IAM action and the request context of every authorization
// it runs. Call it before h serves any request.
func ObserveContexts(h *Handler, f func(op, action string, c policy.Context)) {
	h.observe = f
}
