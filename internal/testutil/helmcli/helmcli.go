// Package helmcli runs the real helm client for trove's tests, isolated from
// the user's helm configuration: every file helm reads or writes lives in one
// temporary directory of the test. A missing helm fails the test; it is
// never skipped (.ci/run installs helm with go install).
package helmcli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Timeout bounds one helm call.
const Timeout = 60 * time.Second

// Find returns the path of helm, on PATH or in $(go env GOPATH)/bin, and
// fails tb when there is none.
func Find(tb testing.TB) string {
	tb.Helper()
	if p, err := exec.LookPath("helm"); err == nil {
		return p
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "bin", "helm")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	tb.Fatal("helm is not on PATH nor in $(go env GOPATH)/bin: install it with " +
		"go install helm.sh/helm/v4/cmd/helm@v4.3.2 (.ci/run does)")
	return ""
}

// CLI runs helm with its homes in a temporary directory.
type CLI struct {
	Bin string   // path of the helm executable
	env []string // the whole environment of a call
}

// New finds helm and isolates it under a fresh temporary directory of tb.
func New(tb testing.TB) *CLI {
	tb.Helper()
	dir := tb.TempDir()
	env := []string{"HOME=" + dir, "PATH=" + os.Getenv("PATH")}
	for name, sub := range map[string]string{
		"HELM_CONFIG_HOME":       "config",
		"HELM_CACHE_HOME":        "cache",
		"HELM_DATA_HOME":         "data",
		"HELM_REPOSITORY_CONFIG": "config/repositories.yaml",
		"HELM_REPOSITORY_CACHE":  "cache/repository",
		"HELM_REGISTRY_CONFIG":   "config/registry/config.json",
	} {
		env = append(env, name+"="+filepath.Join(dir, sub))
	}
	return &CLI{Bin: Find(tb), env: env}
}

// Result is one helm call's outcome.
type Result struct {
	Args           []string
	Stdout, Stderr string
	Err            error // nil when helm exited 0
}

func (r Result) String() string {
	return fmt.Sprintf("helm %s: %v\nstdout: %s\nstderr: %s", strings.Join(r.Args, " "),
		r.Err, r.Stdout, r.Stderr)
}

// Run runs helm with args.
func (h *CLI) Run(tb testing.TB, args ...string) Result {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, h.Bin, args...)
	cmd.Env = h.env
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return Result{Args: args, Stdout: out.String(), Stderr: errOut.String(), Err: err}
}

// Must runs helm and fails tb unless it succeeds.
func (h *CLI) Must(tb testing.TB, args ...string) Result {
	tb.Helper()
	r := h.Run(tb, args...)
	if r.Err != nil {
		tb.Fatal(r)
	}
	return r
}

// RepoAdd adds the repository at url under name with extra flags, such as
// --username and --password.
func (h *CLI) RepoAdd(tb testing.TB, name, url string, extra ...string) Result {
	tb.Helper()
	return h.Run(tb, append([]string{"repo", "add", name, url}, extra...)...)
}

// SearchVersions is `helm search repo <repo>/ --versions` as "name version"
// lines, in helm's order.
func (h *CLI) SearchVersions(tb testing.TB, repo string) []string {
	tb.Helper()
	r := h.Must(tb, "search", "repo", repo+"/", "--versions", "-o", "json")
	var found []struct {
		Name    string `json:"name"`
		Version string `json:"version"`
	}
	if err := json.Unmarshal([]byte(r.Stdout), &found); err != nil {
		tb.Fatalf("helm search output: %v\n%s", err, r.Stdout)
	}
	var out []string
	for _, f := range found {
		out = append(out, f.Name+" "+f.Version)
	}
	return out
}

// Pull runs `helm pull` of chart (repo/name) at version into a new
// directory and returns the archive's bytes.
func (h *CLI) Pull(tb testing.TB, chart, version string, extra ...string) []byte {
	tb.Helper()
	dir := tb.TempDir()
	h.Must(tb, append([]string{"pull", chart, "--version", version, "-d", dir}, extra...)...)
	name := chart[strings.LastIndex(chart, "/")+1:]
	b, err := os.ReadFile(filepath.Join(dir, name+"-"+version+".tgz"))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
