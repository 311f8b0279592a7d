package record

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/exit"
)

// TestGitHTTPToken pushes the record to a git server over HTTP (git
// http-backend) that, like GitLab, lets anyone fetch and only a token with
// write access push: ORDO_GIT_TOKEN reaches it as basic credentials, and
// without it the error says what to grant.
func TestGitHTTPToken(t *testing.T) {
	t.Parallel()
	backend, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	repo := filepath.Join(root, "shop.git")
	gitIn(t, "", "init", "--quiet", "--bare", repo)
	gitIn(t, repo, "config", "http.receivepack", "true")
	const token = "glpat-write0token"
	cgiHandler := &cgi.Handler{
		Path: filepath.Join(strings.TrimSpace(string(backend)), "git-http-backend"),
		Env:  []string{"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1"},
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		push := strings.HasSuffix(r.URL.Path, "/git-receive-pack") || r.URL.Query().Get("service") == "git-receive-pack"
		if push {
			switch r.Header.Get("Authorization") {
			case "Basic " + base64.StdEncoding.EncodeToString([]byte("oauth2:"+token)):
			case "":
				w.Header().Set("WWW-Authenticate", `Basic realm="GitLab"`)
				http.Error(w, "HTTP Basic: Access denied", http.StatusUnauthorized)
				return
			default:
				http.Error(w, "You are not allowed to push code to this project.", http.StatusForbidden)
				return
			}
		}
		cgiHandler.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	gitIn(t, "", "clone", "--quiet", srv.URL+"/shop.git", dir)
	ctx := context.Background()
	for _, tc := range []struct{ name, token string }{{"no token", ""}, {"a token without write access", "glpat-read0only"}} {
		g, err := NewGit(ctx, dir, GitOptions{Token: tc.token})
		if err != nil {
			t.Fatal(err)
		}
		err = g.Append(ctx, entry("api", PhaseDeploy, StateSuccess, sha1))
		if err == nil || !strings.Contains(err.Error(), "ORDO_GIT_TOKEN") || !strings.Contains(err.Error(), "contents: write") || exit.Code(err) != exit.Env {
			t.Fatalf("%s: Append = %v (exit %d), want exit 3 saying which rights to grant", tc.name, err, exit.Code(err))
		}
		t.Logf("%s: %v", tc.name, err)
		if strings.Contains(err.Error(), token) || (tc.token != "" && strings.Contains(err.Error(), tc.token)) {
			t.Fatalf("%s: the token is in the error: %v", tc.name, err)
		}
	}
	g, err := NewGit(ctx, dir, GitOptions{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	mustAppend(t, g, entry("api", PhaseDeploy, StateSuccess, sha1))
	mustAppend(t, g, entry("api", PhaseVerify, StateVerified, sha1))
	other := t.TempDir()
	gitIn(t, "", "clone", "--quiet", srv.URL+"/shop.git", other)
	reader, err := NewGit(ctx, other, GitOptions{}) // reading needs no token
	if err != nil {
		t.Fatal(err)
	}
	if got := mustRead(t, reader, "staging")["api"]; len(got) != 2 || !VerifiedAt(got, sha1) {
		t.Fatalf("read back over HTTP: %+v", got)
	}
}
