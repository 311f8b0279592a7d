package render

import (
	"fmt"
	"io"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/release"

	"github.com/ordo-ci/ordo/internal/render/md"
)

// VersionsText writes the next version of each service as a table.
func VersionsText(w io.Writer, res *release.Result) error {
	if len(res.Releases) == 0 {
		_, err := fmt.Fprintln(w, "nothing to release")
		return err
	}
	rows := [][]string{{"SERVICE", "CURRENT", "NEXT", "BUMP", "TAG"}}
	for _, r := range res.Releases {
		tag := r.Tag
		if r.TagExists {
			tag += " (exists)"
		}
		rows = append(rows, []string{r.Service, dash(r.Current), r.Next, r.Bump, Name(tag)})
	}
	return table(w, rows)
}

// VersionsMarkdown writes the next versions as a Markdown table.
func VersionsMarkdown(w io.Writer, res *release.Result) error {
	fmt.Fprintf(w, "### ordo versions: %s to release\n\n", english.Count(len(res.Releases), "service"))
	if len(res.Releases) == 0 {
		_, err := fmt.Fprintln(w, "Nothing to release.")
		return err
	}
	fmt.Fprintln(w, "| Service | Current | Next | Bump | Tag |")
	fmt.Fprintln(w, "|---|---|---|---|---|")
	for _, r := range res.Releases {
		fmt.Fprintf(w, "| `%s` | %s | %s | %s | %s |\n", r.Service, dash(r.Current), r.Next, r.Bump, md.Code(r.Tag))
	}
	return nil
}
