package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/golden"
)

// realisticChange touches a library, both migrations, a service that is
// ordered only through an unaffected one, and one ordered only through a
// library; the Markdown file is ignored.
var realisticChange = []string{
	"README.md",
	"db/orders/0007_add_status.sql",
	"db/users/0042_add_index.sql",
	"libs/auth/token.go",
	"services/dashboard/main.go",
	"web/index.ts",
}

func TestGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		catalog string
		files   []string
		// mode is the child pipeline's: with a critical service the
		// stages order every wave; without one, needs: do.
		mode gitlabMode
	}{
		{"realistic", "realistic.yaml", realisticChange, modeStages},
		{"realistic-needs", "realistic-needs.yaml", realisticChange, modeNeeds},
		{"empty", "realistic.yaml", nil, modeNeeds},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cat := loadCatalog(t, tt.catalog)
			aff, err := affected.NewMatcher(cat).Compute(affected.Input{Files: tt.files})
			if err != nil {
				t.Fatal(err)
			}
			p := New(cat, aff, Options{})
			checkPlan(t, cat, aff, 0, p)

			var gl bytes.Buffer
			golden.Check(t, filepath.Join("testdata", tt.name+".plan.json"), indentJSON(t, p))
			golden.Check(t, filepath.Join("testdata", tt.name+".github.json"), indentJSON(t, p.Matrix()))
			if err := p.GitLab(&gl, GitLabOptions{}); err != nil {
				t.Fatal(err)
			}
			checkGitLab(t, p, GitLabOptions{}, tt.mode, gl.Bytes())
			golden.Check(t, filepath.Join("testdata", tt.name+".gitlab.yml"), gl.Bytes())

		})
	}
}

// TestRealisticOrder spells out what the golden files encode, so that a
// wrong -update cannot slip through unread.
func TestRealisticOrder(t *testing.T) {
	t.Parallel()
	cat := loadCatalog(t, "realistic.yaml")
	aff, err := affected.NewMatcher(cat).Compute(affected.Input{Files: realisticChange})
	if err != nil {
		t.Fatal(err)
	}
	p := New(cat, aff, Options{})
	want := [][]string{
		{"billing", "orders-db"}, // locks ledger and db-primary split over two waves
		{"invoices", "users-db"},
		{"payments"},  // critical, alone
		{"users-api"}, // critical, alone
		{"dashboard", "orders", "web"},
	}
	var got [][]string
	for _, w := range p.Waves {
		got = append(got, w.Services)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("waves = %v, want %v", got, want)
	}
	after := map[string][]string{}
	changed := map[string]bool{}
	for _, j := range p.Jobs {
		after[j.Service] = j.After
		changed[j.Service] = j.Changed
	}
	for svc, want := range map[string][]string{
		"dashboard": {"users-api"},              // through the unaffected reports
		"web":       {"users-api"},              // through the library users-client, which consumes users
		"orders":    {"orders-db", "users-api"}, // a non-propagating edge still orders
		"users-api": {"users-db"},               // auth is a library: nothing to wait for
		"billing":   {},
	} {
		if !slices.Equal(after[svc], want) {
			t.Errorf("%s after = %v, want %v", svc, after[svc], want)
		}
	}
	if !changed["dashboard"] || changed["orders"] {
		t.Errorf("changed: dashboard %v (want true), orders %v (want false)", changed["dashboard"], changed["orders"])
	}
	if want := []string{"auth", "billing", "dashboard", "invoices", "orders", "orders-db", "payments", "users-api", "users-db", "web"}; !slices.Equal(p.Affected, want) {
		t.Errorf("affected = %v, want %v", p.Affected, want)
	}
}

