package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

const (
	cleanPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::art/*"}]}`
	// errorPolicy has an ERROR (unknown action) and a SUGGESTION (no Version).
	errorPolicy = `{"Statement":[{"Effect":"Allow","Action":"s3:GetObjects",` +
		`"Resource":"arn:aws:s3:::art/*"}]}`
	// warningPolicy has a WARNING only (a key GetObject does not support).
	warningPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Action":"s3:GetObject","Resource":"arn:aws:s3:::art/*",` +
		`"Condition":{"StringLike":{"s3:prefix":"charts/*"}}}]}`
	// publicPolicy is a bucket policy with a SECURITY_WARNING only.
	publicPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
		`"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::art/*"}]}`
)

// runValidateCmd runs `trove policy validate` in-process with stdin.
func runValidateCmd(t *testing.T, stdin string, args ...string) (code int, out, errs string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Execute(context.Background(), append([]string{"policy", "validate"}, args...),
		Streams{In: strings.NewReader(stdin), Out: &o, Err: &e})
	return code, o.String(), e.String()
}

func writePolicy(t *testing.T, doc string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestPolicyValidateExitCodes(t *testing.T) {
	tests := []struct {
		name    string
		doc     string // written to a file, or given on stdin with "-"
		args    []string
		env     map[string]string
		want    int
		wantErr string // in stderr
	}{
		{"clean", cleanPolicy, nil, nil, 0, ""},
		{"an error", errorPolicy, nil, nil, 1, "1 ERROR finding"},
		{"a warning passes by default", warningPolicy, nil, nil, 0, ""},
		{"--fail-on warning", warningPolicy, []string{"--fail-on", "warning"}, nil, 1,
			"of kind WARNING or more serious"},
		{"TROVE_FAIL_ON", warningPolicy, nil, map[string]string{"TROVE_FAIL_ON": "warning"}, 1,
			""},
		{"the flag beats the environment", warningPolicy, []string{"--fail-on", "error"},
			map[string]string{"TROVE_FAIL_ON": "warning"}, 0, ""},
		{"--fail-on security", publicPolicy, []string{"--fail-on", "security"}, nil, 1, ""},
		{"a security warning passes by default", publicPolicy,
			[]string{"--fail-on", "error"}, nil, 0, ""},
		{"stdin", errorPolicy, []string{"-"}, nil, 1, "<stdin>"},
		{"--type", cleanPolicy, []string{"--type", "resource"}, nil, 1, ""},
		{"TROVE_TYPE", cleanPolicy, nil, map[string]string{"TROVE_TYPE": "resource"}, 1, ""},
		{"bad --type", cleanPolicy, []string{"--type", "bucket"}, nil, 2, `--type "bucket"`},
		{"bad --fail-on", cleanPolicy, []string{"--fail-on", "info"}, nil, 2, "--fail-on"},
		{"bad environment", cleanPolicy, nil, map[string]string{"TROVE_JSON": "maybe"}, 2,
			"TROVE_JSON"},
		{"unknown flag", cleanPolicy, []string{"--strict"}, nil, 2, "unknown flag"},
		{"no file", "", []string{"none"}, nil, 2, "no such file"},
		{"a directory", "", []string{"dir"}, nil, 2, "is a directory, not a policy file"},
		{"too large", strings.Repeat(" ", validateMaxInput+1), []string{"-"}, nil, 2,
			"larger than 1048576 bytes, far beyond any policy AWS accepts"},
		{"two files", cleanPolicy, []string{"a", "b"}, nil, 2, "accepts 1 arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			args := tc.args
			if !slices.Contains(args, "-") && tc.name != "no file" && tc.name != "two files" &&
				tc.name != "a directory" {
				args = append(args, writePolicy(t, tc.doc))
			}
			switch tc.name {
			case "no file":
				args = []string{filepath.Join(t.TempDir(), "none.json")}
			case "a directory":
				args = []string{t.TempDir()}
			}
			code, out, errs := runValidateCmd(t, tc.doc, args...)
			if code != tc.want || !strings.Contains(errs, tc.wantErr) {
				t.Errorf("exit %d, stderr %q; want %d and %q\nstdout:\n%s", code, errs, tc.want,
					tc.wantErr, out)
			}
		})
	}
}

func TestPolicyValidateHumanOutput(t *testing.T) {
	path := writePolicy(t, "{\n  \"Statement\": [{\"Effect\": \"Allow\",\n"+
		"    \"Action\": \"s3:GetObjects\", \"Resource\": \"arn:aws:s3:::art/*\"}]\n}\n")
	code, out, _ := runValidateCmd(t, "", path)
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	wantLines := []*regexp.Regexp{
		regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:1:1: SUGGESTION MISSING_VERSION: ` +
			`.+ \(fix: .+\)$`),
		regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `:3:15: ERROR UNKNOWN_ACTION ` +
			`Statement\[0\]\.Action: "s3:GetObjects" .+ \(fix: Did you mean s3:GetObject\?\)$`),
		regexp.MustCompile(`^` + regexp.QuoteMeta(path) + `: 1 error, 1 suggestion \(checked ` +
			`as an identity-based policy\)$`),
	}
	if len(lines) != len(wantLines) {
		t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(wantLines), out)
	}
	for i, re := range wantLines {
		if !re.MatchString(lines[i]) {
			t.Errorf("line %d = %q, want it to match %s", i+1, lines[i], re)
		}
	}
}

func TestPolicyValidateNoFindings(t *testing.T) {
	code, out, _ := runValidateCmd(t, cleanPolicy, "-")
	if code != 0 || out != "<stdin>: no findings (checked as an identity-based policy)\n" {
		t.Errorf("exit %d, output %q", code, out)
	}
}

func TestPolicyValidateJSON(t *testing.T) {
	tests := []struct {
		name, doc string
		want      []string // codes
	}{
		{"findings", errorPolicy, []string{"MISSING_VERSION", "UNKNOWN_ACTION"}},
		{"none", cleanPolicy, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, out, _ := runValidateCmd(t, tc.doc, "--json", "-")
			var got []map[string]any
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("output is not a JSON array: %v\n%s", err, out)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tc.want), out)
			}
			for i, f := range got {
				if f["code"] != tc.want[i] {
					t.Errorf("finding %d has code %v, want %s", i, f["code"], tc.want[i])
				}
				for _, field := range []string{"kind", "code", "path", "line", "column",
					"message", "fix"} {
					if _, ok := f[field]; !ok {
						t.Errorf("finding %d lacks %q", i, field)
					}
				}
			}
		})
	}
}

func TestPolicyValidateHelpNamesEnvironment(t *testing.T) {
	code, out, _ := runValidateCmd(t, "", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, s := range []string{"TROVE_TYPE", "TROVE_JSON", "TROVE_FAIL_ON", "Exit status"} {
		if !strings.Contains(out, s) {
			t.Errorf("help does not mention %s", s)
		}
	}
}
