package discover

import (
	"bytes"
	"context"
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
	"time"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/testtool"
)

// TestMatchesNxAndTurbo is the npm proof: on a generated npm workspace of
// 1,000 packages (a random DAG of dependencies and devDependencies, scoped
// names, packages nested in packages), for a series of commits (edits, a new
// file, a deletion, a rename across packages, a README, a new dependency, and
// a dozen random single-package edits), the catalog ordo init writes at each
// head affects exactly the packages that `nx show projects --affected` and
// `turbo ls --affected` report.
//
// Nx and Turborepo come from ORDO_NX_TURBO_DIR, a directory whose
// node_modules has them (npm install -D nx@24.0.6 turbo@2.11.11); the
// workspace links that node_modules and runs their binaries directly, so
// nothing is fetched. Without it the test is skipped, unless
// ORDO_REQUIRE_TOOLS=1.
func TestMatchesNxAndTurbo(t *testing.T) {
	tools := nxTurboTools(t)
	t.Parallel()
	ws, r := proofWorkspace(t, tools)

	// Each step is one commit on top of the last; base and head are its parent
	// and itself.
	rng := rand.New(rand.NewPCG(7, 7))
	pick := func(pred func(p npmPkg) bool) npmPkg {
		for {
			if p := ws.pkgs[rng.IntN(len(ws.pkgs))]; pred(p) {
				return p
			}
		}
	}
	any := func(npmPkg) bool { return true }
	nested := func(p npmPkg) bool { return strings.Contains(p.dir, "/plugins/") }
	parent := func(p npmPkg) bool {
		return slices.ContainsFunc(ws.pkgs, func(q npmPkg) bool { return strings.HasPrefix(q.dir, p.dir+"/") })
	}
	edit := func(p npmPkg, tag string) { r.write(p.dir+"/src/index.js", fmt.Sprintf("module.exports = %q;\n", tag)) }
	steps := []struct {
		name string
		do   func()
	}{
		{"edit a late package", func() { edit(ws.pkgs[len(ws.pkgs)-3], "late") }},
		{"edit an early package with many dependents", func() { edit(ws.pkgs[2], "early") }},
		{"edit three packages", func() {
			for range 3 {
				edit(pick(any), "three")
			}
		}},
		{"add a file to a nested package", func() { r.write(pick(nested).dir+"/src/extra.js", "module.exports = 0;\n") }},
		{"edit a package with a nested one, outside the nested one", func() { edit(pick(parent), "parent") }},
		{"delete a file", func() { r.git("rm", "-q", pick(any).dir+"/src/index.js") }},
		{"move a file to another package", func() {
			from, to := pick(any), pick(any)
			r.git("mv", from.dir+"/src/index.js", to.dir+"/src/moved.js")
		}},
		{"edit a README", func() { r.write(pick(any).dir+"/README.md", "# readme\n") }},
		{"add a dependency", func() {
			// The latest package gains a dependency on an early one: the
			// early one's dependents are unchanged, the latest is touched.
			p := ws.pkgs[len(ws.pkgs)-1]
			pj := ws.manifest(p, ws.pkgs[1].name)
			r.write(p.dir+"/package.json", pj)
		}},
	}
	for i := range 12 {
		steps = append(steps, struct {
			name string
			do   func()
		}{fmt.Sprintf("edit a random package (%d)", i+1), func() { edit(pick(any), fmt.Sprint("random", i)) }})
	}
	var total, sizes int
	for _, step := range steps {
		base := r.head()
		step.do()
		r.commit(step.name)
		head := r.head()
		files := r.changed(base, head)

		start := time.Now()
		f := discover(t, os.DirFS(r.dir))
		res, err := affected.NewMatcher(mustParse(t, f)).Compute(affected.Input{Files: files})
		if err != nil {
			t.Fatal(err)
		}
		ordoTime := time.Since(start)
		byName := map[string]string{}
		for _, s := range f.Services {
			byName[s.Name] = s.Dir
		}
		var ordo []string
		for _, n := range res.Names() {
			ordo = append(ordo, byName[n])
		}
		slices.Sort(ordo)

		start = time.Now()
		nx := ws.dirs(t, r.nx(base, head))
		nxTime := time.Since(start)
		start = time.Now()
		turbo := r.turbo(base, head)
		turboTime := time.Since(start)

		if !slices.Equal(ordo, nx) || !slices.Equal(ordo, turbo) {
			t.Errorf("%s (%s..%s, files %q):\n ordo  %d %q\n nx    %d %q\n turbo %d %q",
				step.name, base[:8], head[:8], files, len(ordo), ordo, len(nx), nx, len(turbo), turbo)
		}
		t.Logf("%-58s %4d affected; ordo %v, nx %v, turbo %v", step.name, len(ordo), ordoTime.Round(time.Millisecond),
			nxTime.Round(time.Millisecond), turboTime.Round(time.Millisecond))
		total++
		sizes += len(ordo)
	}
	t.Logf("%d changes compared on %d packages, %d affected packages in all", total, len(ws.pkgs), sizes)
}

