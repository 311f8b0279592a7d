package board

import (
	"fmt"
	"slices"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/record"
)

// Waves is the latest plan, laid out for inline SVG: one column per wave,
// one box per service, and lines from each service to those it follows
// (with a plan file, whose jobs say so).
type Waves struct {
	Source        string // "plan file" or "record"
	Env, Release  string
	Columns       []Column
	Edges         []Edge
	Width, Height int
	Services      int
}

// Column is one wave.
type Column struct {
	Index, X int
	Boxes    []Box
	// More counts the services not drawn, at MoreY.
	More, MoreY int
}

// Box is one service of a wave.
type Box struct {
	Name, Label string
	X, Y        int
	// Status is the service's state in this release, when the record
	// knows it: planned, deploying, deployed, verified, failed, rolled back.
	Status string
}

// Edge is a line from a box to one in a later wave.
type Edge struct{ X1, Y1, X2, Y2 int }

// Geometry of the drawing, in SVG user units.
const (
	BoxW, BoxH  = 180, 24
	colGap      = 48
	rowGap      = 6
	headH       = 28
	maxBoxes    = 40  // per wave; the rest are counted
	maxEdges    = 400 // beyond this, lines are noise
	labelLength = 24
)

func wavesOf(in Input, all []Release) *Waves {
	w := &Waves{}
	var waves [][]string
	after := map[string][]string{}
	if p := in.Plan; p != nil {
		w.Source, w.Env, w.Release = "plan file", p.Env, p.Release
		for _, wave := range p.Waves {
			waves = append(waves, wave.Services)
		}
		for _, j := range p.Jobs {
			after[j.Service] = j.After
		}
	} else {
		if len(all) == 0 {
			return nil
		}
		r := all[0]
		w.Source, w.Env, w.Release = "record", r.Env, r.ID
		for _, s := range r.Services {
			i, ok := r.waves[s]
			if !ok {
				continue // written outside a wave
			}
			for len(waves) <= i {
				waves = append(waves, nil)
			}
			waves[i] = append(waves[i], s)
		}
		for _, ws := range waves {
			slices.Sort(ws)
		}
	}
	if len(waves) == 0 {
		return nil
	}
	status := statuses(in.Record[w.Env], w.Release)
	at := map[string][2]int{} // box centre-left and centre-right y, by name
	for i, services := range waves {
		col := Column{Index: i, X: i * (BoxW + colGap)}
		for k, s := range services {
			if k == maxBoxes {
				col.More = len(services) - maxBoxes
				col.MoreY = headH + k*(BoxH+rowGap) + BoxH/2
				break
			}
			b := Box{Name: s, Label: label(s), X: col.X, Y: headH + k*(BoxH+rowGap), Status: status[s]}
			if b.Status == "" {
				b.Status = "planned"
			}
			col.Boxes = append(col.Boxes, b)
			at[s] = [2]int{col.X, b.Y + BoxH/2}
		}
		w.Services += len(services)
		w.Columns = append(w.Columns, col)
		shown := min(len(services), maxBoxes+1)
		w.Height = max(w.Height, headH+shown*(BoxH+rowGap))
	}
	w.Width = len(waves)*(BoxW+colGap) - colGap
	for _, col := range w.Columns {
		for _, b := range col.Boxes {
			for _, a := range after[b.Name] {
				from, ok := at[a]
				if !ok || len(w.Edges) == maxEdges {
					continue
				}
				w.Edges = append(w.Edges, Edge{from[0] + BoxW, from[1], b.X, b.Y + BoxH/2})
			}
		}
	}
	return w
}

// statuses says where each service of release stands in env's record.
func statuses(env map[string][]record.Entry, release string) map[string]string {
	out := map[string]string{}
	if release == "" {
		return out
	}
	for s, entries := range env {
		for _, e := range entries {
			if e.Release != release {
				continue
			}
			switch e.Phase + "/" + e.State {
			case "deploy/in_progress":
				out[s] = "deploying"
			case "deploy/success":
				out[s] = "deployed"
			case "deploy/failure", "verify/failure":
				out[s] = "failed"
			case "verify/verified":
				out[s] = "verified"
			case "rollback/rolled_back", "rollback/success":
				out[s] = "rolled back"
			}
		}
	}
	return out
}

func label(s string) string {
	r := []rune(s)
	if len(r) <= labelLength {
		return s
	}
	return string(r[:labelLength-1]) + "…"
}

// Summary is the drawing's text alternative.
func (w *Waves) Summary() string {
	return fmt.Sprintf("%s in %s", english.Count(w.Services, "service"), english.Count(len(w.Columns), "wave"))
}
