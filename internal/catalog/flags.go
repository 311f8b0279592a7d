package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
)

// Flag is one entry under flags: (SPEC §14): a feature flag that turns on
// when the services it needs run versions that support it.
type Flag struct {
	Name     string
	Pos      Pos
	Requires []Requirement // sorted by service
	Rollout  []RolloutStep // empty: fully on when met
}

// Requirement is a version constraint on what runs a service.
type Requirement struct {
	Service    string
	Constraint *semver.Constraints
	Raw        string
	Pos        Pos
}

// RolloutStep is one step of a flag's ramp: Percent of traffic, for Hold
// before the next step.
type RolloutStep struct {
	Percent int
	Hold    time.Duration // 0 for the last step
}

// Flag returns the flag called name, or nil.
func (c *Catalog) Flag(name string) *Flag {
	i, ok := slices.BinarySearchFunc(c.Flags, name, func(f *Flag, n string) int { return strings.Compare(f.Name, n) })
	if !ok {
		return nil
	}
	return c.Flags[i]
}

func (d *decoder) flags(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "flags")
	for _, fp := range pairs {
		f := &Flag{Name: fp.key, Pos: fp.keyPos}
		if !validName(fp.key) {
			d.errorf(fp.keyPos, "name", "invalid flag name %q: use lowercase letters, digits, '.', '_' and '-', starting with a letter or digit", fp.key)
		}
		what := fmt.Sprintf("flag %q", fp.key)
		fields, _ := d.mapping(fp.value, fp.valPos, what)
		var requiresSeen bool
		d.fields(fields, what, map[string]func(pair){
			"requires": func(p pair) {
				requiresSeen = true
				f.Requires = d.requires(p, what)
			},
			"rollout": func(p pair) { f.Rollout = d.rollout(p, what) },
		})
		if !requiresSeen {
			d.errorf(f.Pos, "flag", "%s has no requires: name the services and versions it needs, e.g. requires: {payments: \">=4.0.0\"}", what)
		}
		c.Flags = append(c.Flags, f)
	}
	slices.SortFunc(c.Flags, func(a, b *Flag) int { return strings.Compare(a.Name, b.Name) })
}

func (d *decoder) requires(p pair, what string) []Requirement {
	pairs, _ := d.mapping(p.value, p.valPos, what+" requires")
	if len(pairs) == 0 {
		d.errorf(p.valPos, "flag", "%s requires is empty: name the services and versions it needs, e.g. {payments: \">=4.0.0\"}", what)
	}
	var out []Requirement
	for _, rp := range pairs {
		raw, ok := d.text(rp, fmt.Sprintf("%s requires %q", what, rp.key))
		if !ok {
			continue
		}
		con, err := d.constraint(raw)
		if err != nil {
			d.errorf(rp.valPos, "semver", "%s requires %q: invalid constraint %q: %v (e.g. >=4.0.0, ^2.1)", what, rp.key, raw, err)
			continue
		}
		out = append(out, Requirement{Service: rp.key, Constraint: con, Raw: raw, Pos: rp.keyPos})
	}
	slices.SortFunc(out, func(a, b Requirement) int { return strings.Compare(a.Service, b.Service) })
	return out
}

// rollout reads the ramp: percents strictly increasing, each in 1..100,
// ending at 100; the last step holds nothing.
func (d *decoder) rollout(p pair, what string) []RolloutStep {
	items, ok := d.sequence(p.value, p.valPos, what+" rollout")
	if !ok {
		return nil
	}
	if len(items) == 0 {
		d.errorf(p.valPos, "rollout", "%s rollout is empty: list its steps ending at {percent: 100}, or remove rollout to turn it fully on when met", what)
		return nil
	}
	var steps []RolloutStep
	prev := 0
	for i, it := range items {
		label := fmt.Sprintf("%s rollout[%d]", what, i)
		fields, _ := d.mapping(it.value, it.pos, label)
		step := RolloutStep{}
		var percentSeen bool
		var holdPos Pos
		d.fields(fields, label, map[string]func(pair){
			"percent": func(p pair) {
				percentSeen = true
				v, ok := d.integer(p, label+" percent")
				switch {
				case !ok:
				case v < 1 || v > 100:
					d.errorf(p.valPos, "rollout", "%s percent %d is outside 1..100", label, v)
				case v <= prev:
					d.errorf(p.valPos, "rollout", "%s percent %d does not go up from %d: percents must strictly increase", label, v, prev)
				default:
					step.Percent, prev = v, v
				}
			},
			"hold": func(p pair) {
				holdPos = p.valPos
				step.Hold, _ = d.duration(p, label+" hold")
			},
		})
		if !percentSeen {
			d.errorf(it.pos, "rollout", "%s has no percent: write e.g. {percent: 5, hold: 30m}", label)
		}
		if i == len(items)-1 && step.Hold > 0 {
			d.errorf(holdPos, "rollout", "%s is the last step: it holds forever, so hold has no meaning; remove it", label)
		}
		steps = append(steps, step)
	}
	// A last step that is itself wrong has been reported already.
	if last := steps[len(steps)-1].Percent; last != 0 && last != 100 {
		d.errorf(items[len(items)-1].pos, "rollout", "%s rollout ends at %d%%: add a last step {percent: 100}", what, last)
	}
	return steps
}

// checkFlags checks that flags require services that exist and are deployed.
func (d *decoder) checkFlags(c *Catalog) {
	for _, f := range c.Flags {
		for _, r := range f.Requires {
			switch svc := c.Service(r.Service); {
			case svc == nil:
				d.errorf(r.Pos, "flag", "flag %q requires unknown service %q%s", f.Name, r.Service, suggest(r.Service, c))
			case !svc.Deployed():
				// A library never runs anywhere, so the flag could never turn on.
				d.errorf(r.Pos, "flag", "flag %q requires library %q, which is never deployed: require the services that use it", f.Name, r.Service)
			}
		}
	}
}
