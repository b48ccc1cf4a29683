package orgapi

import (
	"strings"

	"github.com/troveproject/trove/internal/store"
)

// The JSON shapes of Organizations' answers; member names are AWS's.

type policyTypeSummary struct {
	Type   store.PolicyType `json:"Type"`
	Status string           `json:"Status"`
}

type rootShape struct {
	ID          string              `json:"Id"`
	ARN         string              `json:"Arn"`
	Name        string              `json:"Name"`
	PolicyTypes []policyTypeSummary `json:"PolicyTypes"`
}

type organizationShape struct {
	ID                   string              `json:"Id"`
	ARN                  string              `json:"Arn"`
	FeatureSet           string              `json:"FeatureSet"`
	MasterAccountARN     string              `json:"MasterAccountArn"`
	MasterAccountID      string              `json:"MasterAccountId"`
	AvailablePolicyTypes []policyTypeSummary `json:"AvailablePolicyTypes"`
}

type accountShape struct {
	ID           string `json:"Id"`
	ARN          string `json:"Arn"`
	Name         string `json:"Name"`
	Email        string `json:"Email,omitempty"`
	Status       string `json:"Status"`
	State        string `json:"State"`
	JoinedMethod string `json:"JoinedMethod"`
}

type ouShape struct {
	ID   string `json:"Id"`
	ARN  string `json:"Arn"`
	Name string `json:"Name"`
}

type parentShape struct {
	ID   string `json:"Id"`
	Type string `json:"Type"`
}

type policySummary struct {
	ID          string           `json:"Id"`
	ARN         string           `json:"Arn"`
	Name        string           `json:"Name"`
	Description string           `json:"Description"`
	Type        store.PolicyType `json:"Type"`
	AwsManaged  bool             `json:"AwsManaged"`
}

type policyShape struct {
	PolicySummary policySummary `json:"PolicySummary"`
	Content       string        `json:"Content"`
}

type targetShape struct {
	TargetID string `json:"TargetId"`
	ARN      string `json:"Arn"`
	Name     string `json:"Name"`
	Type     string `json:"Type"`
}

// The node types of ListParents and ListTargetsForPolicy.
const (
	typeRoot    = "ROOT"
	typeOU      = "ORGANIZATIONAL_UNIT"
	typeAccount = "ACCOUNT"
)

// arns forms the ARNs of one organization's entities.
type arns struct{ org store.Organization }

func (a arns) base(kind string) string {
	return "arn:aws:organizations::" + a.org.ManagementAccount + ":" + kind + "/" + a.org.ID
}

func (a arns) organization() string { return a.base("organization") }
func (a arns) root() string         { return a.base("root") + "/" + a.org.RootID }
func (a arns) ou(id string) string  { return a.base("ou") + "/" + id }
func (a arns) account(id string) string {
	return a.base("account") + "/" + id
}

// policy is the ARN of p; an AWS managed policy's ARN names account "aws"
// and no organization.
func (a arns) policy(p store.OrgPolicy) string {
	kind := strings.ToLower(string(p.Type))
	if store.Builtin(p.Type, p.Name) {
		return "arn:aws:organizations::aws:policy/" + kind + "/" + p.ID
	}
	return a.base("policy") + "/" + kind + "/" + p.ID
}

// target is the ARN of the root, an OU or an account, by id.
func (a arns) target(id string) string {
	switch {
	case id == a.org.RootID:
		return a.root()
	case strings.HasPrefix(id, "ou-"):
		return a.ou(id)
	}
	return a.account(id)
}
