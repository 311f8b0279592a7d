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
