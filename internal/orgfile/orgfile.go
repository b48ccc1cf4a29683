// Package orgfile reads trove's declarative organization file (see
// docs/organization-file.md) and reconciles a metadata store towards it.
//
// Load parses and validates the whole file, policies and every reference
// between its parts included, before Apply writes anything, so a file with
// an error changes nothing. Apply creates and updates what the file
// declares and never deletes an entity the file does not mention (an
// account, unit, user, group, key, policy or bucket). What the file says of
// an entity it declares is reconciled exactly, though: the SCPs and RCPs
// attached to the root, a unit or an account, a user's groups, managed
// policies, permissions boundary and tags, a group's managed policies, and
// the enabled policy types. Applying the same file twice changes nothing
// the second time.
//
// Every file Load reads, the organization file and the policy files it
// names, goes through ReadFile: a regular file only (never a device, FIFO
// or directory), of bounded size (MaxFileSize, MaxPolicySize).
package orgfile

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/troveproject/trove/internal/bucketpolicy"
	"github.com/troveproject/trove/internal/policy"
)

// File is a parsed organization file. Policy documents are held as JSON.
type File struct {
	Organization *Organization `yaml:"organization"`
	Accounts     []Account     `yaml:"accounts"`
	// Webhooks are the destinations bucket notifications may name
	// (webhooks.go). Apply leaves them out: the server reads them from
	// the file it loaded.
	Webhooks []Webhook `yaml:"webhooks"`
}

// Organization declares the organization, its tree and its authorization
// policies.
type Organization struct {
	ID                string   `yaml:"id"`
	ManagementAccount string   `yaml:"managementAccount"`
	RootID            string   `yaml:"rootId"`
	Accounts          []string `yaml:"accounts"`
	Units             []Unit   `yaml:"units"`
	// EnabledPolicyTypes lists SERVICE_CONTROL_POLICY and
	// RESOURCE_CONTROL_POLICY as the file enables them; none by default.
	EnabledPolicyTypes      []string `yaml:"enabledPolicyTypes"`
	ServiceControlPolicies  []Policy `yaml:"serviceControlPolicies"`
	ResourceControlPolicies []Policy `yaml:"resourceControlPolicies"`
	// SCPs and RCPs are attached to the root; see Attachments.
	Attachments `yaml:",inline"`

	// Filled in by Load: the accounts placed in the organization, the
	// enabled types and the declared SCP and RCP names.
	placed   map[string]bool
	enabled  map[string]bool
	scpNames map[string]bool
	rcpNames map[string]bool
}

// Attachments are the SCPs and RCPs attached to the root, a unit or an
// account, by name. SCPs nil means the list was not given: FullAWSAccess
// alone is attached, as AWS attaches it to every node when SCPs are
// enabled. A given list, even an empty one, is exactly what is attached.
// RCPFullAWSAccess is always attached when RCPs are enabled; RCPs adds to
// it.
type Attachments struct {
	SCPs *[]string `yaml:"scps"`
	RCPs []string  `yaml:"rcps"`
}

// Unit is an organizational unit.
type Unit struct {
	Name        string   `yaml:"name"`
	ID          string   `yaml:"id"`
	Accounts    []string `yaml:"accounts"`
	Units       []Unit   `yaml:"units"`
	Attachments `yaml:",inline"`
}

// Account declares an account, its root keys, managed policies, groups,
// users and buckets, and the SCPs and RCPs attached to it.
type Account struct {
	ID              string          `yaml:"id"`
	Name            string          `yaml:"name"`
	RootAccessKeys  []AccessKey     `yaml:"rootAccessKeys"`
	ManagedPolicies []ManagedPolicy `yaml:"managedPolicies"`
	Groups          []Group         `yaml:"groups"`
	Users           []User          `yaml:"users"`
	Roles           []Role          `yaml:"roles"` // roles.go
	Buckets         []Bucket        `yaml:"buckets"`
	// OIDCProviders are the account's OIDC identity providers (oidc.go).
	OIDCProviders []OIDCProvider `yaml:"oidcProviders"`
	Attachments   `yaml:",inline"`
}

