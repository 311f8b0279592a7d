package plan

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

// RollbackMatrices returns the wave matrices in reverse; each job keeps the
// index of the wave it deployed in.
func (p *Plan) RollbackMatrices() []Matrix {
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
