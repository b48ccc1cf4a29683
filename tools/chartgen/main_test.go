package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// committedDir is where the archives that trove's tests read are kept.
var committedDir = filepath.Join("..", "..", "testdata", "charts")

// TestGenerateMatchesCommitted regenerates every archive and requires the committed copies
// to be byte-identical, so a change to the chart source cannot go unregenerated.
func TestGenerateMatchesCommitted(t *testing.T) {
	paths, err := generate(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) != len(versions) {
		t.Fatalf("generate wrote %d archives, want %d", len(paths), len(versions))
	}
	for i, p := range paths {
		name := "hello-" + versions[i] + ".tgz"
		if filepath.Base(p) != name {
			t.Errorf("archive %d is %s, want %s", i, filepath.Base(p), name)
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(committedDir, name))
		if err != nil {
			t.Fatalf("%v (run `go run .` in tools/chartgen)", err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s differs from the committed copy; run `go run .` in tools/chartgen", name)
		}
	}
}

// TestCheckChart covers each way a loaded chart can differ from the one wanted.
func TestCheckChart(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*chart.Chart)
		wantErr string
	}{
		{name: "ok", edit: func(*chart.Chart) {}},
		{name: "v1", edit: func(c *chart.Chart) { c.Metadata.APIVersion = "v1" },
			wantErr: "apiVersion"},
		{name: "name", edit: func(c *chart.Chart) { c.Metadata.Name = "bye" }, wantErr: "name"},
		{name: "version", edit: func(c *chart.Chart) { c.Metadata.Version = "9.9.9" },
			wantErr: "version"},
		{name: "appVersion", edit: func(c *chart.Chart) { c.Metadata.AppVersion = "x" },
			wantErr: "version"},
		{name: "no template", edit: func(c *chart.Chart) { c.Templates = nil },
			wantErr: "templates"},
		{
			name: "extra template",
			edit: func(c *chart.Chart) {
				c.Templates = append(c.Templates, &common.File{Name: "templates/x.yaml"})
			},
			wantErr: "templates",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &chart.Chart{
				Metadata: &chart.Metadata{
					APIVersion: chart.APIVersionV2, Name: chartName,
					Version: "0.2.0", AppVersion: "0.2.0",
				},
				Templates: []*common.File{{Name: "templates/configmap.yaml"}},
			}
			tt.edit(c)
			err := checkChart(c, "0.2.0")
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("checkChart: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("checkChart error %v, want one mentioning %q", err, tt.wantErr)
			}
		})
	}
}
