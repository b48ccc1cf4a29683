package iamapi

// Reads of IAM entities trove does not model (instance profiles, login
// profiles, MFA devices, SSH public keys, service-specific credentials,
// signing certificates), which the aws CLI and infrastructure-as-code tools
// make while they read, update or delete users and roles. Each is authorized
// as IAM authorizes it and answered truthfully: none of these exists in
// trove, so a list is empty and a get is NoSuchEntity. The user or role
// named must exist, as in IAM.

// absentOperations are the actions on entities trove does not model, by
// name.
var absentOperations = map[string]func(*Handler, *request) error{
	"ListInstanceProfiles":           (*Handler).listInstanceProfiles,
	"ListInstanceProfilesForRole":    (*Handler).listInstanceProfilesForRole,
	"GetLoginProfile":                (*Handler).getLoginProfile,
	"ListMFADevices":                 emptyUserList("MFADevices"),
	"ListSSHPublicKeys":              emptyUserList("SSHPublicKeys"),
	"ListSigningCertificates":        emptyUserList("Certificates"),
	"ListServiceSpecificCredentials": emptyUserList("ServiceSpecificCredentials"),
}

// emptyAnswer answers a List action with nothing to list: the element
// named list, empty, and IsTruncated false.
func emptyAnswer(rq *request, list string) error {
	return reply(rq, struct {
		List        named
		IsTruncated bool
	}{named{name: list, v: struct{}{}}, false})
}

// checkEmptyPage validates MaxItems and Marker of a List action whose answer is
// empty: a marker this API cannot have returned is InvalidInput.
func checkEmptyPage(rq *request) error {
	_, _, _, err := page(params{rq.r.Form}, []struct{}{})
	return err
}

// listInstanceProfiles serves ListInstanceProfiles: trove has no instance
// profiles.
func (h *Handler) listInstanceProfiles(rq *request) error {
	if _, err := (params{rq.r.Form}).pathPrefix(); err != nil {
		return err
	}
	if err := checkEmptyPage(rq); err != nil {
		return err
	}
	if err := h.allow(rq, "iam:ListInstanceProfiles", "*"); err != nil {
		return err
	}
	return emptyAnswer(rq, "InstanceProfiles")
}

// listInstanceProfilesForRole serves ListInstanceProfilesForRole, on the
// role's ARN: no role of trove is in an instance profile.
func (h *Handler) listInstanceProfilesForRole(rq *request) error {
	if err := checkEmptyPage(rq); err != nil {
		return err
	}
	if _, err := h.targetRole(rq, "iam:ListInstanceProfilesForRole"); err != nil {
		return err
	}
	return emptyAnswer(rq, "InstanceProfiles")
}

// getLoginProfile serves GetLoginProfile, on the user's ARN: no user of
// trove has a console password.
func (h *Handler) getLoginProfile(rq *request) error {
	u, err := h.targetUser(rq, "iam:GetLoginProfile")
	if err != nil {
		return err
	}
	return errorf(NoSuchEntity, "Login Profile for User %s cannot be found.", u.Name)
}

// emptyUserList serves a List action of a user's credentials of a kind
// trove does not model: authorized as iam:ACTION on the user UserName
// names, or on the caller when it is absent, and answered with the element
// list empty.
func emptyUserList(list string) func(*Handler, *request) error {
	return func(h *Handler, rq *request) error {
		action := "iam:" + rq.action
		if err := checkEmptyPage(rq); err != nil {
			return err
		}
		if rq.r.Form.Get("UserName") != "" {
			if _, err := h.targetUser(rq, action); err != nil {
				return err
			}
		} else if err := h.allow(rq, action, rq.caller.Principal.ARN); err != nil {
			return err
		}
		return emptyAnswer(rq, list)
	}
}
