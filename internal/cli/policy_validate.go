package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/troveproject/trove/internal/orgfile"
	"github.com/troveproject/trove/internal/policy"
	"github.com/troveproject/trove/internal/policylint"
)

// validateExitFindings is the exit status of `trove policy validate` for
// findings at or above the --fail-on kind; besides it, 0 means there are
// none, and exitUsage a usage error or a file that cannot be read.
const validateExitFindings = 1

// validateMaxInput bounds the document read; AWS's largest policies are 20 KB.
const validateMaxInput = 1 << 20

// validateKinds are the --type values.
var validateKinds = map[string]policy.Kind{
	"identity": policy.Identity, "resource": policy.Resource,
	"scp": policy.ServiceControl, "rcp": policy.ResourceControl,
}

// failLevels are the --fail-on values: the least serious kind that fails.
var failLevels = map[string]policylint.Kind{
	"error": policylint.Error, "security": policylint.SecurityWarning,
	"warning": policylint.Warning, "suggestion": policylint.Suggestion,
}

const validateLong = `Check a policy document the way IAM Access Analyzer validates policies:
grammar errors AWS would reject, actions, resources and condition keys that
Amazon S3 does not have or that never meet, public access, and statements
that are redundant or never take effect. Every finding has a kind (ERROR,
SECURITY_WARNING, WARNING, SUGGESTION), a code, the place in the document and
a fix; docs/policy-validate.md lists the codes.

FILE is a path, or - for standard input. --type says what the document is;
by default a document with a Principal or NotPrincipal is a resource-based
(bucket) policy and any other an identity-based policy.

Exit status: 0 when no finding is an ERROR (or of the --fail-on kind or
more serious); 1 when one is; 2 for a usage error or a file that cannot be
read.`

const validateExample = `  trove policy validate bucket-policy.json
  trove policy validate --type scp --json guardrails.json
  cat policy.json | trove policy validate --fail-on warning -`

// validateOptions are the flags of `trove policy validate`.
type validateOptions struct {
	typ, failOn string
	json        bool
}

// newPolicyValidate returns `trove policy validate`, the policy linter of
// package policylint.
func newPolicyValidate(s Streams) *cobra.Command {
	var o validateOptions
	cmd := &cobra.Command{
		Use:     "validate FILE",
		Short:   "Check a policy document for errors, risks and clean-ups",
		Long:    validateLong,
		Example: validateExample,
	}
	withUsageErrors(cmd, cobra.ExactArgs(1), func(cmd *cobra.Command, args []string) error {
		return runValidate(cmd, s, o, args[0])
	})
	fs := cmd.Flags()
	fs.StringVar(&o.typ, "type", "", "what the document is: identity, resource, scp or rcp "+
		"(default: resource when a statement names a principal, else identity)")
	fs.BoolVar(&o.json, "json", false, "print the findings as a JSON array")
	fs.StringVar(&o.failOn, "fail-on", "error", "exit 1 when a finding is of this kind or "+
		"more serious: error, security, warning or suggestion")
	annotateEnv(fs)
	return cmd
}

// runValidate reads, checks and reports one document.
func runValidate(cmd *cobra.Command, s Streams, o validateOptions, file string) error {
	threshold, ok := failLevels[o.failOn]
	if !ok {
		return usageErrorf("--fail-on %q: want error, security, warning or suggestion",
			o.failOn)
	}
	kind, typed := validateKinds[o.typ]
	if o.typ != "" && !typed {
		return usageErrorf("--type %q: want identity, resource, scp or rcp", o.typ)
	}
	doc, name, err := readPolicy(cmd.InOrStdin(), file)
	if err != nil {
		return usageError(err)
	}
	if !typed {
		kind = policylint.GuessKind(doc)
	}
	findings := policylint.Validate(doc, kind)
	if o.json {
		err = writeFindingsJSON(s.Out, findings)
	} else {
		err = writeFindings(s.Out, name, kind, findings)
	}
	if err != nil {
		return err
	}
	return failure(name, findings, threshold)
}

// readPolicy reads the document from file, or from in when file is "-".
func readPolicy(in io.Reader, file string) (doc []byte, name string, err error) {
	name = file
	if file == "-" {
		name = "<stdin>"
		doc, err = io.ReadAll(io.LimitReader(in, validateMaxInput+1))
		if err != nil {
			return nil, name, fmt.Errorf("read %s: %w", name, err)
		}
	} else {
		if fi, err := os.Stat(file); err == nil && fi.IsDir() {
			return nil, name, fmt.Errorf("%s is a directory, not a policy file", name)
		}
		// A regular file only: a FIFO or a device would block or never end.
		doc, err = orgfile.ReadFile(file, validateMaxInput)
		if err != nil && !errors.Is(err, orgfile.ErrTooLarge) {
			return nil, name, err // it names the file already
		}
	}
	if len(doc) > validateMaxInput || errors.Is(err, orgfile.ErrTooLarge) {
		return nil, name, fmt.Errorf("%s is larger than %d bytes, far beyond any policy AWS "+
			"accepts (the largest, bucket policies, take 20 KB)", name, validateMaxInput)
	}
	return doc, name, nil
}

// writeFindings prints one line per finding, FILE:LINE:COL: KIND CODE path:
// message (fix: ...), then a summary.
func writeFindings(w io.Writer, name string, kind policy.Kind, fs []policylint.Finding) error {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%s:%d:%d: %s %s", name, f.Line, f.Column, f.Kind, f.Code)
		if f.Path != "" {
			b.WriteString(" " + f.Path)
		}
		fmt.Fprintf(&b, ": %s (fix: %s)\n", f.Message, f.Fix)
	}
	fmt.Fprintf(&b, "%s: %s (checked as %s)\n", name, summary(fs), article(kind.String()))
	_, err := io.WriteString(w, b.String())
	return err
}

func article(s string) string {
	if strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}

// summary counts the findings by kind: "1 error, 2 warnings" or "no
// findings".
func summary(fs []policylint.Finding) string {
	counts := policylint.Count(fs)
	var parts []string
	for _, k := range policylint.Kinds {
		if n := counts[k]; n > 0 {
			word := strings.ToLower(strings.ReplaceAll(string(k), "_", " "))
			if n > 1 {
				word += "s"
			}
			parts = append(parts, strconv.Itoa(n)+" "+word)
		}
	}
	if len(parts) == 0 {
		return "no findings"
	}
	return strings.Join(parts, ", ")
}

func writeFindingsJSON(w io.Writer, fs []policylint.Finding) error {
	if fs == nil {
		fs = []policylint.Finding{}
	}
	out, err := json.MarshalIndent(fs, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(out, '\n'))
	return err
}

// failure returns the error that exits 1 when a finding is of the
// threshold's kind or more serious.
func failure(name string, fs []policylint.Finding, threshold policylint.Kind) error {
	limit := slices.Index(policylint.Kinds, threshold)
	n := 0
	for _, f := range fs {
		if slices.Index(policylint.Kinds, f.Kind) <= limit {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	what := "finding"
	if n > 1 {
		what += "s"
	}
	if threshold != policylint.Error {
		what += " of kind " + string(threshold) + " or more serious"
	} else {
		what = "ERROR " + what
	}
	return &exitError{code: validateExitFindings, err: fmt.Errorf("%s: %d %s", name, n, what)}
}
