package e2e

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// releaseServer stands in for GitHub on 127.0.0.1: release downloads under
// /<tag>/ and, under /api/v3 (as on GitHub Enterprise), the two API calls
// the installer makes. It records every request.
type releaseServer struct {
	*httptest.Server
	files    map[string][]byte // URL path -> body
	token    string            // the bearer token API calls must carry
	down     bool              // answer 500 to everything
	mu       sync.Mutex
	requests []string
}

func newReleaseServer(t *testing.T) *releaseServer {
	t.Helper()
	s := &releaseServer{files: map[string][]byte{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.requests = append(s.requests, r.URL.Path)
		s.mu.Unlock()
		if s.down {
			http.Error(w, "down", http.StatusInternalServerError)
			return
		}
		want := ""
		if strings.HasPrefix(r.URL.Path, "/api/v3/") && s.token != "" {
			want = "Bearer " + s.token
		}
		if auth := r.Header.Get("Authorization"); auth != want {
			t.Errorf("%s: Authorization %q, want %q: the token goes to the API only", r.URL.Path, auth, want)
		}
		// Pages after the first are files named path?page=N; a Link header
		// says when another page follows, as GitHub's does.
		// https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
		key, page := r.URL.Path, 1
		if p := r.URL.Query().Get("page"); p != "" && p != "1" {
			key += "?page=" + p
			fmt.Sscan(p, &page)
		}
		if _, ok := s.files[fmt.Sprintf("%s?page=%d", r.URL.Path, page+1)]; ok {
			w.Header().Set("Link", fmt.Sprintf(`<%s%s?per_page=100&page=%d>; rel="next"`, s.URL, r.URL.Path, page+1))
		}
		body, ok := s.files[key]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	t.Cleanup(s.Close)
	return s
}

// release publishes archive as the asset of tag for this machine (or the
// platform goos/goarch), with checksums.txt listing sums (name -> sum; the
// archive's real sum when sums is nil).
func (s *releaseServer) release(tag, goos, goarch string, archive []byte, sums map[string]string) string {
	ext := "tar.gz"
	if goos == "windows" {
		ext = "zip"
	}
	asset := fmt.Sprintf("ordo_%s_%s_%s.%s", strings.TrimPrefix(tag, "v"), goos, goarch, ext)
	s.files["/"+tag+"/"+asset] = archive
	if sums == nil {
		sums = map[string]string{asset: fmt.Sprintf("%x", sha256.Sum256(archive))}
	}
	var b strings.Builder
	for name, sum := range sums {
		fmt.Fprintf(&b, "%s  %s\n", sum, name)
	}
	s.files["/"+tag+"/checksums.txt"] = []byte(b.String())
	return asset
}

func (s *releaseServer) requested() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.requests...)
}

// fakeOrdo is an ordo stand-in that prints its version and leaves marker
// behind whenever it runs.
func fakeOrdo(version, marker string) string {
	return fmt.Sprintf("#!/bin/sh\ntouch %q\necho \"ordo %s\"\n", marker, version)
}

func tarGz(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	gz := gzip.NewWriter(&b)
	tw := tar.NewWriter(gz)
	for name, content := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o755, Size: int64(len(content)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write([]byte(content))
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	gz.Close()
	return b.Bytes()
}

func zipped(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for name, content := range files {
		h := &zip.FileHeader{Name: name, Method: zip.Deflate}
		h.SetMode(0o755)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(content))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// stubGo puts a `go` on PATH that records how it was called and "builds" an
// ordo that prints the version given with -ldflags -X. It returns the PATH
// and the file with the call: the working directory, then one argument a
// line.
func stubGo(t *testing.T) (path, calls string) {
	t.Helper()
	dir := t.TempDir()
	calls = filepath.Join(dir, "calls")
	writeFile(t, filepath.Join(dir, "go"), fmt.Sprintf(`#!/bin/sh
{ pwd; printf '%%s\n' "$@"; } >%q
out=; version=
while [ $# -gt 0 ]; do
	case $1 in
	-o) out=$2; shift ;;
	-ldflags) version=$(printf '%%s' "$2" | sed -n 's/.*internal\/cli.version=\([^ ]*\).*/\1/p'); shift ;;
	version) echo "go version go1.99 stub"; exit 0 ;;
	esac
	shift
done
printf '#!/bin/sh\necho "ordo %%s"\n' "$version" >"$out"
chmod +x "$out"
`, calls), 0o755)
	return dir + string(filepath.ListSeparator) + os.Getenv("PATH"), calls
}

// installRun is one run of actions/setup/install.sh.
type installRun struct {
	result
	outputs map[string]string // GITHUB_OUTPUT
	path    string            // GITHUB_PATH
	env     string            // GITHUB_ENV
}

// install runs the installer as the setup action does, with the runner's
// files in a scratch directory, downloads from srv, and env on top.
func install(t *testing.T, srv *releaseServer, cache string, env ...string) installRun {
	t.Helper()
	return installFrom(t, filepath.Join(root, "actions", "setup", "install.sh"), srv, cache, env...)
}

// installFrom runs the installer at script, a copy of the action elsewhere.
func installFrom(t *testing.T, script string, srv *releaseServer, cache string, env ...string) installRun {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{}
	for _, name := range []string{"GITHUB_OUTPUT", "GITHUB_PATH", "GITHUB_ENV"} {
		files[name] = filepath.Join(dir, name)
		writeFile(t, files[name], "", 0o644)
	}
	base := []string{
		"RUNNER_OS=" + runnerOS(), "RUNNER_ARCH=" + runnerArch(),
		"RUNNER_TOOL_CACHE=" + cache, "RUNNER_TEMP=" + dir,
		"GITHUB_OUTPUT=" + files["GITHUB_OUTPUT"], "GITHUB_PATH=" + files["GITHUB_PATH"], "GITHUB_ENV=" + files["GITHUB_ENV"],
		"ORDO_INPUT_DOWNLOAD_URL=" + srv.URL, "ORDO_API_URL=" + srv.URL + "/api/v3", "GITHUB_API_URL=" + srv.URL + "/api/v3", "ORDO_INPUT_TOKEN=" + srv.token,
		"ORDO_INPUT_VERSION=", "ORDO_INPUT_FROM_SOURCE=", "ORDO_ACTION_REF=", "ORDO_ACTION_REPOSITORY=", "ORDO_VERIFY_ATTESTATION=", "ORDO_BIN=", "ORDO_FROM_SOURCE=", "ORDO_DOWNLOAD_URL=",
	}
	r := run(t, dir, append(base, env...), 2*time.Minute, "bash", script)
	outputs := map[string]string{}
	for _, line := range strings.Split(readFile(t, files["GITHUB_OUTPUT"]), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			outputs[k] = v
		}
	}
	return installRun{result: r, outputs: outputs, path: readFile(t, files["GITHUB_PATH"]), env: readFile(t, files["GITHUB_ENV"])}
}

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
