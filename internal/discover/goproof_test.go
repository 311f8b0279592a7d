package discover

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// TestMatchesGoModuleGraph is the Go proof: on generated workspaces of 30
// modules (nested ones among them) that require each other through replace
// directives, a change to any one module's file affects, by the catalog ordo
// init writes, exactly the modules whose module graph (go mod graph, run by
// the go command in workspace mode) reaches that module; a change to go.work
// affects all of them.
func TestMatchesGoModuleGraph(t *testing.T) {
	goBin := testtool.Find(t, "", "go")
	t.Parallel()
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			writeTreeAt(t, root, goWorkspace(rand.New(rand.NewPCG(seed, 30)), 30))

			dirOf, rdeps := goModuleGraph(t, goBin, root)
			f := discover(t, os.DirFS(root))
			nameDir := map[string]string{}
			var found []string
			for _, s := range f.Services {
				nameDir[s.Name] = s.Dir
				found = append(found, s.Dir)
			}
			var modDirs []string
			for _, d := range dirOf {
				modDirs = append(modDirs, d)
			}
			slices.Sort(found)
			slices.Sort(modDirs)
			if !slices.Equal(found, modDirs) {
				t.Fatalf("discovered services in %q, go list -m finds modules in %q", found, modDirs)
			}
			m := affected.NewMatcher(mustParse(t, f))

			changes := []string{"go.work"}
			for _, d := range modDirs {
				changes = append(changes, path.Join(d, "x.go"))
			}
			for _, file := range changes {
				want := goAffected(file, dirOf, rdeps)
				res, err := m.Compute(affected.Input{Files: []string{file}})
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, n := range res.Names() {
					got = append(got, nameDir[n])
				}
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Errorf("change to %s:\n ordo affects     %q\n module graph has %q", file, got, want)
				}
			}
			t.Logf("%d changes compared with go mod graph over %d modules", len(changes), len(modDirs))
		})
	}
}

func writeTreeAt(tb testing.TB, root string, files map[string]string) {
	tb.Helper()
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}

// goWorkspace generates n modules under services/, libs/ and nested
// libs/*/plugins/, each requiring a random few of the earlier ones with a
// replace to its directory, and a go.work that uses them all.
func goWorkspace(rng *rand.Rand, n int) map[string]string {
	files := map[string]string{}
	dirs := make([]string, n)
	for i := range n {
		switch {
		case i > 4 && rng.IntN(5) == 0:
			// Nested inside an earlier library: its files are not the parent's.
			parent := dirs[rng.IntN(i)]
			dirs[i] = fmt.Sprintf("%s/plugins/p%02d", parent, i)
		case rng.IntN(2) == 0:
			dirs[i] = fmt.Sprintf("libs/l%02d", i)
		default:
			dirs[i] = fmt.Sprintf("services/s%02d", i)
		}
	}
	var work strings.Builder
	work.WriteString("go 1.22\n\nuse (\n")
	for i, dir := range dirs {
		fmt.Fprintf(&work, "\t./%s\n", dir)
		var mod strings.Builder
		fmt.Fprintf(&mod, "module example.com/mono/%s\n\ngo 1.22\n", dir)
		var reqs []int
		for j := range i {
			if rng.IntN(8) == 0 && len(reqs) < 4 {
				reqs = append(reqs, j)
			}
		}
		if len(reqs) > 0 {
			mod.WriteString("\nrequire (\n")
			for _, j := range reqs {
				fmt.Fprintf(&mod, "\texample.com/mono/%s v0.0.0\n", dirs[j])
			}
			mod.WriteString(")\n\n")
			for _, j := range reqs {
				rel, _ := filepath.Rel(dir, dirs[j])
				fmt.Fprintf(&mod, "replace example.com/mono/%s => %s\n", dirs[j], "./"+filepath.ToSlash(rel))
			}
		}
		files[dir+"/go.mod"] = mod.String()
		files[dir+"/x.go"] = fmt.Sprintf("package %s\n", path.Base(dir))
	}
	work.WriteString(")\n")
	files["go.work"] = work.String()
	return files
}

// goModuleGraph asks the go command for the workspace's modules (path ->
// repository-relative directory) and the reverse edges of its module graph.
func goModuleGraph(tb testing.TB, goBin, root string) (map[string]string, map[string][]string) {
	tb.Helper()
	run := func(flags string, args ...string) []byte {
		cmd := exec.Command(goBin, args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GOWORK="+filepath.Join(root, "go.work"), "GOPROXY=off", "GOTOOLCHAIN=local",
			"GOFLAGS="+flags, "GOSUMDB=off", "GONOSUMCHECK=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			tb.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
		}
		return out
	}
	dirOf := map[string]string{}
	dec := json.NewDecoder(bytes.NewReader(run("", "list", "-m", "-json", "all")))
	for dec.More() {
		var m struct {
			Path string
			Dir  string
			Main bool
		}
		if err := dec.Decode(&m); err != nil {
			tb.Fatal(err)
		}
		if !m.Main {
			continue
		}
		rel, err := filepath.Rel(root, m.Dir)
		if err != nil {
			tb.Fatal(err)
		}
		dirOf[m.Path] = filepath.ToSlash(rel)
	}
	rdeps := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(run("-mod=mod", "mod", "graph")))
	for sc.Scan() {
		from, to, ok := strings.Cut(sc.Text(), " ")
		if !ok {
			continue
		}
		from, _, _ = strings.Cut(from, "@")
		to, _, _ = strings.Cut(to, "@")
		if _, ok := dirOf[from]; !ok {
			continue
		}
		if _, ok := dirOf[to]; !ok || from == to {
			continue
		}
		rdeps[to] = append(rdeps[to], from)
	}
	return dirOf, rdeps
}

// goAffected is the reference answer: the module that contains file (the
// innermost, as the go command decides) and every module whose module graph
// reaches it; every module for go.work.
func goAffected(file string, dirOf map[string]string, rdeps map[string][]string) []string {
	var out []string
	if file == "go.work" {
		for _, d := range dirOf {
			out = append(out, d)
		}
		slices.Sort(out)
		return out
	}
	owner := ""
	for p, d := range dirOf {
		if strings.HasPrefix(file, d+"/") && (owner == "" || len(d) > len(dirOf[owner])) {
			owner = p
		}
	}
	seen := map[string]bool{owner: true}
	queue := []string{owner}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		out = append(out, dirOf[n])
		for _, m := range rdeps[n] {
			if !seen[m] {
				seen[m] = true
				queue = append(queue, m)
			}
		}
	}
	slices.Sort(out)
	return out
}
