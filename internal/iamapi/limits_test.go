package iamapi_test

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/troveproject/trove/internal/iamapi"
)

// bigResourcePolicy is a resource-based policy of n characters or a few
// less, of small statements that apply to nothing simulated, so that every
// result reports each of them.
func bigResourcePolicy(n int) string {
	const st = `{"Effect":"Deny","Principal":"*","Action":"x:Y","Resource":"*"}`
	head, tail := `{"Version":"2012-10-17","Statement":[`, `]}`
	count := (n - len(head) - len(tail) + 1) / (len(st) + 1)
	return head + strings.Repeat(st+",", count-1) + st + tail
}

// padded is a valid identity-based policy of exactly n characters.
func padded(n int) string {
	return allowGet + strings.Repeat(" ", n-len(allowGet))
}

// latin1 is a valid identity-based policy of n characters, most of them
// two bytes long in UTF-8.
func latin1(n int) string {
	head := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject",` +
		`"Resource":"arn:aws:s3:::b/`
	tail := `"}]}`
	return head + strings.Repeat("\u00e9", n-len(head)-len(tail)) + tail
}

// TestPolicyLengthLimits: IAM's simulator takes policy documents of at most
// 131,072 characters, and the error names the parameter.
func TestPolicyLengthLimits(t *testing.T) {
	srv := newServer(t)
	ok := []string{"PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject"}
	resourceDoc := func(n int) string {
		doc := bigResourcePolicy(n)
		return doc + strings.Repeat(" ", n-len(doc))
	}
	tests := []struct {
		name  string
		pairs []string
		param string // named in the ValidationError; "" for a success
	}{
		{"resource policy at the limit", []string{"ResourcePolicy", resourceDoc(131072)}, ""},
		{"resource policy over the limit", []string{"ResourcePolicy", resourceDoc(131073)},
			"'ResourcePolicy'"},
		{"policy input over the limit", []string{"PolicyInputList.member.1", allowGet,
			"PolicyInputList.member.2", padded(131073)}, "'PolicyInputList.member.2'"},
		{"boundary over the limit", []string{"PermissionsBoundaryPolicyInputList.member.1",
			padded(131073)}, "'PermissionsBoundaryPolicyInputList.member.1'"},
		{"characters, not bytes", []string{"PolicyInputList.member.1", latin1(131072)}, ""},
		{"characters over the limit", []string{"PolicyInputList.member.1", latin1(131073)},
			"'PolicyInputList.member.1'"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv, &prdRoot, form(append(ok, tc.pairs...)...))
			if tc.param == "" {
				if status != 200 {
					t.Fatalf("status %d:\n%.300s", status, body)
				}
				return
			}
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil || status != 400 ||
				doc.Error.Code != "ValidationError" ||
				!strings.Contains(doc.Error.Message, tc.param) ||
				!strings.Contains(doc.Error.Message, "131072") {
				t.Fatalf("status %d %+v, want a ValidationError naming %s", status, doc.Error,
					tc.param)
			}
		})
	}
}

// pairsForm asks for the delegate's actions on resources under the big
// resource policy.
func pairsForm(actions, resources int) url.Values {
	f := form("PolicySourceArn", delegateARN, "ResourcePolicy", bigResourcePolicy(131072))
	for i := range actions {
		f.Set("ActionNames.member."+strconv.Itoa(i+1), fmt.Sprintf("s3:Action%d", i))
	}
	for i := range resources {
		f.Set("ResourceArns.member."+strconv.Itoa(i+1),
			fmt.Sprintf("arn:aws:s3:::devtools-artifacts/k%d", i))
	}
	return f
}

// TestAnswerBounded: the largest policy against the most resources makes
// answers of bounded size, not one holding every result, and trove's own
// client pages through them.
func TestAnswerBounded(t *testing.T) {
	srv := newServer(t)
	status, body := post(t, srv, &prdRoot, pairsForm(10, 100))
	var a answer
	if err := xml.Unmarshal(body, &a); status != 200 || err != nil {
		t.Fatalf("status %d, %v", status, err)
	}
	n := len(a.Result.Results)
	if len(body) > 6<<20 || n == 0 || n >= 100 || !a.Result.IsTruncated ||
		a.Result.Marker != strconv.Itoa(n) {
		t.Fatalf("%d bytes, %d results, truncated %v, marker %q; want at most 6 MiB, "+
			"fewer than 100 results and a marker after them", len(body), n,
			a.Result.IsTruncated, a.Result.Marker)
	}
	t.Logf("first page: %d results in %d bytes", n, len(body))
	in := iamapi.SimulateInput{PolicySourceArn: delegateARN,
		ResourcePolicy: bigResourcePolicy(131072)}
	for i := range 3 {
		in.Actions = append(in.Actions, fmt.Sprintf("s3:Action%d", i))
	}
	for i := range 3 * n {
		in.Resources = append(in.Resources, fmt.Sprintf("arn:aws:s3:::devtools-artifacts/k%d", i))
	}
	rs, err := client(srv, prdRoot).SimulatePrincipalPolicy(context.Background(), in)
	if err != nil || len(rs) != 9*n {
		t.Fatalf("client: %d results, %v; want %d", len(rs), err, 9*n)
	}
	if last := rs[len(rs)-1]; last.Action != "s3:Action2" ||
		last.Resource != in.Resources[len(in.Resources)-1] {
		t.Fatalf("last result %s on %s", last.Action, last.Resource)
	}
}

