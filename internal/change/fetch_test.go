package change

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// Each test here fetches into its own clone, since fetching changes it.

func TestZeroBase(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	zero := strings.Repeat("0", 40)

	tests := []struct {
		name          string
		clone         func(t *testing.T) *gittest.Repo
		defaultBranch string
		want          want
		notice        string
	}{
		{
			name:  "origin/HEAD",
			clone: func(t *testing.T) *gittest.Repo { return gittest.Clone(t, w.up) },
			want:  want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "compared with origin/HEAD"},
		},
		{
			name: "default branch of the event",
			clone: func(t *testing.T) *gittest.Repo {
				r := gittest.Clone(t, w.up)
				r.Git("remote", "set-head", "origin", "--delete")
				return r
			},
			defaultBranch: "main",
			want:          want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "compared with origin/main"},
		},
		{
			name:          "default branch fetched",
			clone:         func(t *testing.T) *gittest.Repo { return gittest.Clone(t, w.up, "--single-branch", "--branch=feature") },
			defaultBranch: "main",
			want:          want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "compared with origin/main"},
			notice:        `fetching the default branch "main"`,
		},
		{
			name:          "default branch fetched into a shallow clone",
			clone:         func(t *testing.T) *gittest.Repo { return gittest.Clone(t, w.up, "--depth=1", "--branch=feature") },
			defaultBranch: "main",
			want:          want{Base: w.c4, Head: w.f1, Files: prFiles, Source: "compared with origin/main"},
			notice:        "--deepen=50",
		},
		{
			name: "no origin/HEAD and no default branch",
			clone: func(t *testing.T) *gittest.Repo {
				r := gittest.Clone(t, w.up)
				r.Git("remote", "set-head", "origin", "--delete")
				return r
			},
			want: want{All: true, Reason: ReasonNoBase, Source: "a new branch, and no default branch to compare it with"},
		},
		{
			name:          "default branch that cannot be fetched",
			clone:         func(t *testing.T) *gittest.Repo { return gittest.Clone(t, w.up, "--single-branch", "--branch=feature") },
			defaultBranch: "trunk",
			want:          want{All: true, Reason: ReasonNoBase},
			notice:        `cannot fetch the default branch "trunk"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tt.clone(t)
			env := map[string]string{
				"GITHUB_ACTIONS":    "true",
				"GITHUB_EVENT_NAME": "push",
				"GITHUB_EVENT_PATH": payload(t, "push.json", map[string]string{"Base": zero, "Head": w.f1, "Branch": "feature", "DefaultBranch": tt.defaultBranch}),
			}
			var stderr syncBuffer
			got, err := resolve(t, Options{Dir: r.Dir, CI: ciEnv(env), Stderr: &stderr})
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, tt.want)
			if !strings.Contains(stderr.String(), tt.notice) {
				t.Errorf("stderr = %q, want it to say %q", stderr.String(), tt.notice)
			}
		})
	}

	t.Run("--base of zeros", func(t *testing.T) {
		t.Parallel()
		got, err := resolve(t, Options{Dir: w.clone.Dir, Base: zero, Head: "origin/feature"})
		if err != nil {
			t.Fatal(err)
		}
		checkChange(t, got, want{Base: w.c4, Head: w.f1, Files: prFiles})
	})
}

// longHistory is a repository with n commits on main, each changing file
// f<i%5>, and a side branch from commit 2 with one commit.
func longHistory(t *testing.T, n int) (r *gittest.Repo, commits []string, side string) {
	r = gittest.New(t)
	for i := range n {
		commits = append(commits, r.Commit(fmt.Sprint("c", i), gittest.Files{fmt.Sprintf("f%d", i%5): fmt.Sprint(i)}))
		if i == 2 {
			r.Branch("side")
			side = r.Commit("side", gittest.Files{"side.txt": "x"})
			r.Checkout("main")
		}
	}
	return r, commits, side
}

func TestShallowClone(t *testing.T) {
	t.Parallel()
	up, commits, side := longHistory(t, 60)
	head := commits[59]
	other := gittest.New(t)
	missing := other.Commit("not in up", gittest.Files{"nowhere": "1"})

	githubPush := func(t *testing.T, base, head string) map[string]string {
		return map[string]string{
			"GITHUB_ACTIONS":    "true",
			"GITHUB_EVENT_NAME": "push",
			"GITHUB_EVENT_PATH": payload(t, "push.json", map[string]string{"Base": base, "Head": head, "Branch": "main", "DefaultBranch": "main"}),
		}
	}

	t.Run("deepened until the base is there", func(t *testing.T) {
		t.Parallel()
		r := gittest.Clone(t, up, "--depth=1")
		var stderr syncBuffer
		got, err := resolve(t, Options{Dir: r.Dir, CI: ciEnv(githubPush(t, commits[5], head)), Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		checkChange(t, got, want{Base: commits[5], Head: head, Files: []string{"f0", "f1", "f2", "f3", "f4"}})
		notices := stderr.String()
		for _, s := range []string{"ordo: base " + git.Short(commits[5]) + " is not in this clone; fetching (git fetch --no-tags --deepen=50 origin)", "--deepen=200"} {
			if !strings.Contains(notices, s) {
				t.Errorf("stderr = %q, want it to say %q", notices, s)
			}
		}
		if strings.Contains(notices, "--deepen=1000") || strings.Contains(notices, "--unshallow") {
			t.Errorf("stderr = %q: fetched more than needed", notices)
		}
	})

	t.Run("base fetched by SHA", func(t *testing.T) {
		t.Parallel()
		// A single-branch shallow clone of main never sees side by deepening.
		r := gittest.Clone(t, up, "--depth=1", "--branch=main")
		var stderr syncBuffer
		got, err := resolve(t, Options{Dir: r.Dir, Base: side, Head: "HEAD", Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		checkChange(t, got, want{Base: commits[2], Head: head, Files: []string{"f0", "f1", "f2", "f3", "f4"}})
		if !strings.Contains(stderr.String(), "git fetch --no-tags origin "+side) {
			t.Errorf("stderr = %q, want a fetch of %s", stderr.String(), side)
		}
	})

	t.Run("base that cannot be had", func(t *testing.T) {
		t.Parallel()
		r := gittest.Clone(t, up, "--depth=1")
		var stderr syncBuffer
		_, err := resolve(t, Options{Dir: r.Dir, CI: ciEnv(githubPush(t, missing, head)), Stderr: &stderr})
		checkErr(t, err, exit.Env, "base "+git.Short(missing)+" is not in this clone", `"fetch-depth: 0"`, `"GIT_DEPTH: 0"`)
		for _, s := range []string{"--deepen=1000", "origin " + missing, "--unshallow"} {
			if !strings.Contains(stderr.String(), s) {
				t.Errorf("stderr = %q, want it to say %q", stderr.String(), s)
			}
		}
	})

	t.Run("no remote to fetch from", func(t *testing.T) {
		t.Parallel()
		r := gittest.Clone(t, up, "--depth=1")
		r.Git("remote", "remove", "origin")
		_, err := resolve(t, Options{Dir: r.Dir, Base: commits[5]})
		checkErr(t, err, exit.Env, "fetching it failed", "origin", "fetch-depth: 0")
	})

	t.Run("tag push in a shallow clone", func(t *testing.T) {
		t.Parallel()
		tagged := gittest.Clone(t, up)
		tagged.Git("tag", "v1.0.0", commits[20])
		tagged.Git("tag", "v1.1.0-rc.1", commits[45])
		tagged.Git("tag", "v1.1.0", commits[50])
		tagged.Git("tag", "v2.0.0", commits[59])
		r := gittest.Clone(t, tagged, "--depth=1", "--branch=v1.1.0")
		env := map[string]string{"GITLAB_CI": "true", "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_TAG": "v1.1.0", "CI_COMMIT_SHA": commits[50]}
		var stderr syncBuffer
		got, err := resolve(t, Options{Dir: r.Dir, CI: ciEnv(env), Stderr: &stderr})
		if err != nil {
			t.Fatal(err)
		}
		// Not from v1.1.0-rc.1: a release compares with the release before.
		checkChange(t, got, want{Base: commits[20], Head: commits[50], Files: []string{"f0", "f1", "f2", "f3", "f4"}, Source: "since v1.0.0"})
		if !strings.Contains(stderr.String(), "git fetch --unshallow --tags origin") {
			t.Errorf("stderr = %q, want it to say it fetches the history", stderr.String())
		}
	})
}

// TestShallowCloneAnyBase: a base named by an ancestry expression or a short
// SHA is found by deepening, like a full SHA.
func TestShallowCloneAnyBase(t *testing.T) {
	t.Parallel()
	up, commits, _ := longHistory(t, 60)
	head := commits[59]
	five := []string{"f0", "f1", "f2", "f3", "f4"}
	tests := []struct {
		name, base string
		wantBase   string
		files      []string
	}{
		{"HEAD~5", "HEAD~5", commits[54], five},
		{"origin/main~3", "origin/main~3", commits[56], []string{"f2", "f3", "f4"}},
		{"short SHA", commits[10][:8], commits[10], five},
		{"deeper than the first step", "HEAD~55", commits[4], five},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := gittest.Clone(t, up, "--depth=1")
			var stderr syncBuffer
			got, err := resolve(t, Options{Dir: r.Dir, Base: tt.base, Stderr: &stderr})
			if err != nil {
				t.Fatalf("%v (stderr %q)", err, stderr.String())
			}
			checkChange(t, got, want{Base: tt.wantBase, Head: head, Files: tt.files})
			if !strings.Contains(stderr.String(), "--deepen=50") {
				t.Errorf("stderr = %q, want it to say it deepened", stderr.String())
			}
		})
	}
	t.Run("a typo is not fetched for", func(t *testing.T) {
		t.Parallel()
		r := gittest.Clone(t, up, "--depth=1")
		var stderr syncBuffer
		_, err := resolve(t, Options{Dir: r.Dir, Base: "mian", Stderr: &stderr})
		checkInputErr(t, err, exit.BadInput, OptionBase, "mian")
		if stderr.String() != "" {
			t.Errorf("stderr = %q, want no fetch", stderr.String())
		}
	})
}

func TestSwappedBaseAndHead(t *testing.T) {
	t.Parallel()
	r, commits, _ := longHistory(t, 6)
	got, err := resolve(t, Options{Dir: r.Dir, Base: commits[5], Head: commits[1]})
	if err != nil {
		t.Fatal(err)
	}
	checkChange(t, got, want{Base: commits[1], Head: commits[1], Reversed: true})
	got, err = resolve(t, Options{Dir: r.Dir, Base: commits[1], Head: commits[5]})
	if err != nil {
		t.Fatal(err)
	}
	if got.Reversed {
		t.Error("Reversed for refs in the right order")
	}
}
