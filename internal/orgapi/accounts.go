package orgapi

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/troveproject/trove/internal/store"
)

var (
	accountIDRe = regexp.MustCompile(`^[0-9]{12}$`)
	emailRe     = regexp.MustCompile(`^[^\s@]+@[^\s@]+$`)
	carIDRe     = regexp.MustCompile(`^car-[a-z0-9]{8,32}$`)
)

func (t *tree) accountShape(a store.Account) accountShape {
	method := "CREATED"
	if a.ID == t.org.ManagementAccount {
		method = "INVITED" // AWS's value for the account that created the organization
	}
	return accountShape{ID: a.ID, ARN: arns{t.org}.account(a.ID), Name: a.Name,
		Status: "ACTIVE", State: "ACTIVE", JoinedMethod: method}
}

func (h *Handler) listAccounts(rq *request) error {
	var in pageInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	return h.listAccountsWhere(rq, in, func(store.Account) bool { return true })
}

// listAccountsWhere answers the page in selects of the member accounts for
// which keep is true.
func (h *Handler) listAccountsWhere(rq *request, in pageInput,
	keep func(store.Account) bool) error {
	t, err := h.authorizedTree(rq, "*")
	if err != nil {
		return err
	}
	all := []accountShape{}
	for _, id := range t.order {
		if a := t.accounts[id]; keep(a) {
			all = append(all, t.accountShape(a))
		}
	}
	return respondPage(rq, "Accounts", all, in)
}

func (h *Handler) listAccountsForParent(rq *request) error {
	var in struct {
		pageInput
		ParentID string `json:"ParentId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.needParent(rq, in.ParentID); err != nil {
		return err
	}
	return h.listAccountsWhere(rq, in.pageInput,
		func(a store.Account) bool { return a.ParentID == in.ParentID })
}

// needParent checks that id names the root or an OU.
func (h *Handler) needParent(rq *request, id string) error {
	if id == rq.org.RootID {
		return nil
	}
	_, err := h.cfg.Meta.GetOU(rq.ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return errorf(ParentNotFound, "We can't find a root or OU with the ParentId %q.",
			truncate(id))
	}
	return err
}

func (h *Handler) describeAccount(rq *request) error {
	var in struct {
		AccountID string `json:"AccountId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	t, err := h.authorizedTree(rq, arns{rq.org}.account(in.AccountID))
	if err != nil {
		return err
	}
	a, ok := t.accounts[in.AccountID]
	if !ok {
		return accountNotFound(in.AccountID)
	}
	return respond(rq, map[string]accountShape{"Account": t.accountShape(a)})
}

func accountNotFound(id string) error {
	return errorf(AccountNotFound, "We can't find an AWS account with the AccountId %q in "+
		"the organization.", truncate(id))
}

// createAccountStatus is AWS's CreateAccountStatus.
type createAccountStatus struct {
	ID                 string  `json:"Id"`
	AccountName        string  `json:"AccountName"`
	AccountID          string  `json:"AccountId"`
	State              string  `json:"State"`
	RequestedTimestamp float64 `json:"RequestedTimestamp"`
	CompletedTimestamp float64 `json:"CompletedTimestamp"`
}

// statusLog keeps the CreateAccount statuses this process answered, so that
// DescribeCreateAccountStatus finds them; the request id also names the
// account, which answers for a request of an earlier run.
type statusLog struct {
	mu   sync.Mutex // guards byID
	byID map[string]createAccountStatus
}

// maxStatuses bounds the statuses kept; the oldest are not evicted, the
// map is cleared, since every id also names its account.
const maxStatuses = 1000

func (l *statusLog) put(s createAccountStatus) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byID == nil || len(l.byID) >= maxStatuses {
		l.byID = make(map[string]createAccountStatus)
	}
	l.byID[s.ID] = s
}

func (l *statusLog) get(id string) (createAccountStatus, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s, ok := l.byID[id]
	return s, ok
}

// createAccountInput is CreateAccount's input. RoleName and
// IamUserAccessToBilling are accepted and ignored: trove creates no role in
// the new account (docs/organizations-api.md).
type createAccountInput struct {
	Email                  string `json:"Email"`
	AccountName            string `json:"AccountName"`
	RoleName               string `json:"RoleName"`
	IamUserAccessToBilling string `json:"IamUserAccessToBilling"`
	Tags                   []tag  `json:"Tags"`
}

// tag is an Organizations tag; trove stores none.
type tag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func (in createAccountInput) check() error {
	n := utf8.RuneCountInString(in.AccountName)
	switch {
	case n < 1 || n > 50 || strings.ContainsFunc(in.AccountName, isControl):
		return invalid("INVALID_INPUT", "AccountName must have 1-50 characters, none of "+
			"them a control character.")
	case len(in.Email) < 6 || len(in.Email) > 64 || !emailRe.MatchString(in.Email):
		return invalid("INVALID_EMAIL_ADDRESS_TARGET", "Email must be an email address "+
			"of 6-64 characters.")
	}
	return noTags(in.Tags)
}

// noTags refuses tags, which trove does not store on organization
// resources, rather than drop them silently.
func noTags(tags []tag) error {
	if len(tags) > 0 {
		return invalid("UNSUPPORTED_RESOURCE_IN_RESOURCE_POLICY", "trove does not store "+
			"tags on organization resources; send the request without Tags.")
	}
	return nil
}

