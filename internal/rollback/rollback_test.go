package rollback

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/record"
)

// sha makes a full sha from a letter: "a" -> "aaaa...".
func sha(c string) string { return strings.Repeat(c, 40) }

// history builds one service's entries from lines "RELEASE PHASE STATE SHA
// [wave]", oldest first; the version is "v" + the sha letter, and release
// "-" means none.
func history(tb testing.TB, service string, lines ...string) []record.Entry {
	tb.Helper()
	var out []record.Entry
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) < 4 {
			tb.Fatalf("bad line %q", l)
		}
		e := record.Entry{Env: "prod", Service: service, Release: f[0], Phase: f[1], State: f[2], SHA: sha(f[3]), Version: "v" + f[3],
			Time: time.Date(2026, 1, 1, 0, i, 0, 0, time.UTC)}
		if e.Release == "-" {
			e.Release = ""
		}
		if len(f) > 4 {
			w, _ := strconv.Atoi(f[4])
			e.Wave = &w
		}
		if err := e.Validate(); err != nil {
			tb.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

func TestTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		lines  []string
		target string // sha letter, "" for null
		reason string
	}{
		{"previous success", []string{"Q deploy success a", "R deploy in_progress b", "R deploy success b"}, "a", ReasonPrevious},
		{"verified entries do not count", []string{"Q deploy success a", "Q verify verified a", "R deploy success b", "R verify failure b"}, "a", ReasonPrevious},
		{"never deployed", []string{"R deploy in_progress b", "R deploy failure b"}, "", ReasonNeverDeployed},
		{"another release's failure first", []string{"Q deploy success a", "P deploy failure c", "R deploy success b"}, "", ReasonUnknown},
		{"another release in progress first", []string{"Q deploy success a", "P deploy in_progress c", "R deploy success b"}, "", ReasonUnknown},
		{"a rolled back release is skipped", []string{
			"Q deploy success a", "P deploy success c", "P verify failure c", "P rollback rolled_back c", "P rollback success a", "R deploy success b"}, "a", ReasonPrevious},
		{"rolled back sha skipped even in another release", []string{
			"Q deploy success a", "P deploy success c", "S deploy success c", "P rollback rolled_back c", "R deploy success b"}, "a", ReasonPrevious},
		{"an entry written outside a release counts", []string{"- deploy success a", "R deploy success b"}, "a", ReasonPrevious},
		{"R's own rollback does not change the answer", []string{
			"Q deploy success a", "R deploy success b", "R rollback rolled_back b", "R rollback success a"}, "a", ReasonPrevious},
		{"the same sha redeployed by R", []string{"Q deploy success a", "R deploy success a", "R rollback rolled_back a", "R rollback success a"}, "a", ReasonPrevious},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, reason := Target(history(t, "api", tt.lines...), "R")
			want := ""
			if tt.target != "" {
				want = sha(tt.target)
			}
			if (got == nil) != (want == "") || got != nil && got.SHA != want || reason != tt.reason {
				t.Errorf("got %v %q, want %q %q", got, reason, tt.target, tt.reason)
			}
		})
	}
}

const shop = `version: 1
services:
  db: {kind: migration, paths: [db/**]}
  old-db: {kind: migration, paths: [olddb/**], reversible: false}
  api: {paths: [api/**], depends_on: [db, old-db], with: {cluster: eu-1}}
  web: {paths: [web/**], depends_on: [api]}
  worker: {paths: [worker/**], depends_on: [db]}
  search: {paths: [search/**]}
`

func cat(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	c, diags := catalog.Parse("ordo.yaml", []byte(shop))
	if c == nil {
		tb.Fatal(diags)
	}
	return c
}

