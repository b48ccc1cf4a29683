package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

const (
	// callTimeout bounds one aws CLI call.
	callTimeout = 60 * time.Second
	// maxStderrLines is how many of a call's last stderr lines a failure message shows.
	maxStderrLines = 15
)

// region is the region of every profile the tests write.
const region = "eu-central-1"

// anonymousProfile is a profile without keys, for calls made with --no-sign-request.
const anonymousProfile = "anonymous"

// accessKey is an access key pair as the organization file and the AWS CLI name it.
type accessKey struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
}

// orgFile is the part of the organization file the tests need to sign requests.
type orgFile struct {
	Accounts []struct {
		ID             string      `yaml:"id"`
		Name           string      `yaml:"name"`
		RootAccessKeys []accessKey `yaml:"rootAccessKeys"`
		Users          []struct {
			Name       string      `yaml:"name"`
			AccessKeys []accessKey `yaml:"accessKeys"`
		} `yaml:"users"`
	} `yaml:"accounts"`
}

// profilesFromOrg reads the organization file at path and returns one profile per
// principal that has an access key, named "<account name>-root" for an account's root user
// and after the user otherwise, each with the principal's first key.
func profilesFromOrg(path string) (map[string]accessKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("e2e: read organization file: %w", err)
	}
	var f orgFile
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("e2e: parse %s: %w", path, err)
	}
	profiles := map[string]accessKey{}
	add := func(name string, keys []accessKey) error {
		if len(keys) == 0 {
			return nil
		}
		if _, dup := profiles[name]; dup {
			return fmt.Errorf("e2e: %s: two principals make profile %q", path, name)
		}
		profiles[name] = keys[0]
		return nil
	}
	for _, a := range f.Accounts {
		if err := add(a.Name+"-root", a.RootAccessKeys); err != nil {
			return nil, err
		}
		for _, u := range a.Users {
			if err := add(u.Name, u.AccessKeys); err != nil {
				return nil, err
			}
		}
	}
	return profiles, nil
}

// writeAWSFiles writes an AWS CLI config and credentials file into dir with the given
// profiles and the anonymous one, and returns their paths. Retries are off so that a
// failing call fails at once and shows the server's first answer.
func writeAWSFiles(dir string, profiles map[string]accessKey) (config, creds string, err error) {
	var cfg, crd strings.Builder
	names := slices.Sorted(func(yield func(string) bool) {
		for n := range profiles {
			if !yield(n) {
				return
			}
		}
	})
	for _, n := range append(names, anonymousProfile) {
		fmt.Fprintf(&cfg, "[profile %s]\nregion = %s\nmax_attempts = 1\n\n", n, region)
	}
	for _, n := range names {
		k := profiles[n]
		fmt.Fprintf(&crd, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n",
			n, k.ID, k.Secret)
	}
	config, creds = filepath.Join(dir, "config"), filepath.Join(dir, "credentials")
	if err := os.WriteFile(config, []byte(cfg.String()), 0o600); err != nil {
		return "", "", fmt.Errorf("e2e: write aws config: %w", err)
	}
	if err := os.WriteFile(creds, []byte(crd.String()), 0o600); err != nil {
		return "", "", fmt.Errorf("e2e: write aws credentials: %w", err)
	}
	return config, creds, nil
}

// cli runs the aws command-line client against one trove endpoint.
type cli struct {
	bin      string   // path of the aws executable
	endpoint string   // value of --endpoint-url
	env      []string // the whole environment of a call, less AWS_PROFILE
}

// newCLI finds the aws client (failing the test if it is missing) and writes a profile
// for every principal with a key in the organization file orgPath.
func newCLI(t *testing.T, orgPath, endpoint string) *cli {
	t.Helper()
	bin, err := exec.LookPath("aws")
	if err != nil {
		t.Fatalf("the aws CLI is required: %v", err)
	}
	profiles, err := profilesFromOrg(orgPath)
	if err != nil {
		t.Fatal(err)
	}
	config, creds, err := writeAWSFiles(t.TempDir(), profiles)
	if err != nil {
		t.Fatal(err)
	}
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"AWS_CONFIG_FILE=" + config,
		"AWS_SHARED_CREDENTIALS_FILE=" + creds,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	return &cli{bin: bin, endpoint: endpoint, env: env}
}

// result is what one aws CLI call did.
type result struct {
	cmdline string // the call as a shell line, for messages
	stdout  string
	stderr  string
	err     error  // nil when the CLI exited 0
	code    string // error code from the CLI's last "An error occurred (CODE)" line
	debug   bool   // whether the call ran with --debug
	status  int    // HTTP status of the last response, when the call ran with --debug
}

var (
	errorCodeRE = regexp.MustCompile(`An error occurred \(([^)]+)\) when calling the \w+ operation`)
	// httpStatusRE matches urllib3's debug line for a response, as printed under --debug.
	httpStatusRE = regexp.MustCompile(`"(?:GET|PUT|HEAD|POST|DELETE) [^"]* HTTP/1\.[01]" (\d{3})`)
)

// run calls aws with profile and args; with debug it adds --debug so that the HTTP status
// of the last response can be read from stderr.
func (c *cli) run(t *testing.T, profile string, debug bool, args ...string) result {
	t.Helper()
	full := append([]string{"--endpoint-url", c.endpoint}, args...)
	if debug {
		full = append(full, "--debug")
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, full...)
	cmd.Env = append(slices.Clone(c.env), "AWS_PROFILE="+profile)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	cmdline := "AWS_PROFILE=" + profile + " aws " + strings.Join(full, " ")
	r := newResult(cmdline, stdout.String(), stderr.String(), err)
	r.debug = debug
	return r
}

// newResult reads the error code and the last HTTP status from what a call printed.
func newResult(cmdline, stdout, stderr string, err error) result {
	r := result{cmdline: cmdline, stdout: stdout, stderr: stderr, err: err}
	if m := errorCodeRE.FindAllStringSubmatch(stderr, -1); m != nil {
		r.code = m[len(m)-1][1]
	}
	if m := httpStatusRE.FindAllStringSubmatch(stderr, -1); m != nil {
		r.status, _ = strconv.Atoi(m[len(m)-1][1])
	}
	return r
}

// String shows the call and what it printed. Of a --debug run's log it keeps only the
// HTTP status lines and the error lines.
func (r result) String() string {
	var kept []string
	for line := range strings.SplitSeq(r.stderr, "\n") {
		switch {
		case r.debug && httpStatusRE.MatchString(line):
			kept = append(kept, httpStatusRE.FindString(line))
		case r.debug && !errorCodeRE.MatchString(line):
		case strings.TrimSpace(line) != "":
			kept = append(kept, line)
		}
	}
	if len(kept) > maxStderrLines {
		kept = kept[len(kept)-maxStderrLines:]
	}
	return fmt.Sprintf("%s\n  exit: %v\n  stdout: %s\n  stderr: %s", r.cmdline, r.err,
		strings.TrimSpace(r.stdout), strings.Join(kept, "\n          "))
}
