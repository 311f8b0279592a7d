package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestInstaller runs actions/setup/install.sh against a release server on
// 127.0.0.1: the checksum is checked before the binary runs, the tool cache
// is used, moving tags and commits resolve to releases, and refs that are
// not releases build the action's own source with the go on PATH.
func TestInstaller(t *testing.T) {
	goos, goarch := runtime.GOOS, runtime.GOARCH
	if runnerOS() == "" || runnerArch() == "" {
		t.Skipf("no GitHub runner for %s/%s", goos, goarch)
	}

	t.Run("the release archive dist.sh makes installs and runs", func(t *testing.T) {
		t.Parallel()
		dist := t.TempDir()
		if r := run(t, root, []string{"DIST=" + dist}, 5*time.Minute, "bash", filepath.Join(root, ".github", "scripts", "dist.sh"), "v9.9.9", goos+"/"+goarch); r.code != 0 {
			t.Fatalf("dist.sh: exit %d\n%s", r.code, r.out)
		}
		srv := newReleaseServer(t)
		for _, name := range []string{"checksums.txt", fmt.Sprintf("ordo_9.9.9_%s_%s.tar.gz", goos, goarch)} {
			srv.files["/v9.9.9/"+name] = []byte(readFile(t, filepath.Join(dist, name)))
		}
		cache := t.TempDir()
		r := install(t, srv, cache, "ORDO_INPUT_VERSION=v9.9.9")
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.out)
		}
		bin := filepath.Join(cache, "ordo", "9.9.9", strings.ToLower(runnerArch()), "ordo")
		if r.outputs["version"] != "v9.9.9" || r.outputs["path"] != bin {
			t.Errorf("outputs %v, want version v9.9.9 and path %s\n%s", r.outputs, bin, r.out)
		}
		if strings.TrimSpace(r.path) != filepath.Dir(bin) || strings.TrimSpace(r.env) != "ORDO_BIN="+bin {
			t.Errorf("GITHUB_PATH %q, GITHUB_ENV %q: want %s on PATH and ORDO_BIN", r.path, r.env, filepath.Dir(bin))
		}
		if !strings.Contains(r.out, "matches checksums.txt") {
			t.Errorf("no word of the checksum:\n%s", r.out)
		}

		before := len(srv.requested())
		again := install(t, srv, cache, "ORDO_INPUT_VERSION=v9.9.9")
		if again.code != 0 || again.outputs["path"] != bin || !strings.Contains(again.out, "using the cached ordo 9.9.9") {
			t.Errorf("the tool cache should serve: exit %d, outputs %v\n%s", again.code, again.outputs, again.out)
		}
		if reqs := srv.requested()[before:]; len(reqs) != 1 || !strings.HasSuffix(reqs[0], "/checksums.txt") {
			t.Errorf("a cache hit asked for %v, want checksums.txt alone", reqs)
		}
	})

	t.Run("a checksum mismatch stops before the binary runs", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		marker := filepath.Join(t.TempDir(), "ran")
		archive := tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.3", marker)})
		asset := fmt.Sprintf("ordo_1.2.3_%s_%s.tar.gz", goos, goarch)
		srv.release("v1.2.3", goos, goarch, archive, map[string]string{asset: strings.Repeat("0", 64)})
		cache := t.TempDir()
		r := install(t, srv, cache, "ORDO_INPUT_VERSION=v1.2.3")
		if r.code == 0 || !strings.Contains(r.out, "::error title=ordo setup::checksum mismatch for "+asset) {
			t.Errorf("exit %d, want a checksum annotation\n%s", r.code, r.out)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("the unverified binary ran")
		}
		if entries, _ := os.ReadDir(cache); len(entries) > 0 || len(r.outputs) > 0 {
			t.Errorf("nothing should be installed: cache %v, outputs %v", entries, r.outputs)
		}
	})

	t.Run("an archive missing from checksums.txt is refused", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		marker := filepath.Join(t.TempDir(), "ran")
		srv.release("v1.2.3", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.3", marker)}), map[string]string{"ordo_1.2.3_plan9_386.tar.gz": strings.Repeat("0", 64)})
		r := install(t, srv, t.TempDir(), "ORDO_INPUT_VERSION=v1.2.3")
		if r.code == 0 || !strings.Contains(r.out, "has no entry for") {
			t.Errorf("exit %d, want a refusal\n%s", r.code, r.out)
		}
		if _, err := os.Stat(marker); err == nil {
			t.Errorf("the unverified binary ran")
		}
	})

	t.Run("windows runners get the zip", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		marker := filepath.Join(t.TempDir(), "ran")
		srv.release("v1.2.3", "windows", "amd64", zipped(t, map[string]string{"ordo.exe": fakeOrdo("v1.2.3", marker)}), nil)
		cache := t.TempDir()
		r := install(t, srv, cache, "ORDO_INPUT_VERSION=v1.2.3", "RUNNER_OS=Windows", "RUNNER_ARCH=X64")
		if want := filepath.Join(cache, "ordo", "1.2.3", "x64", "ordo.exe"); r.code != 0 || r.outputs["path"] != want {
			t.Errorf("exit %d, outputs %v, want path %s\n%s", r.code, r.outputs, want, r.out)
		}
	})

	t.Run("v1 with no v1 tag is the newest v1 release", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		srv.token = "tok3n"
		srv.files["/api/v3/repos/ordo-ci/ordo/tags"] = []byte(`[{"name":"v1.10.0","commit":{"sha":"` + strings.Repeat("ab", 20) + `"}}]`)
		srv.files["/api/v3/repos/ordo-ci/ordo/releases"] = []byte(`[
  {"tag_name": "v2.0.0"}, {"tag_name": "v1.11.0-rc.1"}, {"tag_name": "v1.9.0"},
  {"tag_name": "v1.10.0"}, {"tag_name": "v1.2.0"}, {"tag_name": "v10.0.0"}
]`)
		srv.release("v1.10.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.10.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		r := install(t, srv, t.TempDir(), "ORDO_ACTION_REF=v1", "ORDO_ACTION_REPOSITORY=ordo-ci/ordo")
		if r.code != 0 || r.outputs["version"] != "v1.10.0" || !strings.Contains(r.out, "v1 is release v1.10.0") {
			t.Errorf("exit %d, outputs %v, want v1.10.0\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("a GitHub Enterprise runner's token stays home", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t) // expects no token
		srv.files["/api/v3/repos/ordo-ci/ordo/releases"] = []byte(`[{"tag_name": "v1.2.0"}]`)
		srv.release("v1.2.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.2.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		r := install(t, srv, t.TempDir(), "ORDO_ACTION_REF=v1", "ORDO_ACTION_REPOSITORY=ordo-ci/ordo", "ORDO_INPUT_TOKEN=ghes-token", "GITHUB_API_URL=https://ghes.invalid/api/v3")
		if r.code != 0 || r.outputs["version"] != "v1.2.0" {
			t.Errorf("exit %d, outputs %v\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("an action pinned by commit gets the release tagged there", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		sha := strings.Repeat("ab", 20)
		srv.files["/api/v3/repos/ordo-ci/ordo/tags"] = []byte(`[{"name":"v1","commit":{"sha":"` + sha + `"}},{"name":"v1.4.0","zipball_url":"z","commit":{"sha":"` + sha + `","url":"u"}},{"name":"v1.3.0","commit":{"sha":"` + strings.Repeat("cd", 20) + `"}}]`)
		srv.release("v1.4.0", goos, goarch, tarGz(t, map[string]string{"ordo": fakeOrdo("v1.4.0", filepath.Join(t.TempDir(), "ran"))}), nil)
		r := install(t, srv, t.TempDir(), "ORDO_ACTION_REF="+sha, "ORDO_ACTION_REPOSITORY=ordo-ci/ordo")
		if r.code != 0 || r.outputs["version"] != "v1.4.0" {
			t.Errorf("exit %d, outputs %v, want v1.4.0\n%s", r.code, r.outputs, r.out)
		}
	})

	t.Run("no release for the action's own version: build from source", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		path, calls := stubGo(t)
		r := install(t, srv, t.TempDir(), "ORDO_ACTION_REF=v1.2.3", "ORDO_ACTION_REPOSITORY=ordo-ci/ordo", "PATH="+path)
		if r.code != 0 || r.outputs["version"] != "v1.2.3+source" {
			t.Fatalf("exit %d, outputs %v, want version v1.2.3+source\n%s", r.code, r.outputs, r.out)
		}
		call := strings.Split(strings.TrimSpace(readFile(t, calls)), "\n")
		wd, args := call[0], strings.Join(call[1:], " ")
		if abs, _ := filepath.Abs(root); filepath.Clean(wd) != filepath.Clean(abs) {
			t.Errorf("go build ran in %s, want the action's repository %s", wd, abs)
		}
		if !strings.Contains(args, "build -ldflags -s -w -X github.com/ordo-ci/ordo/internal/cli.version=v1.2.3+source") || !strings.HasSuffix(args, "./cmd/ordo") {
			t.Errorf("go %s", args)
		}
	})

	t.Run("a branch builds from source without asking the network", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		path, _ := stubGo(t)
		cache := t.TempDir()
		r := install(t, srv, cache, "ORDO_ACTION_REF=main", "ORDO_ACTION_REPOSITORY=ordo-ci/ordo", "PATH="+path)
		if r.code != 0 || r.outputs["version"] != "main+source" {
			t.Errorf("exit %d, outputs %v\n%s", r.code, r.outputs, r.out)
		}
		// A source build stays in the job's RUNNER_TEMP, out of the shared
		// tool cache where another job could plant a binary under its key.
		if entries, _ := os.ReadDir(cache); len(entries) > 0 {
			t.Errorf("the source build went into the tool cache: %v", entries)
		}
		if reqs := srv.requested(); len(reqs) > 0 {
			t.Errorf("requests %v; a branch has no release to ask for", reqs)
		}
	})

	t.Run("ORDO_FROM_SOURCE and unknown runners build from source", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		path, _ := stubGo(t)
		for _, env := range [][]string{{"ORDO_FROM_SOURCE=true"}, {"ORDO_INPUT_FROM_SOURCE=true"}, {"RUNNER_ARCH=X86"}} {
			r := install(t, srv, t.TempDir(), append(env, "ORDO_ACTION_REF=v1.2.3", "ORDO_ACTION_REPOSITORY=ordo-ci/ordo", "PATH="+path)...)
			if r.code != 0 || r.outputs["version"] != "v1.2.3+source" {
				t.Errorf("%v: exit %d, outputs %v\n%s", env, r.code, r.outputs, r.out)
			}
		}
		if reqs := srv.requested(); len(reqs) > 0 {
			t.Errorf("requests %v", reqs)
		}
	})

	t.Run("an ordo installed earlier in the job is reused", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		bin := filepath.Join(t.TempDir(), "ordo")
		writeFile(t, bin, fakeOrdo("v7.0.0", filepath.Join(t.TempDir(), "ran")), 0o755)
		// The plan action sets neither download-url nor from-source.
		r := install(t, srv, t.TempDir(), "ORDO_BIN="+bin, "ORDO_ACTION_REF=v1.2.3", "ORDO_INPUT_DOWNLOAD_URL=", "ORDO_DOWNLOAD_URL="+srv.URL)
		if r.code != 0 || r.outputs["path"] != bin || r.outputs["version"] != "v7.0.0" {
			t.Errorf("exit %d, outputs %v\n%s", r.code, r.outputs, r.out)
		}
		if reqs := srv.requested(); len(reqs) > 0 {
			t.Errorf("requests %v", reqs)
		}
	})

	t.Run("wrong inputs name themselves", func(t *testing.T) {
		t.Parallel()
		srv := newReleaseServer(t)
		for _, tc := range []struct{ env, want string }{
			{"ORDO_INPUT_VERSION=1.2.3; rm -rf /", `::error title=ordo setup::input version: "1.2.3; rm -rf /" is not a release version`},
			{"ORDO_INPUT_VERSION=main", `input version: "main" is not a release version`},
			{"ORDO_INPUT_FROM_SOURCE=yes", `input from-source (or ORDO_FROM_SOURCE): "yes" is not a boolean`},
		} {
			r := install(t, srv, t.TempDir(), tc.env)
			if r.code == 0 || !strings.Contains(r.out, tc.want) {
				t.Errorf("%s: exit %d, want %q\n%s", tc.env, r.code, tc.want, r.out)
			}
		}
		if reqs := srv.requested(); len(reqs) > 0 {
			t.Errorf("requests %v", reqs)
		}
	})
}