// nxTurboTools is ORDO_NX_TURBO_DIR made absolute, with nx, turbo, git
// and node checked; without it the caller is skipped (testtool.Missing).
func nxTurboTools(tb testing.TB) string {
	tb.Helper()
	tools := os.Getenv("ORDO_NX_TURBO_DIR")
	if tools == "" {
		testtool.Missing(tb, "ORDO_NX_TURBO_DIR is not set: install nx@24.0.6 and turbo@2.11.11 with npm into a directory and point ORDO_NX_TURBO_DIR at it")
	}
	tools, err := filepath.Abs(tools)
	if err != nil {
		tb.Fatal(err)
	}
	for _, bin := range []string{"nx", "turbo"} {
		if _, err := os.Stat(filepath.Join(tools, "node_modules", ".bin", bin)); err != nil {
			tb.Fatalf("ORDO_NX_TURBO_DIR=%s has no node_modules/.bin/%s: run npm install -D nx@24.0.6 turbo@2.11.11 there", tools, bin)
		}
	}
	for _, bin := range []string{"git", "node"} {
		if _, err := exec.LookPath(bin); err != nil {
			tb.Fatalf("%s is not on PATH", bin)
		}
	}
	return tools
}

// proofWorkspace writes the 1,000-package workspace into a new git
// repository, its node_modules linked to tools', and commits it.
func proofWorkspace(tb testing.TB, tools string) (*npmWS, *proofRepo) {
	tb.Helper()
	root := tb.TempDir()
	ws := npmWorkspace1000(rand.New(rand.NewPCG(7, 1000)), 1000)
	writeTreeAt(tb, root, ws.files)
	if err := os.Symlink(filepath.Join(tools, "node_modules"), filepath.Join(root, "node_modules")); err != nil {
		tb.Fatal(err)
	}
	r := &proofRepo{t: tb, dir: root}
	r.git("init", "-q", "-b", "main")
	r.commit("base")
	return ws, r
}

type npmPkg struct {
	name string // package name
	dir  string
	deps []string // names
	dev  []string // names
}

type npmWS struct {
	pkgs  []npmPkg
	files map[string]string
	dir   map[string]string // name -> dir
}

// npmWorkspace1000 generates n packages: most under packages/, some nested
// in an earlier package's plugins/, one in seven scoped; each depends on up to
// three earlier ones, in dependencies or devDependencies.
func npmWorkspace1000(rng *rand.Rand, n int) *npmWS {
	ws := &npmWS{files: map[string]string{}, dir: map[string]string{}}
	for i := range n {
		p := npmPkg{name: fmt.Sprintf("pkg-%04d", i), dir: fmt.Sprintf("packages/pkg-%04d", i)}
		if i%7 == 3 {
			p.name = "@proof/" + p.name
		}
		if i > 10 && rng.IntN(30) == 0 {
			var top []npmPkg
			for _, q := range ws.pkgs {
				if !strings.Contains(q.dir, "/plugins/") {
					top = append(top, q)
				}
			}
			p.dir = fmt.Sprintf("%s/plugins/pkg-%04d", top[rng.IntN(len(top))].dir, i)
		}
		for k := rng.IntN(4); k > 0 && i > 0; k-- {
			dep := ws.pkgs[rng.IntN(i)].name
			if slices.Contains(p.deps, dep) || slices.Contains(p.dev, dep) {
				continue
			}
			if rng.IntN(3) == 0 {
				p.dev = append(p.dev, dep)
			} else {
				p.deps = append(p.deps, dep)
			}
		}
		ws.pkgs = append(ws.pkgs, p)
		ws.dir[p.name] = p.dir
		ws.files[p.dir+"/package.json"] = ws.manifest(p)
		ws.files[p.dir+"/src/index.js"] = fmt.Sprintf("module.exports = %d;\n", i)
	}
	ws.files["package.json"] = `{
  "name": "proof",
  "private": true,
  "packageManager": "npm@10.9.0",
  "workspaces": ["packages/*", "packages/*/plugins/*", "packages/*/plugins/*/plugins/*"]
}
`
	ws.files["nx.json"] = "{}\n"
	ws.files["turbo.json"] = `{"$schema": "https://turborepo.com/schema.json", "tasks": {}}` + "\n"
	ws.files[".gitignore"] = "node_modules\n.nx\n.turbo\n"
	return ws
}

