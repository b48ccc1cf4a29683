package e2e

import (
	"encoding/json"
	"slices"
	"testing"
)

// deleteOutput is what `aws s3api delete-objects` prints.
type deleteOutput struct {
	Deleted []struct{ Key string }
	Errors  []struct{ Key, Code string }
}

// deleteAnswer checks that delete-objects printed exactly the deleted keys and the
// per-key error codes given, as "key" and "key code", in any order.
func deleteAnswer(want ...string) func(*testing.T, result) {
	slices.Sort(want)
	return func(t *testing.T, r result) {
		t.Helper()
		var out deleteOutput
		if err := json.Unmarshal([]byte(r.stdout), &out); err != nil {
			t.Fatalf("delete-objects output is not JSON: %v:\n%v", err, r)
		}
		var got []string
		for _, d := range out.Deleted {
			got = append(got, d.Key)
		}
		for _, e := range out.Errors {
			got = append(got, e.Key+" "+e.Code)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Fatalf("delete-objects answered %q, want %q:\n%v", got, want, r)
		}
	}
}

// deleteObjectsStep is `aws s3api delete-objects` by profile of keys in the example bucket.
func deleteObjectsStep(name, profile string, check func(*testing.T, result),
	keys ...string) step {
	objs := make([]map[string]string, len(keys))
	for i, k := range keys {
		objs[i] = map[string]string{"Key": k}
	}
	doc, _ := json.Marshal(map[string]any{"Objects": objs})
	return step{name: name, profile: profile, check: check,
		args: []string{"s3api", "delete-objects", "--bucket", bucket, "--delete", string(doc)}}
}

// TestDeleteObjects deletes charts with `aws s3api delete-objects` and `aws s3 rm
// --recursive`: prd's delegate, whose policy grants no deletion, gets a per-key
// AccessDenied and deletes nothing; ci-publisher's deletions remove exactly the charts/
// prefix. (AWS CLI v1's s3 rm sends one DeleteObject per key; only s3api delete-objects
// is sure to send DeleteObjects.)
func TestDeleteObjects(t *testing.T) {
	srv := startTrove(t, t.TempDir(), exampleOrg)
	c := newCLI(t, exampleOrg, srv.Endpoint)
	upload := func(version, prefix string) step {
		return step{name: "upload " + version + " to " + prefix, profile: "ci-publisher",
			args: []string{"s3", "cp", chart(version), bucketURL + "/" + prefix + "/",
				"--sse", "AES256"}}
	}
	runPhases(t, c, []phase{
		{name: "upload", steps: []step{upload("0.1.0", "charts"), upload("0.2.0", "charts"),
			upload("1.0.0", "charts"), upload("0.1.0", "keep")}},
		{name: "denied", steps: []step{deleteObjectsStep("delegate is denied per key",
			"delegate", deleteAnswer(chartKey("0.1.0")+" AccessDenied"), chartKey("0.1.0"))}},
		{name: "delete-objects", steps: []step{deleteObjectsStep("publisher deletes",
			"ci-publisher", deleteAnswer(chartKey("0.1.0"), "charts/missing.tgz"),
			chartKey("0.1.0"), "charts/missing.tgz")}},
		{name: "rm recursive", steps: []step{{name: "publisher removes charts/",
			profile: "ci-publisher",
			args:    []string{"s3", "rm", "--recursive", chartsURL}}}},
		{name: "after", steps: []step{{name: "only keep/ is left", profile: "ci-publisher",
			args: []string{"s3", "ls", bucketURL + "/"}, check: listsExactly("keep/")},
		}},
	})
}