func TestEdgeCases(t *testing.T) {
	t.Parallel()
	independent := func(n int, extra string) func(testing.TB) *catalog.Catalog {
		return func(tb testing.TB) *catalog.Catalog {
			var b strings.Builder
			b.WriteString("version: 1\nservices:\n")
			for i := range n {
				fmt.Fprintf(&b, "  svc-%04d: {%s}\n", i, extra)
			}
			return parseCatalog(tb, "independent.yaml", []byte(b.String()))
		}
	}
	chain := func(n int) func(testing.TB) *catalog.Catalog {
		return func(tb testing.TB) *catalog.Catalog {
			var b strings.Builder
			b.WriteString("version: 1\nservices:\n  link-0000: {}\n")
			for i := 1; i < n; i++ {
				fmt.Fprintf(&b, "  link-%04d: {depends_on: [link-%04d]}\n", i, i-1)
			}
			return parseCatalog(tb, "chain.yaml", []byte(b.String()))
		}
	}
	fromYAML := func(src string) func(testing.TB) *catalog.Catalog {
		return func(tb testing.TB) *catalog.Catalog { return parseCatalog(tb, "edge.yaml", []byte(src)) }
	}
	tests := []struct {
		name    string
		catalog func(testing.TB) *catalog.Catalog
		affect  func(*catalog.Catalog) *affected.Result // nil: everything
		maxWave int
		sizes   []int // wave sizes
	}{
		{
			name:    "nothing affected",
			catalog: independent(3, ""),
			affect:  func(*catalog.Catalog) *affected.Result { return nil },
			sizes:   nil,
		},
		{
			name:    "empty affected result",
			catalog: independent(3, ""),
			affect:  func(c *catalog.Catalog) *affected.Result { return affectSet(c, make([]bool, len(c.Services)), nil) },
			sizes:   nil,
		},
		{
			name:    "only libraries affected",
			catalog: independent(4, "kind: library"),
			sizes:   nil,
		},
		{
			name:    "all critical",
			catalog: independent(7, "critical: true"),
			sizes:   []int{1, 1, 1, 1, 1, 1, 1},
		},
		{
			name:    "600 independent services",
			catalog: independent(600, ""),
			sizes:   []int{256, 256, 88},
		},
		{
			name:    "600 sharing one lock",
			catalog: independent(600, "lock: db"),
			sizes:   slices.Repeat([]int{1}, 600),
		},
		{
			name:    "chain 200 deep",
			catalog: chain(200),
			sizes:   slices.Repeat([]int{1}, 200),
		},
		{
			name: "locks spread with the fewest waves",
			catalog: fromYAML(`version: 1
services:
  a: {lock: x}
  b: {lock: x}
  c: {lock: x}
  d: {lock: y}
  e: {lock: y}
  f: {}
  g: {}
  h: {critical: true, lock: x}
`),
			maxWave: 3,
			// x takes three waves, y the two least loaded of them, f and g
			// fill the first waves with room; the critical h comes last, alone.
			sizes: []int{3, 3, 1, 1},
		},
		{
			name: "order through a library and an unaffected service",
			catalog: fromYAML(`version: 1
services:
  db: {kind: migration}
  lib: {kind: library, depends_on: [db]}
  mid: {depends_on: [lib]}
  top: {depends_on: [mid]}
`),
			affect: func(c *catalog.Catalog) *affected.Result {
				return affectSet(c, []bool{true, true, false, true}, []bool{true, false, false, false})
			},
			sizes: []int{1, 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cat := tt.catalog(t)
			var aff *affected.Result
			if tt.affect != nil {
				aff = tt.affect(cat)
			} else {
				aff = affectAll(cat)
			}
			p := New(cat, aff, Options{MaxWave: tt.maxWave})
			checkPlan(t, cat, aff, tt.maxWave, p)
			var sizes []int
			for _, w := range p.Waves {
				sizes = append(sizes, len(w.Services))
			}
			if !slices.Equal(sizes, tt.sizes) {
				t.Errorf("wave sizes = %v, want %v", sizes, tt.sizes)
			}
			checkGitLabFiles(t, p, GitLabOptions{File: "ordo-child.yml", PlanJob: "ordo-plan"})
		})
	}
}

// TestChainAfter checks the deep chain job by job: each link follows the
// one before, and rollback undoes them from the top.
func TestChainAfter(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString("version: 1\nservices:\n  link-0000: {}\n")
	for i := 1; i < 200; i++ {
		fmt.Fprintf(&b, "  link-%04d: {depends_on: [link-%04d]}\n", i, i-1)
	}
	cat := parseCatalog(t, "chain.yaml", []byte(b.String()))
	p := New(cat, affectAll(cat), Options{})
	for i, j := range p.Jobs {
		want := []string{}
		if i > 0 {
			want = []string{fmt.Sprintf("link-%04d", i-1)}
		}
		if j.Wave != i || !slices.Equal(j.After, want) {
			t.Fatalf("job %d = %s wave %d after %v, want wave %d after %v", i, j.Service, j.Wave, j.After, i, want)
		}
	}
	if got := p.Rollback[0].Services; !slices.Equal(got, []string{"link-0199"}) {
		t.Errorf("rollback starts with %v", got)
	}
}

