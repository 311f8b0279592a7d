package notify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/ordo-ci/ordo/internal/english"
	"github.com/ordo-ci/ordo/internal/git"
)

// The documents' shapes are SPEC sections 10, 12, 13 and 15. Each is decoded
// into a small struct of its own holding only what the message shows, so a
// field a command adds later does not break notify.

type ref struct {
	SHA     string `json:"sha"`
	Version string `json:"version"`
}

// String is "1.2.0 (abcdef012345)", or what of it is known.
func (r *ref) String() string {
	switch {
	case r == nil:
		return "nothing"
	case r.Version != "" && r.SHA != "" && !strings.Contains(r.Version, git.Short(r.SHA)):
		return r.Version + " (" + git.Short(r.SHA) + ")"
	case r.Version != "":
		return r.Version
	}
	return git.Short(r.SHA)
}

type wave struct {
	Index    int        `json:"index"`
	Services []waveItem `json:"services"`
}

// waveItem is a service in a wave: a name (plan, rollback) or an object
// with a name and a target (a drill's rollback).
type waveItem struct {
	Name   string `json:"name"`
	Target *ref   `json:"target"`
	object bool
}

func (w *waveItem) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &w.Name)
	}
	type plain waveItem
	w.object = true
	return json.Unmarshal(b, (*plain)(w))
}

func decode(data []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(data))
	return d.Decode(v)
}

func fromPlan(data []byte) (*Message, error) {
	var p struct {
		Env      string   `json:"env"`
		Release  string   `json:"release"`
		Head     string   `json:"head"`
		Deploy   []string `json:"deploy"`
		Waves    []wave   `json:"waves"`
		Warnings []string `json:"warnings"`
		Jobs     []struct {
			Service string `json:"service"`
			Version string `json:"version"`
			Base    *ref   `json:"base"`
		} `json:"jobs"`
	}
	if err := decode(data, &p); err != nil {
		return nil, err
	}
	m := &Message{Status: Info}
	where := ""
	if p.Env != "" {
		where = " to " + p.Env
	}
	m.Title = fmt.Sprintf("Plan%s: %s in %s", where, english.Count(len(p.Deploy), "service"), english.Count(len(p.Waves), "wave"))
	if len(p.Deploy) == 0 {
		m.Title = fmt.Sprintf("Plan%s: nothing to deploy", where)
	}
	m.Facts = facts("Environment", p.Env, "Release", p.Release, "Commit", git.Short(p.Head))
	jobs := map[string]int{}
	for i, j := range p.Jobs {
		jobs[j.Service] = i
	}
	for _, w := range p.Waves {
		s := Section{Title: fmt.Sprintf("Wave %d", w.Index)}
		for _, it := range w.Services {
			item := it.Name
			if i, ok := jobs[it.Name]; ok {
				j := p.Jobs[i]
				if j.Version != "" {
					item += " " + j.Version
				}
				if j.Base != nil && j.Base.Version != "" {
					item += " (from " + j.Base.Version + ")"
				} else if p.Env != "" && j.Base == nil {
					item += " (new)"
				}
			}
			s.Items = append(s.Items, item)
		}
		m.Sections = append(m.Sections, s)
	}
	if len(p.Warnings) > 0 {
		m.Sections = append(m.Sections, Section{Title: "Warnings", Items: p.Warnings})
	}
	return m, nil
}

func fromVerify(data []byte) (*Message, error) {
	var v struct {
		Env         string `json:"env"`
		Wave        *int   `json:"wave"`
		Release     string `json:"release"`
		Passed      bool   `json:"passed"`
		Interrupted bool   `json:"interrupted"`
		MaxFailed   *int   `json:"max_failed"`
		Services    []struct {
			Name   string `json:"name"`
			Passed bool   `json:"passed"`
			Checks []struct {
				Name         string `json:"name"`
				Passed       bool   `json:"passed"`
				Reason       string `json:"reason"`
				Measurements []struct {
					Passed bool   `json:"passed"`
					Error  string `json:"error"`
					Value  string `json:"value"`
				} `json:"measurements"`
			} `json:"checks"`
		} `json:"services"`
	}
	if err := decode(data, &v); err != nil {
		return nil, err
	}
	what := "Verification"
	if v.Wave != nil {
		what = fmt.Sprintf("Verification of wave %d", *v.Wave)
	}
	if v.Env != "" {
		what += " in " + v.Env
	}
	var failed, passed []string
	for _, s := range v.Services {
		if s.Passed {
			passed = append(passed, s.Name)
			continue
		}
		for _, c := range s.Checks {
			if c.Passed {
				continue
			}
			why := c.Reason
			for i := len(c.Measurements) - 1; why == "" && i >= 0; i-- {
				if x := c.Measurements[i]; !x.Passed {
					why = x.Error
					if why == "" && x.Value != "" {
						why = "measured " + x.Value
					}
				}
			}
			item := s.Name + ": " + c.Name + " failed"
			if why != "" {
				item += ": " + why
			}
			failed = append(failed, item)
		}
		if len(s.Checks) == 0 {
			failed = append(failed, s.Name+": failed")
		}
	}
	m := &Message{Status: Good, Title: what + ": passed"}
	switch {
	case v.Interrupted:
		m.Status, m.Title = Bad, what+": interrupted"
	case !v.Passed:
		m.Status, m.Title = Bad, what+": the breaker tripped"
	case len(failed) > 0:
		m.Title = what + ": passed, with failures under the breaker's limit"
	}
	m.Facts = facts("Environment", v.Env, "Release", v.Release,
		"Services", fmt.Sprintf("%d passed, %d failed", len(passed), len(v.Services)-len(passed)))
	if v.MaxFailed != nil {
		m.Facts = append(m.Facts, Fact{"Breaker", fmt.Sprintf("trips at %d failed", *v.MaxFailed)})
	}
	m.Sections = sections("Failed", failed, "Passed", passed)
	return m, nil
}

