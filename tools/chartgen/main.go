// Chartgen writes the Helm chart archives that trove's tests store as artifacts.
//
// It packages the chart embedded under chart/hello at every version in [versions] with
// Helm's own Go library (the code behind `helm package` and `helm lint`), checks each
// archive by loading and linting it, and writes hello-<version>.tgz into the output
// directory, ../../testdata/charts by default (the main module's testdata/charts when run
// from this directory). File times inside the archives are pinned to [epoch], so a rerun
// writes identical bytes.
//
// chartgen is a module of its own because Helm pulls in the Kubernetes client modules,
// which the trove server must not depend on.
//
// Package main is the whole tool: run it with `go run .` from this directory.
package main

import (
	"embed"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"helm.sh/helm/v4/pkg/action"
	"helm.sh/helm/v4/pkg/chart/loader"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// chartFS holds the source of the hello chart.
//
//go:embed chart/hello
var chartFS embed.FS

// chartName is the name in chart/hello/Chart.yaml and the prefix of every archive.
const chartName = "hello"

// versions are the chart versions written, one archive each; appVersion follows version.
var versions = []string{"0.1.0", "0.2.0", "1.0.0"}

// epoch is the modification time stamped on every file inside the archives.
var epoch = time.Date(2024, time.January, 1, 0, 0, 0, 0, time.UTC)

func main() {
	out := flag.String("out", filepath.Join("..", "..", "testdata", "charts"),
		"directory the chart archives are written to")
	flag.Parse()
	if err := run(*out, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run writes every version of the chart into outDir and prints each archive's path to w.
func run(outDir string, w io.Writer) error {
	paths, err := generate(outDir)
	if err != nil {
		return err
	}
	for _, p := range paths {
		fmt.Fprintln(w, p)
	}
	return nil
}

// generate packages, loads and lints every version of the chart into outDir and returns
// the archive paths in the order of versions.
func generate(outDir string) ([]string, error) {
	src, err := os.MkdirTemp("", "chartgen-")
	if err != nil {
		return nil, fmt.Errorf("chartgen: temp dir: %w", err)
	}
	defer os.RemoveAll(src)
	dir, err := materialize(src)
	if err != nil {
		return nil, err
	}
	var paths []string
	for _, v := range versions {
		p, err := packageVersion(dir, v, outDir)
		if err != nil {
			return nil, err
		}
		if err := verify(p, v); err != nil {
			return nil, err
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// materialize copies the embedded chart into parent and returns the chart's directory,
// since Helm's packager reads a chart from disk.
func materialize(parent string) (string, error) {
	sub, err := fs.Sub(chartFS, "chart")
	if err != nil {
		return "", fmt.Errorf("chartgen: embedded chart: %w", err)
	}
	if err := os.CopyFS(parent, sub); err != nil {
		return "", fmt.Errorf("chartgen: copy chart source: %w", err)
	}
	return filepath.Join(parent, chartName), nil
}

// packageVersion packages the chart in dir at version into outDir, as `helm package
// --version V --app-version V` does, and returns the archive's path.
func packageVersion(dir, version, outDir string) (string, error) {
	p := action.NewPackage()
	p.Version = version
	p.AppVersion = version
	p.Destination = outDir
	stamp := epoch
	p.SourceDateEpoch = &stamp
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return "", fmt.Errorf("chartgen: output dir: %w", err)
	}
	path, err := p.Run(dir, nil)
	if err != nil {
		return "", fmt.Errorf("chartgen: package %s %s: %w", chartName, version, err)
	}
	return path, nil
}

// verify loads the archive at path back with Helm's loader, checks its name, version and
// template, and lints it strictly (warnings count as errors).
func verify(path, version string) error {
	loaded, err := loader.Load(path)
	if err != nil {
		return fmt.Errorf("chartgen: load %s: %w", path, err)
	}
	ch, ok := loaded.(*chart.Chart)
	if !ok {
		return fmt.Errorf("chartgen: %s: not an apiVersion v2 chart", path)
	}
	if err := checkChart(ch, version); err != nil {
		return fmt.Errorf("chartgen: %s: %w", path, err)
	}
	lint := action.NewLint()
	lint.Strict = true
	if res := lint.Run([]string{path}, nil); len(res.Errors) > 0 {
		return fmt.Errorf("chartgen: lint %s: %v", path, res.Errors)
	}
	return nil
}

// checkChart reports how ch differs from the hello chart at version, or nil.
func checkChart(ch *chart.Chart, version string) error {
	md := ch.Metadata
	switch {
	case md.APIVersion != chart.APIVersionV2:
		return fmt.Errorf("apiVersion %q, want %q", md.APIVersion, chart.APIVersionV2)
	case md.Name != chartName:
		return fmt.Errorf("name %q, want %q", md.Name, chartName)
	case md.Version != version || md.AppVersion != version:
		return fmt.Errorf("version %q appVersion %q, want %q", md.Version, md.AppVersion, version)
	case len(ch.Templates) != 1 || ch.Templates[0].Name != "templates/configmap.yaml":
		return fmt.Errorf("templates %v, want only templates/configmap.yaml", templateNames(ch))
	}
	return nil
}

// templateNames lists the names of ch's templates.
func templateNames(ch *chart.Chart) []string {
	names := make([]string, 0, len(ch.Templates))
	for _, t := range ch.Templates {
		names = append(names, t.Name)
	}
	return names
}
