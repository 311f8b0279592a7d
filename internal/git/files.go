package git

import (
	"context"
	"strings"
)

// Files lists the files git tracks in the working tree, repository-relative
// and slash-separated. -z keeps names with newlines or quotes intact.
func (r Repo) Files(ctx context.Context) ([]string, error) {
	out, err := r.Run(ctx, "-c", "core.quotePath=false", "ls-files", "-z", "--full-name", ":/")
	if err != nil {
		return nil, err
	}
	var files []string
	for f := range strings.SplitSeq(string(out), "\x00") {
		if f != "" {
			files = append(files, f)
		}
	}
	return files, nil
}