// record of a release R over four waves: db and old-db (0), api and worker
// (1), web (2); R failed in wave 2. search was untouched by R; worker was
// redeployed by another release since.
func releaseR(tb testing.TB) map[string][]record.Entry {
	return map[string][]record.Entry{
		"db":     history(tb, "db", "Q deploy success a 0", "R deploy success b 0"),
		"old-db": history(tb, "old-db", "Q deploy success a 0", "R deploy success b 0"),
		"api":    history(tb, "api", "Q deploy success a 1", "R deploy success b 1", "R verify verified b 1"),
		"worker": history(tb, "worker", "Q deploy success a 1", "R deploy success b 1", "T deploy success c"),
		"web":    history(tb, "web", "R deploy in_progress b 2", "R deploy failure b 2"),
		"search": history(tb, "search", "Q deploy success a"),
	}
}

func TestNew(t *testing.T) {
	t.Parallel()
	c := cat(t)
	r, err := New(Input{Env: "prod", Release: "R", Entries: releaseR(t), Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(r.Waves)
	if want := `[{"index":0,"services":["api"]},{"index":1,"services":["db"]}]`; string(got) != want {
		t.Errorf("waves %s, want %s", got, want)
	}
	var lines []string
	for _, s := range r.Services {
		target := "null"
		if s.Target != nil {
			target = s.Target.Version
		}
		lines = append(lines, fmt.Sprintf("%s w%d %s->%s %s irreversible=%v job=%v", s.Name, s.Wave, s.From.Version, target, s.Reason, s.Irreversible, s.Job))
	}
	want := []string{
		"web w2 vb->null never-deployed irreversible=false job=false",
		"api w1 vb->va previous irreversible=false job=true",
		"db w0 vb->va previous irreversible=false job=true",
		"old-db w0 vb->va irreversible irreversible=true job=false",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("services:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if strings.Join(r.Left, ",") != "web" || strings.Join(r.Superseded, ",") != "worker" {
		t.Errorf("left %v superseded %v", r.Left, r.Superseded)
	}

	// --include-irreversible: old-db rolls back with db.
	r2, err := New(Input{Env: "prod", Release: "R", Entries: releaseR(t), Catalog: c, IncludeIrreversible: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := json.Marshal(r2.Waves); string(got) != `[{"index":0,"services":["api"]},{"index":1,"services":["db","old-db"]}]` {
		t.Errorf("with irreversible: waves %s", got)
	}

	// The plan's jobs: targets, ORDO_ROLLBACK through with:, wave order.
	p := r.Plan(c)
	jobs, _ := json.Marshal(p.Jobs)
	for _, want := range []string{
		`"service":"api","wave":0`, `"sha":"` + sha("a") + `","version":"va"`, `"with":{"cluster":"eu-1","rollback":"true"}`,
		`"service":"db","wave":1,"kind":"migration","critical":false,"changed":false,"reasons":["rollback"],"after":["api"]`,
	} {
		if !strings.Contains(string(jobs), want) {
			t.Errorf("jobs lack %s:\n%s", want, jobs)
		}
	}
}

// After the rollback jobs ran (they append rolled_back and success with
// R's id), the answer is the same.
func TestNewTwice(t *testing.T) {
	t.Parallel()
	c := cat(t)
	entries := releaseR(t)
	first, err := New(Input{Env: "prod", Release: "R", Entries: entries, Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range first.Services {
		if !s.Job {
			continue
		}
		entries[s.Name] = append(entries[s.Name],
			history(t, s.Name, "R rollback rolled_back "+s.From.SHA[:1], "R rollback success "+s.Target.SHA[:1])...)
	}
	second, err := New(Input{Env: "prod", Release: "R", Entries: entries, Catalog: c})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := json.Marshal(first)
	b, _ := json.Marshal(second)
	if string(a) != string(b) {
		t.Errorf("computed twice:\n%s\n%s", a, b)
	}
}

func TestNewUnknownRelease(t *testing.T) {
	t.Parallel()
	_, err := New(Input{Env: "prod", Release: "nope", Entries: releaseR(t), Catalog: cat(t)})
	if err == nil || !strings.Contains(err.Error(), `release "nope" deployed nothing in prod`) {
		t.Errorf("got %v", err)
	}
}