func fromRollback(data []byte) (*Message, error) {
	var r struct {
		Env      string `json:"env"`
		Release  string `json:"release"`
		Waves    []wave `json:"waves"`
		Services []struct {
			Name         string `json:"name"`
			From         *ref   `json:"from"`
			Target       *ref   `json:"target"`
			Irreversible bool   `json:"irreversible"`
			Reason       string `json:"reason"`
		} `json:"services"`
		Left       []string `json:"left"`
		Superseded []string `json:"superseded"`
	}
	if err := decode(data, &r); err != nil {
		return nil, err
	}
	n := 0
	for _, w := range r.Waves {
		n += len(w.Services)
	}
	m := &Message{Status: Bad, Title: fmt.Sprintf("Rollback in %s: %s in %s", r.Env, english.Count(n, "service"), english.Count(len(r.Waves), "wave"))}
	if n == 0 {
		m.Title = fmt.Sprintf("Rollback in %s: nothing to roll back", r.Env)
	}
	m.Facts = facts("Environment", r.Env, "Release", r.Release)
	byName := map[string]int{}
	for i, s := range r.Services {
		byName[s.Name] = i
	}
	var irreversible []string
	for _, s := range r.Services {
		if s.Irreversible {
			irreversible = append(irreversible, s.Name)
		}
	}
	for _, w := range r.Waves {
		s := Section{Title: fmt.Sprintf("Rollback wave %d", w.Index)}
		for _, it := range w.Services {
			item := it.Name
			if i, ok := byName[it.Name]; ok {
				x := r.Services[i]
				item += ": " + x.From.String() + " → " + x.Target.String()
			}
			s.Items = append(s.Items, item)
		}
		m.Sections = append(m.Sections, s)
	}
	var left []string
	for _, name := range r.Left {
		item := name
		if i, ok := byName[name]; ok && r.Services[i].Reason != "" {
			item += ": " + r.Services[i].Reason
		}
		left = append(left, item)
	}
	m.Sections = append(m.Sections, sections("Left as they are (no known target)", left,
		"Irreversible (skipped)", irreversible, "Superseded by a later release", r.Superseded)...)
	return m, nil
}

func fromDrill(data []byte) (*Message, error) {
	var d struct {
		Env    string `json:"env"`
		Drills []struct {
			FailWave        int      `json:"fail_wave"`
			FailService     *string  `json:"fail_service"`
			New             []string `json:"new"`
			Old             []string `json:"old"`
			Rollback        []wave   `json:"rollback"`
			Irreversible    []string `json:"irreversible"`
			FlagsOff        []string `json:"flags_off"`
			BrokenContracts []struct {
				Consumer   string `json:"consumer"`
				Provider   string `json:"provider"`
				Contract   string `json:"contract"`
				Constraint string `json:"constraint"`
				Version    string `json:"version"`
			} `json:"broken_contracts"`
		} `json:"drills"`
		Notes []string `json:"notes"`
	}
	if err := decode(data, &d); err != nil {
		return nil, err
	}
	risky := 0
	for _, x := range d.Drills {
		if len(x.Irreversible)+len(x.BrokenContracts) > 0 {
			risky++
		}
	}
	m := &Message{Status: Info, Title: fmt.Sprintf("Drill in %s: %s, %d with irreversible migrations or broken contracts", d.Env, english.Count(len(d.Drills), "rehearsed failure"), risky)}
	if risky > 0 {
		m.Status = Bad
	}
	m.Facts = facts("Environment", d.Env)
	for _, x := range d.Drills {
		title := fmt.Sprintf("If wave %d fails", x.FailWave)
		if x.FailService != nil {
			title = fmt.Sprintf("If %s fails in wave %d", *x.FailService, x.FailWave)
		}
		s := Section{Title: title}
		s.Items = append(s.Items, "on the new version: "+list(x.New), "on the old version: "+list(x.Old))
		for _, w := range x.Rollback {
			var names []string
			for _, it := range w.Services {
				name := it.Name
				if it.object {
					name += " → " + it.Target.String()
				}
				names = append(names, name)
			}
			s.Items = append(s.Items, fmt.Sprintf("rollback wave %d: %s", w.Index, list(names)))
		}
		if len(x.Irreversible) > 0 {
			s.Items = append(s.Items, "irreversible: "+list(x.Irreversible))
		}
		for _, c := range x.BrokenContracts {
			s.Items = append(s.Items, fmt.Sprintf("broken contract: %s needs %s %s %s, would see %s", c.Consumer, c.Provider, c.Contract, c.Constraint, c.Version))
		}
		if len(x.FlagsOff) > 0 {
			s.Items = append(s.Items, "flags off: "+list(x.FlagsOff))
		}
		m.Sections = append(m.Sections, s)
	}
	if len(d.Notes) > 0 {
		m.Sections = append(m.Sections, Section{Title: "Notes", Items: d.Notes})
	}
	return m, nil
}

// list joins names for one line; an empty list is "none".
func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// facts pairs labels with values, leaving out empty values.
func facts(kv ...string) []Fact {
	var out []Fact
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] != "" {
			out = append(out, Fact{kv[i], kv[i+1]})
		}
	}
	return out
}

// sections makes a section of each non-empty list among title, items pairs.
func sections(pairs ...any) []Section {
	var out []Section
	for i := 0; i+1 < len(pairs); i += 2 {
		if items := pairs[i+1].([]string); len(items) > 0 {
			out = append(out, Section{Title: pairs[i].(string), Items: items})
		}
	}
	return out
}
