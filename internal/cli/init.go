package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"github.com/ordo-ci/ordo/internal/affected"
	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/discover"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/render"
)

// schemaURL is where editors find the catalog's JSON Schema; `ordo schema`
// prints the same document for offline use.
const schemaURL = "https://raw.githubusercontent.com/ordo-ci/ordo/main/internal/catalog/schema.json"

type initCmd struct {
	options
	force bool
}

func (c *initCmd) flags(fs *flag.FlagSet) {
	c.catalogFlags(fs)
	fs.BoolVar(&c.force, "force", false, "overwrite an existing catalog")
}

func (c *initCmd) run(ctx context.Context, e *env) error {
	path := c.configPath()
	if _, err := os.Stat(path); err == nil && !c.force {
		return exit.BadInputf("%s already exists: pass --force to overwrite it, or --config to write elsewhere", path)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return exit.Envf("check %s: %w", path, err)
	}
	repo := git.Repo{Dir: c.dir}
	if _, err := repo.Output(ctx, "rev-parse", "--show-toplevel"); err != nil {
		return exit.BadInputf("%s is not in a git repository: ordo init reads the files git tracks; run it at the root of a repository (or pass -C DIR), after git init", c.dir)
	}
	// Tracked files and untracked ones git does not ignore: what a commit
	// can change.
	out, err := repo.Run(ctx, "-c", "core.quotePath=false", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--full-name")
	if err != nil {
		return exit.Envf("list the repository's files: %w", err)
	}
	var files []string
	for f := range strings.SplitSeq(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	found, err := discover.Discover(os.DirFS(c.dir), discover.Options{Files: files})
	if err != nil {
		if exit.Code(err) == exit.BadInput {
			return err
		}
		return exit.Envf("read the repository: %w", err)
	}
	tags, err := repo.Run(ctx, "tag", "--list")
	if err != nil {
		return exit.Envf("list tags: %w", err)
	}
	discover.SuggestTags(found, strings.Fields(string(tags)))
	e.printDiags(found.Diags, nil, "")
	var buf bytes.Buffer
	if err := discover.Render(&buf, found, schemaURL); err != nil {
		return err
	}
	// What init writes must load: a catalog that does not is a bug here,
	// and must not reach the user's repository.
	cat, diags := catalog.Parse(path, buf.Bytes())
	if cat == nil {
		return exit.Envf("ordo init wrote a catalog that does not validate (please report this):\n%s", diags.Error())
	}
	if err := writeFileAtomic(path, func(w io.Writer) error { _, err := w.Write(buf.Bytes()); return err }); err != nil {
		return err
	}
	if err := render.Discovered(e.out, found); err != nil {
		return err
	}
	for _, n := range found.Notes {
		fmt.Fprintf(e.out, "note: %s\n", n)
	}
	if len(found.Lockfiles) > 0 {
		fmt.Fprintf(e.out, "note: lockfiles are global (%s): a change there affects every service; the README (ordo init) shows how to narrow it\n", strings.Join(found.Lockfiles, ", "))
	}
	unownedReport(e.out, cat, files)
	_, err = fmt.Fprintf(e.out, "wrote %s: %s, %s; review it, then run `ordo validate --strict`\n", path, english.Count(len(found.Services), "service"), english.Count(len(found.Global), "global file"))
	return err
}

// unownedReport says how many of the repository's files no service owns
// (a change to them affects nothing with unowned: ignore), with the top
// directories among them, and suggests what to do with CI files.
func unownedReport(w io.Writer, cat *catalog.Catalog, files []string) {
	res, err := affected.NewMatcher(cat).Compute(affected.Input{Files: files})
	if err != nil || len(res.UnownedFiles) == 0 {
		fmt.Fprintf(w, "every file of the repository is owned by a service or global\n")
		return
	}
	count := map[string]int{}
	var ci []string
	for _, f := range res.UnownedFiles {
		top, _, _ := strings.Cut(f, "/")
		if top == f {
			top = "(root files)"
		} else {
			top += "/"
		}
		count[top]++
		if strings.HasPrefix(f, ".github/workflows/") || f == ".gitlab-ci.yml" || strings.HasPrefix(f, ".gitlab/") || strings.HasPrefix(f, ".circleci/") {
			ci = append(ci, f)
		}
	}
	dirs := make([]string, 0, len(count))
	for d := range count {
		dirs = append(dirs, d)
	}
	sort.Slice(dirs, func(i, j int) bool {
		if count[dirs[i]] != count[dirs[j]] {
			return count[dirs[i]] > count[dirs[j]]
		}
		return dirs[i] < dirs[j]
	})
	var top []string
	for i, d := range dirs {
		if i == 5 {
			top = append(top, fmt.Sprintf("%d more", len(dirs)-5))
			break
		}
		top = append(top, fmt.Sprintf("%s %d", d, count[d]))
	}
	fmt.Fprintf(w, "%s of %d belong to no service: %s; a change to them affects nothing (unowned: ignore): add them to a service's paths, to global, or to ignore\n",
		english.Count(len(res.UnownedFiles), "file"), len(files), strings.Join(top, ", "))
	if len(ci) > 0 {
		sort.Strings(ci)
		if len(ci) > 3 {
			ci = append(ci[:3], "...")
		}
		fmt.Fprintf(w, "note: CI files are among them (%s): add the deploy workflow to global if a change to it must redeploy everything\n", strings.Join(ci, ", "))
	}
}
