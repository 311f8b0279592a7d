package e2e

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestActDeployWaves runs the deploy workflows a user copies (the example
// in .github/workflows and the README's) the way a user's repository would,
// with act on this machine: a push event, the plan job using
// `ordo-ci/ordo/actions/plan@v1` (mapped to a copy of this checkout, so the
// action installs ordo by building that source), one job per wave and
// wave-rest for the waves past them. It checks from the job logs and step
// summaries that every planned service was deployed once, in its wave,
// after every service it must follow; that a docs-only push deploys
// nothing; that a plan with more waves than wave jobs deploys them all; that
// a push is planned from the tag deployed/main, which the last job moves
// through the API, rather than from the push's own commits.
func TestActDeployWaves(t *testing.T) {
	act := tool(t, "ORDO_ACT", "act")
	tool(t, "", "jq") // wave-rest reads the plan file with jq, as GitHub's runners have it
	workflows := []struct {
		path     string
		maxWaves int
	}{
		{".github/workflows/example-deploy.yml", 6},
		{".github/workflows/deploy.yml", 3}, // the README's
	}
	ci := repoFiles(t, workflows[0].path)
	ci[workflows[1].path] = readmeFiles(t)[workflows[1].path]
	repo := newMonorepo(t, "https://github.com/acme/shop.git", ci, "chain")
	src := t.TempDir()
	copySources(t, src)
	home := t.TempDir() // shared by the runs: act's tool cache keeps the first run's build
	refs := newRefsAPI(t, "acme/shop", "ghs-deploy")
	env := append(goEnv(t),
		"HOME="+home,
		// act runs jobs on this machine and hands them its environment:
		// the build inside the plan job must not reach the network.
		"GOPROXY=off", "GOTOOLCHAIN=local", "GOFLAGS=-mod=readonly",
	)
	change := ordoPlan(t, repo.Dir, repo.init, repo.change)
	if len(change.Deploy) < 4 || len(change.Jobs) == 0 || change.Jobs[len(change.Jobs)-1].Wave != 2 {
		t.Fatalf("the fixture's change should deploy 4 or more services in 3 waves, the plan has %+v", change)
	}
	if p := ordoPlan(t, repo.Dir, repo.change, repo.docs); len(p.Deploy) != 0 {
		t.Fatalf("a docs change should deploy nothing, the plan has %v", p.Deploy)
	}
	chain := ordoPlan(t, repo.Dir, repo.docs, repo.chain)
	if len(chain.Deploy) != 7 {
		t.Fatalf("the chain should deploy 7 services in 7 waves, the plan has %v", chain.Deploy)
	}
	sinceInit := ordoPlan(t, repo.Dir, repo.init, repo.chain)

	built := false
	// actPush runs a push of before..after with the tag deployed/main at
	// deployed (none when empty), as a checkout with fetch-depth: 0 has it.
	actPush := func(t *testing.T, workflow, deployed, before, after string) result {
		t.Helper()
		repo.Git("update-ref", "-d", "refs/tags/deployed/main")
		if deployed != "" {
			repo.Git("tag", "deployed/main", deployed)
		}
		// On GitHub the run's checkout is the pushed commit.
		repo.Git("checkout", "-q", after)
		refs.reset()
		event := filepath.Join(t.TempDir(), "event.json")
		writeFile(t, event, fmt.Sprintf(`{"ref":"refs/heads/main","before":%q,"after":%q,"repository":{"default_branch":"main","full_name":"acme/shop"}}`, before, after), 0o644)
		start := time.Now()
		r := run(t, repo.Dir, env, 5*time.Minute, act, "push",
			"-e", event,
			"-W", workflow,
			"-P", "ubuntu-latest=-self-hosted",
			"--no-cache-server",
			"--local-repository", "ordo-ci/ordo@v1="+src,
			"--env", "ORDO_FROM_SOURCE=true",
			"--env", "GITHUB_API_URL="+refs.URL+"/api/v3",
			"-s", "GITHUB_TOKEN="+refs.token,
		)
		t.Logf("act push %s..%s: exit %d in %s", before[:7], after[:7], r.code, time.Since(start).Round(time.Millisecond))
		if testing.Verbose() {
			t.Log(r.out)
		}
		if strings.Contains(r.out, "building ordo v1+source") {
			built = true
		}
		return r
	}
	// movedTag checks that the last job moved deployed/main, and only on success.
	movedTag := func(t *testing.T, r result) {
		t.Helper()
		head := strings.TrimSpace(repo.Git("rev-parse", "HEAD"))
		if got := refs.tag("deployed/main"); got != head {
			t.Errorf("deployed/main is %q after the run, want the run's commit %s\n%s", got, head, r.out)
		}
	}

	for _, w := range workflows {
		t.Run(filepath.Base(w.path), func(t *testing.T) {
			t.Run("change", func(t *testing.T) {
				r := actPush(t, w.path, "", repo.init, repo.change)
				if r.code != 0 {
					t.Fatalf("act: exit %d\n%s", r.code, r.out)
				}
				checkDeploys(t, r.out, change, w.maxWaves)
				// The with: value "x\nEOF\nfoo=bar" travels as JSON; no output foo appears.
				if strings.Contains(r.out, "::set-output:: foo=") {
					t.Errorf("a with: value injected the output foo:\n%s", r.out)
				}
				if !strings.Contains(r.out, "Summary - ### ordo plan:") {
					t.Errorf("the plan job wrote no step summary:\n%s", r.out)
				}
				movedTag(t, r)
			})
			t.Run("docs only", func(t *testing.T) {
				r := actPush(t, w.path, repo.change, repo.change, repo.docs)
				if r.code != 0 {
					t.Fatalf("act: exit %d\n%s", r.code, r.out)
				}
				if !strings.Contains(r.out, "::set-output:: wave-count=0") || !strings.Contains(r.out, "::set-output:: has-deploy=false") {
					t.Errorf("the plan should say wave-count=0 and has-deploy=false:\n%s", r.out)
				}
				if events := deployEvents(r.out); len(events) > 0 {
					t.Errorf("nothing should deploy, the log has %v", events)
				}
				if strings.Contains(r.out, "/wave-") {
					t.Errorf("a wave job ran for an empty plan:\n%s", r.out)
				}
				movedTag(t, r)
			})
			t.Run("more waves than jobs", func(t *testing.T) {
				r := actPush(t, w.path, "", repo.docs, repo.chain)
				if r.code != 0 {
					t.Fatalf("act: exit %d\n%s", r.code, r.out)
				}
				checkDeploys(t, r.out, chain, w.maxWaves)
				movedTag(t, r)
			})
			t.Run("from the last successful deploy", func(t *testing.T) {
				// The runs of change and docs were cancelled or failed: the
				// tag is still at init, and this push deploys all since.
				r := actPush(t, w.path, repo.init, repo.docs, repo.chain)
				if r.code != 0 {
					t.Fatalf("act: exit %d\n%s", r.code, r.out)
				}
				checkDeploys(t, r.out, sinceInit, w.maxWaves)
				movedTag(t, r)
			})
		})
	}
	if !built {
		t.Errorf("the plan action never built ordo from the action's source")
	}
}

// goEnv is the Go cache locations of this machine, so that the builds inside
// act (whose HOME is a scratch directory) reuse them.
func goEnv(tb testing.TB) []string {
	tb.Helper()
	out, err := exec.Command("go", "env", "-json", "GOCACHE", "GOMODCACHE", "GOPATH").Output()
	if err != nil {
		tb.Fatalf("go env: %v", err)
	}
	var vars map[string]string
	if err := json.Unmarshal(out, &vars); err != nil {
		tb.Fatal(err)
	}
	env := make([]string, 0, len(vars))
	for k, v := range vars {
		env = append(env, k+"="+v)
	}
	slices.Sort(env)
	return env
}

// deployEvent is a line of a deploy step: "deploying api (wave 2)" or
// "deployed api (wave 2)", in the job "wave-2" (or "wave-2-1", a matrix
// job), at line index of act's log.
type deployEvent struct {
	job, what, service string
	wave, index        int
}

var deployLine = regexp.MustCompile(`^\[[^/\]]+/(wave-\d+|wave-rest)(?:-\d+)?\s*\]\s+\| (deploying|deployed) (\S+) \(wave (\d+)\)\s*$`)

func deployEvents(log string) []deployEvent {
	var events []deployEvent
	for i, line := range strings.Split(log, "\n") {
		m := deployLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		wave, _ := strconv.Atoi(m[4])
		events = append(events, deployEvent{job: m[1], what: m[2], service: m[3], wave: wave, index: i})
	}
	return events
}

// checkDeploys checks act's log against the plan: each service deployed
// exactly once, by the job of its wave (wave-rest from wave jobs on),
// starting only after every service it must follow had finished, with its
// summary line.
func checkDeploys(t *testing.T, log string, want plan, jobs int) {
	t.Helper()
	started, finished := map[string]deployEvent{}, map[string]deployEvent{}
	for _, e := range deployEvents(log) {
		seen := started
		if e.what == "deployed" {
			seen = finished
		}
		if _, dup := seen[e.service]; dup {
			t.Errorf("%s %s twice", e.what, e.service)
		}
		seen[e.service] = e
	}
	for _, j := range want.Jobs {
		s, ok := started[j.Service]
		if !ok || finished[j.Service].index == 0 {
			t.Errorf("%s (wave %d) was not deployed", j.Service, j.Wave)
			continue
		}
		job := fmt.Sprintf("wave-%d", j.Wave)
		if j.Wave >= jobs {
			job = "wave-rest"
		}
		if s.wave != j.Wave || s.job != job {
			t.Errorf("%s deployed by job %s as wave %d; the plan has wave %d", j.Service, s.job, s.wave, j.Wave)
		}
		for _, a := range j.After {
			if f, ok := finished[a]; !ok || f.index > s.index {
				t.Errorf("%s started before %s, which it must follow, had finished", j.Service, a)
			}
		}
		// act prints a summary's first line after "Summary - ", the others alone.
		if !regexp.MustCompile(fmt.Sprintf(`(?m)(Summary - |^\s*)- deployed %s in wave %d\s*$`, j.Service, j.Wave)).MatchString(log) {
			t.Errorf("no step summary line for %s", j.Service)
		}
	}
	for s := range started {
		if !slices.Contains(want.Deploy, s) {
			t.Errorf("%s was deployed but is not in the plan %v", s, want.Deploy)
		}
	}
}