// ManagedPolicy is a customer managed policy of an account.
type ManagedPolicy struct {
	Policy `yaml:",inline"`
	Path   string `yaml:"path"`
}

// Group is an IAM group. ManagedPolicies name managed policies of the
// account by name or ARN.
type Group struct {
	Name            string   `yaml:"name"`
	Path            string   `yaml:"path"`
	Policies        []Policy `yaml:"policies"`
	ManagedPolicies []string `yaml:"managedPolicies"`
	// managed holds the names ManagedPolicies resolve to, filled in by Load.
	managed []string
}

// AccessKey is an access key id and its secret.
type AccessKey struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
}

// User is an IAM user. ManagedPolicies and PermissionsBoundary name
// managed policies of the account by name or ARN; Groups name its groups.
type User struct {
	Name                string            `yaml:"name"`
	Path                string            `yaml:"path"`
	AccessKeys          []AccessKey       `yaml:"accessKeys"`
	Policies            []Policy          `yaml:"policies"`
	Groups              []string          `yaml:"groups"`
	ManagedPolicies     []string          `yaml:"managedPolicies"`
	PermissionsBoundary string            `yaml:"permissionsBoundary"`
	Tags                map[string]string `yaml:"tags"`
	// managed and boundary hold the names ManagedPolicies and
	// PermissionsBoundary resolve to, filled in by Load.
	managed  []string
	boundary string
}

// Policy is a named policy document, given inline as a document or as a
// file: an inline identity policy, or an SCP or RCP.
type Policy struct {
	Name     string    `yaml:"name"`
	Document yaml.Node `yaml:"document"`
	File     string    `yaml:"file"`
	// JSON is the resolved document, filled in by Load.
	JSON []byte `yaml:"-"`
}

// Bucket is a bucket owned by the enclosing account.
type Bucket struct {
	Name       string `yaml:"name"`
	Region     string `yaml:"region"`
	PolicyFile string `yaml:"policyFile"`
	// Document is the bucket policy given inline, as YAML or a JSON
	// string, as `trove org export` writes it; at most one of Document
	// and PolicyFile.
	Document yaml.Node `yaml:"policy"`
	// Policy is the resolved bucket policy, filled in by Load.
	Policy []byte `yaml:"-"`
}

