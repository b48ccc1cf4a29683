package iamapi

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/troveproject/trove/internal/awsapi"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/simulate"
)

// Client calls a trove server's IAM API with SigV4-signed form requests and
// reads trove's extensions of the answers, which the AWS SDKs drop.
// Endpoint and Credentials are required.
type Client struct {
	Endpoint    string // base URL, such as "http://127.0.0.1:9000"
	Region      string // of the credential scope; default us-east-1
	Credentials aws.CredentialsProvider
	HTTP        aws.HTTPClient // nil means http.DefaultClient
	Now         func() time.Time
}

// SimulateInput is a SimulatePrincipalPolicy request.
type SimulateInput struct {
	PolicySourceArn string
	Actions         []string
	Resources       []string
	ResourcePolicy  string // a policy document; "" for none
	ResourceOwner   string // an account id; "" for the default
	Context         policy.Context
}

// maxResponse bounds the body of one answer the client reads; a trove
// server's pages are far smaller (see maxPageBytes).
const maxResponse = 64 << 20

// ErrBadPaging is what the client reports of a server whose pages do not
// lead to the end: a Marker sent twice, a truncated page without results,
// or more results than the request asked for.
var ErrBadPaging = errors.New("iamapi: the server's pages do not end")

// SimulatePrincipalPolicy calls SimulatePrincipalPolicy, following Marker
// through every page. An error the server answers is an *Error; a server
// whose pages do not end is refused with an error wrapping ErrBadPaging.
func (c *Client) SimulatePrincipalPolicy(ctx context.Context, in SimulateInput) (
	[]simulate.Result, error) {
	form := simulateForm(in)
	want := len(in.Actions) * max(1, len(in.Resources))
	seen := map[string]bool{}
	var out []simulate.Result
	for {
		var page simulateAnswer
		if err := c.call(ctx, form, &page); err != nil {
			return nil, err
		}
		for i := range page.Result.EvaluationResults {
			out = append(out, page.Result.EvaluationResults[i].result())
		}
		marker := page.Result.Marker
		if err := checkPage(page, marker, seen, len(out), want); err != nil {
			return nil, err
		}
		if !page.Result.IsTruncated {
			return out, nil
		}
		seen[marker] = true
		form.Set("Marker", marker)
	}
}

// checkPage refuses a page that does not bring the end nearer: more
// results than the want the request asked for, or a truncated page without
// a marker, with a marker already followed, or without results.
func checkPage(page simulateAnswer, marker string, seen map[string]bool, got,
	want int) error {
	r := page.Result
	switch {
	case got > want:
		return fmt.Errorf("%w: %d results for %d simulations", ErrBadPaging, got, want)
	case !r.IsTruncated:
		return nil
	case marker == "":
		return fmt.Errorf("%w: IsTruncated without a Marker", ErrBadPaging)
	case seen[marker]:
		return fmt.Errorf("%w: the Marker %.64q came back a second time", ErrBadPaging, marker)
	case len(r.EvaluationResults) == 0:
		return fmt.Errorf("%w: a truncated page without results", ErrBadPaging)
	}
	return nil
}

// simulateAnswer is what the client reads of SimulatePrincipalPolicy's
// answer.
type simulateAnswer struct {
	Result struct {
		EvaluationResults []evaluationResult `xml:"EvaluationResults>member"`
		IsTruncated       bool
		Marker            string
	} `xml:"SimulatePrincipalPolicyResult"`
}

// simulateForm encodes in as SimulatePrincipalPolicy's parameters.
func simulateForm(in SimulateInput) url.Values {
	f := url.Values{"Action": {"SimulatePrincipalPolicy"}, "Version": {Version},
		"PolicySourceArn": {in.PolicySourceArn}}
	addList(f, "ActionNames", in.Actions)
	addList(f, "ResourceArns", in.Resources)
	if in.ResourcePolicy != "" {
		f.Set("ResourcePolicy", in.ResourcePolicy)
	}
	if in.ResourceOwner != "" {
		f.Set("ResourceOwner", rootARN(in.ResourceOwner))
	}
	for i, key := range slices.Sorted(func(yield func(string) bool) {
		for k := range in.Context {
			if !yield(k) {
				return
			}
		}
	}) {
		prefix := "ContextEntries.member." + strconv.Itoa(i+1) + "."
		values := in.Context[key]
		f.Set(prefix+"ContextKeyName", key)
		typ := "string"
		if len(values) > 1 {
			typ = "stringList"
		}
		f.Set(prefix+"ContextKeyType", typ)
		addList(f, prefix+"ContextKeyValues", values)
	}
	return f
}

