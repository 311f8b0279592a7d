// Package workflow generates ordo's reusable GitHub workflow,
// .github/workflows/ordo-release.yml, from release.yml.tmpl. A workflow's
// jobs are static, so a release of N waves needs N wave jobs, N verify jobs
// and N rollback jobs written out; the template writes them once and the
// generator repeats them, so that the jobs of wave 7 cannot drift from
// those of wave 0. A test fails when the committed file is not what the
// template generates.
package workflow

//go:generate go run ./gen ../../.github/workflows/ordo-release.yml

import (
	"bytes"
	_ "embed"
	"fmt"
	"text/template"
)

// Waves is how many waves the committed workflow holds.
const Waves = 8

// File is where the workflow is committed, relative to the repository root.
const File = ".github/workflows/ordo-release.yml"

//go:embed release.yml.tmpl
var source string

// tmpl uses [[ ]] for its actions: GitHub's ${{ }} expressions keep theirs.
var tmpl = template.Must(template.New("release.yml").Delims("[[", "]]").Funcs(template.FuncMap{
	"prev": func(i int) int { return i - 1 },
	"at":   func(i int) string { return fmt.Sprintf("[%d]", i) },
}).Parse(source))

// Generate returns the workflow with jobs for waves waves.
func Generate(waves int) ([]byte, error) {
	if waves < 1 {
		return nil, fmt.Errorf("workflow: %d waves: it needs at least 1", waves)
	}
	idx := make([]int, waves)
	for i := range idx {
		idx[i] = i
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, struct {
		Waves   int
		Indexes []int
	}{waves, idx}); err != nil {
		return nil, fmt.Errorf("workflow: %w", err)
	}
	return b.Bytes(), nil
}
