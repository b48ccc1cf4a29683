package orgfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/troveproject/trove/internal/store"
)

// Changes counts what Apply created, changed and removed. A membership,
// attachment or tag counts as one record, and so does the enablement of a
// policy type.
type Changes struct {
	Created int
	Updated int
	Removed int
}

// Total is the number of records Apply wrote or removed.
func (c Changes) Total() int { return c.Created + c.Updated + c.Removed }

func (c *Changes) note(created, updated bool) {
	switch {
	case created:
		c.Created++
	case updated:
		c.Updated++
	}
}

// Apply reconciles meta towards f, which Load or Parse returned. Buckets
// the file declares get region defaultRegion unless they name one. Before
// writing anything, Apply checks the file against the store: a data
// directory holding another organization, an access key that belongs to
// another principal, a bucket name that another account owns and a user,
// group, role or managed policy whose name the account has in another case
// only (IAM's names are unique regardless of case) are errors that change
// nothing. (An error while writing may leave part of the file
// applied; applying it again completes it.)
func Apply(ctx context.Context, meta store.Meta, f *File, defaultRegion string) (Changes, error) {
	var ch Changes
	if err := preflight(ctx, meta, f); err != nil {
		return ch, err
	}
	if err := applyOrg(ctx, meta, f, &ch); err != nil {
		return ch, err
	}
	for _, a := range f.Accounts {
		if err := applyAccount(ctx, meta, f, a, defaultRegion, &ch); err != nil {
			return ch, fmt.Errorf("orgfile: account %s: %w", a.ID, err)
		}
	}
	if err := applyOrgAttachments(ctx, meta, f, &ch); err != nil {
		return ch, err
	}
	return ch, disableTypes(ctx, meta, f, &ch)
}

// preflight finds the conflicts between f and meta that Apply would
// otherwise meet half-way, or that it would store: a user, group, role or
// managed policy the account has under another spelling of its name.
func preflight(ctx context.Context, meta store.Meta, f *File) error {
	if o := f.Organization; o != nil {
		old, err := meta.GetOrganization(ctx)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("orgfile: organization: %w", err)
		}
		if err == nil && old.ID != o.ID {
			return fmt.Errorf("orgfile: the data directory holds organization %s but the "+
				"file declares %s; start with another --data-dir (or an empty one) to load "+
				"this file", old.ID, o.ID)
		}
	}
	for _, a := range f.Accounts {
		if err := preflightAccount(ctx, meta, a); err != nil {
			return fmt.Errorf("orgfile: account %s: %w", a.ID, err)
		}
	}
	return nil
}

