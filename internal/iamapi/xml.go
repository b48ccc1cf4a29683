package iamapi

import (
	"encoding/xml"

	"github.com/troveproject/trove/internal/simulate"
)

// simulateResult is the result both simulation operations answer.
type simulateResult struct {
	XMLName xml.Name
	// EvaluationResults holds the members, each encoded as it was
	// computed.
	EvaluationResults rawXML `xml:"EvaluationResults"`
	IsTruncated       bool
	Marker            string `xml:",omitempty"`
}

// rawXML is XML already encoded, written as the element's content.
type rawXML struct {
	Inner []byte `xml:",innerxml"`
}

// evaluationResult is IAM's EvaluationResult, with two elements of trove's
// that SDKs ignore: TroveExplanation, the explanation for people, and
// TroveReport, the structured result `trove policy simulate` prints.
type evaluationResult struct {
	XMLName                           xml.Name `xml:"member"`
	EvalActionName                    string
	EvalResourceName                  string
	EvalDecision                      string
	MatchedStatements                 []statement `xml:"MatchedStatements>member"`
	MissingContextValues              []string    `xml:"MissingContextValues>member"`
	OrganizationsDecisionDetail       *organizationsDetail
	PermissionsBoundaryDecisionDetail *boundaryDetail
	EvalDecisionDetails               []simulate.Detail `xml:"EvalDecisionDetails>entry"`
	TroveExplanation                  string
	TroveReport                       *simulate.Result
}

type statement struct {
	SourcePolicyID   string `xml:"SourcePolicyId"`
	SourcePolicyType string
}

type organizationsDetail struct{ AllowedByOrganizations bool }

type boundaryDetail struct{ AllowedByPermissionsBoundary bool }

func newEvaluation(r *simulate.Result) evaluationResult {
	e := evaluationResult{EvalActionName: r.Action, EvalResourceName: r.Resource,
		EvalDecision: r.Decision, MissingContextValues: r.MissingContext,
		EvalDecisionDetails: r.Details, TroveExplanation: r.Text, TroveReport: r}
	for _, m := range r.Matched {
		e.MatchedStatements = append(e.MatchedStatements,
			statement{SourcePolicyID: m.PolicyID, SourcePolicyType: m.PolicyType})
	}
	if r.OrganizationsAllow != nil {
		e.OrganizationsDecisionDetail = &organizationsDetail{*r.OrganizationsAllow}
	}
	if r.BoundaryAllows != nil {
		e.PermissionsBoundaryDecisionDetail = &boundaryDetail{*r.BoundaryAllows}
	}
	return e
}
