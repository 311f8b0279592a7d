package record

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// A storeKind builds one empty record of its kind; open returns a new
// handle on it each time, as another process or CI job would have.
type storeKind struct {
	name string
	new  func(tb testing.TB) (open func() Store)
}

// storeKinds are every Store, so that what all of them promise is tested
// once, against each.
var storeKinds = []storeKind{
	{"file", func(tb testing.TB) func() Store {
		path := filepath.Join(tb.TempDir(), "record.jsonl")
		return func() Store { return NewFile(path) }
	}},
	{"git", func(tb testing.TB) func() Store {
		dir := gittest.New(tb).Dir
		return func() Store { return localGit(tb, dir, GitOptions{}) }
	}},
	{"git remote", func(tb testing.TB) func() Store {
		remote := bare(tb)
		return func() Store { return clone(tb, remote) }
	}},
}

// localGit is the git store of dir, a repository without a remote.
func localGit(tb testing.TB, dir string, o GitOptions) *Git {
	tb.Helper()
	g, err := NewGit(context.Background(), dir, o)
	if err != nil {
		tb.Fatal(err)
	}
	if g.Remote != "" {
		tb.Fatalf("Remote = %q in a repository without one", g.Remote)
	}
	return g
}

func mustAppend(tb testing.TB, s Store, e Entry) {
	tb.Helper()
	if err := s.Append(context.Background(), e); err != nil {
		tb.Fatal(err)
	}
}

func mustRead(tb testing.TB, s Store, env string) map[string][]Entry {
	tb.Helper()
	got, err := s.Read(context.Background(), env)
	if err != nil {
		tb.Fatal(err)
	}
	return got
}

// What one handle writes another reads, by environment, in the order it was
// written (the entries' times run backwards), with every field kept.
func TestStoreAppendRead(t *testing.T) {
	t.Parallel()
	for _, k := range storeKinds {
		t.Run(k.name, func(t *testing.T) {
			t.Parallel()
			open := k.new(t)
			a, b := open(), open()
			if got := mustRead(t, b, "staging"); len(got) != 0 {
				t.Fatalf("an empty record reads %v", got)
			}
			wave := 2
			prod := Entry{Env: "production", Service: "api", Phase: PhaseDeploy, State: StateSuccess, SHA: sha3,
				Version: "1.2.0", Release: "r1", Wave: &wave, Time: t0, URL: "https://ci/run/1"}
			mustAppend(t, a, entry("api", PhaseDeploy, StateInProgress, sha1))
			mustAppend(t, a, entry("web", PhaseDeploy, StateSuccess, sha2))
			mustAppend(t, b, prod)
			late := entry("api", PhaseDeploy, StateSuccess, sha1)
			late.Time = t0.Add(-1)
			mustAppend(t, a, late)

			got := mustRead(t, b, "staging")
			if len(got) != 2 || len(got["api"]) != 2 || got["api"][1].State != StateSuccess || got["web"][0].SHA != sha2 {
				t.Fatalf("staging read through the other handle = %+v", got)
			}
			p := mustRead(t, a, "production")
			if len(p) != 1 || len(p["api"]) != 1 {
				t.Fatalf("production = %+v", p)
			}
			if e := p["api"][0]; e.SHA != sha3 || e.Version != "1.2.0" || e.Release != "r1" || e.Wave == nil || *e.Wave != 2 || !e.Time.Equal(t0) || e.URL != "https://ci/run/1" {
				t.Fatalf("production api = %+v", e)
			}
		})
	}
}

// Parallel writers, through their own handles (as separate CI jobs) or one
// (goroutines of one job), on one service or a service each: every entry
// lands, each writer's in the order it wrote them.
func TestStoreParallelAppends(t *testing.T) {
	t.Parallel()
	kinds := map[string]storeKind{}
	for _, k := range storeKinds {
		kinds[k.name] = k
	}
	tests := []struct {
		kind          string
		ownHandles    bool
		oneService    bool
		writers, each int
	}{
		{"file", true, false, 16, 20},
		{"file", true, true, 8, 5},
		{"git", false, false, 8, 2},
		{"git", false, true, 6, 3}, // the compare-and-swap is update-ref's old value
		{"git remote", true, true, 6, 3},
		{"git remote", false, false, 8, 2},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%s own=%v one-service=%v", tt.kind, tt.ownHandles, tt.oneService)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			open := kinds[tt.kind].new(t)
			stores := make([]Store, tt.writers)
			stores[0] = open()
			for w := 1; w < tt.writers; w++ {
				stores[w] = stores[0]
				if tt.ownHandles {
					stores[w] = open()
				}
			}
			var wg sync.WaitGroup
			errs := make(chan error, tt.writers*tt.each)
			for w, s := range stores {
				service := "api"
				if !tt.oneService {
					service = fmt.Sprintf("svc-%d", w)
				}
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range tt.each {
						e := entry(service, PhaseDeploy, StateSuccess, sha1)
						e.Version = fmt.Sprintf("%d.%d.0", w, i)
						errs <- s.Append(context.Background(), e)
					}
				}()
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			got := mustRead(t, open(), "staging")
			if want := map[bool]int{true: 1, false: tt.writers}[tt.oneService]; len(got) != want {
				t.Fatalf("%d services, want %d", len(got), want)
			}
			var all []Entry
			for _, list := range got {
				checkOrder(t, list, tt.writers)
				all = append(all, list...)
			}
			if len(all) != tt.writers*tt.each {
				t.Fatalf("%d entries landed, want %d", len(all), tt.writers*tt.each)
			}
		})
	}
}

// checkOrder checks that each writer's versions (w.i.0) appear in list in
// the order it wrote them, none missing between.
func checkOrder(tb testing.TB, list []Entry, writers int) {
	tb.Helper()
	next := make([]int, writers)
	for _, e := range list {
		var w, i int
		if _, err := fmt.Sscanf(e.Version, "%d.%d.0", &w, &i); err != nil || w >= writers {
			tb.Fatalf("entry of no writer: %+v", e)
		}
		if i != next[w] {
			tb.Fatalf("writer %d's entry %d came where its entry %d should", w, i, next[w])
		}
		next[w]++
	}
}
