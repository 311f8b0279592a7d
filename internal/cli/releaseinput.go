package cli

import (
	"context"
	"io/fs"
	"os"
	"path"
	"strings"

	"github.com/ordo-ci/ordo/internal/catalog"
	"github.com/ordo-ci/ordo/internal/discover"
	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/exit"
	"github.com/ordo-ci/ordo/internal/git"
	"github.com/ordo-ci/ordo/internal/release"
)

// checkStrict is the --strict answer, after the output is written.
func (o *releaseOptions) checkStrict(res *release.Result) error {
	if !o.strict || len(res.Unconventional) == 0 {
		return nil
	}
	n := 0
	for _, u := range res.Unconventional {
		n += u.Count
	}
	return exit.Nof("%s in the services' ranges not Conventional Commits (--strict): reword them, or release them with a Release-As footer", english.Count(n, "commit")+" "+english.Agree(n, "is", "are"))
}

// manifestVersions fills each service's ManifestVersion from the manifest in
// its directory at head: from the working tree for HEAD (what CI checked
// out), else from git.
func manifestVersions(ctx context.Context, repo git.Repo, head string, cat *catalog.Catalog, services []release.Service) error {
	var read func(file string) ([]byte, bool)
	if head == "" || head == "HEAD" {
		root := os.DirFS(repo.Dir)
		read = func(file string) ([]byte, bool) {
			st, err := fs.Stat(root, file)
			if err != nil || !st.Mode().IsRegular() || st.Size() > maxManifestRead {
				return nil, false
			}
			src, err := fs.ReadFile(root, file)
			return src, err == nil
		}
	} else {
		out, err := repo.Run(ctx, "ls-tree", "-r", "-z", "--name-only", "--full-tree", head+"^{commit}")
		if err != nil {
			return nil // an unknown head: release.Compute says so, with the right exit code
		}
		have := map[string]bool{}
		for f := range strings.SplitSeq(string(out), "\x00") {
			if b := path.Base(f); b == "package.json" || b == "Cargo.toml" {
				have[f] = true
			}
		}
		read = func(file string) ([]byte, bool) {
			if !have[file] {
				return nil, false
			}
			src, err := repo.Run(ctx, "cat-file", "blob", head+":"+file)
			return src, err == nil && len(src) <= maxManifestRead
		}
	}
	for i := range services {
		if dir := discover.PackageDir(cat.Services[i].Paths); dir != "" && dir != "." {
			services[i].ManifestVersion = discover.ManifestVersion(dir, read)
		}
	}
	return nil
}

// maxManifestRead caps a manifest read for its version.
const maxManifestRead = 8 << 20