// TestQueryParameters: one value per parameter, and list indexes in range.
func TestQueryParameters(t *testing.T) {
	srv := newServer(t)
	ok := form("PolicySourceArn", delegateARN, "ActionNames.member.1", "s3:GetObject")
	with := func(name string, values ...string) url.Values {
		f := url.Values{}
		for k, v := range ok {
			f[k] = v
		}
		f[name] = values
		return f
	}
	tests := []struct {
		name string
		form url.Values
		code string
		msg  string
	}{
		{"action twice", with("Action", "SimulatePrincipalPolicy", "CreateUser"),
			"InvalidInput", "The parameter Action is given 2 times"},
		{"source twice", with("PolicySourceArn", delegateARN, "arn:aws:iam::222222222222:root"),
			"InvalidInput", "The parameter PolicySourceArn is given 2 times"},
		{"list member twice", with("ActionNames.member.1", "s3:GetObject", "s3:PutObject"),
			"InvalidInput", "ActionNames.member.1 is given 2 times"},
		{"huge index", with("ResourceArns.member.99999999999999999999", "*"), "InvalidInput",
			"has the index 99999999999999999999, which is too large"},
		{"index past the most members", with("ResourceArns.member.1001", "*"), "InvalidInput",
			"which is too large: a list has at most 1000 members"},
		{"index zero", with("ResourceArns.member.0", "*"), "InvalidInput",
			"not NAME.member.N with N a positive integer"},
		{"negative index", with("ResourceArns.member.-1", "*"), "InvalidInput",
			"not NAME.member.N with N a positive integer"},
		{"leading zero", with("ResourceArns.member.01", "*"), "InvalidInput",
			"not NAME.member.N with N a positive integer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(t, srv, &prdRoot, tc.form)
			var doc errorDoc
			if err := xml.Unmarshal(body, &doc); err != nil || status != 400 ||
				doc.Error.Code != tc.code || !strings.Contains(doc.Error.Message, tc.msg) {
				t.Fatalf("status %d %+v, want %s saying %q", status, doc.Error, tc.code, tc.msg)
			}
		})
	}
}

// hostile answers every SimulatePrincipalPolicy with what page returns and
// counts the requests.
func hostile(t *testing.T, page func(n int) string) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, page(int(n.Add(1))))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// simPage is a SimulatePrincipalPolicy answer with one result.
func simPage(truncated bool, marker string) string {
	return `<SimulatePrincipalPolicyResponse><SimulatePrincipalPolicyResult>` +
		`<EvaluationResults><member><EvalActionName>s3:GetObject</EvalActionName>` +
		`<EvalResourceName>*</EvalResourceName><EvalDecision>allowed</EvalDecision>` +
		`</member></EvaluationResults><IsTruncated>` + strconv.FormatBool(truncated) +
		`</IsTruncated><Marker>` + marker + `</Marker></SimulatePrincipalPolicyResult>` +
		`</SimulatePrincipalPolicyResponse>`
}

// TestClientRefusesEndlessPages: a server that repeats a Marker, or sends
// more results than asked for, is refused at once.
func TestClientRefusesEndlessPages(t *testing.T) {
	tests := []struct {
		name    string
		page    func(n int) string
		actions int
		maxReqs int
		msg     string
	}{
		{"same marker forever", func(int) string { return simPage(true, "7") }, 100, 2,
			`the Marker "7" came back a second time`},
		{"markers cycle", func(n int) string { return simPage(true, strconv.Itoa(n%3)) }, 100,
			4, "came back a second time"},
		{"new markers forever", func(n int) string { return simPage(true, strconv.Itoa(n)) },
			5, 6, "6 results for 5 simulations"},
		{"truncated without a marker", func(int) string { return simPage(true, "") }, 5, 1,
			"IsTruncated without a Marker"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, reqs := hostile(t, tc.page)
			in := iamapi.SimulateInput{PolicySourceArn: delegateARN}
			for i := range tc.actions {
				in.Actions = append(in.Actions, fmt.Sprintf("s3:A%d", i))
			}
			_, err := client(srv, prdRoot).SimulatePrincipalPolicy(context.Background(), in)
			if !errors.Is(err, iamapi.ErrBadPaging) || !strings.Contains(err.Error(), tc.msg) ||
				reqs.Load() > int64(tc.maxReqs) {
				t.Fatalf("after %d requests: %v; want ErrBadPaging saying %q", reqs.Load(), err,
					tc.msg)
			}
		})
	}
}

// TestClientAnswerLimit: an answer over 64 MiB is refused with a message
// saying so, not a decoding error.
func TestClientAnswerLimit(t *testing.T) {
	padding := strings.Repeat("<!-- padding -->", (64<<20)/16+1)
	srv, _ := hostile(t, func(int) string { return padding + simPage(false, "") })
	_, err := client(srv, prdRoot).SimulatePrincipalPolicy(context.Background(),
		iamapi.SimulateInput{PolicySourceArn: delegateARN, Actions: []string{"s3:GetObject"}})
	if err == nil || !strings.Contains(err.Error(), "exceeds the client's limit of 64 MiB") {
		t.Fatalf("err = %v, want the limit named", err)
	}
}
