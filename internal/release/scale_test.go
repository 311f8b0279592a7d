package release

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// bigRepo writes, with git fast-import, a history of n commits over the
// given number of services: each commit touches one to three services, every
// 50th commit merges a five-commit side branch, and tags are cut for half
// the services at the middle and for a quarter at three quarters.
func bigRepo(tb testing.TB, services, n int) (*testRepo, []Service) {
	tb.Helper()
	r := newTestRepo(tb)
	rng := rand.New(rand.NewPCG(1, 2))
	svc := make([]Service, services)
	for i := range svc {
		svc[i] = Service{Name: fmt.Sprintf("s%03d", i), Paths: []string{fmt.Sprintf("svc/s%03d/**", i)}}
		if i%3 == 0 {
			svc[i].Paths = append(svc[i].Paths, fmt.Sprintf("!svc/s%03d/**/*.md", i))
		}
	}
	types := []string{"feat", "fix", "chore", "docs", "feat!", "perf"}
	var b bytes.Buffer
	mark := 0
	when := 1767225600
	blob := func(path, content string) {
		fmt.Fprintf(&b, "M 100644 inline %s\ndata %d\n%s\n", path, len(content)+1, content)
	}
	commit := func(branch string, from, merge int, files map[string]string) int {
		mark++
		when += 60
		msg := fmt.Sprintf("%s: change %d", types[rng.IntN(len(types))], mark)
		fmt.Fprintf(&b, "commit refs/heads/%s\nmark :%d\n", branch, mark)
		fmt.Fprintf(&b, "author T <t@ordo.invalid> %d +0000\ncommitter T <t@ordo.invalid> %d +0000\n", when, when)
		fmt.Fprintf(&b, "data %d\n%s\n", len(msg), msg)
		if from > 0 {
			fmt.Fprintf(&b, "from :%d\n", from)
		}
		if merge > 0 {
			fmt.Fprintf(&b, "merge :%d\n", merge)
		}
		keys := make([]string, 0, len(files))
		for k := range files {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			blob(k, files[k])
		}
		return mark
	}
	change := func() map[string]string {
		files := map[string]string{}
		for range 1 + rng.IntN(3) {
			ext := ".go"
			if rng.IntN(4) == 0 {
				ext = ".md"
			}
			files[fmt.Sprintf("svc/s%03d/pkg%d/f%d%s", rng.IntN(services), rng.IntN(3), rng.IntN(5), ext)] = fmt.Sprint(rng.Int())
		}
		return files
	}
	head := 0
	for i := 0; i < n; i++ {
		if i > 0 && i%50 == 0 {
			// A side branch from head, merged back with its files.
			side, merged := head, map[string]string{}
			for range 5 {
				files := change()
				side = commit("side", side, 0, files)
				for k, v := range files {
					merged[k] = v
				}
			}
			head = commit("main", head, side, merged)
			continue
		}
		head = commit("main", head, 0, change())
		switch i {
		case n / 2:
			for s := 0; s < services; s += 2 {
				fmt.Fprintf(&b, "reset refs/tags/s%03d/v1.0.0\nfrom :%d\n\n", s, head)
			}
		case 3 * n / 4:
			for s := 0; s < services; s += 4 {
				fmt.Fprintf(&b, "reset refs/tags/s%03d/v1.1.0\nfrom :%d\n\n", s, head)
			}
		}
	}
	r.gitIn(b.Bytes(), "fast-import", "--quiet")
	r.git("checkout", "-q", "main")
	return r, svc
}

// TestComputeAtScale checks the in-memory path matching and ranges against
// git's own pathspec filtering (`git log tag..HEAD -- pathspec`), service by
// service, on a history with merges.
func TestComputeAtScale(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds a large repository")
	}
	r, services := bigRepo(t, 600, 1500)
	res := compute(t, r, Config{}, services, Options{})
	if len(res.Releases) < 300 {
		t.Fatalf("only %d releases", len(res.Releases))
	}
	byName := map[string]Release{}
	for _, rel := range res.Releases {
		byName[rel.Service] = rel
	}
	for i := 0; i < len(services); i += 37 {
		s := services[i]
		args := []string{"log", "--format=%H"}
		if rel, ok := byName[s.Name]; ok && rel.PreviousTag != "" {
			args = append(args, rel.PreviousTag+"..HEAD")
		} else if tags := r.git("tag", "--list", s.Name+"/*"); tags != "" {
			lines := strings.Split(tags, "\n")
			args = append(args, lines[len(lines)-1]+"..HEAD")
		} else {
			args = append(args, "HEAD")
		}
		args = append(args, "--", "svc/"+s.Name+"/")
		if len(s.Paths) > 1 {
			args = append(args, ":(exclude,glob)svc/"+s.Name+"/**/*.md")
		}
		want := strings.Fields(r.git(args...))
		var got []string
		for _, c := range byName[s.Name].Commits {
			got = append(got, c.SHA)
		}
		if !slices.Equal(got, want) && !(len(want) > 0 && len(got) == 0 && !releasable(r, want)) {
			t.Errorf("%s: %d commits, git log says %d\n got %.8q\nwant %.8q", s.Name, len(got), len(want), got, want)
		}
	}
}

// releasable says whether any of the commits would cause a release: a
// service whose commits are all chores has no release to compare.
func releasable(r *testRepo, shas []string) bool {
	for _, sha := range shas {
		if ParseMessage(r.git("log", "-1", "--format=%B", sha)).bump() != bumpNone {
			return true
		}
	}
	return false
}

func BenchmarkCompute(b *testing.B) {
	r, services := bigRepo(b, 600, 3000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := Compute(ctx, r.repo(), Config{}, services, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
