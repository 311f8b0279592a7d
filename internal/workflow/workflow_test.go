package workflow

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/testtool"
)

// The jobs a workflow of n waves has: plan, then per wave a wave, a verify
// and a rollback job, the rollback plan and the final failed job.
func TestGenerateJobs(t *testing.T) {
	t.Parallel()
	for _, n := range []int{1, 3, Waves} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			t.Parallel()
			data, err := Generate(n)
			if err != nil {
				t.Fatal(err)
			}
			jobs := regexp.MustCompile(`(?m)^  ([a-z0-9-]+):$`).FindAllStringSubmatch(string(data), -1)
			var names []string
			for _, m := range jobs {
				names = append(names, m[1])
			}
			want := []string{"plan"}
			for i := range n {
				want = append(want, fmt.Sprintf("wave-%d", i), fmt.Sprintf("verify-%d", i))
			}
			want = append(want, "rollback-plan")
			for i := range n {
				want = append(want, fmt.Sprintf("rollback-%d", i))
			}
			want = append(want, "finish")
			if strings.Join(names, " ") != strings.Join(want, " ") {
				t.Errorf("jobs:\n%v\nwant:\n%v", names, want)
			}
			for _, s := range []string{
				fmt.Sprintf("It holds %d waves", n),
				fmt.Sprintf("if: steps.plan.outputs.wave-count > %d", n),
				fmt.Sprintf("fromJSON(needs.plan.outputs.waves)[%d]", n-1),
				fmt.Sprintf("fromJSON(needs.rollback-plan.outputs.waves)[%d]", n-1),
			} {
				if !strings.Contains(string(data), s) {
					t.Errorf("the %d-wave workflow lacks %q", n, s)
				}
			}
		})
	}
	if _, err := Generate(0); err == nil {
		t.Errorf("0 waves should be an error")
	}
}

// actionlint, with shellcheck, accepts what the template generates.
func TestGenerateActionlint(t *testing.T) {
	t.Parallel()
	actionlint := testtool.Find(t, "ORDO_ACTIONLINT", "actionlint")
	shellcheck := testtool.Find(t, "ORDO_SHELLCHECK", "shellcheck")
	dir := t.TempDir()
	data, err := Generate(3)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, ".github", "workflows", "ordo-release.yml")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(actionlint, "-no-color", "-shellcheck", shellcheck, path)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("actionlint: %v\n%s", err, out)
	}
}