// createAccount creates an account under the root, with FullAWSAccess
// attached when SCPs are enabled, and answers a status that has already
// SUCCEEDED. The account has no credentials yet: docs/organizations-api.md
// says how to give its root user a key.
func (h *Handler) createAccount(rq *request) error {
	var in createAccountInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, "*"); err != nil {
		return err
	}
	if err := in.check(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	id, err := h.newAccountID(rq)
	if err != nil {
		return err
	}
	a := store.Account{ID: id, Name: in.AccountName, ParentID: rq.org.RootID}
	if err := h.cfg.Meta.PutAccount(rq.ctx, a); err != nil {
		return fmt.Errorf("orgapi: create account: %w", err)
	}
	if t.isEnabled(store.ServiceControlPolicy) {
		if err := h.attachFull(rq, id); err != nil {
			return err
		}
	}
	now := epoch(h.cfg.Now())
	s := createAccountStatus{ID: "car-" + id + randomString(8, lowerAlnum),
		AccountName: a.Name, AccountID: id, State: "SUCCEEDED", RequestedTimestamp: now,
		CompletedTimestamp: now}
	h.statuses.put(s)
	return respond(rq, map[string]createAccountStatus{"CreateAccountStatus": s})
}

// newAccountID returns a random 12-digit id no account has.
func (h *Handler) newAccountID(rq *request) (string, error) {
	for range 10 {
		id := randomString(12, digits)
		_, err := h.cfg.Meta.GetAccount(rq.ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return id, nil
		}
		if err != nil {
			return "", fmt.Errorf("orgapi: account id: %w", err)
		}
	}
	return "", errors.New("orgapi: no free account id after 10 tries")
}

// epoch is t in the seconds since 1970 AWS's JSON protocol sends.
func epoch(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func (h *Handler) describeCreateAccountStatus(rq *request) error {
	var in struct {
		ID string `json:"CreateAccountRequestId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, "*"); err != nil {
		return err
	}
	if !carIDRe.MatchString(in.ID) {
		return invalid("INVALID_INPUT", "CreateAccountRequestId must be car- and 8-32 "+
			"lower-case letters or digits.")
	}
	s, ok := h.statuses.get(in.ID)
	if !ok {
		var err error
		if s, ok, err = h.pastStatus(rq, in.ID); err != nil {
			return err
		}
	}
	if !ok {
		return errorf(CreateAccountStatusMissing, "We can't find a create account request "+
			"with the CreateAccountRequestId %q.", in.ID)
	}
	return respond(rq, map[string]createAccountStatus{"CreateAccountStatus": s})
}

// pastStatus rebuilds the status of a request an earlier run answered from
// the account its id names; the times are not kept.
func (h *Handler) pastStatus(rq *request, id string) (createAccountStatus, bool, error) {
	if len(id) < len("car-")+12 || !accountIDRe.MatchString(id[4:16]) {
		return createAccountStatus{}, false, nil
	}
	a, err := h.cfg.Meta.GetAccount(rq.ctx, id[4:16])
	if errors.Is(err, store.ErrNotFound) {
		return createAccountStatus{}, false, nil
	}
	if err != nil {
		return createAccountStatus{}, false, fmt.Errorf("orgapi: account: %w", err)
	}
	return createAccountStatus{ID: id, AccountName: a.Name, AccountID: a.ID,
		State: "SUCCEEDED"}, true, nil
}

// moveAccountInput is MoveAccount's input.
type moveAccountInput struct {
	AccountID           string `json:"AccountId"`
	SourceParentID      string `json:"SourceParentId"`
	DestinationParentID string `json:"DestinationParentId"`
}

func (h *Handler) moveAccount(rq *request) error {
	var in moveAccountInput
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	if err := h.authorize(rq, arns{rq.org}.account(in.AccountID)); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	t, err := h.load(rq)
	if err != nil {
		return err
	}
	a, err := in.check(t)
	if err != nil {
		return err
	}
	a.ParentID = in.DestinationParentID
	if err := h.cfg.Meta.PutAccount(rq.ctx, a); err != nil {
		return fmt.Errorf("orgapi: move account %s: %w", a.ID, err)
	}
	return respond(rq, struct{}{})
}

// check validates a move against t and returns the account to move.
func (in moveAccountInput) check(t *tree) (store.Account, error) {
	a, ok := t.accounts[in.AccountID]
	switch {
	case !ok:
		return a, accountNotFound(in.AccountID)
	case !t.isParent(in.SourceParentID):
		return a, errorf(SourceParentNotFound, "We can't find a source root or OU with the "+
			"ParentId %q.", truncate(in.SourceParentID))
	case !t.isParent(in.DestinationParentID):
		return a, errorf(DestinationParentNotFound, "We can't find a destination root or "+
			"OU with the ParentId %q.", truncate(in.DestinationParentID))
	case a.ParentID != in.SourceParentID:
		return a, errorf(AccountNotFound, "We can't find the account %s in the source "+
			"parent %s.", a.ID, in.SourceParentID)
	case a.ParentID == in.DestinationParentID:
		return a, errorf(DuplicateAccount, "That account is already present in the "+
			"specified destination.")
	}
	return a, nil
}

func (h *Handler) listParents(rq *request) error {
	var in struct {
		pageInput
		ChildID string `json:"ChildId"`
	}
	if err := decode(rq.body, &in); err != nil {
		return err
	}
	t, err := h.authorizedTree(rq, "*")
	if err != nil {
		return err
	}
	parent := ""
	if ou, ok := t.ous[in.ChildID]; ok {
		parent = ou.ParentID
	} else if a, ok := t.accounts[in.ChildID]; ok {
		parent = a.ParentID
	} else {
		return errorf(ChildNotFound, "We can't find an OU or account with the ChildId %q.",
			truncate(in.ChildID))
	}
	return respondPage(rq, "Parents", []parentShape{{ID: parent, Type: t.kind(parent)}},
		in.pageInput)
}
