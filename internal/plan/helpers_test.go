package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/graph"
)

func parseCatalog(tb testing.TB, name string, src []byte) *catalog.Catalog {
	tb.Helper()
	c, diags := catalog.Parse(name, src)
	if errs := diags.Errors(); len(errs) > 0 {
		tb.Fatalf("catalog %s: %v", name, errs)
	}
	return c
}

func loadCatalog(tb testing.TB, file string) *catalog.Catalog {
	tb.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", file))
	if err != nil {
		tb.Fatal(err)
	}
	return parseCatalog(tb, file, src)
}

// affectAll marks every service affected with the given reason, as --all does.
func affectAll(cat *catalog.Catalog) *affected.Result {
	set := make([]bool, len(cat.Services))
	for i := range set {
		set[i] = true
	}
	return affectSet(cat, set, nil)
}

// affectSet builds a result by hand, so tests can affect any subset, closed
// under propagation or not. direct[i] gives service i the reason "changed",
// otherwise "dependency".
func affectSet(cat *catalog.Catalog, set, direct []bool) *affected.Result {
	res := &affected.Result{Set: set}
	for i, s := range cat.Services {
		if !set[i] {
			continue
		}
		r := affected.Reason{Type: affected.ReasonAll}
		if direct != nil {
			r = affected.Reason{Type: affected.ReasonDependency, Via: []string{"x", s.Name}}
			if direct[i] {
				r = affected.Reason{Type: affected.ReasonChanged, Files: []string{s.Name + "/main.go"}}
			}
		}
		res.Services = append(res.Services, affected.Service{Name: s.Name, Kind: s.Kind, Reasons: []affected.Reason{r}})
	}
	return res
}

// checkPlan asserts every property a plan promises, against oracles that
// walk the catalog's order graph directly.
func checkPlan(tb testing.TB, cat *catalog.Catalog, aff *affected.Result, maxWave int, p *Plan) {
	tb.Helper()
	if maxWave <= 0 {
		maxWave = DefaultMaxWave
	}
	if p.Schema != Schema {
		tb.Errorf("schema = %q", p.Schema)
	}
	n := len(cat.Services)
	var wantAffected []string
	deployed := make([]bool, n)
	if aff != nil {
		wantAffected = aff.Names()
		for i, s := range cat.Services {
			deployed[i] = aff.Set[i] && s.Deployed()
		}
	}
	if !slices.Equal(p.Affected, wantAffected) {
		tb.Errorf("affected = %v, want %v", p.Affected, wantAffected)
	}

	// Every deployed service exactly once, waves numbered and non-empty,
	// jobs and deploy in wave-then-name order.
	waveOf := map[string]int{}
	var flat []string
	for w, wave := range p.Waves {
		if wave.Index != w {
			tb.Errorf("wave %d has index %d", w, wave.Index)
		}
		if len(wave.Services) == 0 || len(wave.Services) > maxWave {
			tb.Errorf("wave %d has %d services, want 1..%d", w, len(wave.Services), maxWave)
		}
		if !slices.IsSorted(wave.Services) {
			tb.Errorf("wave %d is not sorted by name: %v", w, wave.Services)
		}
		locks := map[string]string{}
		for _, name := range wave.Services {
			if prev, dup := waveOf[name]; dup {
				tb.Errorf("%s is in waves %d and %d", name, prev, w)
			}
			waveOf[name] = w
			flat = append(flat, name)
			s := cat.Service(name)
			if s == nil {
				tb.Fatalf("wave %d names unknown service %q", w, name)
			}
			if s.Critical && len(wave.Services) != 1 {
				tb.Errorf("critical %s shares wave %d with %v", name, w, wave.Services)
			}
			if s.Lock != "" {
				if other, ok := locks[s.Lock]; ok {
					tb.Errorf("%s and %s share lock %q and wave %d", other, name, s.Lock, w)
				}
				locks[s.Lock] = name
			}
		}
	}
	for i, s := range cat.Services {
		if _, ok := waveOf[s.Name]; ok != deployed[i] {
			tb.Errorf("%s: planned = %v, want %v (affected %v, kind %s)", s.Name, ok, deployed[i], aff != nil && aff.Set[i], s.Kind)
		}
	}
	if !slices.Equal(p.Deploy, flat) {
		tb.Errorf("deploy = %v, want the waves flattened %v", p.Deploy, flat)
	}
	if len(p.Jobs) != len(p.Deploy) {
		tb.Fatalf("%d jobs for %d deployed services", len(p.Jobs), len(p.Deploy))
	}

	// Rollback is the waves reversed.
	if len(p.Rollback) != len(p.Waves) {
		tb.Errorf("%d rollback waves for %d waves", len(p.Rollback), len(p.Waves))
	} else {
		for i, rb := range p.Rollback {
			w := p.Waves[len(p.Waves)-1-i]
			if rb.Index != i || !slices.Equal(rb.Services, w.Services) {
				tb.Errorf("rollback[%d] = %+v, want index %d and %v", i, rb, i, w.Services)
			}
		}
	}

	g := catalog.OrderGraph(cat)
	level := map[string]int{}
	for k, j := range p.Jobs {
		s := cat.Service(j.Service)
		if j.Service != p.Deploy[k] || j.Wave != waveOf[j.Service] || j.Kind != s.Kind || j.Critical != s.Critical || j.Lock != s.Lock {
			tb.Errorf("job %d = %+v does not match deploy[%d] = %s in wave %d", k, j, k, p.Deploy[k], waveOf[p.Deploy[k]])
		}
		if j.After == nil || j.With == nil || j.Reasons == nil {
			tb.Errorf("job %s has a nil list or map", j.Service)
		}
		x := cat.Index(j.Service)
		// Oracle for after: breadth-first from x, not walking past deployed nodes.
		var nearest []string
		seen := make([]bool, n)
		queue := slices.Clone(g.Out[x])
		for len(queue) > 0 {
			y := queue[0]
			queue = queue[1:]
			if seen[y] {
				continue
			}
			seen[y] = true
			if deployed[y] {
				nearest = append(nearest, cat.Services[y].Name)
				continue
			}
			queue = append(queue, g.Out[y]...)
		}
		slices.Sort(nearest)
		if !slices.Equal(j.After, nearest) {
			tb.Errorf("%s: after = %v, want %v", j.Service, j.After, nearest)
		}
		// Every ordering pair, through any chain: everything x reaches that
		// is deployed deploys in an earlier wave.
		for _, y := range reach(g, x) {
			if deployed[y] && waveOf[cat.Services[y].Name] >= j.Wave {
				tb.Errorf("%s (wave %d) must deploy after %s (wave %d)", j.Service, j.Wave, cat.Services[y].Name, waveOf[cat.Services[y].Name])
			}
		}
		// Jobs come in deploy order, so the level of every after is known.
		l := 0
		for _, a := range j.After {
			l = max(l, level[a]+1)
		}
		level[j.Service] = l
	}

	// No wave is wasted: each wave holds one level, levels rise with the
	// waves, and a level takes one wave per critical service plus the fewest
	// waves that keep locks apart and fit maxWave.
	type stats struct{ waves, critical, jobs, maxLock int }
	perLevel := map[int]*stats{}
	type levelLock struct {
		level int
		lock  string
	}
	lockCount := map[levelLock]int{}
	prevLevel := 0
	for w, wave := range p.Waves {
		l := level[wave.Services[0]]
		if l < prevLevel {
			tb.Errorf("wave %d holds level %d after level %d", w, l, prevLevel)
		}
		prevLevel = l
		st := perLevel[l]
		if st == nil {
			st = &stats{}
			perLevel[l] = st
		}
		st.waves++
		for _, name := range wave.Services {
			if level[name] != l {
				tb.Errorf("wave %d mixes levels %d and %d", w, l, level[name])
			}
			s := cat.Service(name)
			switch {
			case s.Critical:
				st.critical++
			default:
				st.jobs++
				if s.Lock != "" {
					key := levelLock{l, s.Lock}
					lockCount[key]++
					st.maxLock = max(st.maxLock, lockCount[key])
				}
			}
		}
	}
	for l, st := range perLevel {
		if want := st.critical + max(st.maxLock, (st.jobs+maxWave-1)/maxWave); st.waves != want {
			tb.Errorf("level %d takes %d waves, want %d (%+v)", l, st.waves, want, *st)
		}
	}

	warned := slices.ContainsFunc(p.Warnings, func(w string) bool { return strings.Contains(w, "flat matrix") })
	if warned != (len(p.Jobs) > maxWave) {
		tb.Errorf("flat matrix warning = %v with %d jobs and max %d", warned, len(p.Jobs), maxWave)
	}
	checkNoNull(tb, p)
	checkMatrices(tb, p)
}