// TestProperties runs the plan's promises over random DAGs: orders through
// any chain, critical services alone, locks apart, waves within the limit
// and no more of them than needed, rollback reversed, every deployed service
// once, the same answer every time and whatever order the catalog is written
// in, and a child pipeline that GitLab can run.
func TestProperties(t *testing.T) {
	t.Parallel()
	const iterations = 300
	for seed := range int64(iterations) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewSource(seed))
			s := shape{
				n:           []int{0, 1, 2, 5, 20, 60, 150, 300}[r.Intn(8)],
				library:     r.Float64() * 0.3,
				migration:   r.Float64() * 0.2,
				critical:    []float64{0, 0.05, 0.3, 1}[r.Intn(4)],
				locked:      r.Float64() * 0.5,
				locks:       r.Intn(6),
				maxDeps:     r.Intn(5),
				noPropagate: r.Float64() * 0.3,
				provide:     r.Float64() * 0.3,
				consume:     r.Float64() * 0.3,
				with:        r.Float64() * 0.5,
			}
			maxWave := []int{0, 1, 2, 3, 7, 16}[r.Intn(6)]
			density := []float64{0, 0.1, 0.5, 0.9, 1}[r.Intn(5)]
			genSeed := r.Int63()

			cat := genCatalog(t, rand.New(rand.NewSource(genSeed)), s)
			set := make([]bool, len(cat.Services))
			direct := make([]bool, len(cat.Services))
			for i := range set {
				set[i] = r.Float64() < density
				direct[i] = r.Intn(2) == 0
			}
			aff := affectSet(cat, set, direct)

			p := New(cat, aff, Options{MaxWave: maxWave})
			checkPlan(t, cat, aff, maxWave, p)
			o := GitLabOptions{}
			if r.Intn(2) == 0 {
				o = GitLabOptions{Template: ".deploy", TemplateFile: "ci/deploy.yml"}
			}
			var gl bytes.Buffer
			if err := p.GitLab(&gl, o); err != nil {
				t.Fatal(err)
			}
			checkGitLab(t, p, o, modeOf, gl.Bytes())

			// Same input, same output.
			again := New(cat, aff, Options{MaxWave: maxWave})
			if !reflect.DeepEqual(p, again) {
				t.Fatal("two plans of the same input differ")
			}
			var gl2 bytes.Buffer
			if err := again.GitLab(&gl2, o); err != nil || !bytes.Equal(gl.Bytes(), gl2.Bytes()) {
				t.Fatalf("two child pipelines of the same plan differ (%v)", err)
			}
			// The same catalog written in another order plans the same.
			s.shuffleDeclared = true
			shuffled := genCatalog(t, rand.New(rand.NewSource(genSeed)), s)
			if p2 := New(shuffled, affectSet(shuffled, set, direct), Options{MaxWave: maxWave}); !reflect.DeepEqual(jsonOf(t, p), jsonOf(t, p2)) {
				t.Fatal("the plan depends on the order services are declared in")
			}
		})
	}
}

func jsonOf(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// realisticShape is a large monorepo: about 10% libraries and 5%
// migrations, a few critical services, locks on shared databases, contracts,
// and with: maps on a third of the services.
func realisticShape(n int) shape {
	return shape{
		n: n, library: 0.10, migration: 0.05, critical: 0.02, locked: 0.08, locks: 40,
		maxDeps: 4, noPropagate: 0.15, provide: 0.15, consume: 0.2, with: 0.3, longNames: true,
	}
}

func BenchmarkPlan(b *testing.B) {
	cat := genCatalog(b, rand.New(rand.NewSource(4000)), realisticShape(4000))
	aff := affectAll(cat)
	b.Run("new", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			New(cat, aff, Options{})
		}
	})
	p := New(cat, aff, Options{})
	// 4,000 jobs are more than GitLab runs in one pipeline: the plan is
	// written as several child pipelines, as the plan job writes it.
	b.Run("gitlab", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := p.GitLabFiles(GitLabOptions{File: "child.yml", PlanJob: "plan"}); err != nil {
				b.Fatal(err)
			}
		}
	})
}
