package catalog

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Policy windows: when deploys may happen (policy.freeze,
// policy.migration_windows), read from the catalog and asked "is now inside?".

// Policy is when deploys may happen and how many at once.
type Policy struct {
	Freeze           []Window
	MigrationWindows []Window
	MaxDeploy        int // 0: no limit
}

// Window is a span of time, either one-off (From/To set) or weekly (Days and
// clock times in a time zone).
type Window struct {
	Name     string
	Pos      Pos
	From, To time.Time      // one-off window: [From, To)
	Days     []time.Weekday // weekly window; empty means every day
	Start    int            // weekly: minutes after midnight, inclusive
	End      int            // weekly: minutes after midnight, exclusive; 1440 is midnight
	Location *time.Location // weekly windows' time zone
	Services []string       // globs over service names; empty means all
}

// Weekly reports whether the window repeats every week.
func (w Window) Weekly() bool { return w.From.IsZero() }

// Contains reports whether t falls inside the window.
func (w Window) Contains(t time.Time) bool {
	if !w.Weekly() {
		return !t.Before(w.From) && t.Before(w.To)
	}
	local := t.In(w.Location)
	if len(w.Days) > 0 && !slices.Contains(w.Days, local.Weekday()) {
		return false
	}
	m := local.Hour()*60 + local.Minute()
	return m >= w.Start && m < w.End
}

var weekdays = map[string]time.Weekday{
	"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday,
}

func (d *decoder) policy(c *Catalog, p pair) {
	pairs, _ := d.mapping(p.value, p.valPos, "policy")
	d.fields(pairs, "policy", map[string]func(pair){
		"freeze":            func(p pair) { c.Policy.Freeze = d.windows(p, "freeze", true) },
		"migration_windows": func(p pair) { c.Policy.MigrationWindows = d.windows(p, "migration_windows", false) },
		"max_deploy": func(p pair) {
			v, ok := d.integer(p, "max_deploy")
			if ok && v < 1 {
				d.errorf(p.valPos, "policy", "max_deploy must be at least 1, not %d: remove it for no limit", v)
			}
			c.Policy.MaxDeploy = v
		},
	})
}

func (d *decoder) windows(p pair, what string, withServices bool) []Window {
	items, _ := d.sequence(p.value, p.valPos, what)
	var out []Window
	for i, it := range items {
		w := Window{Pos: it.pos, Location: time.UTC}
		label := fmt.Sprintf("%s[%d]", what, i)
		pairs, _ := d.mapping(it.value, it.pos, label)
		var from, to pair
		var tzSeen bool
		handlers := map[string]func(pair){
			"name": func(p pair) { w.Name, _ = d.str(p, "name") },
			"from": func(p pair) { from = p },
			"to":   func(p pair) { to = p },
			"days": func(p pair) {
				days, pos := d.strings(p, "days")
				for j, day := range days {
					wd, ok := weekdays[strings.ToLower(day)]
					if !ok {
						d.errorf(pos[j], "window", "%s: unknown day %q: use mon, tue, wed, thu, fri, sat or sun", label, day)
						continue
					}
					w.Days = append(w.Days, wd)
				}
				if len(days) == 0 {
					d.errorf(p.valPos, "window", "%s: days is empty: list the days, or remove days for every day", label)
				}
			},
			"tz": func(p pair) {
				tzSeen = true
				name, ok := d.str(p, "tz")
				if !ok {
					return
				}
				loc, err := time.LoadLocation(name)
				if err != nil || name == "" || name == "Local" {
					d.errorf(p.valPos, "window", "%s: unknown time zone %q: use an IANA name such as UTC or Europe/Berlin", label, name)
					return
				}
				w.Location = loc
			},
		}
		if withServices {
			handlers["services"] = func(p pair) {
				w.Services = d.globs(p, label+" services")
			}
		}
		d.fields(pairs, label, handlers)
		if w.Name != "" {
			label = fmt.Sprintf("%s %q", what, w.Name)
		}
		d.window(&w, from, to, tzSeen, label)
		out = append(out, w)
	}
	return out
}

// window reads from/to: RFC 3339 instants make a one-off window, HH:MM clock
// times (or neither) a weekly one.
func (d *decoder) window(w *Window, from, to pair, tzSeen bool, label string) {
	fromText, toText := d.timeText(from, "from"), d.timeText(to, "to")
	absolute := strings.Contains(fromText, "T") || strings.Contains(toText, "T") || strings.Count(fromText, "-") >= 2 || strings.Count(toText, "-") >= 2
	if absolute {
		if fromText == "" || toText == "" {
			d.errorf(w.Pos, "window", "%s: a one-off window needs both from and to as RFC 3339 times, e.g. 2026-12-20T00:00:00Z", label)
			return
		}
		var err error
		if w.From, err = time.Parse(time.RFC3339, fromText); err != nil {
			d.errorf(from.valPos, "window", "%s: from %q is not an RFC 3339 time such as 2026-12-20T00:00:00Z", label, fromText)
		}
		if w.To, err = time.Parse(time.RFC3339, toText); err != nil {
			d.errorf(to.valPos, "window", "%s: to %q is not an RFC 3339 time such as 2027-01-04T00:00:00Z", label, toText)
		}
		if len(w.Days) > 0 {
			d.errorf(w.Pos, "window", "%s: days cannot be combined with RFC 3339 from/to: use HH:MM times for a weekly window", label)
		}
		if tzSeen {
			d.errorf(w.Pos, "window", "%s: tz has no effect on RFC 3339 times, which carry their own offset: remove tz", label)
		}
		if !w.From.IsZero() && !w.To.IsZero() && !w.To.After(w.From) {
			d.errorf(to.valPos, "window", "%s: ends (%s) before it starts (%s): swap from and to", label, toText, fromText)
		}
		return
	}
	w.Start, w.End = 0, 24*60
	if fromText != "" {
		m, ok := clock(fromText)
		if !ok {
			d.errorf(from.valPos, "window", "%s: from %q is not a time: write HH:MM (24-hour, quoted) or an RFC 3339 time", label, fromText)
		}
		w.Start = m
	}
	if toText != "" {
		m, ok := clock(toText)
		if !ok {
			d.errorf(to.valPos, "window", "%s: to %q is not a time: write HH:MM (24-hour, quoted) or an RFC 3339 time", label, toText)
		}
		w.End = m
		if m == 0 {
			w.End = 24 * 60 // "to: 00:00" means until midnight
		}
	}
	if w.End <= w.Start {
		d.errorf(to.valPos, "window", "%s: ends (%s) before it starts (%s): a window crossing midnight must be written as two windows", label, toText, fromText)
	}
}

func (d *decoder) timeText(p pair, what string) string {
	if p.value == nil {
		return ""
	}
	s, _ := d.text(p, what)
	return s
}

// clock parses HH:MM into minutes after midnight.
func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}
