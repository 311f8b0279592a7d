package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ordo-ci/ordo/internal/git/gittest"
)

// The fixture monorepo: a migration, a library, services with a critical
// one, a lock and a with: value that looks like the end of a GITHUB_OUTPUT
// heredoc, and a chain of seven services, more waves than the example
// workflow has wave jobs.
const fixtureCatalog = `version: 1
ignore: ["docs/**", "**/*.md"]
services:
  db: {kind: migration, paths: [db/**]}
  auth: {kind: library, paths: [libs/auth/**]}
  api:
    paths: [api/**]
    depends_on: [db, auth]
    critical: true
    with: {cluster: eu-1}
  worker: {paths: [worker/**], depends_on: [db], lock: queue}
  mailer: {paths: [mailer/**], depends_on: [db], lock: queue}
  web: {paths: [web/**], depends_on: [api]}
  admin:
    paths: [admin/**]
    depends_on: [api]
    with: {note: "x\nEOF\nfoo=bar"}
  c0: {paths: [chain/0/**]}
  c1: {paths: [chain/1/**], depends_on: [c0]}
  c2: {paths: [chain/2/**], depends_on: [c1]}
  c3: {paths: [chain/3/**], depends_on: [c2]}
  c4: {paths: [chain/4/**], depends_on: [c3]}
  c5: {paths: [chain/5/**], depends_on: [c4]}
  c6: {paths: [chain/6/**], depends_on: [c5]}
`

// monorepo is the fixture as a git repository whose origin is remote (act
// and gitlab-ci-local take the repository's name from it), with the commits
// the tests compare.
type monorepo struct {
	*gittest.Repo
	init   string // every file
	change string // the auth library and mailer changed
	docs   string // only documentation changed
	chain  string // c0 changed: seven waves
}

// newMonorepo builds the fixture with ciFiles (workflows, pipelines) in its
// first commit, stopping after the commit named by until ("change", "docs"
// or "chain") so that HEAD is that commit: gitlab-ci-local runs the
// pipeline of HEAD.
func newMonorepo(tb testing.TB, remote string, ciFiles gittest.Files, until string) *monorepo {
	tb.Helper()
	r := &monorepo{Repo: gittest.New(tb)}
	r.Git("remote", "add", "origin", remote)
	files := gittest.Files{
		"ordo.yaml":        fixtureCatalog,
		"docs/runbook.md":  "# runbook\n",
		"db/0001.sql":      "create table t (id int);\n",
		"libs/auth/a.go":   "package auth\n",
		"api/main.go":      "package main\n",
		"worker/main.go":   "package main\n",
		"mailer/main.go":   "package main\n",
		"web/index.html":   "<p>web</p>\n",
		"admin/index.html": "<p>admin</p>\n",
		".gitignore":       ".gitlab-ci-local/\n",
	}
	for i := range 7 {
		files[fmt.Sprintf("chain/%d/x.txt", i)] = "1\n"
	}
	for k, v := range ciFiles {
		files[k] = v
	}
	r.init = r.Commit("init", files)
	r.change = r.Commit("fix: auth and mailer", gittest.Files{"libs/auth/a.go": "package auth // fixed\n", "mailer/main.go": "package main // fixed\n"})
	if until == "change" {
		return r
	}
	r.docs = r.Commit("docs: runbook", gittest.Files{"docs/runbook.md": "# runbook\n\nmore\n"})
	if until == "docs" {
		return r
	}
	r.chain = r.Commit("feat: c0", gittest.Files{"chain/0/x.txt": "2\n"})
	return r
}

// repoFiles reads files of this repository into gittest.Files under the same
// names, for the fixture's CI configuration (the component templates, the
// example workflow).
func repoFiles(tb testing.TB, names ...string) gittest.Files {
	tb.Helper()
	files := gittest.Files{}
	for _, name := range names {
		files[name] = readFile(tb, filepath.Join(root, name))
	}
	return files
}

// copySources copies what building ordo and running its actions needs into
// dir, a stand-in for the ordo-ci/ordo repository at a tag: go.mod, go.sum,
// cmd/, internal/ (without tests and test data), action.yml and actions/.
func copySources(tb testing.TB, dir string) {
	tb.Helper()
	for _, name := range []string{"go.mod", "go.sum", "action.yml"} {
		writeFile(tb, filepath.Join(dir, name), readFile(tb, filepath.Join(root, name)), 0o644)
	}
	for _, top := range []string{"cmd", "internal", "actions"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				if d.Name() == "testdata" {
					return filepath.SkipDir
				}
				return nil
			}
			if strings.HasSuffix(path, "_test.go") {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			target := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
				return err
			}
			return os.WriteFile(target, b, info.Mode().Perm())
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}
