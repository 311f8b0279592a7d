package gate

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
	"github.com/ordo-ci/ordo/internal/golden"
)

const billingSpec = `openapi: 3.0.3
info: {title: billing, version: 1.2.0}
paths:
  /invoices:
    get:
      responses:
        "200": {description: ok}
  /invoices/{id}:
    delete:
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
      responses:
        "204": {description: deleted}
`

const eventsSpec = `openapi: 3.0.3
info: {title: events, version: 0.1.0}
paths: {}
`

const (
	renderBase = `services:
  users-db: {kind: migration}
  users-api:
    depends_on: [users-db]
    provides: {users: 2.4.0}
  billing:
    provides: {billing: 1.2.0}
  orders:
    consumes: {users: ^2.1, billing: ^1.2}
contracts:
  billing: {spec: services/billing/openapi.yaml}
policy:
  freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]
  migration_windows: [{days: [tue, wed, thu], from: "06:00", to: "09:00", tz: UTC}]
  max_deploy: 3
`
	renderHead = `services:
  users-db: {kind: migration}
  users-api:
    depends_on: [users-db]
    provides: {users: 3.0.0, events: 0.1.0}
  billing:
    provides: {billing: 1.3.0}
  orders:
    consumes: {users: ^2.1, billing: ^1.2}
contracts:
  billing: {spec: services/billing/openapi.yaml}
  events: {spec: services/users/events.yaml}
policy:
  freeze: [{name: weekend, days: [sat, sun], tz: Europe/Berlin}]
  migration_windows: [{days: [tue, wed, thu], from: "06:00", to: "09:00", tz: UTC}]
  max_deploy: 3
`
)

// renderReport is a release that breaks every rule: its report is the one
// the golden files show.
func renderReport(tb testing.TB) *Report {
	tb.Helper()
	repo := gittest.New(tb)
	base := repo.Commit("base", gittest.Files{"ordo.yaml": "version: 1\n" + renderBase, "services/billing/openapi.yaml": billingSpec})
	head := repo.Commit("head", gittest.Files{
		"ordo.yaml":                     "version: 1\n" + renderHead,
		"services/billing/openapi.yaml": billingSpec[:strings.Index(billingSpec, "  /invoices/{id}:")],
		"services/users/events.yaml":    eventsSpec,
	})
	flag, err := ParseOverride(`policy.freeze="hotfix INC-42 | approved"`)
	if err != nil {
		tb.Fatal(err)
	}
	return check(tb, Input{
		Base:      parseCatalog(tb, renderBase),
		Head:      parseCatalog(tb, renderHead),
		Waves:     [][]string{{"users-db"}, {"billing", "users-api"}, {"orders"}},
		Now:       at(tb, "2026-03-07T10:00:00Z"), // a Saturday
		Overrides: append([]Override{flag}, LabelOverrides([]string{"ordo:override:policy.max_deploy"}, 42)...),
		Specs:     GitSpecs{Repo: git.Repo{Dir: repo.Dir}, BaseRev: base, HeadRev: head},
	})
}

// TestReportGolden keeps the reports the rules produce as ordo.gate/v1
// documents; internal/render's tests render these same documents as text
// and Markdown.
func TestReportGolden(t *testing.T) {
	t.Parallel()
	reports := map[string]*Report{
		"failed": renderReport(t),
		"passed": check(t, Input{Head: parseCatalog(t, shop("2.4.0", "^2.1")), Base: parseCatalog(t, shop("2.4.0", "^2.1")), Waves: [][]string{{"orders"}}}),
	}
	for name, r := range reports {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			golden.Check(t, filepath.Join("testdata", name+".json"), reportJSON(t, r))
		})
	}
}

// reportJSON is the report as ordo writes it (render.JSON, which this
// package cannot import): indented, HTML characters as written.
func reportJSON(tb testing.TB, r *Report) []byte {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestJSONContract checks the fields SPEC.md promises and that violations
// are sorted by rule and service.
func TestJSONContract(t *testing.T) {
	t.Parallel()
	b := bytes.NewBuffer(reportJSON(t, renderReport(t)))
	var doc struct {
		Schema     string `json:"schema"`
		Passed     *bool  `json:"passed"`
		Violations []struct {
			Rule, Service, Message, File string
			Line                         int
		} `json:"violations"`
		Overrides []struct {
			Rule, Reason, Source string
			Violations           *int
		} `json:"overrides"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Schema != "ordo.gate/v1" || doc.Passed == nil || *doc.Passed {
		t.Errorf("schema %q, passed %v", doc.Schema, doc.Passed)
	}
	var keys []string
	for i, v := range doc.Violations {
		if v.Rule == "" || v.Service == "" || v.Message == "" || v.File == "" {
			t.Errorf("violation %d lacks rule, service, message or file: %+v", i, v)
		}
		keys = append(keys, v.Rule+" "+v.Service)
	}
	want := []string{
		"contract.breaking billing",
		"contract.rollout orders",
		"contract.unsatisfied orders",
		"policy.freeze billing",
		"policy.max_deploy billing",
		"policy.migration_window users-db",
	}
	if strings.Join(keys, "\n") != strings.Join(want, "\n") {
		t.Errorf("violations\n%s\nwant\n%s", strings.Join(keys, "\n"), strings.Join(want, "\n"))
	}
	if len(doc.Overrides) != 2 || doc.Overrides[0].Source != "flag" || doc.Overrides[1].Source != "label" || doc.Overrides[0].Violations == nil {
		t.Errorf("overrides %+v", doc.Overrides)
	}
}
