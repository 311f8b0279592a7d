package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

const promoteCatalog = `version: 1
environments:
  staging: {}
  production: {from: staging, soak: 30m, tier: production}
services:
  lib:    {kind: library, paths: [lib/**]}
  db:     {kind: migration, paths: [db/**]}
  api:    {paths: [api/**], depends_on: [db]}
  web:    {paths: [web/**], depends_on: [api]}
  worker: {paths: [worker/**], depends_on: [lib]}
  admin:  {paths: [admin/**]}
  canary: {paths: [canary/**], environments: [staging]}
`

// TestPromotion promotes a history of three releases from staging to
// production, where production is behind on some services, failed on one
// and runs a hotfix on another, and checks plan --env, gate --env and env
// diff; through the git store (a bare repository as the remote) and through
// --record FILE.
func TestPromotion(t *testing.T) {
	t.Parallel()
	for _, store := range []string{"git", "file"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			testPromotion(t, store)
		})
	}
}

func testPromotion(t *testing.T, store string) {
	r := gittest.New(t)
	c1 := r.Commit("release 1", gittest.Files{"ordo.yaml": promoteCatalog, "lib/l.go": "1", "db/1.sql": "1", "api/a.go": "1",
		"web/w.go": "1", "worker/k.go": "1", "admin/m.go": "1", "canary/c.go": "1"})
	r.Branch("hotfix")
	h := r.Commit("fix(db): hotfix straight to production", gittest.Files{"db/2.sql": "hotfix"})
	r.Checkout("main")
	c2 := r.Commit("feat(api): release 2", gittest.Files{"api/a.go": "2"})
	c3 := r.Commit("feat(worker): release 3", gittest.Files{"worker/k.go": "3", "admin/m.go": "3"})

	dir, env := r.Dir, map[string]string{}
	if store == "git" {
		remote := t.TempDir()
		gitRun(t, "", "clone", "--quiet", "--bare", r.Dir, remote)
		dir = t.TempDir()
		gitRun(t, "", "clone", "--quiet", remote, dir)
		gitRun(t, dir, "fetch", "--quiet", "origin", "hotfix")
	} else {
		env["ORDO_RECORD"] = filepath.Join(t.TempDir(), "record.jsonl")
	}
	run := func(want int, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		code := Run(context.Background(), append(args, "-C", dir), IO{In: strings.NewReader(""), Out: &out, Err: &errs}, func(k string) string { return env[k] })
		if code != want {
			t.Fatalf("ordo %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errs.String())
		}
		return out.String()
	}
	rec := func(envName, service, phase, state, sha, release string) {
		t.Helper()
		run(0, "env", "record", "--env", envName, "--service", service, "--phase", phase, "--state", state, "--sha", sha, "--release", release)
	}
	deployed := func(envName, release, sha string, verified bool, services ...string) {
		t.Helper()
		for _, s := range services {
			rec(envName, s, "deploy", "in_progress", sha, release)
			rec(envName, s, "deploy", "success", sha, release)
			if verified {
				rec(envName, s, "verify", "verified", sha, release)
			}
		}
	}
	// Release 1 everywhere; release 2 (api, and web through it) verified
	// in staging, in production web failed; production db runs a hotfix.
	// Release 3 in staging: worker verified, admin failed to deploy.
	deployed("staging", "r1", c1, true, "db", "api", "web", "worker", "admin", "canary")
	deployed("production", "r1", c1, false, "db", "api", "web", "worker", "admin")
	deployed("staging", "r2", c2, true, "api", "web")
	deployed("production", "r2", c2, false, "api")
	rec("production", "web", "deploy", "in_progress", c2, "r2")
	rec("production", "web", "deploy", "failure", c2, "r2")
	deployed("production", "hotfix", h, false, "db")
	deployed("staging", "r3", c3, true, "worker")
	rec("staging", "admin", "deploy", "in_progress", c3, "r3")
	rec("staging", "admin", "deploy", "failure", c3, "r3")

	// The plan: each service against what runs it in production.
	var p struct {
		Env, Release, Head string
		Deploy             []string
		Jobs               []struct {
			Service, SHA, Version string
			Reasons               []string
			Base                  *struct{ SHA, Version string }
		}
	}
	if err := json.Unmarshal([]byte(run(0, "plan", "--env", "production", "--format", "json")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Env != "production" || p.Head != c3 || !strings.HasPrefix(p.Release, "production-") {
		t.Errorf("plan env %q head %q release %q", p.Env, p.Head, p.Release)
	}
	// api runs c2, which head changes nothing of; canary is not in production.
	if want := []string{"admin", "db", "worker", "web"}; !sameSet(p.Deploy, want) {
		t.Fatalf("deploy = %v, want %v", p.Deploy, want)
	}
	want := map[string]struct{ base, reasons string }{
		"web":    {c1, "dependency"},      // failed at c2: c1 runs, and api changed since
		"worker": {c1, "changed"},         // behind by two releases
		"admin":  {c1, "changed"},         // changed at c3
		"db":     {h, "changed,diverged"}, // the hotfix is not in head
	}
	for _, j := range p.Jobs {
		w := want[j.Service]
		if j.Base == nil || j.Base.SHA != w.base || strings.Join(j.Reasons, ",") != w.reasons || j.SHA != c3 || j.Version == "" {
			t.Errorf("job %s: base %+v reasons %v sha %s version %q; want base %s reasons %s", j.Service, j.Base, j.Reasons, git.Short(j.SHA), j.Version, git.Short(w.base), w.reasons)
		}
	}

	// The gate: admin is not verified in staging at its code, db diverged,
	// and everything else was verified moments ago (every entry of this test
	// is written now), less than the soak of 30m. An hour later only admin
	// and db remain, and overrides waive them.
	type report struct {
		Passed     bool
		Violations []struct{ Rule, Service string }
	}
	gate := func(want int, args ...string) []string {
		t.Helper()
		var rep report
		if err := json.Unmarshal([]byte(run(want, append([]string{"gate", "--env", "production", "--format", "json"}, args...)...)), &rep); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, v := range rep.Violations {
			out = append(out, v.Rule+" "+v.Service)
		}
		return out
	}
	now := time.Now().UTC()
	if got := gate(1, "--now", now.Format(time.RFC3339)); !slices.Equal(got, []string{"env.diverged db", "env.soak db", "env.soak web", "env.soak worker", "env.unverified admin"}) {
		t.Errorf("gate now: %v", got)
	}
	later := now.Add(time.Hour).Format(time.RFC3339)
	if got := gate(1, "--now", later); !slices.Equal(got, []string{"env.diverged db", "env.unverified admin"}) {
		t.Errorf("gate an hour later: %v", got)
	}
	gate(0, "--now", later, "--override", "env.diverged=hotfix merged next", "--override", "env.unverified=admin verified by hand")

	// Parity.
	var d struct {
		Services []struct {
			Name, Status  string
			MissingIn     string `json:"missing_in"`
			Ahead, Behind *int
		}
	}
	if err := json.Unmarshal([]byte(run(0, "env", "diff", "staging", "production", "--format", "json")), &d); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range d.Services {
		line := s.Name + " " + s.Status
		switch {
		case s.Ahead != nil:
			line += " " + itoa(*s.Ahead) + "/" + itoa(*s.Behind)
		case s.MissingIn != "":
			line += " in " + s.MissingIn
		}
		got = append(got, line)
	}
	wantDiff := []string{"admin same", "api same", "canary missing in production", "db differs 0/1", "web differs 1/0", "worker differs 2/0"}
	if !slices.Equal(got, wantDiff) {
		t.Errorf("env diff:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantDiff, "\n"))
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

// TestPlanEnvShallow plans from a shallow clone: a base the clone lacks is
// fetched, and one that exists nowhere (a force push) makes its service
// base-missing instead of failing the plan.
func TestPlanEnvShallow(t *testing.T) {
	t.Parallel()
	r := gittest.New(t)
	c1 := r.Commit("one", gittest.Files{"ordo.yaml": "version: 1\nenvironments: {production: {}}\nservices:\n  api: {paths: [api/**]}\n  web: {paths: [web/**]}\n  ops: {paths: [ops/**]}\n",
		"api/a": "1", "web/w": "1", "ops/o": "1"})
	for i := range 5 {
		r.Commit("more", gittest.Files{"web/w": itoa(i)})
	}
	r.Commit("head", gittest.Files{"ops/o": "2"})
	shallow := gittest.Clone(t, r, "--depth=1")
	record := filepath.Join(t.TempDir(), "record.jsonl")
	env := func(k string) string { return map[string]string{"ORDO_RECORD": record}[k] }
	run := func(args ...string) (string, string) {
		t.Helper()
		var out, errs bytes.Buffer
		if code := Run(context.Background(), append(args, "-C", shallow.Dir), IO{In: strings.NewReader(""), Out: &out, Err: &errs}, env); code != 0 {
			t.Fatalf("ordo %s: exit %d\n%s", strings.Join(args, " "), code, errs.String())
		}
		return out.String(), errs.String()
	}
	gone := strings.Repeat("0123456789", 4)
	run("env", "record", "--env", "production", "--service", "api", "--state", "success", "--sha", c1, "--version", "1.0.0")
	run("env", "record", "--env", "production", "--service", "web", "--state", "success", "--sha", c1, "--version", "1.0.0")
	run("env", "record", "--env", "production", "--service", "ops", "--state", "success", "--sha", gone, "--version", "1.0.0")
	out, errs := run("plan", "--env", "production", "--format", "json")
	var p struct {
		Jobs []struct {
			Service string
			Reasons []string
		}
	}
	if err := json.Unmarshal([]byte(out), &p); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, j := range p.Jobs {
		got = append(got, j.Service+":"+strings.Join(j.Reasons, ","))
	}
	if !slices.Equal(got, []string{"ops:base-missing", "web:changed"}) {
		t.Errorf("jobs %v, want ops:base-missing web:changed (api unchanged since c1)\n%s", got, errs)
	}
	if !strings.Contains(errs, "is not in this clone; fetching it") || !strings.Contains(errs, "base-missing") {
		t.Errorf("stderr does not say what was fetched and what is missing:\n%s", errs)
	}
}

// TestGateEnvContracts checks contract.rollout when the services of an
// environment run different commits: each is read at its own base.
func TestGateEnvContracts(t *testing.T) {
	t.Parallel()
	cat := func(provides, consumes string) string {
		return "version: 1\nenvironments: {production: {}}\nservices:\n" +
			"  api: {paths: [api/**], provides: {users: " + provides + "}}\n" +
			"  web: {paths: [web/**], consumes: {users: \"" + consumes + "\"}}\n"
	}
	r := gittest.New(t)
	c0 := r.Commit("zero", gittest.Files{"ordo.yaml": cat("1.0.0", "^1.0"), "api/a": "0", "web/w": "0"})
	c1 := r.Commit("one", gittest.Files{"api/a": "1"})
	r.Commit("two: users 2, web moves to it", gittest.Files{"ordo.yaml": cat("2.0.0", "^2.0"), "api/a": "2", "web/w": "2"})
	record := filepath.Join(t.TempDir(), "record.jsonl")
	env := func(k string) string { return map[string]string{"ORDO_RECORD": record}[k] }
	run := func(want int, args ...string) string {
		t.Helper()
		var out, errs bytes.Buffer
		if code := Run(context.Background(), append(args, "-C", r.Dir), IO{In: strings.NewReader(""), Out: &out, Err: &errs}, env); code != want {
			t.Fatalf("ordo %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, want, out.String(), errs.String())
		}
		return out.String()
	}
	run(0, "env", "record", "--env", "production", "--service", "api", "--state", "success", "--sha", c1, "--version", "1.0.0")
	run(0, "env", "record", "--env", "production", "--service", "web", "--state", "success", "--sha", c0, "--version", "1.0.0")
	out := run(1, "gate", "--env", "production", "--format", "json")
	if !strings.Contains(out, `"rule": "contract.rollout"`) || !strings.Contains(out, `"service": "web"`) {
		t.Fatalf("gate --env does not see web (at %s, users ^1.0) broken by api 2.0.0 deploying first:\n%s", git.Short(c0), out)
	}
}