func addList(f url.Values, name string, values []string) {
	for i, v := range values {
		f.Set(name+".member."+strconv.Itoa(i+1), v)
	}
}

// call sends form and decodes the answer into out.
func (c *Client) call(ctx context.Context, form url.Values, out any) error {
	req, err := c.request(ctx, form)
	if err != nil {
		return err
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return fmt.Errorf("iamapi: %s: %w%s", form.Get("Action"), err, c.schemeHint(err))
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse+1))
	if err != nil {
		return fmt.Errorf("iamapi: %s: read the answer: %w%s", form.Get("Action"), err,
			c.schemeHint(err))
	}
	if len(body) > maxResponse {
		return fmt.Errorf("iamapi: %s: the answer exceeds the client's limit of %d MiB; "+
			"refusing it", form.Get("Action"), maxResponse>>20)
	}
	if resp.StatusCode != http.StatusOK {
		return answerError(resp.StatusCode, body)
	}
	if err := xml.Unmarshal(body, out); err != nil {
		return fmt.Errorf("iamapi: %s: the answer is not IAM's XML: %w", form.Get("Action"),
			err)
	}
	return nil
}

// request builds the signed POST of form.
func (c *Client) request(ctx context.Context, form url.Values) (*http.Request, error) {
	body := []byte(form.Encode())
	u := strings.TrimSuffix(c.Endpoint, "/") + "/"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("iamapi: endpoint %q: %w", c.Endpoint, err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if c.Credentials == nil {
		return nil, fmt.Errorf("iamapi: no credentials to sign with")
	}
	creds, err := c.Credentials.Retrieve(ctx)
	if err != nil {
		return nil, fmt.Errorf("iamapi: credentials to sign with: %w", err)
	}
	region, now := c.Region, time.Now
	if region == "" {
		region = "us-east-1"
	}
	if c.Now != nil {
		now = c.Now
	}
	sum := sha256.Sum256(body)
	err = v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), "iam", region,
		now().UTC())
	if err != nil {
		return nil, fmt.Errorf("iamapi: sign: %w", err)
	}
	return req, nil
}

// answerError reads an error document; a body that is not one is reported
// with the status.
func answerError(status int, body []byte) error {
	var doc awsapi.ErrorResponse[Code]
	if err := xml.Unmarshal(body, &doc); err != nil || doc.Error.Code == "" {
		return fmt.Errorf("iamapi: HTTP %d without an IAM error document: %.200q", status, body)
	}
	return &Error{Code: doc.Error.Code, Message: doc.Error.Message}
}

// result is the Result the answer carried in TroveReport, with the text of
// TroveExplanation; from another server, one built from IAM's own elements.
func (e *evaluationResult) result() simulate.Result {
	if e.TroveReport != nil {
		r := *e.TroveReport
		r.Text = e.TroveExplanation
		emptyLists(&r)
		return r
	}
	r := simulate.Result{Action: e.EvalActionName, Resource: e.EvalResourceName,
		Decision: e.EvalDecision, MissingContext: e.MissingContextValues,
		Details: e.EvalDecisionDetails, Matched: []simulate.Match{}}
	for _, m := range e.MatchedStatements {
		r.Matched = append(r.Matched, simulate.Match{PolicyID: m.SourcePolicyID,
			PolicyType: m.SourcePolicyType})
	}
	if d := e.OrganizationsDecisionDetail; d != nil {
		r.OrganizationsAllow = &d.AllowedByOrganizations
	}
	if d := e.PermissionsBoundaryDecisionDetail; d != nil {
		r.BoundaryAllows = &d.AllowedByPermissionsBoundary
	}
	r.Text = r.Decision + ": the server sent no explanation\n"
	return r
}

// emptyLists turns the lists XML leaves nil into empty ones, as simulate
// makes them, so that a Result read from an answer is the Result sent.
func emptyLists(r *simulate.Result) {
	if r.Matched == nil {
		r.Matched = []simulate.Match{}
	}
	if r.MissingContext == nil {
		r.MissingContext = []string{}
	}
	if r.Policies == nil {
		r.Policies = []simulate.PolicyReport{}
	}
	for i := range r.Policies {
		if r.Policies[i].Statements == nil {
			r.Policies[i].Statements = []simulate.StatementReport{}
		}
	}
}

// schemeHint suggests https when a plain-HTTP request to the endpoint was cut
// off, which is how a TLS listener answers one.
func (c *Client) schemeHint(err error) string {
	if !strings.HasPrefix(c.Endpoint, "http://") {
		return ""
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) ||
		errors.Is(err, io.ErrUnexpectedEOF) {
		return " (does the endpoint serve https? then write https://)"
	}
	return ""
}
