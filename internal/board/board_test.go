package board

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/golden"
	"github.com/ordo-ci/ordo/internal/plan"
	"github.com/ordo-ci/ordo/internal/record"
)

var now = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

func sha(c byte) string { return strings.Repeat(string(c), 40) }

func wave(n int) *int { return &n }

func entry(env, svc, phase, state string, sha, version, release string, w *int, ago time.Duration) record.Entry {
	return record.Entry{Env: env, Service: svc, Phase: phase, State: state, SHA: sha, Version: version, Release: release, Wave: w, Time: now.Add(-ago)}
}

// shopInput is examples/shop's catalog with the record of three releases
// (testdata/shop-record.jsonl): the first everywhere; the second verified
// in staging and rolled back in production after payments failed its
// verification; the third deploying orders in staging.
func shopInput(t testing.TB, withPlan bool) Input {
	t.Helper()
	cat, diags, err := catalog.Load("../../examples/shop/ordo.yaml")
	if err != nil || cat == nil {
		t.Fatalf("load the shop: %v %v", err, diags)
	}
	store := record.NewFile("testdata/shop-record.jsonl")
	in := Input{Title: "shop", Record: map[string]map[string][]record.Entry{}, Now: now}
	for _, e := range cat.Environments {
		in.Environments = append(in.Environments, Environment{Name: e.Name, Tier: e.Tier, From: e.From, URL: e.URL})
		entries, err := store.Read(context.Background(), e.Name)
		if err != nil {
			t.Fatal(err)
		}
		in.Record[e.Name] = entries
	}
	for _, s := range cat.Services {
		if !s.Deployed() {
			continue
		}
		svc := Service{Name: s.Name}
		for _, e := range cat.Environments {
			if s.InEnvironment(e.Name) {
				svc.Envs = append(svc.Envs, e.Name)
			}
		}
		in.Services = append(in.Services, svc)
	}
	if withPlan {
		data, err := os.ReadFile("testdata/shop-plan.json")
		if err != nil {
			t.Fatal(err)
		}
		in.Plan = &plan.Plan{}
		if err := json.Unmarshal(data, in.Plan); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

func TestBuildShop(t *testing.T) {
	t.Parallel()
	b := Build(shopInput(t, true))
	if got := []string{b.Envs[0].Name, b.Envs[1].Name}; !slices.Equal(got, []string{"staging", "production"}) {
		t.Errorf("environments %v: staging, which production is promoted from, comes first", got)
	}
	var drifting []string
	for _, r := range b.Rows {
		if r.Drift {
			drifting = append(drifting, r.Name)
			if r.Cells[0].Differs || !r.Cells[1].Differs {
				t.Errorf("%s: staging differs %v, production %v: production, behind, is the odd one (ties go to staging)", r.Name, r.Cells[0].Differs, r.Cells[1].Differs)
			}
		}
	}
	if !slices.Equal(drifting, []string{"payments", "search"}) || b.Drifting != 2 {
		t.Errorf("drifting %v (%d), want payments and search", drifting, b.Drifting)
	}
	for _, r := range b.Rows {
		if r.Name == "payments" {
			if c := r.Cells[1]; c.Note != "after a rollback" || c.State != "verified" {
				t.Errorf("payments in production: %+v, want verified after a rollback", c)
			}
		}
		if r.Name == "orders" {
			if c := r.Cells[0]; !strings.HasPrefix(c.Pending, "deploying ") {
				t.Errorf("orders in staging: pending %q, want deploying", c.Pending)
			}
		}
	}
	var outcomes []string
	for _, r := range b.Releases {
		outcomes = append(outcomes, r.Env+" "+r.Outcome)
	}
	want := []string{"staging in progress", "production rolled back", "staging verified", "production verified", "staging verified"}
	if !slices.Equal(outcomes, want) {
		t.Errorf("releases %v, want %v", outcomes, want)
	}
	if b.Releases[1].Failed == nil || b.Releases[1].Failed[0] != "payments" {
		t.Errorf("the production release's failed services: %v", b.Releases[1].Failed)
	}
	p := b.Plan
	if p == nil || p.Source != "plan file" || len(p.Columns) != 2 {
		t.Fatalf("plan %+v, want the plan file's 2 waves", p)
	}
	if s := p.Columns[1].Boxes[0]; s.Name != "payments" || s.Status != "rolled back" {
		t.Errorf("wave 1: %+v, want payments rolled back", s)
	}
}

// TestBuild covers the cases the shop does not: drift where one
// environment runs nothing, services not listed, ties, the plan taken from
// the record.
func TestBuild(t *testing.T) {
	t.Parallel()
	envs := []Environment{{Name: "prod", From: "qa"}, {Name: "dev"}, {Name: "qa", From: "dev"}}
	rec := map[string]map[string][]record.Entry{
		"dev": {
			"api": {entry("dev", "api", "deploy", "success", sha('b'), "2.0.0", "dev-2", wave(1), time.Hour)},
			"db":  {entry("dev", "db", "deploy", "success", sha('a'), "1.0.0", "dev-2", wave(0), time.Hour)},
		},
		"qa": {
			"api": {entry("qa", "api", "deploy", "success", sha('a'), "1.0.0", "qa-1", wave(0), 50*time.Hour)},
			"db":  {entry("qa", "db", "deploy", "success", sha('a'), "1.0.0", "qa-1", wave(0), 50*time.Hour)},
		},
		"prod": {
			"api": {
				entry("prod", "api", "deploy", "success", sha('a'), "1.0.0", "prod-1", wave(0), 49*time.Hour),
				entry("prod", "api", "verify", "verified", sha('a'), "1.0.0", "prod-1", wave(0), 49*time.Hour),
			},
		},
	}
	services := []Service{{"api", []string{"dev", "prod", "qa"}}, {"db", []string{"dev", "prod", "qa"}}, {"web", []string{"dev"}}}
	b := Build(Input{Environments: envs, Services: services, Record: rec, Now: now})
	var order []string
	for _, e := range b.Envs {
		order = append(order, e.Name)
	}
	if !slices.Equal(order, []string{"dev", "qa", "prod"}) {
		t.Errorf("order %v, want dev, qa, prod", order)
	}
	cells := func(row int) string {
		var out []string
		for _, c := range b.Rows[row].Cells {
			s := fmt.Sprintf("%s:%s:%s:%v", c.Env, c.Short(), c.State, c.Differs)
			if !c.Listed {
				s = c.Env + ":n/a"
			}
			out = append(out, s)
		}
		return strings.Join(out, " ")
	}
	for i, want := range []string{
		// api: a in qa and prod, b in dev: dev is the odd one.
		"dev:bbbbbbbbbbbb:deployed:true qa:aaaaaaaaaaaa:deployed:false prod:aaaaaaaaaaaa:verified:false",
		// db: nothing in prod, where it is listed.
		"dev:aaaaaaaaaaaa:deployed:false qa:aaaaaaaaaaaa:deployed:false prod:::true",
		// web: only listed in dev, never deployed: no drift.
		"dev:::false qa:n/a prod:n/a",
	} {
		if got := cells(i); got != want {
			t.Errorf("row %s: %s, want %s", b.Rows[i].Name, got, want)
		}
	}
	if b.Rows[0].Cells[0].Age != "1h" || b.Rows[0].Cells[1].Age != "2d" {
		t.Errorf("ages %q %q, want 1h and 2d", b.Rows[0].Cells[0].Age, b.Rows[0].Cells[1].Age)
	}
	// The newest release (dev-2) is the plan: db in wave 0, api in wave 1.
	if p := b.Plan; p == nil || p.Source != "record" || p.Release != "dev-2" || len(p.Columns) != 2 || p.Columns[1].Boxes[0].Name != "api" {
		t.Errorf("plan from the record: %+v", p)
	}
}

// TestHTML checks the page's structure and escaping on the shop, against a
// golden file (go test -update rewrites it).
func TestHTML(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := HTML(&buf, Build(shopInput(t, true))); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSelfContained(t, page)
	for _, want := range []string{
		`<caption id="envs-caption">`, `<th scope="col">Service</th>`, `<th scope="row" data-name="payments">payments <span class="mark">≠`,
		`<td class="verified differs"`, `<svg xmlns="http://www.w3.org/2000/svg" role="img"`, `<title id="plan-t">Waves of release production-`,
		`↺ rolled back`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page has no %q", want)
		}
	}
	golden.Check(t, "testdata/shop.html", buf.Bytes())
}

var (
	tagRE  = regexp.MustCompile(`<[a-zA-Z][a-zA-Z0-9]*((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*/?>`)
	attrRE = regexp.MustCompile(`([^\s"'>/=]+)(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?`)
	urlRE  = regexp.MustCompile(`(?i)url\(|@import|<link\b|<iframe|<object|<embed|<img\b`)
	cspRE  = regexp.MustCompile(`<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; style-src &#39;sha256-`)
	tagsRE = regexp.MustCompile(`<script\b`)
)

// checkSelfContained: nothing on the page can load anything: no element
// that fetches, no CSS url(), one inline script, and a CSP that allows
// nothing but the page's own inline style and script.
func checkSelfContained(t testing.TB, page string) {
	t.Helper()
	for _, tag := range tagRE.FindAllStringSubmatch(page, -1) {
		for _, a := range attrRE.FindAllStringSubmatch(tag[1], -1) {
			switch strings.ToLower(a[1]) {
			case "src", "srcset", "data", "poster", "action", "formaction", "background", "xlink:href":
				t.Errorf("the page has a fetching attribute in %s", tag[0])
			}
			if strings.HasPrefix(strings.ToLower(a[1]), "on") {
				t.Errorf("the page has an event handler attribute in %s", tag[0])
			}
		}
	}
	if m := urlRE.FindString(page); m != "" {
		t.Errorf("the page loads something: %q", m)
	}
	if !cspRE.MatchString(page) {
		t.Errorf("the page has no Content-Security-Policy allowing nothing but itself")
	}
	if n := len(tagsRE.FindAllString(page, -1)); n != 1 {
		t.Errorf("%d script elements, want the one inline script", n)
	}
}

// TestHostileNames: names, shas, versions and URLs from a pull request stay
// text.
func TestHostileNames(t *testing.T) {
	t.Parallel()
	evil := `<script>alert(1)</script>"><img src=x onerror=alert(2)>`
	rec := map[string]map[string][]record.Entry{"prod": {evil: {
		{Env: "prod", Service: evil, Phase: "deploy", State: "success", SHA: evil, Version: evil, Release: evil, Wave: wave(0), Time: now, URL: "javascript:alert(3)"},
	}}}
	b := Build(Input{Title: evil, Environments: []Environment{{Name: "prod", URL: "javascript:alert(4)", Tier: evil}}, Services: []Service{{evil, []string{"prod"}}}, Record: rec, Now: now})
	var buf bytes.Buffer
	if err := HTML(&buf, b); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	checkSelfContained(t, page)
	for _, bad := range []string{"<script>alert", "<img", "javascript:alert", `"><img`} {
		if strings.Contains(page, bad) {
			t.Errorf("the page contains %q unescaped", bad)
		}
	}
	if !strings.Contains(page, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Errorf("the hostile name is not on the page as text")
	}
}

// bigInput is envs environments × services services, every third service
// drifting in the last environment.
func bigInput(envs, services int) Input {
	in := Input{Title: "big", Record: map[string]map[string][]record.Entry{}, Now: now}
	for e := range envs {
		name := fmt.Sprintf("env-%03d", e)
		in.Environments = append(in.Environments, Environment{Name: name})
		in.Record[name] = map[string][]record.Entry{}
	}
	for s := range services {
		svc := Service{Name: fmt.Sprintf("service-%03d", s)}
		for e, env := range in.Environments {
			svc.Envs = append(svc.Envs, env.Name)
			c := byte('a')
			if e == envs-1 && s%3 == 0 {
				c = 'b'
			}
			in.Record[env.Name][svc.Name] = []record.Entry{entry(env.Name, svc.Name, "deploy", "success", sha(c), "1.0.0", env.Name+"-1", wave(s%7), time.Duration(s)*time.Minute)}
		}
		in.Services = append(in.Services, svc)
	}
	return in
}

// bigPage renders bigInput(100, 500) once for the tests that need it
// (rendering 10 MB under -race takes half a minute).
var bigPage = sync.OnceValues(func() ([]byte, error) {
	var buf bytes.Buffer
	err := HTML(&buf, Build(bigInput(100, 500)))
	return buf.Bytes(), err
})

func TestHTMLSize(t *testing.T) {
	t.Parallel()
	start := time.Now()
	page, err := bigPage()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 environments × 500 services: %d bytes in %v", len(page), time.Since(start))
	if len(page) > 16<<20 {
		t.Errorf("the page is %d bytes: too big to open comfortably", len(page))
	}
	if n := strings.Count(string(page), `differs"`); n != 167 {
		t.Errorf("%d drifting cells, want 167", n)
	}
}

// BenchmarkBoard builds and writes the board of 100 environments × 500
// services (make bench).
func BenchmarkBoard(b *testing.B) {
	in := bigInput(100, 500)
	b.ReportAllocs()
	for b.Loop() {
		if err := HTML(io.Discard, Build(in)); err != nil {
			b.Fatal(err)
		}
	}
}

// TestWaves draws a plan file: lines from each service to those it
// follows, and waves longer than maxBoxes counted.
func TestWaves(t *testing.T) {
	t.Parallel()
	p := &plan.Plan{Env: "prod", Release: "prod-1", Waves: []plan.Wave{{Index: 0, Services: []string{"db"}}, {Index: 1}}}
	p.Jobs = append(p.Jobs, plan.Job{Service: "db"})
	for i := range maxBoxes + 5 {
		name := fmt.Sprintf("svc-%02d", i)
		p.Waves[1].Services = append(p.Waves[1].Services, name)
		p.Jobs = append(p.Jobs, plan.Job{Service: name, Wave: 1, After: []string{"db"}})
	}
	w := Build(Input{Plan: p, Now: now}).Plan
	if w == nil || len(w.Columns) != 2 {
		t.Fatalf("waves %+v", w)
	}
	if c := w.Columns[1]; len(c.Boxes) != maxBoxes || c.More != 5 {
		t.Errorf("wave 1 draws %d and counts %d, want %d and 5", len(c.Boxes), c.More, maxBoxes)
	}
	if len(w.Edges) != maxBoxes {
		t.Errorf("%d lines, want one from db to each drawn service (%d)", len(w.Edges), maxBoxes)
	}
	if e := w.Edges[0]; e.X1 != BoxW || e.X2 != BoxW+colGap {
		t.Errorf("the first line %+v does not join db's right side to wave 1's left", e)
	}
	if w.Summary() != "46 services in 2 waves" {
		t.Errorf("summary %q", w.Summary())
	}
}
