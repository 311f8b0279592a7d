package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf16"
)

// Matrix is a GitHub Actions matrix, {"include": [...]}, one entry per job.
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/running-variations-of-jobs-in-a-workflow
type Matrix struct {
	Include []MatrixJob `json:"include"`
}

// MatrixJob is one matrix entry: what a deploy job needs to know about its
// service. Fields at their zero value are left out so that a 5,000-service
// matrix stays under GitHub's 1 MB of job outputs; in an expression a missing
// field reads as null, which is falsy and formats as an empty string. The
// order between jobs is the waves' business, so After is not repeated here.
type MatrixJob struct {
	Service  string            `json:"service"`
	Wave     int               `json:"wave"`
	Kind     string            `json:"kind"`
	Critical bool              `json:"critical,omitempty"`
	Lock     string            `json:"lock,omitempty"`
	Changed  bool              `json:"changed,omitempty"`
	With     map[string]string `json:"with,omitempty"`
	SHA      string            `json:"sha,omitempty"`
	Version  string            `json:"version,omitempty"`
}

// Matrix returns every job at once, for workflows that do not deploy wave by
// wave. Above MaxWave jobs GitHub refuses it; New then adds a warning.
func (p *Plan) Matrix() Matrix {
	return matrix(p.Jobs)
}

// WaveMatrices returns one matrix per wave: item i is wave i's. Deploy-order
// jobs of one wave are contiguous, so each matrix is a slice of Jobs.
func (p *Plan) WaveMatrices() []Matrix {
	out := make([]Matrix, 0, len(p.Waves))
	start := 0
	for _, w := range p.Waves {
		end := start + len(w.Services)
		out = append(out, matrix(p.Jobs[start:end]))
		start = end
	}
	return out
}

// rollbackMatrices returns the wave matrices in reverse; each job keeps the
// index of the wave it deployed in.
func (p *Plan) rollbackMatrices() []Matrix {
	out := p.WaveMatrices()
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

func matrix(jobs []Job) Matrix {
	m := Matrix{Include: make([]MatrixJob, len(jobs))}
	for i, j := range jobs {
		m.Include[i] = MatrixJob{
			Service:  j.Service,
			Wave:     j.Wave,
			Kind:     string(j.Kind),
			Critical: j.Critical,
			Lock:     j.Lock,
			Changed:  j.Changed,
			With:     j.With,
			SHA:      j.SHA,
			Version:  j.Version,
		}
	}
	return m
}

// MaxOutputBytes is GitHub's limit on all the outputs of one job together
// (1 MB, counted in UTF-16: two bytes a character below U+10000).
// https://docs.github.com/en/actions/writing-workflows/choosing-what-your-workflow-does/passing-information-between-jobs
const MaxOutputBytes = 1_000_000

// Output is one output of the plan action.
type Output struct {
	Name  string
	Value string
}

// Outputs returns the plan action's outputs (SPEC section 11) as compact
// JSON, in a fixed order: affected and deploy (arrays of names), has-deploy
// (true/false), matrix, waves (item i is wave i's matrix), wave-services
// (item i is the names of wave i, for workflows whose plan is too large for
// the matrices), wave-count, and rollback (the wave matrices in rollback
// order). plan-file is the caller's. An empty plan still yields every
// output: [], false, {"include":[]}, 0.
//
// GitHub's 1 MB holds for the outputs a job maps, together: a warning says
// when one output, or all of them, pass it, and what to map instead.
func (p *Plan) Outputs() (outs []Output, warnings []string) {
	names := make([][]string, len(p.Waves))
	for i, w := range p.Waves {
		names[i] = w.Services
	}
	outs = []Output{
		{"affected", compact(p.Affected)},
		{"deploy", compact(p.Deploy)},
		{"has-deploy", strconv.FormatBool(len(p.Deploy) > 0)},
		{"matrix", compact(p.Matrix())},
		{"waves", compact(p.WaveMatrices())},
		{"wave-services", compact(names)},
		{"wave-count", strconv.Itoa(len(p.Waves))},
		{"rollback", compact(p.rollbackMatrices())},
	}
	if p.Env != "" {
		// The deploy jobs record their entries under this release.
		outs = append(outs, Output{"release", p.Release})
	}
	total := 0
	for _, o := range outs {
		size := utf16Bytes(o.Value)
		total += size
		if size > MaxOutputBytes {
			warnings = append(warnings, fmt.Sprintf(
				"output %s is %d KB, more than the %d KB GitHub accepts in one job's outputs (counted in UTF-16): map wave-services (names only) and wave-count instead, and pass the plan file to later jobs as an artifact",
				o.Name, size/1000, MaxOutputBytes/1000))
		}
	}
	if total > MaxOutputBytes && len(warnings) == 0 {
		warnings = append(warnings, fmt.Sprintf(
			"the plan's outputs are %d KB together, more than the %d KB GitHub accepts in one job's outputs (counted in UTF-16): map only the outputs the workflow uses (wave-services and wave-count are small), and pass the plan file to later jobs as an artifact",
			total/1000, MaxOutputBytes/1000))
	}
	return outs, warnings
}

// utf16Bytes is the size GitHub counts for an output.
func utf16Bytes(s string) int {
	n := 0
	for _, r := range s {
		n += 2 * utf16.RuneLen(r)
	}
	return n
}

// writeJSON writes v as JSON followed by a newline: indented for people and
// files, compact for CI outputs. HTML characters are not escaped, so names
// and with: values read as written.
func writeJSON(w io.Writer, v any, indent bool) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	if indent {
		enc.SetIndent("", "  ")
	}
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("write json: %w", err)
	}
	return nil
}

func compact(v any) string {
	var b bytes.Buffer
	if err := writeJSON(&b, v, false); err != nil {
		// Plans hold only strings, ints, bools and string maps.
		panic(err)
	}
	return string(bytes.TrimSuffix(b.Bytes(), []byte("\n")))
}