var (
	orgIDRe   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	rootIDRe  = regexp.MustCompile(`^r-[a-z0-9]{4,32}$`)
	ouIDRe    = regexp.MustCompile(`^ou-[a-z0-9]{4,32}-[a-z0-9]{8,32}$`)
	accountRe = regexp.MustCompile(`^[0-9]{12}$`)
	keyIDRe   = regexp.MustCompile(`^[A-Z0-9]{16,128}$`)
	userRe    = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
	pathRe    = regexp.MustCompile(`^/([\x21-\x7e]{0,510}/)?$`)
	bucketRe  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$`)
)

// Load reads, parses and validates the organization file at path: a
// regular file of at most MaxFileSize bytes, whose policy files (each a
// regular file of at most MaxPolicySize bytes) are named relative to its
// directory, or by absolute path.
func Load(path string) (*File, error) {
	data, err := ReadFile(path, MaxFileSize)
	if err != nil {
		return nil, fmt.Errorf("orgfile: %w", err)
	}
	f, err := Parse(data, filepath.Dir(path))
	if err != nil {
		return nil, fmt.Errorf("orgfile: %s: %w", path, err)
	}
	return f, nil
}

// Parse parses and validates an organization file; dir resolves relative
// policy file names.
func Parse(data []byte, dir string) (*File, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("parse: %s", readableYAMLError(err))
	}
	if err := f.validate(dir); err != nil {
		return nil, err
	}
	return &f, nil
}

// yamlTypeNames are the elements of the file each Go type decodes, for
// errors that would otherwise name the type.
var yamlTypeNames = map[string]string{
	"orgfile.File": "the file's top level", "orgfile.Organization": "organization",
	"orgfile.Unit": "a unit", "orgfile.Account": "an account",
	"orgfile.ManagedPolicy": "a managed policy", "orgfile.Group": "a group",
	"orgfile.AccessKey": "an access key", "orgfile.User": "a user",
	"orgfile.Policy": "a policy", "orgfile.Bucket": "a bucket",
	"orgfile.Webhook": "a webhook", "orgfile.OIDCProvider": "an OIDC provider",
	"orgfile.Role": "a role",
}

var yamlTypeRef = regexp.MustCompile(`in type (orgfile\.[A-Za-z]+)`)

// readableYAMLError words the YAML decoder's error with the file's element
// names ("field userz not found in an account") instead of Go's type names.
func readableYAMLError(err error) string {
	return yamlTypeRef.ReplaceAllStringFunc(err.Error(), func(m string) string {
		if name, ok := yamlTypeNames[m[len("in type "):]]; ok {
			return "in " + name
		}
		return m
	})
}

func (f *File) validate(dir string) error {
	ids := make(map[string]bool)
	keys := make(map[string]bool)
	buckets := make(map[string]bool)
	for i := range f.Accounts {
		a := &f.Accounts[i]
		if !accountRe.MatchString(a.ID) {
			return fmt.Errorf("account %q: id must be 12 digits", a.ID)
		}
		if ids[a.ID] {
			return fmt.Errorf("account %s: declared twice", a.ID)
		}
		ids[a.ID] = true
		if err := a.validate(dir, keys, buckets); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
	}
	if f.Organization != nil {
		if err := f.Organization.validate(ids, dir); err != nil {
			return fmt.Errorf("organization: %w", err)
		}
	}
	for i := range f.Accounts {
		a := &f.Accounts[i]
		if err := f.Organization.checkAccount(a); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
	}
	return validateWebhooks(f.Webhooks, osGetenv)
}

func (a *Account) validate(dir string, keys, buckets map[string]bool) error {
	if err := validateKeys(a.RootAccessKeys, keys); err != nil {
		return fmt.Errorf("root access keys: %w", err)
	}
	if err := a.validateManaged(dir); err != nil {
		return err
	}
	if err := a.validateGroups(dir); err != nil {
		return err
	}
	users := make(map[string]string)
	for i := range a.Users {
		u := &a.Users[i]
		if err := uniqueName(users, userRe, "user", u.Name); err != nil {
			return err
		}
		if err := u.validate(dir, keys); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
		if err := a.validateUserRefs(u); err != nil {
			return fmt.Errorf("user %s: %w", u.Name, err)
		}
	}
	if err := a.validateRoles(dir); err != nil {
		return err
	}
	for i := range a.Buckets {
		b := &a.Buckets[i]
		if err := b.validate(dir, buckets); err != nil {
			return fmt.Errorf("bucket %q: %w", b.Name, err)
		}
	}
	return a.validateOIDC(dir)
}

func validateKeys(ks []AccessKey, seen map[string]bool) error {
	for _, k := range ks {
		if !keyIDRe.MatchString(k.ID) {
			return fmt.Errorf("access key id %q: must be 16-128 upper-case letters or digits", k.ID)
		}
		if seen[k.ID] {
			return fmt.Errorf("access key id %s: declared twice", k.ID)
		}
		seen[k.ID] = true
		if len(k.Secret) < 40 {
			return fmt.Errorf("access key %s: secret must be at least 40 characters", k.ID)
		}
	}
	return nil
}

func (u *User) validate(dir string, keys map[string]bool) error {
	if err := checkPath(&u.Path); err != nil {
		return err
	}
	if err := validateKeys(u.AccessKeys, keys); err != nil {
		return err
	}
	return validateInline(u.Policies, dir)
}

// validateInline checks the inline identity policies of a user or group.
func validateInline(ps []Policy, dir string) error {
	names := make(map[string]bool)
	for i := range ps {
		p := &ps[i]
		if p.Name == "" || names[p.Name] {
			return fmt.Errorf("policy %q: a policy needs a unique name", p.Name)
		}
		names[p.Name] = true
		if err := p.load(dir, policy.Identity); err != nil {
			return fmt.Errorf("policy %s: %w", p.Name, err)
		}
	}
	return nil
}

// load resolves p's document, parses it as a policy of kind and keeps its
// text in p.JSON.
func (p *Policy) load(dir string, kind policy.Kind) error {
	doc, err := p.resolve(dir)
	if err != nil {
		return err
	}
	if _, err := policy.Parse(doc, kind); err != nil {
		return err
	}
	p.JSON = doc
	return nil
}

// resolve returns the policy's JSON text from its document or file.
func (p *Policy) resolve(dir string) ([]byte, error) {
	hasDoc := p.Document.Kind != 0
	if hasDoc == (p.File != "") {
		return nil, errors.New("give exactly one of document and file")
	}
	if p.File != "" {
		return readRelative(dir, p.File)
	}
	if p.Document.Kind == yaml.ScalarNode {
		return []byte(p.Document.Value), nil
	}
	var v any
	if err := p.Document.Decode(&v); err != nil {
		return nil, fmt.Errorf("document: %w", err)
	}
	return json.Marshal(v)
}

// readRelative reads the policy file name, relative to dir unless it is
// absolute: the operator who writes the organization file may name any
// file the server can read, but only a regular file of at most
// MaxPolicySize bytes.
func readRelative(dir, name string) ([]byte, error) {
	if !filepath.IsAbs(name) {
		name = filepath.Join(dir, name)
	}
	data, err := ReadFile(name, MaxPolicySize)
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return nil, fmt.Errorf("read %s: %w", name, pe.Err)
	}
	return data, err // nil, or a *FileError naming the file
}

func (b *Bucket) validate(dir string, seen map[string]bool) error {
	if !bucketRe.MatchString(b.Name) || strings.Contains(b.Name, "..") {
		return errors.New("invalid bucket name")
	}
	if seen[b.Name] {
		return errors.New("declared twice")
	}
	seen[b.Name] = true
	if b.PolicyFile == "" && b.Document.Kind == 0 {
		return nil
	}
	doc, err := b.resolve(dir)
	if err != nil {
		return fmt.Errorf("policy: %w", err)
	}
	if _, err := bucketpolicy.Validate(doc, b.Name); err != nil {
		return fmt.Errorf("policy %s: %w", b.PolicyFile, err)
	}
	b.Policy = doc
	return nil
}

// resolve returns the text of the bucket's policy, inline or from its file.
func (b *Bucket) resolve(dir string) ([]byte, error) {
	if b.PolicyFile != "" && b.Document.Kind != 0 {
		return nil, errors.New("give at most one of policy and policyFile")
	}
	if b.PolicyFile != "" {
		return readRelative(dir, b.PolicyFile)
	}
	return (&Policy{Document: b.Document}).resolve(dir)
}

func (o *Organization) validate(accounts map[string]bool, dir string) error {
	if !orgIDRe.MatchString(o.ID) {
		return fmt.Errorf("id %q: must be o- and 10-32 lower-case letters or digits", o.ID)
	}
	if !accounts[o.ManagementAccount] {
		return fmt.Errorf("management account %q is not declared under accounts",
			o.ManagementAccount)
	}
	if o.RootID == "" {
		o.RootID = "r-" + derive(o.ID, 4)
	}
	if !rootIDRe.MatchString(o.RootID) {
		return fmt.Errorf("root id %q: must be r- and 4-32 lower-case letters or digits", o.RootID)
	}
	if err := o.validatePolicies(dir); err != nil {
		return err
	}
	if err := o.checkAttachments(o.Attachments); err != nil {
		return fmt.Errorf("root: %w", err)
	}
	o.placed = make(map[string]bool)
	if err := place(o.Accounts, accounts, o.placed); err != nil {
		return err
	}
	tree := unitTree{accounts: accounts, ids: make(map[string]bool)}
	if err := o.validateUnits(o.Units, "", 1, &tree); err != nil {
		return err
	}
	// The management account sits under the root unless the file places
	// it in a unit; SCPs and RCPs never apply to it wherever it is.
	o.placed[o.ManagementAccount] = true
	return nil
}

// maxUnitDepth is how many levels of units AWS Organizations nests below
// the root.
const maxUnitDepth = 5

// unitTree is what validating the units of an organization keeps: the
// declared accounts and the unit ids seen so far.
type unitTree struct {
	accounts map[string]bool
	ids      map[string]bool
}

// validateUnits checks the units under one parent, at depth levels below
// the root (1 for the root's own units): their names are unique there, as
// AWS requires, and they nest at most maxUnitDepth levels deep.
func (o *Organization) validateUnits(units []Unit, parent string, depth int,
	tree *unitTree) error {
	names := make(map[string]bool, len(units))
	for i := range units {
		u := &units[i]
		path := parent + "/" + u.Name
		switch {
		case u.Name == "":
			return errors.New("a unit needs a name")
		case names[u.Name]:
			return fmt.Errorf("unit %s: declared twice under %s; AWS requires unique unit "+
				"names under one parent", path, parentName(parent))
		case depth > maxUnitDepth:
			return fmt.Errorf("unit %s: %d levels below the root; AWS Organizations nests "+
				"units at most %d levels deep", path, depth, maxUnitDepth)
		}
		names[u.Name] = true
		if err := o.validateUnit(u, path, tree); err != nil {
			return err
		}
		if err := o.validateUnits(u.Units, path, depth+1, tree); err != nil {
			return err
		}
	}
	return nil
}

func parentName(parent string) string {
	if parent == "" {
		return "the root"
	}
	return "unit " + parent
}

// validateUnit checks one unit, whose path from the root is path, without
// its children.
func (o *Organization) validateUnit(u *Unit, path string, tree *unitTree) error {
	if u.ID == "" {
		u.ID = "ou-" + strings.TrimPrefix(o.RootID, "r-") + "-" + derive(path, 8)
	}
	if !ouIDRe.MatchString(u.ID) {
		return fmt.Errorf("unit %s: id %q must be ou-, 4-32 and 8-32 lower-case letters "+
			"or digits", path, u.ID)
	}
	if tree.ids[u.ID] {
		return fmt.Errorf("unit %s: id %s used twice", path, u.ID)
	}
	tree.ids[u.ID] = true
	if err := o.checkAttachments(u.Attachments); err != nil {
		return fmt.Errorf("unit %s: %w", path, err)
	}
	if err := place(u.Accounts, tree.accounts, o.placed); err != nil {
		return fmt.Errorf("unit %s: %w", path, err)
	}
	return nil
}

func place(ids []string, accounts, placed map[string]bool) error {
	for _, id := range ids {
		if !accounts[id] {
			return fmt.Errorf("account %q is not declared under accounts", id)
		}
		if placed[id] {
			return fmt.Errorf("account %s is placed twice in the organization", id)
		}
		placed[id] = true
	}
	return nil
}

// derive returns n lower-case base32 characters derived from s, so that ids
// the file leaves out are the same on every load.
func derive(s string, n int) string {
	h := sha256.Sum256([]byte(s))
	enc := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:])
	return strings.ToLower(enc[:n])
}

// UserID derives the stable unique id of a user (AIDA followed by 17
// characters), as AWS shows in aws:userid.
func UserID(account, name string) string {
	h := sha256.Sum256([]byte(account + "/" + name))
	return "AIDA" + strings.ToUpper(hex.EncodeToString(h[:]))[:17]
}