// manifest is p's package.json, with extra dependencies added.
func (ws *npmWS) manifest(p npmPkg, extra ...string) string {
	m := map[string]any{"name": p.name, "version": "1.0.0", "main": "src/index.js"}
	deps := map[string]string{}
	for _, d := range append(slices.Clone(p.deps), extra...) {
		deps[d] = "*"
	}
	if len(deps) > 0 {
		m["dependencies"] = deps
	}
	if len(p.dev) > 0 {
		dev := map[string]string{}
		for _, d := range p.dev {
			dev[d] = "*"
		}
		m["devDependencies"] = dev
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	return string(b) + "\n"
}

// dirs maps Nx project names (package names) to directories, sorted.
func (ws *npmWS) dirs(tb testing.TB, names []string) []string {
	tb.Helper()
	var out []string
	for _, n := range names {
		d, ok := ws.dir[n]
		if !ok {
			if n == "proof" { // the root package, when Nx counts it
				continue
			}
			tb.Fatalf("nx reports %q, which is not a generated package", n)
		}
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}

type proofRepo struct {
	t   testing.TB
	dir string
}

func (r *proofRepo) run(env []string, name string, args ...string) []byte {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = r.dir
	cmd.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		r.t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, out, stderr.String())
	}
	return out
}

func (r *proofRepo) git(args ...string) string {
	r.t.Helper()
	env := []string{"GIT_AUTHOR_NAME=ordo", "GIT_AUTHOR_EMAIL=ordo@example.com", "GIT_COMMITTER_NAME=ordo",
		"GIT_COMMITTER_EMAIL=ordo@example.com", "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}
	return string(r.run(env, "git", args...))
}

func (r *proofRepo) commit(msg string) {
	r.t.Helper()
	r.git("add", "-A")
	r.git("commit", "-q", "--no-verify", "-m", msg)
}

func (r *proofRepo) head() string { return strings.TrimSpace(r.git("rev-parse", "HEAD")) }

func (r *proofRepo) write(name, content string) {
	r.t.Helper()
	writeTreeAt(r.t, r.dir, map[string]string{name: content})
}

// changed lists the files changed from base to head; a rename counts at both
// paths, as ordo's change package does.
func (r *proofRepo) changed(base, head string) []string {
	r.t.Helper()
	var out []string
	for _, f := range strings.Split(r.git("diff", "--name-only", "-z", "--no-renames", base, head), "\x00") {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

func (r *proofRepo) nx(base, head string) []string {
	r.t.Helper()
	out := r.run([]string{"NX_DAEMON=false", "NX_NO_CLOUD=true", "NX_TUI=false", "NX_SKIP_NX_CACHE=true"},
		filepath.Join(r.dir, "node_modules", ".bin", "nx"), "show", "projects", "--affected", "--base="+base, "--head="+head, "--json")
	i := bytes.IndexByte(out, '[')
	var names []string
	if i < 0 || json.Unmarshal(bytes.TrimSpace(out[i:]), &names) != nil {
		r.t.Fatalf("nx printed no JSON list:\n%s", out)
	}
	return names
}

func (r *proofRepo) turbo(base, head string) []string {
	r.t.Helper()
	out := r.run([]string{"TURBO_SCM_BASE=" + base, "TURBO_SCM_HEAD=" + head, "TURBO_TELEMETRY_DISABLED=1", "DO_NOT_TRACK=1",
		"TURBO_NO_UPDATE_NOTIFIER=1", "TURBO_PRINT_VERSION_DISABLED=1"},
		filepath.Join(r.dir, "node_modules", ".bin", "turbo"), "ls", "--affected", "--output=json")
	i := bytes.IndexByte(out, '{')
	var res struct {
		Packages struct {
			Items []struct{ Name, Path string }
		}
	}
	if i < 0 || json.Unmarshal(out[i:], &res) != nil {
		r.t.Fatalf("turbo printed no JSON:\n%s", out)
	}
	var dirs []string
	for _, it := range res.Packages.Items {
		if it.Path == "" || it.Path == "." {
			continue // the root package
		}
		dirs = append(dirs, path.Clean(filepath.ToSlash(it.Path)))
	}
	slices.Sort(dirs)
	return dirs
}