// preflightAccount checks the IAM names, keys and buckets of one account.
func preflightAccount(ctx context.Context, meta store.Meta, a Account) error {
	if err := preflightNames(ctx, meta, a); err != nil {
		return err
	}
	check := func(keys []AccessKey, user string) error {
		for _, k := range keys {
			old, err := meta.GetAccessKey(ctx, k.ID)
			if err == nil && (old.Account != a.ID || old.User != user) {
				return fmt.Errorf("access key %s already belongs to another principal", k.ID)
			}
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		return nil
	}
	if err := check(a.RootAccessKeys, ""); err != nil {
		return fmt.Errorf("root access keys: %w", err)
	}
	for _, u := range a.Users {
		if err := check(u.AccessKeys, u.Name); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	for _, b := range a.Buckets {
		old, err := meta.GetBucket(ctx, b.Name)
		if err == nil && old.Owner != a.ID {
			return fmt.Errorf("bucket %s: the name is owned by account %s", b.Name, old.Owner)
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		}
	}
	return nil
}

func applyOrg(ctx context.Context, meta store.Meta, f *File, ch *Changes) error {
	o := f.Organization
	if o == nil {
		return nil
	}
	org := store.Organization{ID: o.ID, RootID: o.RootID, ManagementAccount: o.ManagementAccount}
	old, err := meta.GetOrganization(ctx)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("orgfile: organization: %w", err)
	}
	if missing := err != nil; missing || old != org {
		if err := meta.PutOrganization(ctx, org); err != nil {
			return fmt.Errorf("orgfile: organization: %w", err)
		}
		ch.note(missing, !missing)
	}
	existing, err := meta.ListOUs(ctx)
	if err != nil {
		return fmt.Errorf("orgfile: units: %w", err)
	}
	have := make(map[string]store.OU, len(existing))
	for _, ou := range existing {
		have[ou.ID] = ou
	}
	for _, u := range o.Units {
		if err := applyUnit(ctx, meta, u, o.RootID, have, ch); err != nil {
			return err
		}
	}
	return applyOrgPolicies(ctx, meta, o, ch)
}

func applyUnit(ctx context.Context, meta store.Meta, u Unit, parent string,
	have map[string]store.OU, ch *Changes) error {
	ou := store.OU{ID: u.ID, Name: u.Name, ParentID: parent}
	if old, ok := have[u.ID]; !ok || old != ou {
		if err := meta.PutOU(ctx, ou); err != nil {
			return fmt.Errorf("orgfile: unit %s: %w", u.Name, err)
		}
		ch.note(!ok, ok)
	}
	for _, c := range u.Units {
		if err := applyUnit(ctx, meta, c, u.ID, have, ch); err != nil {
			return err
		}
	}
	return nil
}

// parentOf returns where the file places account id in the organization.
func parentOf(f *File, id string) string {
	o := f.Organization
	if o == nil {
		return ""
	}
	for _, a := range o.Accounts {
		if a == id {
			return o.RootID
		}
	}
	if p := unitParent(o.Units, id); p != "" {
		return p
	}
	if id == o.ManagementAccount {
		return o.RootID // where AWS creates it, unless the file moves it
	}
	return ""
}

func unitParent(units []Unit, id string) string {
	for _, u := range units {
		for _, a := range u.Accounts {
			if a == id {
				return u.ID
			}
		}
		if p := unitParent(u.Units, id); p != "" {
			return p
		}
	}
	return ""
}

func applyAccount(ctx context.Context, meta store.Meta, f *File, a Account, region string,
	ch *Changes) error {
	acct := store.Account{ID: a.ID, Name: a.Name, ParentID: parentOf(f, a.ID)}
	old, err := meta.GetAccount(ctx, a.ID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if missing := err != nil; missing || old != acct {
		if err := meta.PutAccount(ctx, acct); err != nil {
			return err
		}
		ch.note(missing, !missing)
	}
	if err := applyKeys(ctx, meta, a.ID, "", a.RootAccessKeys, ch); err != nil {
		return fmt.Errorf("root access keys: %w", err)
	}
	if err := applyManaged(ctx, meta, a, ch); err != nil {
		return err
	}
	if err := applyGroups(ctx, meta, a, ch); err != nil {
		return err
	}
	for _, u := range a.Users {
		if err := applyUser(ctx, meta, a.ID, u, ch); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	if err := applyRoles(ctx, meta, a, ch); err != nil {
		return err
	}
	for _, b := range a.Buckets {
		if err := applyBucket(ctx, meta, a.ID, b, region, ch); err != nil {
			return fmt.Errorf("bucket %s: %w", b.Name, err)
		}
	}
	return applyOIDC(ctx, meta, a, ch)
}

func applyKeys(ctx context.Context, meta store.Meta, account, user string, keys []AccessKey,
	ch *Changes) error {
	for _, k := range keys {
		old, err := meta.GetAccessKey(ctx, k.ID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		found := err == nil
		if found && (old.Account != account || old.User != user) {
			return fmt.Errorf("access key %s already belongs to another principal", k.ID)
		}
		if found && old.Secret == k.Secret && old.Active {
			continue
		}
		created := old.Created
		if !found {
			created = time.Now().UTC().Truncate(time.Second)
		}
		nk := store.AccessKey{ID: k.ID, Secret: k.Secret, Account: account, User: user,
			Active: true, Created: created}
		if err := meta.PutAccessKey(ctx, nk); err != nil {
			return err
		}
		ch.note(!found, found)
	}
	return nil
}

func applyUser(ctx context.Context, meta store.Meta, account string, u User, ch *Changes) error {
	nu := store.User{Account: account, Name: u.Name, ID: UserID(account, u.Name), Path: u.Path,
		Boundary: u.boundary}
	old, err := meta.GetUser(ctx, account, u.Name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	found := err == nil
	if found {
		nu.ID = old.ID // a user keeps the id it was created with
	}
	if !found || old != nu {
		if err := meta.PutUser(ctx, nu); err != nil {
			return err
		}
		ch.note(!found, found)
	}
	if err := applyKeys(ctx, meta, account, u.Name, u.AccessKeys, ch); err != nil {
		return err
	}
	if err := applyPolicies(ctx, meta, account, u, ch); err != nil {
		return err
	}
	return applyUserLinks(ctx, meta, account, u, ch)
}

func applyPolicies(ctx context.Context, meta store.Meta, account string, u User,
	ch *Changes) error {
	existing, err := meta.ListUserPolicies(ctx, account, u.Name)
	if err != nil {
		return err
	}
	docs := make(map[string][]byte, len(existing))
	for _, p := range existing {
		docs[p.Name] = p.Document
	}
	return putInline(docs, u.Policies, ch, func(p Policy) error {
		return meta.PutUserPolicy(ctx, store.UserPolicy{Account: account, User: u.Name,
			Name: p.Name, Document: p.JSON})
	})
}

func applyBucket(ctx context.Context, meta store.Meta, account string, b Bucket, region string,
	ch *Changes) error {
	if b.Region != "" {
		region = b.Region
	}
	old, err := meta.GetBucket(ctx, b.Name)
	switch {
	case errors.Is(err, store.ErrNotFound):
		nb := store.Bucket{Name: b.Name, Owner: account, Region: region,
			Created: time.Now().UTC().Truncate(time.Millisecond), Policy: b.Policy}
		if err := meta.CreateBucket(ctx, nb); err != nil {
			return err
		}
		ch.note(true, false)
		return nil
	case err != nil:
		return err
	case old.Owner != account:
		return fmt.Errorf("the name is owned by account %s", old.Owner)
	}
	if b.Policy != nil && !bytes.Equal(old.Policy, b.Policy) {
		if err := meta.PutBucketPolicy(ctx, b.Name, b.Policy); err != nil {
			return err
		}
		ch.note(false, true)
	}
	return nil
}
