package change

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestGitProcesses counts the git processes that resolving a change starts:
// on a loaded CI runner each costs milliseconds, and `ordo affected` is
// measured against one `git diff`. One rev-parse finds both commits and
// their merge base; one diff lists the files. Not parallel: GIT_TRACE is set
// for the whole process.
func TestGitProcesses(t *testing.T) {
	w := newWorld(t)
	event := payload(t, "push.json", map[string]string{"Base": w.c5, "Head": w.f1, "Branch": "feature", "DefaultBranch": "main"})
	tests := []struct {
		name string
		o    Options
	}{
		{"--base --head", Options{Dir: w.clone.Dir, Base: "origin/main", Head: "origin/feature"}},
		{"github push", Options{Dir: w.clone.Dir, CI: ciEnv(map[string]string{
			"GITHUB_ACTIONS": "true", "GITHUB_EVENT_NAME": "push", "GITHUB_EVENT_PATH": event, "GITHUB_SHA": w.f1,
		})}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trace := filepath.Join(t.TempDir(), "trace")
			t.Setenv("GIT_TRACE", trace)
			got, err := resolve(t, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			checkChange(t, got, want{Base: w.c4, Head: w.f1, Files: prFiles})
			data, err := os.ReadFile(trace)
			if err != nil {
				t.Fatal(err)
			}
			var runs []string
			for line := range strings.SplitSeq(string(data), "\n") {
				if _, cmd, ok := strings.Cut(line, "trace: built-in: "); ok {
					runs = append(runs, cmd)
				}
			}
			// The two may run at once (git.DiffSpan), so in either order.
			revParse := slices.IndexFunc(runs, func(r string) bool { return strings.HasPrefix(r, "git rev-parse") })
			diff := slices.IndexFunc(runs, func(r string) bool { return strings.Contains(r, " diff ") })
			if len(runs) != 2 || revParse < 0 || diff < 0 {
				t.Errorf("git ran %d times, want twice (rev-parse and diff):\n%s", len(runs), strings.Join(runs, "\n"))
			}
		})
	}
}
