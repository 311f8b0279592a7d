package cli

import (
	"context"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/catalog/catalogtest"
)

// benchRepo is a generated monorepo: the catalog is catalogtest.Realistic
// (services svcNNNN owning services/svcNNNN/**, each depending on 2 to 8
// earlier ones, with contracts and with: maps), and a second commit
// changes `files` files across them.
type benchRepo struct {
	dir, base, head string
}

var (
	benchMu    sync.Mutex
	benchRepos = map[[2]int]*benchRepo{}
)

// makeBenchRepo makes the repository for a size, once. It is removed when
// owner ends: the whole benchmark, not the sub-benchmark b, whose cleanups
// run after the first of -count's runs.
func makeBenchRepo(b, owner testing.TB, services, files int) *benchRepo {
	b.Helper()
	benchMu.Lock()
	defer benchMu.Unlock()
	key := [2]int{services, files}
	if r, ok := benchRepos[key]; ok {
		return r
	}
	dir, err := os.MkdirTemp("", "ordo-bench-")
	if err != nil {
		b.Fatal(err)
	}
	owner.Cleanup(func() { os.RemoveAll(dir) })
	rng := rand.New(rand.NewSource(int64(services)))
	write := func(path, content string) {
		p := filepath.Join(dir, path)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=b", "GIT_AUTHOR_EMAIL=b@b", "GIT_COMMITTER_NAME=b", "GIT_COMMITTER_EMAIL=b@b", "GIT_CONFIG_NOSYSTEM=1", "HOME="+dir)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	write("ordo.yaml", string(catalogtest.Realistic(services)))
	for i := 0; i < services; i++ {
		write(fmt.Sprintf("services/svc%04d/main.go", i), "package main\n")
	}
	git("init", "-q", "-b", "main")
	git("add", "-A")
	git("commit", "-q", "-m", "initial")
	base := git("rev-parse", "HEAD")
	for f := 0; f < files; f++ {
		write(fmt.Sprintf("services/svc%04d/pkg%d/file%d.go", rng.Intn(services), f%7, f), "package pkg\n")
	}
	git("add", "-A")
	git("commit", "-q", "-m", "change")
	git("repack", "-adq") // as a clone is: packed, not 40,000 loose objects
	r := &benchRepo{dir: dir, base: base, head: git("rev-parse", "HEAD")}
	benchRepos[key] = r
	return r
}

// BenchmarkAffected runs `ordo affected` on generated monorepos (catalogs
// with depends_on lists, contracts and with: maps: catalogtest.Realistic)
// next to `git diff --name-only` over the same range, in the same loop, and
// reports the ratio of their times (x-git-diff). Issue 12's target: at most
// 2 at 4,000 services and 20,000 changed files, growing no faster than git
// diff from 1,000 to 4,000.
func BenchmarkAffected(b *testing.B) {
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	TuneGC(os.Getenv) // as the binary does
	for _, size := range []struct{ services, files int }{{1000, 20000}, {2000, 20000}, {4000, 20000}} {
		parent := b
		b.Run(fmt.Sprintf("services=%d/files=%d", size.services, size.files), func(b *testing.B) {
			r := makeBenchRepo(b, parent, size.services, size.files)
			args := []string{"affected", "-C", r.dir, "--base", r.base, "--head", r.head, "--format", "json"}
			env := func(string) string { return "" }
			// One untimed run of each first: the first git diff after the
			// repository is made reads what is not yet in the page cache.
			gitDiff := func() {
				cmd := exec.Command("git", "diff", "--name-only", r.base, r.head)
				cmd.Dir = r.dir
				if err := cmd.Run(); err != nil {
					b.Fatal(err)
				}
			}
			gitDiff()
			if code := Run(context.Background(), args, IO{In: strings.NewReader(""), Out: io.Discard, Err: os.Stderr}, env); code != 0 {
				b.Fatalf("ordo affected exited %d", code)
			}
			var ordoTime, gitTime time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				// Neither measurement pays for the garbage of the other:
				// each starts on a collected heap, as a fresh process does.
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				gitDiff()
				gitTime += time.Since(start)

				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				start = time.Now()
				if code := Run(context.Background(), args, IO{In: strings.NewReader(""), Out: io.Discard, Err: os.Stderr}, env); code != 0 {
					b.Fatalf("ordo affected exited %d", code)
				}
				ordoTime += time.Since(start)
			}
			b.ReportMetric(float64(ordoTime)/float64(gitTime), "x-git-diff")
			b.ReportMetric(float64(ordoTime.Milliseconds())/float64(b.N), "ms-ordo/op")
			b.ReportMetric(float64(gitTime.Milliseconds())/float64(b.N), "ms-git-diff/op")
		})
	}
}
