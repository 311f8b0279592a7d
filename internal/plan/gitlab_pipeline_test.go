package plan

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/catalog"
)

// Tests of one child pipeline's YAML (gitlab_pipeline.go): resource groups
// and the needs: fallback.

func TestResourceGroup(t *testing.T) {
	t.Parallel()
	for lock, want := range map[string]string{
		"orders-db":    "orders-db",
		"eu/primary":   "eu/primary",
		"/eu/":         "_eu_",
		"db:${ENV}":    "db___ENV_",
		"prod cluster": "prod cluster",
	} {
		t.Run(lock, func(t *testing.T) {
			t.Parallel()
			if got := resourceGroup(lock); got != want {
				t.Errorf("resourceGroup(%q) = %q, want %q", lock, got, want)
			}
		})
	}
}

func TestGitLabVariables(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, with, err string
	}{
		{"values survive quoting", `{a: "x \"y\" $HOME", b: "line1\nline2", c: "#not a comment", d: "日本", e: "yes", f: "~"}`, ""},
		// Keys that collide as variables (helm.chart and helm_chart) or
		// become one ordo sets (service) are catalog errors now, at load:
		// see catalog's testdata/invalid/ci-names.yaml.
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cat := parseCatalog(t, "vars.yaml", []byte("version: 1\nservices:\n  api:\n    with: "+tt.with+"\n"))
			p := New(cat, affectAll(cat), Options{})
			var b bytes.Buffer
			err := p.GitLab(&b, GitLabOptions{})
			if tt.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				checkGitLab(t, p, GitLabOptions{}, modeNeeds, b.Bytes())
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want %q", err, tt.err)
			}
		})
	}
}

// TestGitLabNeedsFallback plans a service that follows more than MaxNeeds
// others: the pipeline drops needs: and lets the stages order the waves.
func TestGitLabNeedsFallback(t *testing.T) {
	t.Parallel()
	cat := fanIn(t, MaxNeeds+1)
	p := New(cat, affectAll(cat), Options{})
	var b bytes.Buffer
	if err := p.GitLab(&b, GitLabOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGitLab(t, p, GitLabOptions{}, modeStages, b.Bytes())
	if bytes.Contains(b.Bytes(), []byte("\n  needs:")) || !bytes.Contains(b.Bytes(), []byte("more than the 50 needs GitLab allows")) {
		t.Errorf("want no needs and a comment saying why:\n%s", b.Bytes())
	}

	// At the limit, needs stay.
	cat = fanIn(t, MaxNeeds)
	p = New(cat, affectAll(cat), Options{})
	b.Reset()
	if err := p.GitLab(&b, GitLabOptions{}); err != nil {
		t.Fatal(err)
	}
	checkGitLab(t, p, GitLabOptions{}, modeNeeds, b.Bytes())
}

// fanIn is a catalog where "top" depends on n services.
func fanIn(tb testing.TB, n int) *catalog.Catalog {
	tb.Helper()
	var b strings.Builder
	b.WriteString("version: 1\nservices:\n  top:\n    depends_on:\n")
	for i := range n {
		fmt.Fprintf(&b, "      - dep-%03d\n", i)
	}
	for i := range n {
		fmt.Fprintf(&b, "  dep-%03d: {with: {cluster: eu-1}}\n", i)
	}
	return parseCatalog(tb, "fanin.yaml", []byte(b.String()))
}
