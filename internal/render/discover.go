package render

import (
	"io"
	"strings"

	"github.com/ordo-ci/ordo/internal/discover"
)

// Discovered lists what ordo init found and from which files.
func Discovered(w io.Writer, f *discover.Found) error {
	if len(f.Services) == 0 {
		return nil
	}
	rows := [][]string{{"SERVICE", "KIND", "DEPENDS ON", "FROM"}}
	for _, s := range f.Services {
		rows = append(rows, []string{s.Name, string(s.Kind), dash(strings.Join(s.DependsOn, ", ")), strings.Join(names(s.Sources), ", ")})
	}
	return table(w, rows)
}
