package sts

// getCallerIdentity answers who the caller is. Like AWS, it needs no
// permission: no policy can deny it.
func (h *Handler) getCallerIdentity(rq *request) error {
	p := rq.caller.Principal
	writeResult(rq.w, rq.action, rq.id, callerIdentityResult{Arn: p.ARN, UserID: p.UserID,
		Account: p.Account})
	return nil
}
