package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestInstallerTrust holds the installer to what it may run: only a binary
// whose release archive matches checksums.txt (in the tool cache too), only
// the version asked for, with the token kept off command lines, and the
// action's own version taken from where the action really is.
func TestInstallerTrust(t *testing.T) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	if runnerOS() == "" || runnerArch() == "" {
		t.Skipf("no GitHub runner for %s/%s", goos, goarch)
	}
	arch := strings.ToLower(runnerArch())

	t.Run("a binary planted in the tool cache never runs", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		good := filepath.Join(t.TempDir(), "good")
		asset := srv.release("v1.2.3", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.3", good)}), nil)
		for name, plant := range map[string]func(dir string, planted string){
			// A job of another repository on a shared runner writes an entry.
			"no archive": func(dir, planted string) {
				writeFile(t, filepath.Join(dir, "ordo"), planted, 0o755)
			},
			// The archive is the real one, the binary beside it is not.
			"binary swapped": func(dir, planted string) {
				writeFile(t, filepath.Join(dir, asset), string(srv.files["/v1.2.3/"+asset]), 0o644)
				writeFile(t, filepath.Join(dir, "ordo"), planted, 0o755)
			},
		} {
			cache := t.TempDir()
			dir := filepath.Join(cache, "ordo", "1.2.3", arch)
			bad := filepath.Join(t.TempDir(), "planted-ran")
			plant(dir, fakeOrdo("v1.2.3", bad))
			writeFile(t, dir+".complete", "", 0o644)
			r := install(t, srv, cache, "ORDO_INPUT_VERSION=v1.2.3")
			if r.code != 0 || !strings.Contains(r.out, "::warning title=ordo setup::the tool cache's ordo 1.2.3") {
				t.Errorf("%s: exit %d, want a warning and a fresh install\n%s", name, r.code, r.out)
			}
			if _, err := os.Stat(bad); err == nil {
				t.Errorf("%s: the planted binary ran", name)
			}
			if _, err := os.Stat(good); err != nil {
				t.Errorf("%s: the release's binary did not run", name)
			}
		}
	})

	t.Run("an explicit version that cannot be downloaded fails", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		path, calls := stubGo(t)
		for _, v := range []string{"v1.2.9", "v1", "latest"} {
			r := install(t, srv, t.TempDir(), "ORDO_INPUT_VERSION="+v, "PATH="+path)
			if r.code == 0 || !strings.Contains(r.out, "::error title=ordo setup::input version: ") {
				t.Errorf("%s: exit %d, want an error naming input version\n%s", v, r.code, r.out)
			}
			if _, err := os.Stat(calls); err == nil {
				t.Errorf("%s: the action's source was built instead of failing", v)
			}
		}
	})

	t.Run("the token never reaches curl's command line", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		srv.token = "s3cret-t0ken"
		srv.files["/api/v3/repos/ordo-ci/ordo/releases"] = []byte(`[{"tag_name": "v1.2.0"}]`)
		srv.release("v1.2.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		real, err := exec.LookPath("curl")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		args := filepath.Join(dir, "args")
		writeFile(t, filepath.Join(dir, "curl"), fmt.Sprintf("#!/bin/sh\nprintf '%%s\\n' \"$@\" >>%q\nexec %q \"$@\"\n", args, real), 0o755)
		r := install(t, srv, t.TempDir(), "ORDO_INPUT_VERSION=latest", "PATH="+dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
		if r.code != 0 || r.outputs["version"] != "v1.2.0" {
			t.Fatalf("exit %d, outputs %v\n%s", r.code, r.outputs, r.out)
		}
		// The server checked that the API call carried the token; ps shows
		// every argument of a process to every user of the machine.
		if got := readFile(t, args); strings.Contains(got, srv.token) {
			t.Errorf("curl's arguments hold the token:\n%s", got)
		}
	})

	t.Run("release and tag lists are read past their first page", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		sha := strings.Repeat("ef", 20)
		srv.files["/api/v3/repos/ordo-ci/ordo/releases"] = []byte(`[{"tag_name": "v1.0.0"}]`)
		srv.files["/api/v3/repos/ordo-ci/ordo/releases?page=2"] = []byte(`[{"tag_name": "v3.1.0"}]`)
		srv.files["/api/v3/repos/ordo-ci/ordo/tags"] = []byte(`[{"name":"v0.1.0","commit":{"sha":"` + strings.Repeat("00", 20) + `"}}]`)
		srv.files["/api/v3/repos/ordo-ci/ordo/tags?page=2"] = []byte(`[{"name":"v2.0.1","commit":{"sha":"` + sha + `"}}]`)
		srv.release("v3.1.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v3.1.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		srv.release("v2.0.1", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v2.0.1", filepath.Join(t.TempDir(), "ran"))}), nil)
		if r := install(t, srv, t.TempDir(), "ORDO_INPUT_VERSION=latest"); r.code != 0 || r.outputs["version"] != "v3.1.0" {
			t.Errorf("latest: exit %d, outputs %v, want v3.1.0 from page 2\n%s", r.code, r.outputs, r.out)
		}
		if r := install(t, srv, t.TempDir(), "ORDO_ACTION_REF="+sha, "ORDO_ACTION_REPOSITORY=ordo-ci/ordo"); r.code != 0 || r.outputs["version"] != "v2.0.1" {
			t.Errorf("commit: exit %d, outputs %v, want v2.0.1 from page 2\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("v1 is the release at the commit v1 points to", func(t *testing.T) {
		t.Parallel()
		// v1.10.0 is published but v1 still points to v1.9.0's commit:
		// `uses: ordo-ci/ordo@v1` runs v1.9.0's action, so its ordo is v1.9.0.
		// https://docs.github.com/en/actions/sharing-automations/creating-actions/about-custom-actions#using-tags-for-release-management
		srv := newReleaseServer(t)
		old, newer := strings.Repeat("19", 20), strings.Repeat("1a", 20)
		srv.files["/api/v3/repos/ordo-ci/ordo/tags"] = []byte(`[{"name":"v1.10.0","commit":{"sha":"` + newer + `"}},{"name":"v1.9.0","commit":{"sha":"` + old + `"}},{"name":"v1","commit":{"sha":"` + old + `"}}]`)
		srv.files["/api/v3/repos/ordo-ci/ordo/releases"] = []byte(`[{"tag_name": "v1.10.0"}, {"tag_name": "v1.9.0"}]`)
		for _, v := range []string{"v1.9.0", "v1.10.0"} {
			srv.release(v, goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo(v, filepath.Join(t.TempDir(), "ran"))}), nil)
		}
		r := install(t, srv, t.TempDir(), "ORDO_INPUT_VERSION=v1")
		if r.code != 0 || r.outputs["version"] != "v1.9.0" || !strings.Contains(r.out, "v1 is release v1.9.0") {
			t.Errorf("exit %d, outputs %v, want v1.9.0\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("the version comes from the action's own path, not a wrapper's ref", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		srv.release("v1.4.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.4.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		// The runner checks `uses: ordo-ci/ordo/actions/plan@v1.4.0` out
		// under _actions/ordo-ci/ordo/v1.4.0; inside my-org/ci@v3,
		// github.action_ref and action_repository name my-org/ci and v3.
		// https://docs.github.com/en/actions/reference/workflows-and-actions/contexts#github-context
		copy := filepath.Join(t.TempDir(), "_actions", "ordo-ci", "ordo", "v1.4.0")
		for _, name := range []string{"install.sh", "lib.sh"} {
			writeFile(t, filepath.Join(copy, "actions", "setup", name), readFile(t, filepath.Join(root, "actions", "setup", name)), 0o755)
		}
		wrapped := []string{"ORDO_ACTION_REF=v3", "ORDO_ACTION_REPOSITORY=my-org/ci"}
		r := installFrom(t, filepath.Join(copy, "actions", "setup", "install.sh"), srv, t.TempDir(), wrapped...)
		if r.code != 0 || r.outputs["version"] != "v1.4.0" {
			t.Errorf("exit %d, outputs %v, want v1.4.0 from the path\n%s", r.code, r.outputs, r.out)
		}
		// A local copy (uses: ./ordo) has no ref in its path: the wrapper's
		// ref is not ordo's, so the action's source is built.
		path, _ := stubGo(t)
		r = install(t, srv, t.TempDir(), append(wrapped, "PATH="+path)...)
		if r.code != 0 || r.outputs["version"] != "dev+source" {
			t.Errorf("exit %d, outputs %v, want a source build, not release v3\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("the build provenance is checked when gh is there", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		ran := filepath.Join(t.TempDir(), "ran")
		asset := srv.release("v1.2.3", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.3", ran)}), nil)
		for _, tc := range []struct {
			verdict int
			want    string
		}{
			{1, "::error title=ordo setup::" + asset + " of release v1.2.3 has no valid build provenance"},
			{0, "build provenance of " + asset + " verified"},
		} {
			dir := t.TempDir()
			calls := filepath.Join(dir, "calls")
			writeFile(t, filepath.Join(dir, "gh"), fmt.Sprintf("#!/bin/sh\n[ \"$3\" = --help ] && exit 0\nprintf '%%s|' \"$GH_TOKEN\" \"$@\" >%q\nexit %d\n", calls, tc.verdict), 0o755)
			cache := t.TempDir()
			// github.com's runner: its token may go to gh.
			r := install(t, srv, cache, "ORDO_INPUT_VERSION=v1.2.3", "GITHUB_API_URL=", "ORDO_INPUT_TOKEN=gh-tok", "PATH="+dir+string(filepath.ListSeparator)+os.Getenv("PATH"))
			if (r.code == 0) != (tc.verdict == 0) || !strings.Contains(r.out, tc.want) {
				t.Errorf("gh exits %d: exit %d, want %q\n%s", tc.verdict, r.code, tc.want, r.out)
			}
			call := readFile(t, calls)
			if !strings.HasPrefix(call, "gh-tok|attestation|verify|") || !strings.Contains(call, "|--repo|ordo-ci/ordo|") {
				t.Errorf("gh called as %q", call)
			}
			if tc.verdict != 0 {
				if _, err := os.Stat(ran); err == nil {
					t.Errorf("a binary without provenance ran")
				}
				if entries, _ := os.ReadDir(cache); len(entries) > 0 {
					t.Errorf("a binary without provenance was cached")
				}
			}
		}
	})

	t.Run("a vendored copy inside a Go workspace builds", func(t *testing.T) {
		t.Parallel()
		// The user's repository is a Go workspace that vendors; the action
		// sits inside it (uses: ./.github/actions/ordo). Without GOWORK=off
		// go refuses a module outside go.work, and -mod=vendor from GOFLAGS
		// finds no vendor directory in ordo's module.
		ws := t.TempDir()
		writeFile(t, filepath.Join(ws, "go.work"), "go 1.26.0\n\nuse ./app\n", 0o644)
		writeFile(t, filepath.Join(ws, "app", "go.mod"), "module example.com/app\n\ngo 1.26.0\n", 0o644)
		copy := filepath.Join(ws, ".github", "actions", "ordo")
		copySources(t, copy)
		srv := newReleaseServer(t)
		env := append([]string{"ORDO_INPUT_FROM_SOURCE=true", "GOFLAGS=-mod=vendor"}, goEnv(t)...)
		r := installFrom(t, filepath.Join(copy, "actions", "setup", "install.sh"), srv, t.TempDir(), env...)
		if r.code != 0 || r.outputs["version"] != "dev+source" {
			t.Fatalf("exit %d, outputs %v\n%s", r.code, r.outputs, r.out)
		}
		if out, err := exec.Command(r.outputs["path"], "--version").CombinedOutput(); err != nil || !strings.Contains(string(out), "dev+source") {
			t.Errorf("the built ordo: %v %s", err, out)
		}
	})
}