// reach returns every node reachable from x by one edge or more.
func reach(g *graph.Graph, x int) []int {
	seen := make([]bool, g.Len())
	stack := slices.Clone(g.Out[x])
	var out []int
	for len(stack) > 0 {
		y := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[y] {
			continue
		}
		seen[y] = true
		out = append(out, y)
		stack = append(stack, g.Out[y]...)
	}
	return out
}

// checkNoNull asserts the JSON document has no null anywhere: empty lists
// are [] and empty maps {}, so consumers never need a null check.
func checkNoNull(tb testing.TB, p *Plan) {
	tb.Helper()
	var doc any
	if err := json.Unmarshal(indentJSON(tb, p), &doc); err != nil {
		tb.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch v := v.(type) {
		case nil:
			tb.Errorf("plan JSON has null at %s", path)
		case map[string]any:
			for k, x := range v {
				walk(path+"."+k, x)
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", path, i), x)
			}
		}
	}
	walk("$", doc)
}

// checkMatrices asserts the flat and per-wave matrices carry the jobs.
func checkMatrices(tb testing.TB, p *Plan) {
	tb.Helper()
	m := p.Matrix()
	if m.Include == nil || len(m.Include) != len(p.Jobs) {
		tb.Fatalf("matrix has %d jobs, want %d", len(m.Include), len(p.Jobs))
	}
	waves := p.WaveMatrices()
	if waves == nil || len(waves) != len(p.Waves) {
		tb.Fatalf("%d wave matrices for %d waves", len(waves), len(p.Waves))
	}
	k := 0
	for i, wm := range waves {
		for t, mj := range wm.Include {
			if mj.Service != p.Waves[i].Services[t] || mj.Wave != i || !reflect.DeepEqual(mj, m.Include[k]) {
				tb.Errorf("wave matrix %d job %d = %+v, want %s in wave %d", i, t, mj, p.Waves[i].Services[t], i)
			}
			k++
		}
	}
}

// indentJSON is v as ordo writes it (render.JSON, which this package cannot
// import): indented, HTML characters as written, a final newline.
func indentJSON(tb testing.TB, v any) []byte {
	tb.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}
